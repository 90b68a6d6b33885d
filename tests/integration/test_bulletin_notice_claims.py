"""A bulletin's notices are claimed once each, even by two tasks at the same instant (real
PostgreSQL: row locks). Before, both read the same pending rows and both sent all of them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from coordination.bulletins import notify
from coordination.models import BulletinRecipient
from tests.coordination.bulletins.helpers import issue


@pytest.mark.django_db(transaction=True)
def test_a_claim_skips_the_rows_another_claim_holds_and_never_returns_them_twice(world):
    bulletin = issue(world, distribution={"agencies": [world.b.pk, world.c.pk]})
    BulletinRecipient.objects.filter(bulletin=bulletin).update(notified_version=0)
    locked, release = threading.Event(), threading.Event()

    def hold_b() -> None:  # another task's transaction, stopped after locking B's row
        try:
            with transaction.atomic():
                list(BulletinRecipient.objects.select_for_update().filter(bulletin=bulletin, agency=world.b))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=hold_b)
    other.start()
    try:
        assert locked.wait(10)
        assert notify.claim_issue_notices(bulletin=bulletin) == [world.c.pk]
    finally:
        release.set()
        other.join(10)
    assert notify.claim_issue_notices(bulletin=bulletin) == [world.b.pk]
    assert notify.claim_issue_notices(bulletin=bulletin) == []
