"""Conflict overrides hold references, not text (issue 11, class 4).

An override recorded the clash as the saving planner read it, the other shift's title and the
agency's name inside a message. Those copies outlived the rule of the shift they named (a
secret operation's shift title was read by agencies that may not see it). Keep each conflict's
references and figures (kind, agency, unit, shifts, committed, capacity, at); the message is
written for each reader when the override is read (`coordination.patrols.conflicts.conflicts_describe`).
"""

from django.db import migrations

REFERENCE_KEYS = ("kind", "agency", "unit", "shifts", "committed", "capacity", "at")


def to_references(apps, schema_editor):
    ConflictOverride = apps.get_model("coordination", "ConflictOverride")
    for override in ConflictOverride.objects.iterator():
        conflicts = override.conflicts if isinstance(override.conflicts, list) else []
        kept = [
            {key: c[key] for key in REFERENCE_KEYS if key in c} for c in conflicts if isinstance(c, dict) and "kind" in c
        ]
        if kept != override.conflicts:
            override.conflicts = kept
            override.save(update_fields=["conflicts"])


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(to_references, migrations.RunPython.noop)]
