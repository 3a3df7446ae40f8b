"""Screens: one module per screen (session list, new session form, meeting workspace, export, help)."""
