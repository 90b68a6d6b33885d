"""Polling CAP sources against a local server of real alerts (tests/data/cap/): first poll
imports, a 304 imports nothing, Updates and Cancels apply from the same source only, invalid
and wrongly signed documents are refused, failing sources back off without holding up others."""

import datetime

import pytest
from django.utils import timezone
from lxml import etree

from incidents.models import Alert, CapFetch, CapSource, Threat, ThreatMessage
from incidents.threats.feeds import poll, tasks
from incidents.threats.selectors import cap_sources_failing_count
from tests.incidents.threats.cap.helpers import NS, keypair, sample
from tests.incidents.threats.cap.test_relay import derived, original, sign

from .server import CAP

SAMPLES = ["at-valid.xml", "be-valid.xml", "cn-valid.xml", "dz-valid.xml", "us-valid.xml"]


def serve_samples(server, names=SAMPLES, index="/feed.atom"):
    paths = [f"/alerts/{name}" for name in names]
    for name, path in zip(names, paths, strict=True):
        server.put(path, sample(name))
    server.put_index(index, paths)
    return paths


def run_poll(source, capture):
    """Poll the source as its task does, the source due now."""
    CapSource.objects.filter(pk=source.pk).update(next_poll_at=None)
    with capture(execute=True):
        return poll.cap_source_poll(source_id=source.pk)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def identity(name):
    root = etree.fromstring(sample(name))
    return root.findtext("cap:sender", namespaces=NS), root.findtext("cap:identifier", namespaces=NS)


def test_the_first_poll_imports_every_alert_of_the_index(world, server, make_source, capture):
    paths = serve_samples(server)
    source = make_source(server.url("/feed.atom"))

    result = run_poll(source, capture)

    assert result.ok and result.outcomes == {"imported": 5}
    assert result.requests == 6  # the index and its five alerts
    threats = Threat.objects.filter(cap_source=source)
    assert threats.count() == 5
    for name in SAMPLES:
        sender, identifier = identity(name)
        threat = threats.get(sender=sender, identifier=identifier)
        assert threat.issuing_agency == world.b and threat.source == Threat.Source.CAP_IMPORT
        assert ThreatMessage.objects.get(threat=threat).xml.encode() == sample(name).decode("utf-8").encode()
    fetches = CapFetch.objects.filter(source=source)
    assert sorted(f.url for f in fetches) == sorted(server.url(p) for p in paths)
    source.refresh_from_db()
    assert source.last_success_at is not None and source.failing_since is None and source.etag
    assert source.next_poll_at == source.last_polled_at + datetime.timedelta(minutes=5)


def test_a_second_poll_answered_304_imports_nothing_and_fetches_no_alert(world, server, make_source, capture):
    paths = serve_samples(server)
    source = make_source(server.url("/feed.atom"))
    run_poll(source, capture)
    CapSource.objects.filter(pk=source.pk).update(next_poll_at=None)

    result = run_poll(source, capture)

    assert result.not_modified and result.outcomes == {} and result.requests == 1
    assert server.not_modified["/feed.atom"] == 1
    assert all(server.requests[p] == 1 for p in paths)
    assert Threat.objects.count() == 5


def test_a_changed_index_fetches_only_its_new_entries_and_never_imports_an_alert_twice(
    world, server, make_source, capture
):
    serve_samples(server, SAMPLES[:2])
    source = make_source(server.url("/feed.atom"))
    run_poll(source, capture)
    # The index changes (a new alert), and lists the same alert a second time under another URL.
    server.put("/alerts/copy-of-at.xml", sample("at-valid.xml"))
    server.put_index(
        "/feed.atom", ["/alerts/at-valid.xml", "/alerts/be-valid.xml", "/alerts/cn-valid.xml", "/alerts/copy-of-at.xml"]
    )
    server.put("/alerts/cn-valid.xml", sample("cn-valid.xml"))

    result = run_poll(source, capture)

    assert result.outcomes == {"imported": 1, "duplicate": 1}
    assert server.requests["/alerts/at-valid.xml"] == 1 and server.requests["/alerts/be-valid.xml"] == 1
    assert Threat.objects.count() == 3


