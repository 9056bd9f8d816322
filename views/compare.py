"""The four ranges side by side."""

from geo import ui

ui.compare_page()
