"""The meeting workspace on the room's screen (Textual): the app, its screens, dialogs, the
meeting's panes and the widgets they are built from. The only layer, with participant/, that
imports Textual; nothing below imports it."""