@pytest.fixture
def bontang_original(server):
    server.put("/alerts/original.xml", original())
    server.put_index("/feed.atom", ["/alerts/original.xml"])
    return original()


def test_an_update_and_a_cancel_from_the_same_source_apply(
    world, server, make_source, capture, bontang_original, charlie_subscribes
):
    source = make_source(server.url("/feed.atom"))
    run_poll(source, capture)
    threat = Threat.objects.get(cap_source=source)
    assert threat.areas.get() == world.areas.bontang
    assert threat.area_matches == [
        {"area": world.areas.bontang.pk, "name": "Kota Bontang", "reason": "name", "detail": "Kota Bontang", "block": 0}
    ]
    assert Alert.objects.filter(threat=threat, agency=world.c).exists()  # fanned out to the subscriber

    update = derived(bontang_original, identifier="sc-upd-1", msg_type="Update", headline="Worse")
    server.put("/alerts/update.xml", update)
    server.put("/alerts/cancel.xml", derived(bontang_original, identifier="sc-can-1", msg_type="Cancel"))
    server.put_index("/feed.atom", ["/alerts/original.xml", "/alerts/update.xml", "/alerts/cancel.xml"])
    result = run_poll(source, capture)

    assert result.outcomes == {"updated": 1, "cancelled": 1}
    threat.refresh_from_db()
    assert threat.revision == 3 and threat.msg_type == Threat.MsgType.CANCEL and threat.identifier == "sc-can-1"
    assert list(threat.messages.values_list("msg_type", flat=True)) == ["Alert", "Update", "Cancel"]
    assert Threat.objects.count() == 1


def test_an_update_of_another_sources_alert_is_refused(world, server, make_source, capture, bontang_original):
    first = make_source(server.url("/feed.atom"))
    run_poll(first, capture)
    threat = Threat.objects.get()
    server.put("/other/update.xml", derived(bontang_original, identifier="sc-upd-2", msg_type="Update"))
    server.put_index("/other.atom", ["/other/update.xml"])
    second = make_source(server.url("/other.atom"), name="Another feed", agency=world.c)

    result = run_poll(second, capture)

    assert result.outcomes == {"refused": 1}
    fetch = CapFetch.objects.get(source=second)
    assert "did not come from this source" in fetch.error and fetch.identifier == "sc-upd-2"
    threat.refresh_from_db()
    assert threat.revision == 1 and Threat.objects.count() == 1


def test_an_invalid_document_and_a_doctype_are_refused_and_the_source_stays_healthy(
    world, server, make_source, capture
):
    server.put("/alerts/invalid.xml", sample("sc-invalid-schema.xml"))
    doctype = b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x "y">]>' + sample("cn-valid.xml").split(b"?>", 1)[1]
    server.put("/alerts/doctype.xml", doctype)
    server.put_index("/feed.atom", ["/alerts/invalid.xml", "/alerts/doctype.xml"])
    source = make_source(server.url("/feed.atom"))

    result = run_poll(source, capture)

    assert result.ok and result.outcomes == {"refused": 2}
    errors = dict(CapFetch.objects.filter(source=source).values_list("url", "error"))
    assert "OASIS schema" in errors[server.url("/alerts/invalid.xml")]
    assert "DOCTYPE" in errors[server.url("/alerts/doctype.xml")]
    assert not Threat.objects.exists()
    # Refused for good: the next poll (the index changed) does not fetch them again.
    server.put_index("/feed.atom", ["/alerts/invalid.xml", "/alerts/doctype.xml", "/alerts/none.xml"])
    run_poll(source, capture)
    assert server.requests["/alerts/invalid.xml"] == 1


