"""The desk: the home page at `/` (a member's dashboard, the citizens' public page for an
anonymous visitor). Issue 12 builds the liaison's home here."""
