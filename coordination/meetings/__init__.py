"""Coordination meetings (rapat koordinasi): invitations, RSVP, attendance, minutes, decisions, action items."""
