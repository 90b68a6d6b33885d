"""Periodic evaluations: KPIs computed from the portal's data for a period and a scope, the
team's findings and follow-up actions, review, publication to partners, a public summary, and
the signed report (PDF) with its tables (XLSX, CSV)."""
