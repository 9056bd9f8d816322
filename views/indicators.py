"""Indicators: any catalogue indicator on the world or a range, with a ranked table."""

from geo import ui

ui.indicators_page()
