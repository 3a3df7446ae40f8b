"""The data folder: one file per session, its index, locks, schema migrations, autosave, atomic writes.

Builds on the domain; knows nothing of reports or screens."""
