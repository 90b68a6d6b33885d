"""The KPI engine: `definitions` (what each KPI is: label, unit, which way is better, its
default target, whether the public summary may show it), `compute` (the figures of a scope and
a period, with the previous period and the same period a year before, as one snapshot)."""
