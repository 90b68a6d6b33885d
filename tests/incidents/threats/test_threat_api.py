"""/api/v1/threats/, /alerts/ and /inbox/: the HTTP layer over the threat selectors and services.

The fan-out rules are tested in test_fanout.py and CAP in cap/; here: who gets what
answer (401, 403, 404) and that a refused request changes nothing, the wire format (CAP names),
input errors as 400 with the field name, filters, idempotent acknowledgement and a bounded
number of queries on every list.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AuditLog, Membership, Severity
from incidents.models import Alert, Delivery, Threat, ThreatEvent
from incidents.threats import services as threat_services
from tests.factories import MembershipFactory, SubscriptionFactory, category

LIST = reverse("api-threat-list")
ALERTS = reverse("api-alert-list")
INBOX = reverse("api-inbox-list")
INBOX_READ = reverse("api-inbox-read")
INBOX_COUNTS = reverse("api-inbox-counts")


def detail(pk):
    return reverse("api-threat-detail", args=[pk])


def act(pk, name):
    return reverse(f"api-threat-{name}", args=[pk])


def ack(pk):
    return reverse("api-alert-acknowledge", args=[pk])


def english(client):
    """Messages in English: the portal's default language is Bahasa Indonesia."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    """threat_log as alice (by default), with the fan-out run as it would be after commit."""

    def _log(actor=None, fan_out=True, **fields):
        defaults = {
            "headline": "Ancaman bom di pelabuhan",
            "category": category("terrorism-threat"),
            "areas": [world.areas.guntung],
            "severity": Severity.MODERATE,
        }
        defaults.update(fields)
        with django_capture_on_commit_callbacks(execute=fan_out):
            return threat_services.threat_log(actor=actor or world.alice, **defaults)

    return _log


@pytest.fixture
def by_class(world, log):
    """One threat of agency A per classification; the secret one names B, the confidential one alerts nobody."""
    return {
        "public": log(headline="A public", classification="public"),
        "restricted": log(headline="A restricted", classification="restricted"),
        "confidential": log(headline="A confidential", classification="confidential"),
        "secret": log(headline="A secret", classification="secret", named_agencies=[world.b]),
    }


def payload(world, **overrides):
    data = {
        "headline": "Ancaman bom di Pelabuhan Loktuan",
        "headline_en": "Bomb threat at Loktuan port",
        "description": "Telepon ancaman bom diterima pukul 07.10.",
        "instruction": "Sterilkan area pelabuhan.",
        "category": "terrorism-threat",
        "severity": "Severe",
        "urgency": "Immediate",
        "certainty": "Likely",
        "classification": "restricted",
        "areas": [world.areas.guntung.pk],
        "named_agencies": [world.c.pk],
    }
    data.update(overrides)
    return data


# --- Anonymous and unknown ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "list"),
        ("post", "list"),
        ("get", "detail"),
        ("patch", "detail"),
        ("post", "cancel"),
        ("get", "progress"),
        ("get", "cap"),
        ("post", "import"),
        ("get", "alerts"),
        ("get", "alert"),
        ("post", "acknowledge"),
        ("get", "inbox"),
        ("post", "inbox-read"),
        ("get", "inbox-counts"),
    ],
)
def test_anonymous_gets_401_everywhere(world, api_as, by_class, method, name):
    threat = by_class["public"]
    alert = Alert.objects.create(threat=threat, agency=world.b, reason="named")
    url = {
        "list": LIST,
        "detail": detail(threat.pk),
        "cancel": act(threat.pk, "cancel"),
        "progress": act(threat.pk, "progress"),
        "cap": reverse("api-threat-cap", args=[threat.pk]),
        "import": reverse("api-threat-import-cap"),
        "alerts": ALERTS,
        "alert": reverse("api-alert-detail", args=[alert.pk]),
        "acknowledge": ack(alert.pk),
        "inbox": INBOX,
        "inbox-read": INBOX_READ,
        "inbox-counts": INBOX_COUNTS,
    }[name]
    response = getattr(api_as(None), method)(url, data={}, format="json")
    assert response.status_code == 401
    threat.refresh_from_db()
    assert (threat.revision, threat.msg_type) == (1, "Alert")
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None


