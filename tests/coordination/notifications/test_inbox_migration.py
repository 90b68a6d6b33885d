"""The operations' notifications merge into the one inbox with a data migration that keeps
what exists (coordination 0005_one_inbox): every row, its user, agency, references, kind
(with its group), legacy message and its times; and back again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("coordination", "0004_bulletins")]
AFTER = [("coordination", "0005_one_inbox")]


def migrate(target):
    """Coordination to `target`, every other app at its latest: the models the test writes are
    then those of today's schema (an app's later NOT NULL column, say Agency's
    two_factor_required, is in the state), not the state coordination's migration depended on."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    apps_named = {app for app, _name in target}
    target = [*target, *(node for node in executor.loader.graph.leaf_nodes() if node[0] not in apps_named)]
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_old_notifications_survive_as_inbox_entries():
    apps = migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Agency = apps.get_model("agencies", "Agency")
    Notification = apps.get_model("coordination", "Notification")
    user = User.objects.create(username="lama")
    agency = Agency.objects.create(name="Polres Lama", code="polres-lama", kind="police")
    read = datetime.datetime(2026, 11, 2, 8, 30, tzinfo=datetime.UTC)
    old = Notification.objects.create(user=user, agency=agency, kind="changed", message="Rencana Operasi X berubah.")
    Notification.objects.create(user=user, agency=agency, kind="added", subject_agency=agency, read_at=read)
    created = datetime.datetime(2026, 10, 1, 7, 0, tzinfo=datetime.UTC)
    Notification.objects.filter(pk=old.pk).update(created_at=created)
    try:
        apps = migrate(AFTER)
        rows = list(
            apps.get_model("coordination", "InboxItem")
            .objects.order_by("id")
            .values(
                "user_id", "agency_id", "kind", "message", "subject_agency_id", "created_at", "read_at", "needs_ack"
            )
        )
        assert rows == [
            {
                "user_id": user.pk,
                "agency_id": agency.pk,
                "kind": "operation.changed",
                "message": "Rencana Operasi X berubah.",
                "subject_agency_id": None,
                "created_at": created,
                "read_at": None,
                "needs_ack": False,
            },
            {
                "user_id": user.pk,
                "agency_id": agency.pk,
                "kind": "operation.added",
                "message": "",
                "subject_agency_id": agency.pk,
                "created_at": rows[1]["created_at"],
                "read_at": read,
                "needs_ack": False,
            },
        ]
        apps = migrate(BEFORE)  # and back
        back = apps.get_model("coordination", "Notification").objects.order_by("id")
        assert [(n.kind, n.read_at) for n in back] == [("changed", None), ("added", read)]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
