"""alps map page."""

from geo import ui

ui.map_page("alps")