# --- Reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("alice", {"public", "restricted", "confidential", "secret"}),
        ("vera", {"public", "restricted", "confidential", "secret"}),
        ("bob", {"public", "restricted", "confidential", "secret"}),  # partner, and named on the secret one
        ("charlie", {"public", "restricted"}),
        ("nobody", {"public"}),
        ("admin", {"public", "restricted", "confidential", "secret"}),
    ],
)
def test_each_persona_lists_what_it_may_see(world, api_as, by_class, persona, visible):
    expected = {by_class[level].pk for level in visible}
    assert ids(api_as(getattr(world, persona)).get(LIST)) == expected
    for level, threat in by_class.items():
        code = api_as(getattr(world, persona)).get(detail(threat.pk)).status_code
        assert code == (200 if level in visible else 404), (persona, level)


def test_an_outsider_alerted_to_a_confidential_threat_reads_it(world, api_as, log):
    threat = log(classification="confidential", named_agencies=[world.c])
    assert api_as(world.charlie).get(detail(threat.pk)).status_code == 200


def test_reading_a_confidential_threat_is_audited(world, api_as, by_class):
    threat = by_class["confidential"]
    api_as(world.bob).get(detail(threat.pk))
    assert AuditLog.objects.filter(user=world.bob, object_type="threat", object_id=str(threat.pk)).count() == 1


def test_the_wire_format_speaks_cap_names(world, api_as, log):
    threat = log(severity=Severity.SEVERE, certainty=4, urgency=4, named_agencies=[world.b])
    data = api_as(world.alice).get(detail(threat.pk)).json()
    assert (data["severity"], data["urgency"], data["certainty"]) == ("Severe", "Immediate", "Observed")
    assert data["category"] == {"code": "terrorism-threat", "name": "Ancaman teror", "cap_category": "Security"}
    assert data["status"] == "active" and data["msg_type"] == "Alert" and data["revision"] == 1
    assert data["areas"] == [{"id": world.areas.guntung.pk, "name": "Guntung", "level": 4}]
    assert data["issuing_agency"]["code"] == "polres-bontang"
    assert data["named_agencies"] == [{"id": world.b.pk, "name": "BPBD Bontang", "code": "bpbd-bontang"}]
    assert data["cap_url"].endswith(f"/api/v1/threats/{threat.pk}/cap.xml")
    assert data["cap_areas"] == []


def test_progress_is_shown_to_the_issuing_agency_only(world, api_as, log):
    threat = log(named_agencies=[world.b], classification="restricted")
    mine = api_as(world.vera).get(detail(threat.pk)).json()["progress"]
    assert mine["alerts"] == 1 and mine["agencies"][0]["agency"] == "BPBD Bontang"
    assert mine["fanned_out"] is True and mine["deliveries"] == {"sent": 2}  # bob: in-app and email
    assert api_as(world.bob).get(detail(threat.pk)).json()["progress"] is None
    assert api_as(world.admin).get(detail(threat.pk)).json()["progress"]["alerts"] == 1


@pytest.mark.parametrize(("persona", "code"), [("alice", 200), ("admin", 200), ("bob", 403), ("charlie", 404)])
def test_the_progress_endpoint(world, api_as, by_class, persona, code):
    response = api_as(getattr(world, persona)).get(act(by_class["confidential"].pk, "progress"))
    assert response.status_code == code
    if code == 200:
        assert response.json()["revision"] == 1


# --- Creating ---------------------------------------------------------------------------------


