"""When an incident first became verified and first became responding, as columns of the row
(the evaluations' response times read them instead of the timeline), backfilled from the
timeline: the first "verified"/"status" event whose `to` reached each stage."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

VERIFIED = ("verified", "responding", "contained", "resolved", "closed")
RESPONDING = VERIFIED[1:]


def backfill(apps, schema_editor):
    """Two UPDATEs, each taking the first timeline event whose `to` reached the stage (set-based:
    no incident or event is loaded into Python)."""
    Incident = apps.get_model("incidents", "Incident")
    IncidentEvent = apps.get_model("incidents", "IncidentEvent")

    def first(statuses):
        events = IncidentEvent.objects.filter(
            incident_id=OuterRef("pk"), kind__in=("verified", "status"), data__to__in=statuses
        )
        return Subquery(events.order_by("at", "id").values("at")[:1])

    Incident.objects.update(verified_at=first(VERIFIED), responding_at=first(RESPONDING))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0016_report_questions"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="responding_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="responding at"),
        ),
        migrations.AddField(
            model_name="incident",
            name="verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="verified at"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
