"""Services of evaluations: each transition, each refusal, the frozen snapshot, findings,
actions, targets, the inbox."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coordination.evaluations import selectors, services
from coordination.models import ActionItem, Evaluation, InboxItem, KpiTarget
from tests.factories import IncidentFactory, MembershipFactory, PartnershipFactory, UserFactory

from .helpers import DAY, make_evaluation, published

pytestmark = pytest.mark.django_db
S = Evaluation.Status


def test_it_drafts_an_evaluation_with_its_figures_computed(world):
    evaluation = make_evaluation(world)
    assert evaluation.status == S.DRAFT
    assert (evaluation.period_start, evaluation.period_end) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert evaluation.scope_key == f"agency:{world.a.pk}"
    assert evaluation.computed_at is not None
    assert set(evaluation.snapshot["kpis"]) >= {"incidents.total", "voice.skm_index"}
    assert evaluation.origin == Evaluation.Origin.MANUAL and evaluation.created_by == world.alice


def test_it_refuses_a_second_evaluation_of_the_same_scope_and_period(world):
    make_evaluation(world)
    with pytest.raises(ValidationError) as exc:
        make_evaluation(world, period_start=datetime.date(2026, 9, 30))
    assert "period_start" in exc.value.error_dict


def test_a_duplicate_drafted_while_the_figures_compute_is_the_same_field_error(world, monkeypatch):
    """The figures are computed before the transaction: a second request (or the beat) that
    drafts the same scope and period meanwhile wins, and this one answers the duplicate's field
    error, not the unique constraint's IntegrityError (a 500)."""
    real = services.compute_snapshot
    first: list[Evaluation] = []

    def slow(**kwargs):
        if not first:  # the other request, while this one computes (its own compute is real)
            monkeypatch.setattr(services, "compute_snapshot", real)
            first.append(make_evaluation(world))
        return real(**kwargs)

    monkeypatch.setattr(services, "compute_snapshot", slow)
    with pytest.raises(ValidationError) as exc:
        make_evaluation(world)
    assert "period_start" in exc.value.error_dict
    assert list(Evaluation.objects.values_list("pk", flat=True)) == [first[0].pk]


def test_it_refuses_a_period_not_begun(world):
    with pytest.raises(ValidationError) as exc:
        make_evaluation(world, period_start=datetime.date(2027, 1, 5))
    assert "period_start" in exc.value.error_dict


def test_a_viewer_may_not_draft(world):
    with pytest.raises(PermissionDenied):
        make_evaluation(world, actor=world.vera)


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        ("own_agency", True),
        ("other_agency", False),
        ("area_in_jurisdiction", True),
        ("area_outside", False),
        ("own_partnership", True),
        ("city", False),
    ],
)
def test_what_an_agency_may_evaluate(world, scope, allowed):
    mou = world.a.partnerships.get()
    kwargs = {
        "own_agency": {"scope_kind": "agency", "scope_agency": world.a},
        "other_agency": {"scope_kind": "agency", "scope_agency": world.b},
        "area_in_jurisdiction": {"scope_kind": "area", "scope_agency": None, "scope_area": world.areas.guntung},
        "area_outside": {"scope_kind": "area", "scope_agency": None, "scope_area": world.areas.balikpapan},
        "own_partnership": {"scope_kind": "partnership", "scope_agency": None, "scope_partnership": mou},
        "city": {"scope_kind": "city", "scope_agency": None},
    }[scope]
    if allowed:
        assert make_evaluation(world, **kwargs).pk
    else:
        with pytest.raises(ValidationError):
            make_evaluation(world, **kwargs)


def test_an_agency_covering_a_root_area_may_evaluate_the_city(world):
    world.a.jurisdiction.add(world.areas.province)
    evaluation = make_evaluation(world, scope_kind="city", scope_agency=None)
    assert evaluation.scope_key == "city" and evaluation.scope_agency is None


def test_a_partnership_no_longer_in_force_may_not_be_evaluated(world):
    mou = PartnershipFactory(
        title="Old",
        agencies=[world.a, world.c],
        valid_from=datetime.date(2025, 1, 1),
        valid_until=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError):
        make_evaluation(world, scope_kind="partnership", scope_agency=None, scope_partnership=mou)


