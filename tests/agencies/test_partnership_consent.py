"""Partnerships are two-sided (issue 11, class 1: access granted to oneself).

A commander of A proposes an information-sharing partnership to C: A reads nothing of C's
confidential records until C's commander accepts it; once either party ends it, nothing again.
A declined or expired one grants nothing; nobody accepts on behalf of another party; a member
who is not a commander neither proposes nor answers. Through the API and through the pages.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies import selectors, services
from agencies.models import AuditLog, Classification, Partnership, PartnershipAnswer
from tests.factories import IncidentFactory, PartnershipFactory, RiskAssessmentFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api-partnership-list")


def step(pk, action):
    return reverse(f"api-partnership-{action}", args=[pk])


@pytest.fixture
def secrets_of_c(world):
    """C's confidential incident and risk: A (no partner of C) must not read them."""
    incident = IncidentFactory(
        reporting_agency=world.c, area=world.areas.balikpapan_kota, classification=Classification.CONFIDENTIAL
    )
    risk = RiskAssessmentFactory(
        area=world.areas.balikpapan_kota, assessing_agency=world.c, classification=Classification.CONFIDENTIAL
    )
    return incident, risk


def a_reads_c(api_as, client, world, secrets_of_c) -> bool:
    """Whether alice (liaison of A) reads C's confidential incident: API and page agree."""
    incident, _ = secrets_of_c
    api = api_as(world.alice).get(reverse("api-incident-detail", args=[incident.pk])).status_code
    client.force_login(world.alice)
    page = client.get(reverse("incident-detail", args=[incident.pk])).status_code
    assert api in (200, 404) and page in (200, 404) and (api == 200) == (page == 200), (api, page)
    return api == 200


