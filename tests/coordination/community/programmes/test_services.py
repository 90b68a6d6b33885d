"""Services of programmes: the workflow, who may take each step, the children, photos."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from coordination.community.programmes import services
from coordination.models import ActionItem, InboxItem, Programme, ProgrammeRegistration
from tests.coordination.community.programmes.helpers import make_programme
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Programme.Status


def _begun(programme, hours=1):
    """Move the programme's sessions into the past (it has begun)."""
    start = timezone.now() - timedelta(hours=hours)
    session = programme.sessions.get()
    session.starts_at, session.ends_at = start, start + timedelta(hours=3)
    session.save()
    Programme.objects.filter(pk=programme.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))
    programme.refresh_from_db()
    return programme


def test_it_plans_a_programme_with_its_sessions_groups_goods_and_partners(world):
    start = timezone.now() + timedelta(days=3)
    later = start + timedelta(days=7)
    programme = make_programme(
        world, sessions=[(later, later + timedelta(hours=2)), (start, start + timedelta(hours=2))]
    )
    programme.refresh_from_db()
    assert programme.status == S.PLANNED and programme.organiser == world.a
    assert programme.starts_at == start and programme.ends_at == later + timedelta(hours=2)
    assert [s.starts_at for s in programme.sessions.all()] == [start, later]
    assert sorted(g.planned for g in programme.target_groups.all()) == [40, 60]
    assert [(g.item, g.quantity) for g in programme.goods.all()] == [("Brosur bahaya narkoba", 100)]
    assert list(programme.partners.all()) == [world.b]


def test_it_refuses_a_programme_without_a_date_or_a_target_group(world):
    with pytest.raises(ValidationError) as exc:
        make_programme(world, sessions=[])
    assert "sessions" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_programme(world, target_groups=[])
    assert "target_groups" in exc.value.message_dict
    assert not Programme.objects.exists()


def test_it_refuses_a_session_ending_before_it_starts(world):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        make_programme(world, sessions=[(start, start - timedelta(hours=1))])
    assert "sessions" in exc.value.message_dict


def test_it_refuses_the_same_group_twice(world):
    row = {"group": "youth", "age_band": "18-25", "sex": "any", "planned": 10}
    with pytest.raises(ValidationError) as exc:
        make_programme(world, target_groups=[row, dict(row)])
    assert "target_groups" in exc.value.message_dict


def test_a_viewer_may_not_plan_a_programme(world):
    with pytest.raises(PermissionDenied):
        make_programme(world, actor=world.vera)


def test_only_the_organisers_commander_approves_and_partners_are_told(world, django_capture_on_commit_callbacks):
    programme = make_programme(world)
    with pytest.raises(PermissionDenied):
        services.programme_approve(actor=world.alice, programme=programme)
    with pytest.raises(PermissionDenied):
        services.programme_approve(actor=world.dave, programme=programme)  # another agency's commander
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_approve(actor=world.carol, programme=programme)
    programme.refresh_from_db()
    assert programme.status == S.APPROVED and programme.approved_by == world.carol
    assert list(InboxItem.objects.values_list("user__username", "kind", "programme_id")) == [
        ("bob", "programme.approved", programme.pk)
    ]
    with pytest.raises(ValidationError):
        services.programme_approve(actor=world.carol, programme=programme)


def test_attendance_needs_an_approved_programme_that_has_begun(world):
    programme = make_programme(world)
    group = programme.target_groups.first()
    with pytest.raises(ValidationError):
        services.programme_hold(actor=world.alice, programme=_begun(programme), attendance={group.pk: 10})
    programme = make_programme(world, title="Kampanye helm", approve=True)
    group = programme.target_groups.first()
    with pytest.raises(ValidationError):  # not begun yet
        services.programme_hold(actor=world.alice, programme=programme, attendance={group.pk: 10})
    assert Programme.objects.get(pk=programme.pk).status == S.APPROVED


def test_holding_records_attendance_per_group_and_marks_it_held(world):
    programme = _begun(make_programme(world, approve=True))
    girls, boys = programme.target_groups.order_by("id")
    services.programme_hold(actor=world.alice, programme=programme, attendance={girls.pk: 55, boys.pk: 48})
    programme.refresh_from_db()
    assert programme.status == S.HELD
    assert {g.pk: g.actual for g in programme.target_groups.all()} == {girls.pk: 55, boys.pk: 48}


def test_holding_refuses_a_group_of_another_programme(world):
    other = make_programme(world, title="Lain")
    programme = _begun(make_programme(world, approve=True))
    with pytest.raises(ValidationError) as exc:
        services.programme_hold(actor=world.alice, programme=programme, attendance={other.target_groups.first().pk: 3})
    assert "attendance" in exc.value.message_dict


