"""facilitator: lead partnership health checks and draft partnership agreements.

The layers, each importable without the ones above it:
model and content (pure Python) -> store (TinyDB) -> reports (Jinja2) -> cli -> app (Textual).
"""

__version__ = "0.1.0"
