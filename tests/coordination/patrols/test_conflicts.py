"""Conflicts computed among patrol shifts, and their overrides (moved from test_patrols.py)."""

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Classification
from coordination.models import (
    AgencyCapacity,
    ConflictOverride,
    PatrolShift,
)
from coordination.patrols import conflicts as patrol_conflicts
from coordination.patrols import services as patrol_services

from .test_patrols import _english, dt, make_operation, make_shift, unit  # noqa: F401

# --- Conflicts -----------------------------------------------------------------------------


def test_a_unit_on_two_overlapping_shifts_is_a_conflict_saying_what_clashes(world):
    op = make_operation(world)
    make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 14),
        title="Malam Guntung",
        contributions=[unit(world.a)],
        areas=[world.areas.bontang],
    )
    with pytest.raises(patrol_conflicts.ShiftConflictError) as exc:
        make_shift(
            world,
            op,
            start=dt(2026, 1, 30, 16),
            title="Malam Pelabuhan",
            contributions=[unit(world.a)],
            areas=[world.areas.bontang],
        )
    [conflict] = exc.value.conflicts
    assert conflict["kind"] == "unit_double_booked"
    assert conflict["unit"] == "Sabhara 1"
    assert conflict["message"] == (
        'Unit "Sabhara 1" of Polres Bontang is on "Malam Pelabuhan" (31 Jan 2026 00:00 to 31 Jan 2026 06:00 WITA) and '
        'on "Malam Guntung" (30 Jan 2026 22:00 to 31 Jan 2026 04:00 WITA) at the same time.'
    )
    assert PatrolShift.objects.count() == 1


def test_a_clash_with_a_shift_the_planner_may_not_see_does_not_name_it(world):
    """B's unit is on a secret operation of C's; A's planner booking the same unit learns that
    the unit is busy and when, never the secret shift's title."""
    secret = make_operation(world, classification=Classification.SECRET, lead=world.c, participants=[world.b])
    make_shift(world, secret, start=dt(2026, 1, 30, 14), title="Penyergapan gudang", contributions=[unit(world.b)])
    mine = make_operation(world, participants=[world.b])
    with pytest.raises(patrol_conflicts.ShiftConflictError) as exc:
        make_shift(world, mine, start=dt(2026, 1, 30, 16), contributions=[unit(world.b)], user=world.carol)
    [conflict] = exc.value.conflicts
    assert "Penyergapan" not in conflict["message"]
    assert "another shift you may not see" in conflict["message"]


def test_back_to_back_shifts_of_one_unit_do_not_clash(world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    make_shift(world, op, start=dt(2026, 1, 30, 20), contributions=[unit(world.a)])
    assert PatrolShift.objects.count() == 2


def test_an_agency_over_its_declared_personnel_is_a_conflict(world):
    AgencyCapacity.objects.create(agency=world.a, personnel=20)
    op = make_operation(world)
    make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 14),
        title="A",
        contributions=[unit(world.a, "Sabhara 1", 12)],
        areas=[world.areas.bontang],
    )
    with pytest.raises(patrol_conflicts.ShiftConflictError) as exc:
        make_shift(
            world,
            op,
            start=dt(2026, 1, 30, 15),
            title="B",
            contributions=[unit(world.a, "Sabhara 2", 9)],
            areas=[world.areas.bontang],
        )
    [conflict] = exc.value.conflicts
    assert conflict["kind"] == "over_capacity"
    assert (conflict["committed"], conflict["capacity"]) == (21, 20)
    assert conflict["message"] == (
        "Polres Bontang commits 21 personnel at 30 Jan 2026 23:00 WITA, more than the 20 it declared available."
    )
    assert len(conflict["shifts"]) == 2


