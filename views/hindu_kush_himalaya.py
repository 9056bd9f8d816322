"""hindu-kush-himalaya map page."""

from geo import ui

ui.map_page("hindu-kush-himalaya")
