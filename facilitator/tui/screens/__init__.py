"""Full screens: the session list, the new-session form, the meeting workspace, history, help."""