def _jpeg_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (0.0, 8.0, 0.0), 3: "E", 4: (117.0, 30.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


def test_photos_are_re_encoded_without_their_location(world, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    programme = _begun(make_programme(world, approve=True))
    upload = _jpeg_with_gps()
    assert b"Exif" in upload.read()
    upload.seek(0)
    services.programme_hold(actor=world.alice, programme=programme, attendance={}, photos=[upload])
    photo = programme.photos.get()
    with photo.image.open("rb") as handle:
        data = handle.read()
    assert data[:2] == b"\xff\xd8" and b"Exif" not in data
    assert (photo.width, photo.height) == (40, 30)


def test_a_file_that_is_not_an_image_is_refused_as_a_photo(world):
    programme = _begun(make_programme(world, approve=True))
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.programme_hold(actor=world.alice, programme=programme, attendance={}, photos=[fake])
    assert "photos" in exc.value.message_dict
    assert not programme.photos.exists()


def test_the_report_needs_a_held_programme_and_then_reports_it(world):
    programme = _begun(make_programme(world, approve=True))
    with pytest.raises(ValidationError):
        services.programme_report(
            actor=world.alice, programme=programme, objectives="", activities="x", results="", lessons=""
        )
    services.programme_hold(actor=world.alice, programme=programme, attendance={})
    services.programme_report(
        actor=world.alice, programme=programme, objectives="Paham", activities="Ceramah", results="Baik", lessons="Lagi"
    )
    programme.refresh_from_db()
    assert programme.status == S.REPORTED and programme.reported_at is not None and programme.activities == "Ceramah"


def test_follow_up_items_are_action_items_of_the_programme(world):
    programme = _begun(make_programme(world, approve=True))
    due = timezone.localdate() + timedelta(days=14)
    with pytest.raises(ValidationError):  # not held yet
        services.programme_action_item_create(
            actor=world.alice, programme=programme, description="Ulang", owner_agency=world.b, due_date=due
        )
    services.programme_hold(actor=world.alice, programme=programme, attendance={})
    item = services.programme_action_item_create(
        actor=world.alice, programme=programme, description="Ulang di SMA 2", owner_agency=world.b, due_date=due
    )
    assert (item.programme_id, item.meeting_id, item.exercise_id) == (programme.pk, None, None)
    from coordination.exercises.services import can_update_action_item, item_parent

    assert item_parent(item) == (world.a.pk, "programme.report")
    assert can_update_action_item(actor=world.bob, item=item)  # its owner agency
    assert not can_update_action_item(actor=world.charlie, item=item)


def test_an_action_item_has_exactly_one_parent(world):
    programme = make_programme(world)
    from tests.coordination.meetings.helpers import make_meeting

    meeting = make_meeting(world)
    due = timezone.localdate()
    for parents in ({}, {"programme": programme, "meeting": meeting}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ActionItem.objects.create(description="x", owner_agency=world.a, due_date=due, **parents)


def test_cancelling_tells_the_partners_and_stops_further_steps(world, django_capture_on_commit_callbacks):
    programme = make_programme(world, approve=True)
    with pytest.raises(PermissionDenied):
        services.programme_cancel(actor=world.bob, programme=programme)  # a partner reads, does not plan
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_cancel(actor=world.alice, programme=programme, reason="Hujan lebat")
    programme.refresh_from_db()
    assert programme.status == S.CANCELLED and programme.cancel_reason == "Hujan lebat"
    assert InboxItem.objects.filter(kind="programme.cancelled", user=world.bob).count() == 1
    with pytest.raises(ValidationError):
        services.programme_update(actor=world.alice, programme=programme, title="Baru")
    with pytest.raises(ValidationError):
        services.programme_cancel(actor=world.alice, programme=programme)


def test_update_keeps_attendance_of_groups_that_stay(world):
    programme = make_programme(world)
    keep = programme.target_groups.order_by("id").first()
    services.programme_update(
        actor=world.alice,
        programme=programme,
        title="Penyuluhan hukum (diubah)",
        target_groups=[{"group": keep.group, "age_band": keep.age_band, "sex": keep.sex, "planned": 70}],
    )
    programme.refresh_from_db()
    assert programme.title == "Penyuluhan hukum (diubah)"
    assert [(g.pk, g.planned) for g in programme.target_groups.all()] == [(keep.pk, 70)]


def test_registration_is_open_only_for_approved_public_programmes_not_ended(world):
    internal = make_programme(world, approve=True)
    with pytest.raises(ValidationError):
        services.programme_register(programme=internal, name="Budi")
    planned = make_programme(world, title="Publik belum disetujui", is_public=True)
    with pytest.raises(ValidationError):
        services.programme_register(programme=planned)
    public = make_programme(world, title="Kampanye keselamatan lalu lintas", is_public=True, approve=True)
    row = services.programme_register(programme=public, name="  Budi ", contact="0812")
    assert (row.name, row.contact) == ("Budi", "0812")
    services.programme_register(programme=public)  # anonymous: a head count
    assert ProgrammeRegistration.objects.filter(programme=public).count() == 2


def test_a_material_is_checked_by_its_content(world, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    programme = make_programme(world)
    fake = SimpleUploadedFile("materi.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.programme_material_add(actor=world.alice, programme=programme, upload=fake)
    assert "file" in exc.value.message_dict
    pdf = SimpleUploadedFile("materi.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    material = services.programme_material_add(actor=world.alice, programme=programme, upload=pdf)
    assert (material.name, material.content_type) == ("materi.pdf", "application/pdf")
    with pytest.raises(PermissionDenied):
        services.programme_material_add(actor=world.bob, programme=programme, upload=pdf)


def test_staff_must_name_the_organiser(world):
    with pytest.raises(ValidationError):
        make_programme(world, actor=world.admin)
    programme = make_programme(world, actor=world.admin, organiser=world.b, partners=[])
    assert programme.organiser == world.b


def test_a_new_member_role_is_read_at_once(world):
    user = UserFactory(username="newcommander")
    MembershipFactory(user=user, agency=world.a, role="commander")
    programme = make_programme(world)
    services.programme_approve(actor=user, programme=programme)
    assert Programme.objects.get(pk=programme.pk).status == S.APPROVED
