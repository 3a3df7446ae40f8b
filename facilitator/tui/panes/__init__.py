"""The meeting's steps, one pane each (welcome, health check, gap board, agreement, actions, close),
all built on `pane.Pane`."""
