"""When an incident first became verified and first became responding, as columns of the row
(the evaluations' response times read them instead of the timeline), backfilled from the
timeline: the first "verified"/"status" event whose `to` reached each stage."""

from django.db import migrations, models

VERIFIED = ("verified", "responding", "contained", "resolved", "closed")
RESPONDING = VERIFIED[1:]
BATCH = 5000


def backfill(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    IncidentEvent = apps.get_model("incidents", "IncidentEvent")
    first: dict[int, list] = {}
    events = (
        IncidentEvent.objects.filter(kind__in=("verified", "status"))
        .order_by("at", "id")
        .values_list("incident_id", "at", "data")
    )
    for incident_id, at, data in events.iterator(chunk_size=BATCH):
        to = (data or {}).get("to")
        times = first.setdefault(incident_id, [None, None])
        if to in VERIFIED and times[0] is None:
            times[0] = at
        if to in RESPONDING and times[1] is None:
            times[1] = at
    rows = []
    for incident_id, (verified_at, responding_at) in first.items():
        rows.append(Incident(pk=incident_id, verified_at=verified_at, responding_at=responding_at))
        if len(rows) >= BATCH:
            Incident.objects.bulk_update(rows, ["verified_at", "responding_at"])
            rows = []
    if rows:
        Incident.objects.bulk_update(rows, ["verified_at", "responding_at"])


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
