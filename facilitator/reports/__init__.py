"""The documents: the agreement and the scorecard as Markdown (Jinja2), and plain-text summaries.

Builds on the domain (and the storage layer for an alliance's history); the only layer with Jinja2."""
