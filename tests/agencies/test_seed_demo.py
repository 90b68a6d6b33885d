from django.core.management import call_command

from agencies.models import Agency, Area, Membership, Partnership, Subscription


def _snapshot():
    return (
        Area.objects.count(),
        sorted(Agency.objects.values_list("code", "name", "kind")),
        sorted(Membership.objects.values_list("user__username", "agency__code", "role")),
        Partnership.objects.count(),
        Subscription.objects.count(),
    )


def test_seed_demo_builds_the_four_cities_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "liaison.bontang" in out and "sinergi-demo-2026" in out
    for name in ("Kota Bontang", "Kota Balikpapan", "Kota Adm. Jakarta Utara", "Kabupaten Banyuasin"):
        assert Area.objects.filter(name=name, level=Area.Level.REGENCY).exists(), name
    assert set(Agency.Kind.values) <= set(Agency.objects.values_list("kind", flat=True))
    assert set(Membership.Role.values) <= set(Membership.objects.values_list("role", flat=True))
    before = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == before