def test_review_then_publish_freezes_the_snapshot_while_a_draft_recomputes(world, counting_engine):
    IncidentFactory()
    frozen = published(world)
    draft = make_evaluation(world, scope_kind="area", scope_agency=None, scope_area=world.areas.guntung)
    assert frozen.snapshot["kpis"]["incidents.total"]["value"] == 1
    IncidentFactory()
    IncidentFactory()
    services.evaluation_recompute(actor=world.alice, evaluation=draft)
    draft.refresh_from_db()
    assert draft.snapshot["kpis"]["incidents.total"]["value"] == 3
    with pytest.raises(ValidationError):
        services.evaluation_recompute(actor=world.alice, evaluation=frozen)
    from coordination.evaluations.tasks import evaluations_schedule

    evaluations_schedule()
    frozen.refresh_from_db()
    assert frozen.snapshot["kpis"]["incidents.total"]["value"] == 1


def test_publish_recomputes_one_last_time(world, counting_engine):
    evaluation = make_evaluation(world)
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    IncidentFactory()
    services.evaluation_publish(actor=world.carol, evaluation=evaluation, shared_with=[])
    evaluation.refresh_from_db()
    assert evaluation.snapshot["kpis"]["incidents.total"]["value"] == 1
    assert evaluation.status == S.PUBLISHED and evaluation.published_by == world.carol


def test_a_reviewed_evaluation_is_not_recomputed_until_sent_back(world):
    evaluation = make_evaluation(world)
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    with pytest.raises(ValidationError):
        services.evaluation_recompute(actor=world.alice, evaluation=evaluation)
    services.evaluation_return(actor=world.carol, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == S.DRAFT and evaluation.reviewed_by is None
    services.evaluation_recompute(actor=world.alice, evaluation=evaluation)


def test_only_the_commander_reviews_and_publishes(world):
    evaluation = make_evaluation(world)
    with pytest.raises(PermissionDenied):
        services.evaluation_review(actor=world.alice, evaluation=evaluation)
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    with pytest.raises(PermissionDenied):
        services.evaluation_publish(actor=world.alice, evaluation=evaluation, shared_with=[])
    with pytest.raises(PermissionDenied):
        services.evaluation_return(actor=world.alice, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == S.REVIEWED


@pytest.mark.parametrize("step", ["return", "publish"])
def test_a_draft_may_not_be_returned_or_published(world, step):
    evaluation = make_evaluation(world)
    with pytest.raises(ValidationError):
        if step == "return":
            services.evaluation_return(actor=world.carol, evaluation=evaluation)
        else:
            services.evaluation_publish(actor=world.carol, evaluation=evaluation, shared_with=[])


def test_a_published_evaluation_may_not_be_reviewed_again(world):
    evaluation = published(world)
    with pytest.raises(ValidationError):
        services.evaluation_review(actor=world.carol, evaluation=evaluation)


def test_it_publishes_only_to_partners_in_force(world):
    evaluation = make_evaluation(world)
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_publish(actor=world.carol, evaluation=evaluation, shared_with=[world.c])
    assert "shared_with" in exc.value.error_dict
    evaluation.refresh_from_db()
    assert evaluation.status == S.REVIEWED


def test_the_partners_members_are_told_in_their_inbox(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = published(world)
    entries = InboxItem.objects.filter(kind="evaluation.published")
    assert {(e.user, e.evaluation_id) for e in entries} == {(world.bob, evaluation.pk)}


def test_the_partner_reads_it_once_published_and_the_outsider_never(world):
    evaluation = make_evaluation(world)
    assert not selectors.evaluation_list(user=world.bob).filter(pk=evaluation.pk).exists()
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    services.evaluation_publish(actor=world.carol, evaluation=evaluation, shared_with=[world.b])
    assert selectors.evaluation_list(user=world.bob).filter(pk=evaluation.pk).exists()
    assert not selectors.evaluation_list(user=world.charlie).filter(pk=evaluation.pk).exists()
    assert selectors.evaluation_list(user=world.vera).filter(pk=evaluation.pk).exists()


def test_the_public_summary_needs_a_published_evaluation(world):
    evaluation = make_evaluation(world)
    with pytest.raises(ValidationError):
        services.evaluation_publish_public(actor=world.carol, evaluation=evaluation)
    evaluation = published(world, scope_kind="area", scope_agency=None, scope_area=world.areas.guntung)
    with pytest.raises(PermissionDenied):
        services.evaluation_publish_public(actor=world.alice, evaluation=evaluation)
    services.evaluation_publish_public(actor=world.carol, evaluation=evaluation)
    assert list(selectors.public_evaluation_list()) == [evaluation]
    services.evaluation_withdraw_public(actor=world.carol, evaluation=evaluation)
    assert not selectors.public_evaluation_list().exists()


def test_findings_are_added_changed_reordered_and_deleted_on_a_draft(world):
    evaluation = make_evaluation(world)
    first = services.evaluation_finding_add(
        actor=world.alice, evaluation=evaluation, text="Respons lambat", kpi="incidents.respond_median"
    )
    second = services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="SKM naik")
    services.evaluation_finding_change(actor=world.alice, finding=second, text="SKM naik tajam")
    services.evaluation_findings_reorder(actor=world.alice, evaluation=evaluation, order=[second.pk, first.pk])
    assert [(f.text, f.position) for f in evaluation.findings.order_by("position")] == [
        ("SKM naik tajam", 1),
        ("Respons lambat", 2),
    ]
    services.evaluation_finding_delete(actor=world.alice, finding=first)
    assert evaluation.findings.count() == 1


def test_a_finding_with_an_unknown_kpi_is_refused(world):
    evaluation = make_evaluation(world)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="x", kpi="nope")
    assert "kpi" in exc.value.error_dict


def test_a_reorder_must_name_every_finding_once(world):
    evaluation = make_evaluation(world)
    first = services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="a")
    services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="b")
    with pytest.raises(ValidationError):
        services.evaluation_findings_reorder(actor=world.alice, evaluation=evaluation, order=[first.pk, first.pk])


