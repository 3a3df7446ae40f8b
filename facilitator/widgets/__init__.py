"""Widgets: the meeting's panes and the reusable parts they are built from."""
