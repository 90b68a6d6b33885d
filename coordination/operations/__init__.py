"""Joint operations: the plan and its workflow, the agencies taking part, links to incidents
and threats, the timeline and situation reports (pages, API, services and selectors)."""