def propose_a_to_c(api_as, world, **extra):
    body = {
        "title": "MoU A-C",
        "agencies": [world.a.pk, world.c.pk],
        "scopes": ["information_sharing"],
        "valid_from": str(timezone.localdate()),
        **extra,
    }
    response = api_as(world.carol).post(LIST, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_proposal_grants_nothing_until_the_other_party_accepts_and_nothing_once_ended(
    api_as, client, world, secrets_of_c
):
    assert not a_reads_c(api_as, client, world, secrets_of_c)

    proposal = propose_a_to_c(api_as, world)

    assert proposal["status"] == "proposed"
    assert proposal["is_current"] is False
    assert {(a["agency"]["code"], a["answer"]) for a in proposal["answers"]} == {
        ("polres-bontang", "accepted"),
        ("damkar-balikpapan", "pending"),
    }
    assert not a_reads_c(api_as, client, world, secrets_of_c)
    assert world.c.pk not in selectors.partner_agency_ids(agency_ids=[world.a.pk], scope="information_sharing")

    response = api_as(world.dave).post(step(proposal["id"], "accept"), {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_force"
    assert response.json()["is_current"] is True
    answer = PartnershipAnswer.objects.get(partnership_id=proposal["id"], agency=world.c)
    assert (answer.answer, answer.answered_by) == ("accepted", world.dave)
    assert answer.answered_at is not None
    assert a_reads_c(api_as, client, world, secrets_of_c)

    response = api_as(world.dave).post(step(proposal["id"], "end"), {}, format="json")

    assert response.status_code == 200, response.content
    ended = Partnership.objects.get(pk=proposal["id"])
    assert (ended.status, ended.ended_by, ended.ended_by_agency) == ("ended", world.dave, world.c)
    assert not a_reads_c(api_as, client, world, secrets_of_c)
    assert list(
        AuditLog.objects.filter(object_type="partnership", object_id=str(ended.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["partnership.propose", "partnership.accept", "partnership.end"]


def test_the_proposing_party_may_end_it_too(api_as, client, world, secrets_of_c):
    proposal = propose_a_to_c(api_as, world)
    api_as(world.dave).post(step(proposal["id"], "accept"), {}, format="json")

    assert api_as(world.carol).post(step(proposal["id"], "end"), {}, format="json").status_code == 200
    assert not a_reads_c(api_as, client, world, secrets_of_c)


def test_a_declined_proposal_grants_nothing_and_cannot_be_accepted_after(api_as, client, world, secrets_of_c):
    proposal = propose_a_to_c(api_as, world)

    response = api_as(world.dave).post(step(proposal["id"], "decline"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert not a_reads_c(api_as, client, world, secrets_of_c)
    again = api_as(world.admin).post(step(proposal["id"], "accept"), {"agency": world.c.pk}, format="json")
    assert again.status_code == 400
    assert Partnership.objects.get(pk=proposal["id"]).status == "declined"


@pytest.mark.parametrize("persona", ["carol", "alice", "charlie", "vera"])
def test_only_the_other_partys_commander_accepts(api_as, client, world, secrets_of_c, persona):
    """The proposer cannot accept for C (with or without naming C); C's liaison cannot; A's
    viewer cannot: 403 and nothing changes."""
    proposal = propose_a_to_c(api_as, world)
    client_ = api_as(getattr(world, persona))

    for body in ({}, {"agency": world.c.pk}):
        assert client_.post(step(proposal["id"], "accept"), body, format="json").status_code == 403

    assert Partnership.objects.get(pk=proposal["id"]).status == "proposed"
    assert PartnershipAnswer.objects.get(partnership_id=proposal["id"], agency=world.c).answer == "pending"
    assert not a_reads_c(api_as, client, world, secrets_of_c)


@pytest.mark.parametrize("persona", ["bob", "nobody"])
def test_a_non_party_does_not_even_see_a_proposal(api_as, world, persona):
    proposal = propose_a_to_c(api_as, world)

    assert (
        api_as(getattr(world, persona)).get(reverse("api-partnership-detail", args=[proposal["id"]])).status_code == 404
    )
    assert api_as(getattr(world, persona)).post(step(proposal["id"], "accept"), {}, format="json").status_code == 404


def test_a_non_commander_cannot_propose(api_as, world):
    body = {"title": "x", "agencies": [world.a.pk, world.c.pk], "scopes": ["training"], "valid_from": "2026-01-01"}

    for persona in ("alice", "vera", "charlie"):
        assert api_as(getattr(world, persona)).post(LIST, body, format="json").status_code == 403
    assert not Partnership.objects.filter(title="x").exists()


def test_a_commander_cannot_propose_for_another_agency(api_as, world):
    body = {"title": "x", "agencies": [world.a.pk, world.c.pk], "scopes": ["training"], "valid_from": "2026-01-01"}

    response = api_as(world.carol).post(LIST, {**body, "proposing_agency": world.c.pk}, format="json")

    assert response.status_code == 404
    assert not Partnership.objects.filter(title="x").exists()


def test_the_partner_sees_the_proposals_awaiting_its_answer(api_as, world):
    proposal = propose_a_to_c(api_as, world)

    awaiting = api_as(world.dave).get(LIST, {"awaiting_answer": "true"}).json()["results"]
    mine = api_as(world.carol).get(LIST, {"awaiting_answer": "true"}).json()["results"]

    assert [row["id"] for row in awaiting] == [proposal["id"]]
    assert mine == []


@pytest.mark.dates
@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [(-400, -1), (3, None)],
    ids=["expired", "not-yet-valid"],
)
def test_an_accepted_partnership_outside_its_dates_grants_nothing(
    api_as, client, world, secrets_of_c, valid_from, valid_until
):
    today = timezone.localdate()
    PartnershipFactory(
        agencies=[world.a, world.c],
        valid_from=today + datetime.timedelta(days=valid_from),
        valid_until=today + datetime.timedelta(days=valid_until) if valid_until is not None else None,
    )

    assert not a_reads_c(api_as, client, world, secrets_of_c)


def test_widening_is_a_new_proposal_that_supersedes_the_old_once_accepted(api_as, world):
    old = PartnershipFactory(agencies=[world.a, world.c], information_sharing=False, training=True)
    proposal = propose_a_to_c(api_as, world, scopes=["training", "information_sharing"], supersedes=old.pk)

    old.refresh_from_db()
    assert old.status == "in_force"  # nothing widened yet
    assert world.c.pk not in selectors.partner_agency_ids(agency_ids=[world.a.pk], scope="information_sharing")

    api_as(world.dave).post(step(proposal["id"], "accept"), {}, format="json")

    old.refresh_from_db()
    assert (old.status, old.ended_by) == ("superseded", world.dave)
    assert world.c.pk in selectors.partner_agency_ids(agency_ids=[world.a.pk], scope="information_sharing")


def test_the_dashboard_counts_only_partnerships_in_force(client, world):
    services.partnership_propose(
        actor=world.carol,
        title="MoU A-C",
        agencies=[world.a, world.c],
        scopes=["joint_patrol", "information_sharing"],
        valid_from=timezone.localdate(),
    )
    client.force_login(world.carol)
    cards = client.get("/").context["cards"]

    assert [p.code for p in cards[0].partners] == ["bpbd-bontang"]  # MoU A-B only


# --- Pages ----------------------------------------------------------------------------------


def test_through_the_pages_a_proposal_is_answered_by_the_partner(api_as, client, world, secrets_of_c):
    client.force_login(world.carol)
    response = client.post(
        reverse("partnership-propose", args=[world.a.pk]),
        {
            "partner": world.c.pk,
            "title": "MoU A-C",
            "scopes": ["information_sharing"],
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    proposal = Partnership.objects.get(title="MoU A-C")
    assert proposal.status == "proposed"
    assert not a_reads_c(api_as, client, world, secrets_of_c)

    # A's commander is not offered Accept on either page, and is refused it.
    client.force_login(world.carol)
    for agency in (world.a, world.c):
        body = client.get(reverse("agency-detail", args=[agency.pk])).content.decode()
        assert reverse("partnership-accept", args=[proposal.pk]) not in body
    refused = client.post(reverse("partnership-accept", args=[proposal.pk]), {"agency": world.c.pk})
    assert refused.status_code == 403

    client.force_login(world.dave)
    page = client.get(reverse("agency-detail", args=[world.c.pk])).content.decode()
    assert reverse("partnership-accept", args=[proposal.pk]) in page
    assert reverse("partnership-decline", args=[proposal.pk]) in page
    response = client.post(reverse("partnership-accept", args=[proposal.pk]), {"agency": world.c.pk})
    assert response.status_code == 302
    assert a_reads_c(api_as, client, world, secrets_of_c)

    client.force_login(world.carol)
    page = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    assert reverse("partnership-end", args=[proposal.pk]) in page
    assert client.post(reverse("partnership-end", args=[proposal.pk]), {"agency": world.a.pk}).status_code == 302
    assert not a_reads_c(api_as, client, world, secrets_of_c)


def test_a_liaison_is_offered_no_partnership_action_and_refused_them(client, world):
    client.force_login(world.alice)
    body = client.get(reverse("agency-detail", args=[world.a.pk])).content.decode()
    mou = Partnership.objects.get(title="MoU A-B")

    assert reverse("partnership-propose", args=[world.a.pk]) not in body
    assert reverse("partnership-end", args=[mou.pk]) not in body
    assert client.post(reverse("partnership-end", args=[mou.pk]), {"agency": world.a.pk}).status_code == 403
    mou.refresh_from_db()
    assert mou.status == "in_force"


# --- Migration ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_partnerships_in_force():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("agencies", "0006_audit_list_reads"), ("agencies", "0007_partnership_two_sided")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    Agency = old_apps.get_model("agencies", "Agency")
    OldPartnership = old_apps.get_model("agencies", "Partnership")
    a = Agency.objects.create(name="A", code="a", kind="police")
    b = Agency.objects.create(name="B", code="b", kind="disaster")
    old = OldPartnership.objects.create(
        title="MoU lama", valid_from=datetime.date(2025, 1, 1), information_sharing=True
    )
    old.agencies.set([a, b])

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([after])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = Partnership.objects.get(pk=old.pk)
    assert migrated.status == Partnership.Status.IN_FORCE
    assert migrated.is_in_force()
    assert set(migrated.answers.values_list("agency_id", "answer")) == {(a.pk, "accepted"), (b.pk, "accepted")}
    assert selectors.partner_agency_ids(agency_ids=[a.pk], scope="information_sharing") == {b.pk}
