from django.core.management import call_command

from agencies.models import Agency, Area, Membership, Partnership, Subscription
from coordination.models import Exercise, JointOperation, PatrolShift
from incidents.models import Alert, CitizenReport, Incident, RiskAssessment, Threat


def _snapshot():
    return (
        Area.objects.count(),
        sorted(Agency.objects.values_list("code", "name", "kind")),
        sorted(Membership.objects.values_list("user__username", "agency__code", "role")),
        Partnership.objects.count(),
        Subscription.objects.count(),
        sorted(Incident.objects.values_list("reference", "status")),
        CitizenReport.objects.count(),
        RiskAssessment.objects.count(),
        Threat.objects.count(),
        Alert.objects.count(),
        JointOperation.objects.count(),
        PatrolShift.objects.count(),
        Exercise.objects.count(),
    )


def test_seed_demo_builds_the_four_cities_and_is_idempotent(db, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    out = capsys.readouterr().out
    assert "liaison.bontang" in out and "sinergi-demo-2026" in out
    for name in ("Kota Bontang", "Kota Balikpapan", "Kota Adm. Jakarta Utara", "Kabupaten Banyuasin"):
        assert Area.objects.filter(name=name, level=Area.Level.REGENCY).exists(), name
    # Every district of the demo cities has a centre, and the provinces get theirs rolled up.
    for city in ("Kota Bontang", "Kota Balikpapan", "Kota Adm. Jakarta Utara"):
        districts = Area.objects.filter(level=Area.Level.DISTRICT, parent__name=city)
        assert districts.count() >= 3 and not districts.filter(centroid_lat__isnull=True).exists(), city
    assert not Area.objects.filter(level=Area.Level.PROVINCE, centroid_lat__isnull=True).exists()
    # Every demo risk and incident can be placed on the heat map and the incident map.
    assert not RiskAssessment.objects.filter(area__centroid_lat__isnull=True).exists()
    assert set(Agency.Kind.values) <= set(Agency.objects.values_list("kind", flat=True))
    assert set(Membership.Role.values) <= set(Membership.objects.values_list("role", flat=True))
    # The activity went through the services: numbered incidents, a threat that alerted agencies.
    assert Incident.objects.filter(reference__startswith="BON-").count() >= 5
    assert Alert.objects.filter(threat__isnull=False).exists()
    assert PatrolShift.objects.filter(operation__status="approved").count() == 14
    before = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == before
