"""Incidents, citizen reports, risk register, threats and alerts (see DESIGN.md)."""
