"""The resolution text, paragraph by paragraph, linked to its maps."""

from geo import ui

ui.resolution_page()
