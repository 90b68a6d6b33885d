"""Patrols: shifts and recurring plans, their conflicts, coverage, check-ins, siskamling rosters
and the iCalendar feed (selectors read, services write, presenters shape the pages)."""
