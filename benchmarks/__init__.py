"""Benchmarks of facilitator against floors measured in the same run; see README.md here."""
