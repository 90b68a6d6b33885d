"""Bulletins in the one inbox: entries written when a bulletin is issued, amended, withdrawn or
reminded; one read state with the bulletin's receipts; "needs acknowledgement" from the
recipient row; text written at read time, hidden when the reader may no longer read it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import AuditLog, Classification
from coordination.bulletins import services as bulletin_services
from coordination.bulletins.reminders import bulletins_remind
from coordination.bulletins.selectors import unread_bulletins
from coordination.models import Bulletin, BulletinReceipt, BulletinRecipient, InboxItem
from coordination.notifications import selectors, services
from tests.coordination.bulletins.helpers import issue

pytestmark = pytest.mark.django_db


def from_bob(world, **kwargs):
    kwargs.setdefault("distribution", {"agencies": [world.a.pk]})
    return issue(world, actor=world.bob, **kwargs)


def acked(world, hours=2, **kwargs):
    return from_bob(world, ack_required=True, ack_deadline=timezone.now() + timedelta(hours=hours), **kwargs)


def bulletin_entries(user, **filters):
    return selectors.inbox_page(user=user, group="bulletin", **filters).entries


def test_issuing_writes_an_entry_to_each_member_of_the_recipients_not_to_the_issuer(world):
    bulletin = from_bob(world, title="Banjir rob di pelabuhan")
    assert set(InboxItem.objects.filter(bulletin=bulletin).values_list("user__username", flat=True)) == {
        "alice",
        "carol",
        "vera",
    }
    (entry,) = bulletin_entries(world.alice)
    assert "Banjir rob di pelabuhan" in entry.text and entry.unread and not entry.needs_ack
    assert entry.url == reverse("bulletin-detail", args=[bulletin.pk])
    assert selectors.inbox_counts(user=world.alice)["unread"] == 1
    assert bulletin_entries(world.bob) == []


def test_opening_the_bulletin_reads_its_entry_and_the_bell(client, world):
    bulletin = from_bob(world)
    client.force_login(world.alice)
    assert client.get(reverse("bulletin-detail", args=[bulletin.pk])).status_code == 200
    (entry,) = bulletin_entries(world.alice)
    assert not entry.unread
    assert selectors.inbox_counts(user=world.alice)["unread"] == 0
    assert bulletin_entries(world.carol)[0].unread  # only the reader's


def test_marking_the_entry_read_is_reading_the_bulletin(client, world):
    bulletin = from_bob(world)
    (entry,) = bulletin_entries(world.alice)
    client.force_login(world.alice)
    client.post(reverse("inbox-read"), {"entry": entry.key})
    receipt = BulletinReceipt.objects.get(bulletin=bulletin, user=world.alice)
    assert receipt.read_version == 1 and receipt.agency_id == world.a.pk
    assert not unread_bulletins(user=world.alice).filter(pk=bulletin.pk).exists()
    assert unread_bulletins(user=world.carol).filter(pk=bulletin.pk).exists()


def test_mark_all_read_brings_an_amended_receipt_up_to_date(world):
    bulletin = from_bob(world)
    bulletin_services.bulletin_mark_read(user=world.alice, bulletin=bulletin)
    bulletin_services.bulletin_amend(actor=world.bob, bulletin=bulletin, body="Teks baru.", note="lokasi")
    kinds = [e.kind for e in bulletin_entries(world.alice, unread=True)]
    assert kinds == ["bulletin.amended"]
    assert bulletin_entries(world.alice)[0].text.endswith("(versi 2)")
    services.inbox_mark_read(user=world.alice)
    assert BulletinReceipt.objects.get(bulletin=bulletin, user=world.alice).read_version == 2
    assert not unread_bulletins(user=world.alice).exists()


def test_needs_acknowledgement_is_the_recipient_rows(world):
    bulletin = acked(world)
    (entry,) = bulletin_entries(world.alice, needs_ack=True)
    assert entry.needs_ack
    bulletin_services.bulletin_acknowledge(actor=world.carol, bulletin=bulletin)  # for A
    assert bulletin_entries(world.alice, needs_ack=True) == []
    assert not bulletin_entries(world.alice)[0].needs_ack


def test_a_reminder_goes_to_who_may_acknowledge_and_waits_like_the_bulletin(world):
    bulletin = acked(world)
    Bulletin.objects.filter(pk=bulletin.pk).update(ack_deadline=timezone.now() - timedelta(minutes=1))
    bulletins_remind()
    reminded = InboxItem.objects.filter(bulletin=bulletin, kind="bulletin.reminder")
    assert set(reminded.values_list("user__username", flat=True)) == {"alice", "carol", "vera"}
    assert {e.kind for e in bulletin_entries(world.alice, needs_ack=True)} == {"bulletin.issued", "bulletin.reminder"}


def test_a_withdrawn_bulletin_tells_and_waits_no_more(world):
    bulletin = acked(world)
    bulletin_services.bulletin_withdraw(actor=world.bob, bulletin=bulletin, reason="salah kirim")
    entries = bulletin_entries(world.alice)
    assert [e.kind for e in entries] == ["bulletin.withdrawn", "bulletin.issued"]
    assert not any(e.needs_ack for e in entries)
    assert bulletin_entries(world.alice, needs_ack=True) == []


def test_a_bulletin_the_reader_may_no_longer_read_shows_unnamed_without_a_link(client, world):
    bulletin = from_bob(world, title="Operasi rahasia di dermaga", classification=Classification.SECRET)
    assert "Operasi rahasia" in bulletin_entries(world.alice)[0].text
    BulletinRecipient.objects.filter(bulletin=bulletin, agency=world.a).delete()  # A taken off the list
    (entry,) = bulletin_entries(world.alice)
    assert entry.withdrawn and entry.url is None and entry.bulletin is None
    client.force_login(world.alice)
    body = client.get(reverse("inbox")).content.decode()
    assert "Operasi rahasia" not in body and 'data-testid="entry-withdrawn"' in body


def test_the_inbox_page_filters_bulletins_and_audits_the_classified_ones(client, world):
    secret = from_bob(world, title="Rahasia", classification=Classification.SECRET)
    from_bob(world, title="Terbatas")
    client.force_login(world.alice)
    body = client.get(reverse("inbox") + "?kind=bulletin").content.decode()
    assert body.count('data-kind="bulletin"') == 2 and body.count('data-testid="inbox-entry"') == 2
    (row,) = AuditLog.objects.filter(object_type="bulletin", action="list", user=world.alice)
    assert row.object_ids == [str(secret.pk)] and row.classification == "secret"


def test_the_inbox_with_bulletins_reads_as_many_queries_with_20_as_with_1(client, world, django_assert_max_num_queries):
    from_bob(world, classification=Classification.CONFIDENTIAL)
    client.force_login(world.alice)
    client.get(reverse("inbox"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("inbox"))
    for i in range(19):
        from_bob(world, title=f"Buletin {i}", classification=Classification.CONFIDENTIAL if i % 2 else "restricted")
    acked(world)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        body = client.get(reverse("inbox")).content.decode()
    assert body.count('data-kind="bulletin"') == 21
    with django_assert_max_num_queries(5):  # session, user, agencies, roles, the counts
        client.get(reverse("inbox-badge"))