def test_findings_summary_and_actions_are_frozen_once_reviewed(world):
    evaluation = make_evaluation(world)
    finding = services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="a")
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    with pytest.raises(ValidationError):
        services.evaluation_finding_add(actor=world.alice, evaluation=evaluation, text="b")
    with pytest.raises(ValidationError):
        services.evaluation_finding_change(actor=world.alice, finding=finding, text="c")
    with pytest.raises(ValidationError):
        services.evaluation_update(actor=world.alice, evaluation=evaluation, summary="d")
    with pytest.raises(ValidationError):
        services.evaluation_action_item_create(
            actor=world.alice, evaluation=evaluation, description="e", owner_agency=world.a, due_date=DAY
        )


def test_an_action_answers_a_finding_of_the_same_evaluation_only(world):
    evaluation = make_evaluation(world)
    other = make_evaluation(world, scope_kind="area", scope_agency=None, scope_area=world.areas.guntung)
    finding = services.evaluation_finding_add(actor=world.alice, evaluation=other, text="x")
    with pytest.raises(ValidationError) as exc:
        services.evaluation_action_item_create(
            actor=world.alice,
            evaluation=evaluation,
            description="d",
            owner_agency=world.a,
            due_date=DAY,
            finding=finding,
        )
    assert "finding" in exc.value.error_dict


def test_an_action_owner_person_must_belong_to_the_owner_agency(world):
    evaluation = make_evaluation(world)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_action_item_create(
            actor=world.alice,
            evaluation=evaluation,
            description="d",
            owner_agency=world.a,
            due_date=DAY,
            owner_person=world.bob,
        )
    assert "owner_person" in exc.value.error_dict


