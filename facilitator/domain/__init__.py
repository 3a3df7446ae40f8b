"""The subject matter: sessions, partners and scores, the checklist, history over sessions.

Pure Python (no TinyDB, Jinja2 or Textual): every layer above builds on these dataclasses."""
