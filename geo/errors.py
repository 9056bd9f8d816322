"""Errors raised by the Mountain Atlas library.

Each class also subclasses the matching builtin, so callers may catch either.
"""


class AtlasError(Exception):
    """Base class of every error this project raises on purpose."""


class RawInputError(AtlasError, OSError):
    """A pinned raw input is missing, cannot be fetched, or fails its checksum."""


class DataFileError(AtlasError, OSError):
    """A file under ``data/`` is missing, unreadable or differs from the manifest."""


class BuildError(AtlasError, RuntimeError):
    """A build step found something it must not silently accept."""


class ParamError(AtlasError, ValueError):
    """A user-supplied parameter (URL, CLI option) is not one of the allowed values."""
