"""The evaluation pages: the list (bounded queries), new, detail (what it offers to whom), the
publish page, the downloads, the targets page, the public summary."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coordination.evaluations import services
from coordination.models import Evaluation

from .helpers import make_evaluation, published

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def test_the_list_reads_in_a_bounded_number_of_queries(world, client, django_assert_max_num_queries):
    for area in (world.areas.guntung, world.areas.bontang_utara, world.areas.bontang):
        make_evaluation(world, scope_kind="area", scope_agency=None, scope_area=area)
    _client(client, world.alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("evaluation-list"))
    assert response.status_code == 200
    assert response.content.count(b'data-testid="evaluation-row"') == 3


def test_a_writer_drafts_from_the_new_page(world, client):
    _client(client, world.alice)
    assert client.get(reverse("evaluation-create")).status_code == 200
    response = client.post(
        reverse("evaluation-create"),
        {
            "owner_agency": world.a.pk,
            "period": "quarter:2026-07-01",
            "scope_kind": "agency",
            "scope_agency": world.a.pk,
        },
    )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation-detail", args=[evaluation.pk])


def test_the_new_page_shows_the_services_refusal_on_the_form(world, client):
    _client(client, world.alice)
    response = client.post(
        reverse("evaluation-create"),
        {"owner_agency": world.a.pk, "period": "quarter:2026-07-01", "scope_kind": "city"},
    )
    assert response.status_code == 400 and not Evaluation.objects.exists()


def test_the_detail_offers_what_each_may_do(world, client, django_assert_max_num_queries):
    evaluation = make_evaluation(world)
    services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="Temuan satu")
    url = reverse("evaluation-detail", args=[evaluation.pk])
    _client(client, world.alice)
    with django_assert_max_num_queries(30):
        page = client.get(url).content.decode()
    assert 'data-testid="evaluation-recompute"' in page and 'data-testid="finding-form"' in page
    assert 'data-testid="evaluation-review"' not in page
    client.force_login(world.carol)
    page = client.get(url).content.decode()
    assert 'data-testid="evaluation-review"' in page
    client.force_login(world.vera)
    page = client.get(url).content.decode()
    assert "Temuan satu" in page and 'data-testid="finding-form"' not in page
    client.force_login(world.bob)
    assert client.get(url).status_code == 404


def test_the_commander_publishes_to_a_partner_from_the_publish_page(world, client):
    evaluation = make_evaluation(world)
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    _client(client, world.carol)
    page = client.get(reverse("evaluation-publish", args=[evaluation.pk])).content.decode()
    assert world.b.name in page and world.c.name not in page
    response = client.post(reverse("evaluation-publish", args=[evaluation.pk]), {"shared_with": [world.b.pk]})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "published" and list(evaluation.shared_with.all()) == [world.b]


def test_the_downloads(world, client):
    evaluation = published(world)
    _client(client, world.bob)
    pdf = client.get(reverse("evaluation-pdf", args=[evaluation.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("evaluation-xlsx", args=[evaluation.pk]) + "?lang=en")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(reverse("evaluation-csv", args=[evaluation.pk, "kpis"])).status_code == 200
    assert client.get(reverse("evaluation-csv", args=[evaluation.pk, "nope"])).status_code == 404
    client.force_login(world.charlie)
    assert client.get(reverse("evaluation-pdf", args=[evaluation.pk])).status_code == 404


def test_the_public_summary_is_public_only_once_published_public(world, client):
    evaluation = published(world)
    url = reverse("public-evaluation-detail", args=[evaluation.pk])
    assert client.get(url).status_code == 404
    services.evaluation_publish_public(actor=world.carol, evaluation=evaluation)
    assert client.get(url).status_code == 200
    assert client.get(reverse("public-evaluation-list")).status_code == 200
    assert b'data-testid="home-evaluations"' in client.get("/").content


def test_the_targets_page_is_editable_by_who_may(world, client):
    _client(client, world.alice)
    page = client.get(reverse("evaluation-targets")).content.decode()
    assert 'data-testid="agency-target-input"' in page
    response = client.post(
        reverse("evaluation-targets"), {"kpi": "incidents.within_target", "agency": world.a.pk, "value": "85"}
    )
    assert response.status_code == 302
    assert (
        client.post(reverse("evaluation-targets"), {"kpi": "incidents.within_target", "value": "85"}).status_code == 403
    )
    client.force_login(world.vera)
    assert 'data-testid="agency-target-input"' not in client.get(reverse("evaluation-targets")).content.decode()


def test_a_finding_is_changed_and_an_empty_one_refused_with_the_text_kept(world, client):
    evaluation = make_evaluation(world)
    finding = services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="Lama")
    _client(client, world.alice)
    url = reverse("evaluation-finding-edit", args=[finding.pk])
    response = client.post(url, {f"f{finding.pk}-text": "", f"f{finding.pk}-kpi": "voice.skm_index"})
    assert response.status_code == 400 and b"is-invalid" in response.content
    response = client.post(url, {f"f{finding.pk}-text": "Baru", f"f{finding.pk}-kpi": "voice.skm_index"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.text, finding.kpi) == ("Baru", "voice.skm_index")
    client.force_login(world.vera)
    assert client.post(url, {f"f{finding.pk}-text": "x"}).status_code == 403