def test_a_liaison_logs_a_threat_and_its_alerts_go_out(world, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world.alice).post(LIST, payload(world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    threat = Threat.objects.get(pk=data["id"])
    assert (threat.issuing_agency, threat.created_by, threat.severity) == (world.a, world.alice, Severity.SEVERE)
    assert threat.headline_en == "Bomb threat at Loktuan port"
    # C is named; B covers Bontang and the threat is Severe.
    assert set(Alert.objects.filter(threat=threat).values_list("agency__code", flat=True)) == {
        "damkar-balikpapan",
        "bpbd-bontang",
    }
    assert Delivery.objects.filter(alert__threat=threat, channel="in_app", user=world.charlie).exists()
    assert data["progress"] is not None  # the fan-out runs after commit, after this response
    assert api_as(world.alice).get(detail(threat.pk)).json()["progress"]["alerts"] == 2
    assert ThreatEvent.objects.filter(threat=threat, kind="logged").count() == 1


def test_a_commander_logs_a_threat(world, api_as):
    assert api_as(world.carol).post(LIST, payload(world), format="json").status_code == 201


@pytest.mark.parametrize("persona", ["vera", "nobody"])
def test_viewers_and_outsiders_may_not_log_threats(world, api_as, persona):
    response = api_as(getattr(world, persona)).post(LIST, payload(world), format="json")
    assert response.status_code == 403
    assert Threat.objects.count() == 0


def test_a_member_of_several_agencies_names_the_issuing_one(world, api_as):
    MembershipFactory(user=world.alice, agency=world.c, role=Membership.Role.LIAISON)
    response = english(api_as(world.alice)).post(LIST, payload(world), format="json")
    assert response.status_code == 400
    assert "issuing_agency" in response.json()
    response = api_as(world.alice).post(LIST, payload(world, issuing_agency=world.c.pk), format="json")
    assert response.status_code == 201
    assert Threat.objects.get().issuing_agency == world.c


def test_issuing_for_an_agency_you_do_not_belong_to_is_refused(world, api_as):
    response = english(api_as(world.charlie)).post(LIST, payload(world, issuing_agency=world.a.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"issuing_agency": ["You are not a member of this agency."]}
    assert Threat.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "no-such-category"}, "category"),
        ({"areas": []}, "areas"),
        ({"areas": [999999]}, "areas"),
        ({"headline": ""}, "headline"),
        ({"headline": "x" * 201}, "headline"),
        ({"severity": "Apocalyptic"}, "severity"),
        ({"urgency": "Yesterday"}, "urgency"),
        ({"certainty": "Sure"}, "certainty"),
        ({"classification": "top-secret"}, "classification"),
        ({"effective_at": "2026-03-02T08:00:00+08:00", "expires_at": "2026-03-01T08:00:00+08:00"}, "expires_at"),
        ({"expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),  # before now, when it takes effect
        ({"classification": "secret", "named_agencies": []}, "named_agencies"),
        ({"named_agencies": [999999]}, "named_agencies"),
        ({"effective_at": "yesterday"}, "effective_at"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, api_as, overrides, field):
    response = english(api_as(world.alice)).post(LIST, payload(world, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Threat.objects.count() == 0


def test_cap_names_are_read_case_insensitively(world, api_as):
    response = api_as(world.alice).post(
        LIST, payload(world, severity="extreme", urgency="FUTURE", certainty="possible"), format="json"
    )
    assert response.status_code == 201
    assert (response.json()["severity"], response.json()["urgency"], response.json()["certainty"]) == (
        "Extreme",
        "Future",
        "Possible",
    )


# --- Updating and cancelling --------------------------------------------------------------------


def test_the_issuer_updates_a_threat_as_a_cap_update(world, api_as, log, django_capture_on_commit_callbacks):
    threat = log(named_agencies=[world.b])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world.alice).patch(
            detail(threat.pk), {"severity": "Extreme", "areas": [world.areas.bontang.pk]}, format="json"
        )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["revision"], data["msg_type"], data["severity"]) == (2, "Update", "Extreme")
    assert data["areas"][0]["id"] == world.areas.bontang.pk
    assert data["headline"] == "Ancaman bom di pelabuhan"  # left out, left alone
    assert Delivery.objects.filter(alert__threat=threat, revision=2, user=world.bob).exists()


@pytest.mark.parametrize("persona", ["bob", "vera"])
def test_a_partner_or_a_viewer_who_reads_it_may_not_change_it(world, api_as, by_class, persona):
    threat = by_class["confidential"]
    client = api_as(getattr(world, persona))
    assert client.patch(detail(threat.pk), {"severity": "Minor"}, format="json").status_code == 403
    assert client.post(act(threat.pk, "cancel"), {}, format="json").status_code == 403
    threat.refresh_from_db()
    assert (threat.revision, threat.severity) == (1, Severity.MODERATE)


def test_an_outsider_gets_404_on_changes_to_what_it_may_not_see(world, api_as, by_class):
    threat = by_class["confidential"]
    assert api_as(world.charlie).patch(detail(threat.pk), {"severity": "Minor"}, format="json").status_code == 404
    assert api_as(world.charlie).post(act(threat.pk, "cancel"), {}, format="json").status_code == 404
    threat.refresh_from_db()
    assert threat.revision == 1


def test_an_update_with_bad_input_changes_nothing(world, api_as, log):
    threat = log(expires_at=timezone.now() + datetime.timedelta(days=1))
    response = english(api_as(world.alice)).patch(
        detail(threat.pk), {"effective_at": (timezone.now() + datetime.timedelta(days=2)).isoformat()}, format="json"
    )
    assert response.status_code == 400 and "expires_at" in response.json()
    response = api_as(world.alice).patch(detail(threat.pk), {"areas": []}, format="json")
    assert response.status_code == 400 and "areas" in response.json()
    threat.refresh_from_db()
    assert threat.revision == 1


def test_cancelling_twice_changes_nothing_and_a_cancelled_threat_is_not_updated(world, api_as, log):
    threat = log()
    first = api_as(world.alice).post(act(threat.pk, "cancel"), {"reason": "Hoaks"}, format="json")
    assert first.status_code == 200
    assert (first.json()["status"], first.json()["revision"], first.json()["instruction"]) == ("cancelled", 2, "Hoaks")
    again = api_as(world.carol).post(act(threat.pk, "cancel"), {"reason": "Lagi"}, format="json")
    assert again.status_code == 200 and again.json()["revision"] == 2
    response = english(api_as(world.alice)).patch(detail(threat.pk), {"severity": "Minor"}, format="json")
    assert response.status_code == 400 and "msg_type" in response.json()


# --- Filters and ordering -----------------------------------------------------------------------


@pytest.fixture
def assorted(world, log):
    now = timezone.now()
    return {
        "bomb": log(headline="bomb", severity=Severity.EXTREME),
        "flood": log(headline="flood", category=category("flood-flash"), areas=[world.areas.balikpapan_kota]),
        "fire": log(headline="fire", category=category("fire"), severity=Severity.MINOR, classification="public"),
        "old": log(
            headline="old",
            effective_at=now - datetime.timedelta(days=3),
            expires_at=now - datetime.timedelta(days=2),
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=terrorism", {"bomb", "old"}),
        ("category=flood", {"flood"}),
        ("min_severity=Severe", {"bomb"}),
        ("min_severity=Minor", {"bomb", "flood", "fire", "old"}),
        ("status=expired", {"old"}),
        ("status=active", {"bomb", "flood", "fire"}),
        ("status=cancelled", set()),
        ("classification=public", {"fire"}),
        ("area=AREA_BONTANG", {"bomb", "fire", "old"}),
        ("area=AREA_BALIKPAPAN", {"flood"}),
        ("issuing_agency=AGENCY_A", {"bomb", "flood", "fire", "old"}),
        ("issuing_agency=AGENCY_B", set()),
    ],
)
def test_list_filters(world, api_as, assorted, query, expected):
    query = (
        query.replace("AREA_BONTANG", str(world.areas.bontang.pk))
        .replace("AREA_BALIKPAPAN", str(world.areas.balikpapan.pk))
        .replace("AGENCY_A", str(world.a.pk))
        .replace("AGENCY_B", str(world.b.pk))
    )
    response = api_as(world.alice).get(f"{LIST}?{query}")
    assert ids(response) == {assorted[name].pk for name in expected}


@pytest.mark.dates
def test_filters_on_the_sent_time_and_cancelled(world, api_as, assorted):
    Threat.objects.filter(pk=assorted["old"].pk).update(sent_at=timezone.now() - datetime.timedelta(days=3))
    threat_services.threat_cancel(actor=world.alice, threat=assorted["fire"])
    cutoff = (timezone.now() - datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    client = api_as(world.alice)
    assert ids(client.get(LIST, {"sent_before": cutoff})) == {assorted["old"].pk}
    assert ids(client.get(LIST, {"sent_after": cutoff})) == {assorted[n].pk for n in ("bomb", "flood", "fire")}
    assert ids(client.get(LIST, {"status": "cancelled"})) == {assorted["fire"].pk}


def test_ordering_by_severity(world, api_as, assorted):
    rows = api_as(world.alice).get(LIST, {"ordering": "-severity,id"}).json()["results"]
    assert [r["headline"] for r in rows][:1] == ["bomb"] and rows[-1]["headline"] == "fire"


@pytest.mark.parametrize(
    "query", ["min_severity=Apocalyptic", "status=burning", "category=nope", "area=999999", "sent_after=soon"]
)
def test_bad_filters_are_400(world, api_as, query):
    response = api_as(world.alice).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_the_threat_list_runs_a_bounded_number_of_queries(world, api_as, log, django_assert_max_num_queries):
    for n in range(12):
        log(headline=f"t{n}", named_agencies=[world.b], classification="confidential", fan_out=False)
    client = api_as(world.bob)
    client.get(LIST)  # warm the per-user caches a real request would fill too
    with django_assert_max_num_queries(8):
        assert len(client.get(LIST).json()["results"]) == 12


# --- Alerts ----------------------------------------------------------------------------------


@pytest.fixture
def alerted(world, log):
    """A threat of A that alerts B (named) and C (subscribed); bob and charlie each get an in-app alert."""
    SubscriptionFactory(agency=world.c, areas=[world.areas.bontang])
    threat = log(named_agencies=[world.b])
    return threat, Alert.objects.get(threat=threat, agency=world.b), Alert.objects.get(threat=threat, agency=world.c)


def test_members_list_their_agencies_alerts_only(world, api_as, alerted):
    _threat, alert_b, alert_c = alerted
    assert ids(api_as(world.bob).get(ALERTS)) == {alert_b.pk}
    assert ids(api_as(world.dave).get(ALERTS)) == {alert_c.pk}
    assert ids(api_as(world.alice).get(ALERTS)) == set()
    assert ids(api_as(world.nobody).get(ALERTS)) == set()
    assert ids(api_as(world.admin).get(ALERTS)) == {alert_b.pk, alert_c.pk}
    assert api_as(world.alice).get(reverse("api-alert-detail", args=[alert_b.pk])).status_code == 404
    data = api_as(world.bob).get(reverse("api-alert-detail", args=[alert_b.pk])).json()
    assert data["threat"]["headline"] == "Ancaman bom di pelabuhan" and data["reason"] == "named"
    assert data["threat"]["severity"] == "Moderate" and data["acknowledged_at"] is None


def test_acknowledging_is_idempotent(world, api_as, alerted):
    _threat, alert_b, _alert_c = alerted
    first = api_as(world.bob).post(ack(alert_b.pk), {"response": "units dispatched"}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["acknowledged_by"] == "bob" and first.json()["response"] == "units dispatched"
    again = api_as(world.bob).post(ack(alert_b.pk), {"response": "not our jurisdiction"}, format="json")
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert again.json()["response"] == "units dispatched"
    assert ThreatEvent.objects.filter(kind="acknowledged").count() == 1
    assert ids(api_as(world.bob).get(ALERTS, {"acknowledged": "true"})) == {alert_b.pk}
    assert ids(api_as(world.bob).get(ALERTS, {"acknowledged": "false"})) == set()


def test_a_quick_response_is_stored_as_its_code_and_labelled_in_the_readers_language(world, api_as, alerted):
    _threat, alert_b, _alert_c = alerted
    bad = api_as(world.bob).post(ack(alert_b.pk), {"quick_response": "Unit dikerahkan"}, format="json")
    assert bad.status_code == 400 and "quick_response" in bad.json()
    done = api_as(world.bob).post(
        ack(alert_b.pk),
        {"quick_response": "dispatched", "response": "2 regu"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert done.status_code == 200, done.content
    assert (done.json()["quick_response"], done.json()["quick_response_label"]) == ("dispatched", "Unit dikerahkan")
    assert done.json()["response"] == "2 regu"
    url = reverse("api-alert-detail", args=[alert_b.pk])
    english = api_as(world.bob).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["quick_response"], english["quick_response_label"], english["response"]) == (
        "dispatched",
        "Units dispatched",
        "2 regu",
    )


def test_the_data_migration_maps_stored_labels_back_to_codes(world, alerted):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("incidents.migrations.0006_alert_quick_response_from_text")
    assert migration.split_response("Unit dikerahkan") == ("dispatched", "")
    assert migration.split_response("Not our jurisdiction: ask Polres") == ("not_ours", "ask Polres")
    assert migration.split_response("Monitoringnya jalan") == ("", "Monitoringnya jalan")
    _threat, alert_b, alert_c = alerted
    Alert.objects.filter(pk=alert_b.pk).update(response="Dalam pemantauan: tim siaga")
    Alert.objects.filter(pk=alert_c.pk).update(response="kami cek dulu")
    migration.forwards(apps, None)
    alert_b.refresh_from_db()
    alert_c.refresh_from_db()
    assert (alert_b.quick_response, alert_b.response) == ("monitoring", "tim siaga")
    assert (alert_c.quick_response, alert_c.response) == ("", "kami cek dulu")


@pytest.mark.parametrize("persona", ["alice", "charlie", "nobody"])
def test_members_of_other_agencies_get_404_acknowledging(world, api_as, alerted, persona):
    _threat, alert_b, _alert_c = alerted
    response = api_as(getattr(world, persona)).post(ack(alert_b.pk), {"response": "x"}, format="json")
    assert response.status_code == 404
    assert Alert.objects.get(pk=alert_b.pk).acknowledged_at is None


def test_an_overlong_response_is_a_400(world, api_as, alerted):
    _threat, alert_b, _alert_c = alerted
    response = api_as(world.bob).post(ack(alert_b.pk), {"response": "x" * 2001}, format="json")
    assert response.status_code == 400 and "response" in response.json()
    assert Alert.objects.get(pk=alert_b.pk).acknowledged_at is None


def test_alerts_filter_by_agency(world, api_as, alerted):
    _threat, alert_b, alert_c = alerted
    assert ids(api_as(world.admin).get(ALERTS, {"agency": world.c.pk})) == {alert_c.pk}


def test_the_alert_list_runs_a_bounded_number_of_queries(world, api_as, log, django_assert_max_num_queries):
    for n in range(10):
        log(headline=f"t{n}", named_agencies=[world.b])
    client = api_as(world.bob)
    with django_assert_max_num_queries(6):
        assert len(client.get(ALERTS).json()["results"]) == 10


# --- Inbox ----------------------------------------------------------------------------------


def test_the_inbox_lists_and_marks_read(world, api_as, alerted):
    _threat, alert_b, _alert_c = alerted
    rows = api_as(world.bob).get(INBOX).json()["results"]
    assert len(rows) == 1 and rows[0]["alert"] == alert_b.pk and rows[0]["unread"] is True
    assert api_as(world.bob).get(INBOX_COUNTS).json() == {"unread": 1, "unacknowledged": 1}
    # Someone else's ids are ignored.
    assert api_as(world.charlie).post(INBOX_READ, {"ids": [rows[0]["id"]]}, format="json").json() == {"marked": 0}
    assert api_as(world.bob).post(INBOX_READ, {"ids": [rows[0]["id"]]}, format="json").json() == {"marked": 1}
    assert api_as(world.bob).post(INBOX_READ, {"ids": [rows[0]["id"]]}, format="json").json() == {"marked": 0}
    assert ids(api_as(world.bob).get(INBOX, {"unread": "true"})) == set()
    assert api_as(world.bob).get(INBOX_COUNTS).json()["unread"] == 0
    assert api_as(world.alice).get(INBOX).json()["results"] == []


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": ["x"]}, {"ids": [0]}])
def test_marking_read_needs_ids(world, api_as, body):
    response = api_as(world.bob).post(INBOX_READ, body, format="json")
    assert response.status_code == 400 and "ids" in response.json()


def test_the_inbox_runs_a_bounded_number_of_queries(world, api_as, log, django_assert_max_num_queries):
    for n in range(10):
        log(headline=f"t{n}", named_agencies=[world.b])
    with django_assert_max_num_queries(4):
        assert len(api_as(world.bob).get(INBOX).json()["results"]) == 10


# --- Hostile ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("pk", ["99999999999999999999999", "abc", "-1"])
def test_ids_that_cannot_exist_answer_404(world, api_as, pk):
    client = api_as(world.admin)
    assert client.get(f"{LIST}{pk}/").status_code == 404
    assert client.get(f"{ALERTS}{pk}/").status_code == 404
    assert client.post(f"{ALERTS}{pk}/acknowledge/", {}, format="json").status_code == 404


def test_a_cap_document_of_an_overflowing_id_answers_404(world, api_as):
    assert api_as(world.admin).get("/api/v1/threats/99999999999999999999999/cap.xml").status_code == 404
    assert api_as(None).get("/api/v1/public/cap/a%00b.xml").status_code == 404


def test_overflowing_ids_are_400_not_500(world, api_as):
    response = api_as(world.bob).post(INBOX_READ, {"ids": [2**63]}, format="json")
    assert response.status_code == 400
    response = api_as(world.alice).post(LIST, payload(world, areas=[2**63], named_agencies=[2**64]), format="json")
    assert response.status_code == 400 and {"areas", "named_agencies"} <= set(response.json())
    assert api_as(world.bob).get(ALERTS, {"threat": 2**64}).status_code == 400
