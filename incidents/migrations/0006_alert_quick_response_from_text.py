"""Turn acknowledgements stored as text back into quick-response codes.

Before 0005 a one-click acknowledgement was stored as its label in the acknowledger's
language ("Unit dikerahkan", or "Units dispatched: 2 regu ke Lok Tuan" with free text after a
colon). Each label, in Indonesian and English as the catalogues had them, maps back to its
code; what follows ": " stays as the free text. Texts that match no label are free text and
stay as they are. The threat's timeline entries of the acknowledgements get the same split.
"""

from django.db import migrations

LABELS = {
    "dispatched": ("Units dispatched", "Unit dikerahkan"),
    "monitoring": ("Monitoring", "Dalam pemantauan"),
    "not_ours": ("Not our jurisdiction", "Bukan wilayah tugas kami"),
}


def split_response(text):
    """(code, free text) for a stored response, or ("", text) when it starts with no label."""
    text = text or ""
    for code, labels in LABELS.items():
        for label in labels:
            if text == label:
                return code, ""
            if text.startswith(label + ": "):
                return code, text[len(label) + 2 :]
    return "", text


def forwards(apps, schema_editor):
    Alert = apps.get_model("incidents", "Alert")
    ThreatEvent = apps.get_model("incidents", "ThreatEvent")
    for alert in Alert.objects.exclude(response="").filter(quick_response="").only("pk", "response").iterator():
        code, text = split_response(alert.response)
        if code:
            Alert.objects.filter(pk=alert.pk).update(quick_response=code, response=text)
    for event in ThreatEvent.objects.filter(kind="acknowledged").exclude(message="").iterator():
        code, text = split_response(event.message)
        if code and not (event.data or {}).get("quick_response"):
            data = dict(event.data or {})
            data["quick_response"] = code
            ThreatEvent.objects.filter(pk=event.pk).update(message=text, data=data)


def backwards(apps, schema_editor):
    # Back to one text in Indonesian, the default language.
    Alert = apps.get_model("incidents", "Alert")
    for alert in Alert.objects.exclude(quick_response="").iterator():
        label = LABELS[alert.quick_response][1]
        text = f"{label}: {alert.response}" if alert.response else label
        Alert.objects.filter(pk=alert.pk).update(response=text, quick_response="")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_alert_quick_response"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