def test_the_next_period_shows_the_previous_actions_done_and_on_time(world):
    from coordination.exercises.services import action_item_update

    previous = make_evaluation(world, period_start=datetime.date(2026, 5, 1))
    finding = services.evaluation_finding_add(actor=world.alice, evaluation=previous, text="a")
    on_time = services.evaluation_action_item_create(
        actor=world.alice,
        evaluation=previous,
        description="early",
        owner_agency=world.b,
        due_date=datetime.date(2026, 12, 1),
        finding=finding,
    )
    late = services.evaluation_action_item_create(
        actor=world.alice,
        evaluation=previous,
        description="late",
        owner_agency=world.a,
        due_date=datetime.date(2026, 10, 1),
    )
    services.evaluation_action_item_create(
        actor=world.alice,
        evaluation=previous,
        description="open",
        owner_agency=world.a,
        due_date=datetime.date(2026, 10, 1),
    )
    services.evaluation_review(actor=world.carol, evaluation=previous)
    services.evaluation_publish(actor=world.carol, evaluation=previous, shared_with=[world.b])
    action_item_update(actor=world.bob, item=on_time, status=ActionItem.Status.DONE)  # a follow-up still moves
    action_item_update(actor=world.alice, item=late, status=ActionItem.Status.DONE)
    current = make_evaluation(world)
    found, items = selectors.previous_action_items(user=world.alice, evaluation=current)
    assert found == previous
    rows = {r.item.description: (r.done, r.on_time, r.overdue) for r in selectors.follow_ups(items=items)}
    assert rows == {"early": (True, True, False), "late": (True, False, False), "open": (False, None, True)}


def test_summary_and_title_change_on_a_draft(world):
    evaluation = make_evaluation(world)
    services.evaluation_update(actor=world.alice, evaluation=evaluation, title=" Evaluasi Q3 ", summary="Ringkas")
    evaluation.refresh_from_db()
    assert (evaluation.title, evaluation.summary) == ("Evaluasi Q3", "Ringkas")
    with pytest.raises(PermissionDenied):
        services.evaluation_update(actor=world.vera, evaluation=evaluation, title="x")


def test_targets_agency_by_its_managers_city_by_staff(world):
    target = services.kpi_target_set(actor=world.alice, kpi="incidents.within_target", value="85", agency=world.a)
    assert target.value == 85
    services.kpi_target_set(actor=world.alice, kpi="incidents.within_target", value="90", agency=world.a)
    assert KpiTarget.objects.get(kpi="incidents.within_target", agency=world.a).value == 90
    with pytest.raises(PermissionDenied):
        services.kpi_target_set(actor=world.alice, kpi="incidents.within_target", value="85")
    with pytest.raises(PermissionDenied):
        services.kpi_target_set(actor=world.vera, kpi="incidents.within_target", value="85", agency=world.a)
    services.kpi_target_set(actor=world.admin, kpi="incidents.within_target", value="70")
    with pytest.raises(ValidationError):
        services.kpi_target_set(actor=world.admin, kpi="incidents.within_target", value="170")
    with pytest.raises(ValidationError):
        services.kpi_target_set(actor=world.admin, kpi="nope", value="1")
    assert services.kpi_target_clear(actor=world.alice, kpi="incidents.within_target", agency=world.a) == 1
    assert list(KpiTarget.objects.values_list("agency", flat=True)) == [None]


def test_staff_may_draft_for_any_agency_and_scope(world):
    evaluation = make_evaluation(world, actor=world.admin, owner_agency=world.c, scope_kind="city", scope_agency=None)
    assert evaluation.owner_agency == world.c


def test_a_member_of_two_agencies_names_the_owner(world):
    user = UserFactory()
    MembershipFactory(user=user, agency=world.a, role="analyst")
    MembershipFactory(user=user, agency=world.b, role="analyst")
    with pytest.raises(ValidationError) as exc:
        make_evaluation(world, actor=user)
    assert "owner_agency" in exc.value.error_dict


def test_a_published_evaluations_action_only_moves_its_status(world):
    from coordination.exercises.services import action_item_rights, action_item_update

    evaluation = make_evaluation(world)
    item = services.evaluation_action_item_create(
        actor=world.alice, evaluation=evaluation, description="d", owner_agency=world.a, due_date=DAY
    )
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    services.evaluation_publish(actor=world.carol, evaluation=evaluation, shared_with=[])
    item = ActionItem.objects.select_related("evaluation").get(pk=item.pk)
    assert action_item_rights(actor=world.alice, items=[item])[item.pk] == (True, False)
    with pytest.raises(ValidationError):
        action_item_update(actor=world.alice, item=item, description="changed")
    action_item_update(actor=world.alice, item=item, status=ActionItem.Status.DONE)
    item.refresh_from_db()
    assert (item.description, item.status) == ("d", ActionItem.Status.DONE)
