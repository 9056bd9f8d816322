"""partnership map page."""

from geo import ui

ui.map_page("partnership")
