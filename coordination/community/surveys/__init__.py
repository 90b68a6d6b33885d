"""Satisfaction surveys: the standard SKM survey (PermenPANRB 14/2017) and custom ones, answered anonymously."""
