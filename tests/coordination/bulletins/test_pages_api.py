"""The bulletin pages and API: compose with preview, read receipts, acknowledge, progress,
amend, withdraw, thread; 404 to those who may not read, 403 to readers who may not act, 400
with field messages; a constant number of queries on the lists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency, AuditLog, Classification
from coordination.models import Bulletin, BulletinReceipt, BulletinRecipient

from .helpers import issue, with_ack

pytestmark = pytest.mark.django_db


def test_the_compose_page_sends_and_the_preview_lists_exactly_the_recipients(world, client):
    client.force_login(world.alice)
    assert client.get("/bulletins/new/").status_code == 200
    data = {
        "issuing_agency": world.a.pk,
        "title": "Rapat darurat",
        "body": "Isi",
        "classification": "confidential",
        "dist_kinds": [Agency.Kind.DISASTER, Agency.Kind.FIRE],
    }
    preview = client.post("/bulletins/preview/", data, HTTP_HX_REQUEST="true").content.decode()
    assert "BPBD Bontang" in preview and 'data-testid="preview-excluded"' in preview
    assert preview.index("Damkar Balikpapan") > preview.index('data-testid="preview-excluded"')
    response = client.post("/bulletins/new/", data)
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bulletins/{bulletin.pk}/"
    assert list(bulletin.recipients.values_list("agency_id", flat=True)) == [world.b.pk]


def test_the_compose_page_is_refused_to_a_viewer_and_the_preview_404s(world, client):
    client.force_login(world.vera)
    assert client.get("/bulletins/new/").status_code == 403
    assert client.post("/bulletins/preview/", {"classification": "restricted"}).status_code == 404


def test_a_form_error_is_shown_on_the_field(world, client):
    client.force_login(world.alice)
    response = client.post(
        "/bulletins/new/", {"issuing_agency": world.a.pk, "title": "T", "body": "B", "classification": "restricted"}
    )
    assert response.status_code == 400
    assert 'data-testid="bulletin-form"' in response.content.decode()
    assert not Bulletin.objects.exists()


def test_opening_the_page_writes_a_receipt_and_acknowledging_shows_on_the_issuers_panel(world, client):
    bulletin = with_ack(world)
    client.force_login(world.bob)
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert 'data-testid="ack-form"' in page and 'data-testid="bulletin-progress"' not in page
    assert BulletinReceipt.objects.filter(bulletin=bulletin, user=world.bob, agency=world.b).exists()
    assert client.post(f"/bulletins/{bulletin.pk}/acknowledge/").status_code == 302
    assert BulletinRecipient.objects.get(bulletin=bulletin, agency=world.b).acknowledged_by == world.bob
    assert client.get(f"/bulletins/{bulletin.pk}/progress/").status_code == 403
    client.force_login(world.vera)  # a viewer of the issuer follows the receipts
    progress = client.get(f"/bulletins/{bulletin.pk}/progress/").content.decode()
    assert 'data-state="acknowledged"' in progress and 'data-state="waiting"' in progress


def test_outsiders_get_404_everywhere(world, client):
    bulletin = issue(world, distribution={"agencies": [world.b.pk]})
    client.force_login(world.charlie)
    for url in ("", "progress/", "amend/"):
        assert client.get(f"/bulletins/{bulletin.pk}/{url}").status_code == 404
    for url in ("acknowledge/", "withdraw/", "replies/"):
        assert client.post(f"/bulletins/{bulletin.pk}/{url}", {"body": "x"}).status_code == 404
    bulletin.refresh_from_db()
    assert bulletin.status == "sent" and not bulletin.replies.exists()


def test_amend_page_makes_a_version_the_reader_sees_with_what_changed(world, client):
    bulletin = issue(world, body="Jam 10 pagi")
    client.force_login(world.bob)
    client.get(f"/bulletins/{bulletin.pk}/")
    client.force_login(world.bob)
    assert client.get(f"/bulletins/{bulletin.pk}/amend/").status_code == 403
    client.force_login(world.alice)
    response = client.post(
        f"/bulletins/{bulletin.pk}/amend/", {"title": bulletin.title, "body": "Jam 2 siang", "note": "Jam"}
    )
    assert response.status_code == 302
    client.force_login(world.bob)
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert 'data-testid="amended-notice"' in page and "Jam 10 pagi" in page and "Jam 2 siang" in page


def test_the_list_page_and_api_take_a_constant_number_of_queries(world, client, api_as, django_assert_max_num_queries):
    """Session, user, memberships, partners, count, page, the audit (3 INSERTs), the counts and
    the navbar: 15 on the page and 9 on the API, for 1 bulletin as for 15."""
    client.force_login(world.bob)
    api = api_as(world.bob)
    for batch in (1, 14):
        for i in range(batch):
            issue(
                world,
                title=f"C{i}",
                classification=Classification.CONFIDENTIAL,
                distribution={"agencies": [world.b.pk]},
            )
        with django_assert_max_num_queries(15):
            page = client.get("/bulletins/")
        with django_assert_max_num_queries(9):
            assert api.get("/api/v1/bulletins/").json()["count"] in (1, 15)
    assert page.content.decode().count('data-testid="bulletin-row"') == 15
    assert AuditLog.objects.filter(object_type="bulletin").count() == 4  # confidential ones listed are audited


def test_the_api_creates_previews_and_answers_field_errors(world, api_as):
    api = api_as(world.alice)
    payload = {"title": "T", "body": "B", "classification": "secret", "distribution": {"kinds": ["fire"]}}
    preview = api.post("/api/v1/bulletins/preview/", payload, format="json").json()
    assert preview["full"] == [] and [r["agency"]["id"] for r in preview["excluded"]] == [world.c.pk]
    refused = api.post("/api/v1/bulletins/", payload, format="json")
    assert refused.status_code == 400 and "distribution" in refused.json()
    bad = api.post("/api/v1/bulletins/", {**payload, "classification": "nope"}, format="json")
    assert bad.status_code == 400 and "classification" in bad.json()
    payload["distribution"] = {"agencies": [world.c.pk]}
    deadline = (timezone.now() + timedelta(hours=3)).isoformat()
    created = api.post("/api/v1/bulletins/", {**payload, "ack_required": True, "ack_deadline": deadline}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    charlie = api_as(world.charlie)
    assert charlie.get("/api/v1/bulletins/counts/").json() == {"unread": 1, "awaiting_acknowledgement": 1}
    assert charlie.post(f"/api/v1/bulletins/{pk}/acknowledge/").status_code == 200
    assert charlie.post(f"/api/v1/bulletins/{pk}/amend/", {"body": "x"}, format="json").status_code == 403
    assert api_as(world.bob).get(f"/api/v1/bulletins/{pk}/").status_code == 404
    progress = api.get(f"/api/v1/bulletins/{pk}/progress/").json()
    assert progress["acknowledged"] == 1 and progress["recipients"][0]["acknowledged_by"] == "charlie"
    assert charlie.get(f"/api/v1/bulletins/{pk}/progress/").status_code == 403
    amended = api.post(f"/api/v1/bulletins/{pk}/amend/", {"body": "Baru", "note": "n"}, format="json").json()
    assert amended["version"] == 2
    assert api.post(f"/api/v1/bulletins/{pk}/withdraw/", {}, format="json").json()["status"] == "withdrawn"
    assert charlie.post(f"/api/v1/bulletins/{pk}/replies/", {"body": "x"}, format="json").status_code == 403


def test_the_schema_documents_the_bulletins_api(api_as, world):
    schema = api_as(world.alice).get("/api/v1/schema/?format=json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/bulletins/")]
    assert "/api/v1/bulletins/{id}/acknowledge/" in paths and "/api/v1/bulletins/preview/" in paths


def test_an_agency_id_past_the_databases_integers_is_a_400_not_a_500(world, api_as):
    payload = {"classification": "restricted", "distribution": {"agencies": [2**63], "areas": [1]}}
    response = api_as(world.alice).post("/api/v1/bulletins/preview/", payload, format="json")
    assert response.status_code == 400 and "distribution" in response.json()


def test_a_member_of_two_recipients_acknowledges_for_the_agency_they_act_as(world, client):
    """Bob is a liaison of B and of C, both recipients: the desk scoped to C acknowledges for C
    (not the first agency by name), the bulletin's page offers one button per agency, and the
    API takes the agency in its body (400 naming `agency` for one that has nothing to do)."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.bob, agency=world.c, role="liaison")
    bulletin = with_ack(world)
    client.force_login(world.bob)
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert page.count('data-testid="ack-form"') == 2
    desk = client.get(f"/?agency={world.c.pk}").content.decode()
    assert f'name="agency" value="{world.c.pk}"' in desk
    response = client.post(f"/bulletins/{bulletin.pk}/acknowledge/", {"agency": world.c.pk, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    rows = dict(BulletinRecipient.objects.filter(bulletin=bulletin).values_list("agency_id", "acknowledged_by"))
    assert rows[world.c.pk] == world.bob.pk and rows[world.b.pk] is None
    api = f"/api/v1/bulletins/{bulletin.pk}/acknowledge/"
    assert client.post(api, {"agency": world.c.pk}, content_type="application/json").status_code == 400
    assert client.post(api, {"agency": "x"}, content_type="application/json").status_code == 400
    answer = client.post(api, {"agency": world.b.pk}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert BulletinRecipient.objects.get(bulletin=bulletin, agency=world.b).acknowledged_by == world.bob
