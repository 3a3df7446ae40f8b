"""The reusable parts that panes, dialogs and screens are built from (score board, tables, toggles)."""