def test_an_index_that_is_not_xml_is_a_failure(world, server, make_source, capture):
    server.put("/feed.atom", b"<feed><unclosed>", "application/atom+xml")
    source = make_source(server.url("/feed.atom"))

    result = run_poll(source, capture)

    source.refresh_from_db()
    assert not result.ok and "Not well-formed XML" in source.last_error and source.consecutive_failures == 1


@pytest.fixture(scope="module")
def keys():
    return {"authority": keypair("meteo.gov.sc"), "forger": keypair("meteo.gov.sc")}


def test_a_source_requiring_signatures_refuses_a_document_signed_by_another_key(
    world, server, make_source, capture, keys
):
    server.put("/alerts/forged.xml", sign(original(), keys["forger"]))
    server.put("/alerts/unsigned.xml", derived(original(), identifier="sc-unsigned", msg_type="Alert"))
    server.put_index("/feed.atom", ["/alerts/forged.xml", "/alerts/unsigned.xml"])
    source = make_source(server.url("/feed.atom"), require_signature=True, certificate=keys["authority"][1])

    result = run_poll(source, capture)

    assert result.outcomes == {"refused": 2}
    assert set(CapFetch.objects.values_list("error", flat=True)) == {
        "The alert's XML signature does not verify against the source's certificate."
    }
    assert not Threat.objects.exists()


def test_a_source_requiring_signatures_imports_a_document_signed_by_its_key(world, server, make_source, capture, keys):
    server.put("/alerts/signed.xml", sign(original(), keys["authority"]))
    server.put_index("/feed.atom", ["/alerts/signed.xml"])
    source = make_source(server.url("/feed.atom"), require_signature=True, certificate=keys["authority"][1])

    assert run_poll(source, capture).outcomes == {"imported": 1}


def test_a_source_that_times_out_backs_off_without_holding_up_another(world, server, make_source, capture):
    serve_samples(server, ["cn-valid.xml"])
    slow = make_source(server.url("/slow/feed.atom"), name="Slow")
    healthy = make_source(server.url("/feed.atom"), name="Healthy")

    with capture(execute=True):
        queued = tasks.cap_sources_dispatch.delay().get()

    assert queued == {"queued": 2}
    slow.refresh_from_db()
    healthy.refresh_from_db()
    assert Threat.objects.filter(cap_source=healthy).count() == 1 and healthy.failing_since is None
    assert slow.last_error == "timed out after 0.5 s" and slow.consecutive_failures == 1
    assert slow.failing_since == slow.last_polled_at
    assert slow.next_poll_at == slow.last_polled_at + datetime.timedelta(minutes=5)
    # Not due again until its backoff ends: the next beat cycle leaves it alone.
    assert poll.cap_sources_due() == []


def test_failures_back_off_exponentially_up_to_the_cap_and_a_success_resets(
    world, server, make_source, capture, settings
):
    settings.SINERGI_CAP_FEEDS_BACKOFF_MAX_SECONDS = 1200
    source = make_source(server.url("/error/feed.atom"))
    waits = []
    for _ in range(4):
        CapSource.objects.filter(pk=source.pk).update(next_poll_at=None)
        run_poll(source, capture)
        source.refresh_from_db()
        waits.append((source.next_poll_at - source.last_polled_at).total_seconds())
    assert waits == [300, 600, 1200, 1200]
    assert source.last_error == "HTTP 500" and source.consecutive_failures == 4

    serve_samples(server, ["cn-valid.xml"])
    CapSource.objects.filter(pk=source.pk).update(url=server.url("/feed.atom"), next_poll_at=None)
    run_poll(source, capture)
    source.refresh_from_db()
    assert source.failing_since is None and source.consecutive_failures == 0 and source.last_error == "HTTP 500"
    assert source.last_success_at == source.last_polled_at


