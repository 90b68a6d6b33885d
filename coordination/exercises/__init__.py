"""Joint exercises: the plan, the after-action review and its action items (pages, API,
services and selectors)."""