def test_an_override_saves_the_clash_and_records_who_and_why(world):
    op = make_operation(world)
    first = make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    second = make_shift(
        world,
        op,
        start=dt(2026, 1, 30, 16),
        contributions=[unit(world.a)],
        user=world.alice,
        override_reason="Kapolres minta",
    )
    override = ConflictOverride.objects.get()
    assert (override.shift, override.user, override.reason) == (second, world.alice, "Kapolres minta")
    assert override.conflicts[0]["shifts"] == [second.pk, first.pk]
    assert override.conflicts[0]["kind"] == "unit_double_booked"


def test_conflict_list_finds_clashes_in_a_window(world):
    op = make_operation(world)
    make_shift(world, op, start=dt(2026, 1, 30, 14), contributions=[unit(world.a)])
    make_shift(world, op, start=dt(2026, 1, 30, 16), contributions=[unit(world.a)], override_reason="ok")
    found = patrol_conflicts.conflict_list(user=world.alice, start=dt(2026, 1, 30), end=dt(2026, 2, 1))
    assert [c["kind"] for c in found] == ["unit_double_booked"]
    assert patrol_conflicts.conflict_list(user=world.alice, start=dt(2026, 2, 2), end=dt(2026, 2, 3)) == []


def test_counting_conflicts_finds_the_same_ones_as_describing_them(world):
    """The calendar counts conflicts with describe=False (a lighter query, epoch times): the
    same clashes, pair by pair and stretch by stretch, at the window's edges too."""
    AgencyCapacity.objects.create(agency=world.a, personnel=20)
    op = make_operation(world)
    shifts = [
        make_shift(world, op, start=dt(2026, 1, 29, 20), contributions=[unit(world.a, "Sabhara 1", 12)]),
        make_shift(
            world, op, start=dt(2026, 1, 30, 0), contributions=[unit(world.a, "sabhara 1 ", 9)], override_reason="ok"
        ),
        make_shift(world, op, start=dt(2026, 1, 30, 6), contributions=[unit(world.a, "Sabhara 1", 4)]),
        make_shift(
            world,
            op,
            start=dt(2026, 1, 30, 8),
            contributions=[unit(world.a, "Sabhara 2", 18), unit(world.b, "Sabhara 1", 2)],
            override_reason="ok",
        ),
        make_shift(world, op, start=dt(2026, 1, 31, 10), contributions=[unit(world.b, "Sabhara 1", 2)]),
        # Python folds the Kelvin sign to "k": one unit, as the sweep compares names.
        make_shift(world, op, start=dt(2026, 1, 31, 12), contributions=[unit(world.b, "\u212a9 1", 2)]),
        make_shift(
            world, op, start=dt(2026, 1, 31, 14), contributions=[unit(world.b, "\tk9 1", 2)], override_reason="ok"
        ),
    ]
    ids = [s.pk for s in shifts]

    def found(describe, **kwargs):
        return [(c["kind"], c["shifts"]) for c in patrol_conflicts.conflicts_compute(describe=describe, **kwargs)]

    windows = [
        (dt(2026, 1, 29), dt(2026, 2, 2)),
        (dt(2026, 1, 30, 2), dt(2026, 1, 30, 6)),
        (dt(2026, 1, 30, 3), dt(2026, 1, 30, 8)),
        (dt(2026, 1, 30, 12), dt(2026, 2, 1)),
    ]
    kinds = set()
    for start, end in windows:
        for only in (None, {ids[1]}, {ids[3], ids[4]}):
            light = found(False, start=start, end=end, only_shift_ids=only)
            assert light == found(True, start=start, end=end, only_shift_ids=only)
            kinds |= {kind for kind, _ in light}
    assert kinds == {"unit_double_booked", "over_capacity"}
    kelvin = found(False, start=dt(2026, 1, 31), end=dt(2026, 2, 1), only_shift_ids={ids[5]})
    assert kelvin == [("unit_double_booked", [ids[5], ids[6]])]


def test_end_before_start_is_refused(world):
    op = make_operation(world)
    with pytest.raises(ValidationError):
        patrol_services.shift_create(
            user=world.alice, operation=op, starts_at=dt(2026, 1, 30, 14), ends_at=dt(2026, 1, 30, 13)
        )
    assert PatrolShift.objects.count() == 0
