"""What the threat page tests share: the htmx header, a valid threat form, and a snapshot of
a threat that a refused request must leave as it was.
"""

from agencies.models import Classification, Severity
from incidents.models import Threat, ThreatEvent
from tests.factories import category

HX = {"HTTP_HX_REQUEST": "true"}


def _form_data(world, **overrides):
    data = {
        "headline": "Unjuk rasa besar di Simpang Tugu",
        "description": "Massa sekitar 500 orang bergerak ke kantor wali kota.",
        "instruction": "Siagakan personel di sekitar Simpang Tugu.",
        "category": category("terrorism-threat").pk,
        "severity": Severity.MODERATE,
        "urgency": 3,
        "certainty": 3,
        "classification": Classification.RESTRICTED,
        "areas": [world.areas.bontang.pk],
        "effective_at": "",
        "expires_at": "",
    }
    data.update(overrides)
    return data


def _snapshot(threat):
    threat.refresh_from_db()
    return (
        threat.revision,
        threat.msg_type,
        threat.headline,
        ThreatEvent.objects.filter(threat=threat).count(),
        Threat.objects.count(),
    )