def test_without_the_closed_network_setting_a_local_address_is_refused(world, server, make_source, capture, settings):
    serve_samples(server, ["cn-valid.xml"])
    source = make_source(server.url("/feed.atom"))
    settings.SINERGI_CAP_FEEDS_ALLOW_NETWORKS = []

    result = run_poll(source, capture)

    assert not result.ok and "non-public address (127.0.0.1)" in result.error
    assert server.requests["/feed.atom"] == 0


def test_a_redirect_to_a_private_address_is_refused(world, server, make_source, capture):
    source = make_source(server.url("/redirect-to-private"))

    result = run_poll(source, capture)

    assert not result.ok and "non-public address (10.0.0.1)" in result.error


def test_a_document_over_the_size_limit_is_refused(world, server, make_source, capture, settings):
    settings.SINERGI_CAP_FEEDS_MAX_BYTES = 1000
    serve_samples(server, ["cn-valid.xml"])
    source = make_source(server.url("/feed.atom"))

    result = run_poll(source, capture)

    fetch = CapFetch.objects.get(source=source)
    assert result.ok and fetch.outcome == CapFetch.Outcome.FAILED and "larger than 1000 bytes" in fetch.error
    source.refresh_from_db()
    assert source.etag == ""  # kept only once every entry was dealt with: the next poll retries


def test_a_single_alert_url_is_imported_once(world, server, make_source, capture):
    server.put("/alert.xml", sample("cn-valid.xml"), CAP)
    source = make_source(server.url("/alert.xml"), kind=CapSource.Kind.ALERT)
    run_poll(source, capture)
    CapSource.objects.filter(pk=source.pk).update(next_poll_at=None, etag="", last_modified="")

    result = run_poll(source, capture)

    assert result.outcomes == {} and Threat.objects.count() == 1


def test_the_filters_skip_alerts_outside_the_categories_or_below_the_severity(world, server, make_source, capture):
    serve_samples(server, ["cn-valid.xml", "us-valid.xml"])
    source = make_source(server.url("/feed.atom"), categories=["Geo"])

    result = run_poll(source, capture)

    assert result.outcomes == {"skipped": 2} and not Threat.objects.exists()


def test_staff_are_warned_of_sources_failing_for_over_an_hour(world, server, make_source):
    source = make_source(server.url("/error/feed.atom"))
    now = timezone.now()
    CapSource.objects.filter(pk=source.pk).update(failing_since=now - datetime.timedelta(minutes=59))
    assert cap_sources_failing_count(now=now) == 0
    CapSource.objects.filter(pk=source.pk).update(failing_since=now - datetime.timedelta(minutes=61))
    assert cap_sources_failing_count(now=now) == 1


def test_a_second_task_for_a_source_polled_meanwhile_does_nothing(world, server, make_source, capture):
    serve_samples(server, ["cn-valid.xml"])
    source = make_source(server.url("/feed.atom"))
    run_poll(source, capture)

    with capture(execute=True):
        result = poll.cap_source_poll(source_id=source.pk)  # not due: its next poll is in 5 minutes

    assert not result.polled and server.requests["/feed.atom"] == 1


def test_an_rss_index_with_cap_enclosures_is_followed(world, server, make_source, capture):
    server.put("/alerts/cn.xml", sample("cn-valid.xml"))
    server.put("/alerts/be.xml", sample("be-valid.xml"))
    rss = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Peringatan dini</title>
  <item><title>cn</title><guid>cn-1</guid><link>/alerts/cn.xml</link></item>
  <item><title>be</title><guid>be-1</guid><link>/page.html</link>
    <enclosure url="/alerts/be.xml" type="application/cap+xml" length="1"/></item>
</channel></rss>"""
    server.put("/feed.rss", rss, "application/rss+xml")
    source = make_source(server.url("/feed.rss"))

    result = run_poll(source, capture)

    assert result.outcomes == {"imported": 2} and Threat.objects.count() == 2
    assert server.requests["/page.html"] == 0
