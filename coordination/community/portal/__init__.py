"""The public portal: what a visitor without an account reads at `/` (report an event, follow a
report, the current public alerts as a list and a map, and the sections other features
contribute through `selectors.SECTIONS`). Phone first, usable without JavaScript."""
