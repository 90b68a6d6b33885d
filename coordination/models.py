"""Joint operations, patrols, exercises, bulletins, programmes and evaluations (see DESIGN.md)."""
