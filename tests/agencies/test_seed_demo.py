from django.core.management import call_command

from agencies.models import Agency, Area, Invitation, Membership, Partnership, Subscription
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
        sorted(Invitation.objects.values_list("agency__code", "email", "role")),
        sorted(Agency.objects.exclude(capacity_personnel=None).values_list("code", "capacity_personnel", "duty_radio")),
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
    # A commander finds a pending invitation on the members page and a declared capacity.
    polres = Agency.objects.get(code="polres-bontang")
    assert polres.capacity_personnel and polres.capacity_declared_at and polres.duty_radio
    assert Invitation.objects.filter(agency=polres, accepted_at=None, revoked_at=None).count() == 1
    # An SKM survey of report handling answered 60 times, and a custom one with published comments.
    from coordination.community.surveys.selectors import survey_results
    from coordination.models import Survey, SurveyAnswer

    skm = Survey.objects.get(kind=Survey.Kind.SKM, service=Survey.Service.REPORT_HANDLING)
    results = survey_results(survey=skm)
    assert results.respondents == 60 and results.index.grade in {"A", "B"} and len(results.trend) >= 3
    assert SurveyAnswer.objects.filter(published=True).count() == 2
    before = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == before


def test_the_seed_prints_no_email_and_ends_with_the_logins_and_the_served_url(transactional_db, capsys, settings):
    # As under make run: e-mail to the console, and the fan-out's on-commit hooks run as each
    # transaction commits (a transactional test), inside the command. It must print none of it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("seed_demo", url="http://127.0.0.1:8080/")
    out = capsys.readouterr().out
    assert Alert.objects.exists()  # the threat did alert people, by e-mail among others
    assert "Subject:" not in out and "Content-Type:" not in out and "[SMS to" not in out
    assert "e-mails" in out and "kept in memory" in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) < 40, out
    logins_at = next(i for i, line in enumerate(lines) if line.startswith("Demo logins for http://127.0.0.1:8080/"))
    login_lines = lines[logins_at + 1 : -1]
    assert all("sinergi-demo-2026" in line for line in login_lines)
    assert {line.split()[0] for line in login_lines} >= {"admin", "planner.bontang", "liaison.bontang"}
    assert lines[-1] == "Open http://127.0.0.1:8080/ and log in with one of the logins above."
    assert "8000" not in out
