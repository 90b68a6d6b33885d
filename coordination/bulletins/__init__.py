"""Bulletins: information shared between agencies (docs/architecture.md)."""
