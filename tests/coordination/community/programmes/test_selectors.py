"""Who reads a programme: public ones anyone signed in, internal ones the organiser's and the
partners' members, staff everything; the public portal only approved public ones not ended."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from coordination.community.programmes import selectors, services
from coordination.models import Programme

from .helpers import make_programme

pytestmark = pytest.mark.django_db


def _readers(programme, world):
    return {
        name
        for name in ("alice", "carol", "vera", "bob", "charlie", "dave", "nobody", "admin")
        if selectors.programme_list(user=getattr(world, name)).filter(pk=programme.pk).exists()
    }


def test_an_internal_programme_is_read_by_organiser_partners_and_staff(world):
    programme = make_programme(world)
    assert _readers(programme, world) == {"alice", "carol", "vera", "bob", "admin"}
    with pytest.raises(Http404):
        selectors.programme_get(user=world.charlie, pk=programme.pk)


def test_a_public_programme_is_read_by_anyone_signed_in(world):
    programme = make_programme(world, is_public=True, partners=[])
    assert _readers(programme, world) == {"alice", "carol", "vera", "bob", "charlie", "dave", "nobody", "admin"}
    assert not selectors.programme_list(user=AnonymousUser()).exists()


def test_get_for_change_is_403_to_a_reader_who_may_not_plan(world):
    from django.core.exceptions import PermissionDenied

    programme = make_programme(world)
    assert selectors.programme_get_for_change(user=world.alice, pk=programme.pk) == programme
    with pytest.raises(PermissionDenied):
        selectors.programme_get_for_change(user=world.bob, pk=programme.pk)
    with pytest.raises(Http404):
        selectors.programme_get_for_change(user=world.charlie, pk=programme.pk)


def test_public_upcoming_lists_approved_public_programmes_soonest_first_in_one_query(world, django_assert_num_queries):
    later = make_programme(world, title="Nanti", hours=72, is_public=True, approve=True)
    soon = make_programme(world, title="Segera", hours=5, is_public=True, approve=True)
    make_programme(world, title="Internal", hours=6, approve=True)
    make_programme(world, title="Belum disetujui", hours=7, is_public=True)
    cancelled = make_programme(world, title="Batal", hours=8, is_public=True, approve=True)
    services.programme_cancel(actor=world.alice, programme=cancelled)
    ended = make_programme(world, title="Selesai", is_public=True, approve=True)
    Programme.objects.filter(pk=ended.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=2), ends_at=timezone.now() - datetime.timedelta(days=1)
    )
    with django_assert_num_queries(1):
        rows = selectors.public_upcoming(limit=5)
        titles = [(p.title, p.area.name, p.organiser.name) for p in rows]
    assert [t[0] for t in titles] == ["Segera", "Nanti"]
    assert [p.pk for p in selectors.public_upcoming(limit=1)] == [soon.pk]
    assert selectors.public_upcoming(limit=0) == []
    assert later.pk in {p.pk for p in selectors.public_programme_list()}


def test_materials_and_photos_follow_the_programme(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    programme = make_programme(world)
    pdf = SimpleUploadedFile("materi.pdf", b"%PDF-1.4\n%%EOF\n")
    material = services.programme_material_add(actor=world.alice, programme=programme, upload=pdf)
    assert selectors.programme_material_get(user=world.bob, token=material.token) == material
    with pytest.raises(Http404):
        selectors.programme_material_get(user=world.charlie, token=material.token)


def test_registrations_are_shown_to_organiser_and_partners_only(world):
    programme = make_programme(world, is_public=True, approve=True)
    services.programme_register(programme=programme, name="Siti", contact="0813")
    assert selectors.programme_registrations(user=world.bob, programme=programme).count() == 1
    assert selectors.programme_registrations(user=world.charlie, programme=programme).count() == 0
