"""Polling the CAP sources: the beat dispatcher queues one task per due source, and each task
polls its source (`cap_source_poll`). Nobody signs in: these run as the system.

A poll: claim the source (a conditional UPDATE, so two workers never poll one source at once);
GET its URL with If-None-Match / If-Modified-Since (a 304 ends the poll: nothing new); read the
index (Atom or RSS) or the single alert; for each entry not fetched already with a final outcome
(`CapFetch.FINAL`), GET its CAP document and import it (imports.py); record every entry's
outcome, so an alert is never imported twice. The validators (ETag, Last-Modified) are kept only
when every entry was dealt with: otherwise the next poll would get a 304 and never retry them.
An entry whose document cannot be fetched is retried at the next polls, up to
MAX_ENTRY_ATTEMPTS, then given up (refused, with the last error).

A poll that fails (timeout, connection refused, 4xx/5xx, a non-public address, invalid XML of
the index) records `last_error`, starts `failing_since` and backs off exponentially
(`poll_every` x 2^(failures-1), at most SINERGI_CAP_FEEDS_BACKOFF_MAX_SECONDS); a success
resets all of it. Staff see sources failing for more than an hour on every page
(`incidents.context_processors.inbox_badge`, `threats.selectors.cap_sources_failing_count`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from incidents.models import CapFetch, CapSource

from .fetch import FetchError, FetchResult, cap_fetch
from .imports import ImportOutcome, cap_source_import
from .index import FeedEntry, feed_entries, feed_is_cap_alert, feed_parse

logger = logging.getLogger(__name__)

MAX_ENTRY_ATTEMPTS = 5
# A claim older than this is a worker that died mid-poll: the source may be polled again.
CLAIM_TTL = timedelta(minutes=10)
ERROR_LENGTH = 1000


@dataclass
class PollResult:
    source_id: int
    polled: bool = True
    ok: bool = True
    not_modified: bool = False
    requests: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""


def backoff_seconds(source: CapSource, failures: int) -> float:
    """The wait after `failures` consecutive failures: the poll interval doubled each time, capped."""
    cap = float(getattr(settings, "SINERGI_CAP_FEEDS_BACKOFF_MAX_SECONDS", 6 * 3600))
    base = source.poll_every_minutes * 60.0
    return min(cap, base * 2 ** max(0, failures - 1))


def cap_sources_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Ids of the active sources due for a poll and not being polled (partial index cap_source_due_idx)."""
    now = now or timezone.now()
    return list(
        CapSource.objects.filter(is_active=True)
        .filter(Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True))
        .filter(Q(polling_since__isnull=True) | Q(polling_since__lt=now - CLAIM_TTL))
        .order_by(F("next_poll_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _claim(source_id: int, now: datetime) -> bool:
    """Take the source for this poll when it is due and nobody polls it: a second task queued for
    it (two beat cycles before a worker got to the first) finds it polled and not due, and skips."""
    return (
        CapSource.objects.filter(pk=source_id, is_active=True)
        .filter(Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True))
        .filter(Q(polling_since__isnull=True) | Q(polling_since__lt=now - CLAIM_TTL))
        .update(polling_since=now)
        == 1
    )


def _record(source: CapSource, entry: FeedEntry, outcome: ImportOutcome, *, known: bool) -> None:
    """The entry's CapFetch, created (`known`: it has one already, from a failed fetch: updated);
    the CAP identity only on the first fetch that holds it (unique per source), a second entry
    carrying the same alert being a duplicate."""
    message = outcome.message
    identity: dict[str, object] = {"identifier": "", "sender": "", "sent_at": None}
    if message is not None:
        taken = (
            CapFetch.objects.filter(
                source=source, sender=message.sender, identifier=message.identifier, sent_at=message.sent
            )
            .exclude(entry_key=entry.key)
            .exists()
        )
        if taken:
            outcome.outcome = CapFetch.Outcome.DUPLICATE
        else:
            identity = {"identifier": message.identifier, "sender": message.sender, "sent_at": message.sent}
    fields = {"outcome": outcome.outcome, "error": outcome.error[:ERROR_LENGTH], "threat": outcome.threat, **identity}
    if not known:
        CapFetch.objects.create(source=source, entry_key=entry.key, url=entry.url[:1000], **fields)
        return
    fetch = CapFetch.objects.get(source=source, entry_key=entry.key)
    for name, value in fields.items():
        setattr(fetch, name, value)
    fetch.attempts += 1
    if fetch.outcome == CapFetch.Outcome.FAILED and fetch.attempts >= MAX_ENTRY_ATTEMPTS:
        fetch.outcome = CapFetch.Outcome.REFUSED
        fetch.error = f"gave up after {fetch.attempts} attempts: {fetch.error}"[:ERROR_LENGTH]
    fetch.save()


def _entries(source: CapSource, fetched: FetchResult) -> tuple[list[FeedEntry], dict[str, bytes]]:
    """The entries to consider, and the documents already in hand (a single alert's own body)."""
    root = feed_parse(fetched.body)
    if feed_is_cap_alert(root):
        version = fetched.etag or fetched.last_modified or hashlib.sha256(fetched.body).hexdigest()
        entry = FeedEntry(key=f"{fetched.url}|{version}"[:700], url=fetched.url)
        return [entry], {entry.key: fetched.body}
    if source.kind == CapSource.Kind.ALERT:
        raise ValidationError({"xml": ["The source's URL gave an index, not a CAP alert."]})
    return feed_entries(root, base_url=fetched.url), {}


def _poll_entries(source: CapSource, fetched: FetchResult, result: PollResult) -> bool:
    """Fetch and import the entries not dealt with yet; whether every entry was dealt with."""
    entries, in_hand = _entries(source, fetched)
    known = dict(
        CapFetch.objects.filter(source=source, entry_key__in=[e.key for e in entries]).values_list(
            "entry_key", "outcome"
        )
    )
    final = {key for key, outcome in known.items() if outcome in CapFetch.FINAL}
    complete = True
    for entry in entries:
        if entry.key in final:
            continue
        final.add(entry.key)  # an index listing an entry twice
        body = in_hand.get(entry.key)
        if body is None:
            try:
                document = cap_fetch(entry.url)
                result.requests += document.requests
                body = document.body
            except FetchError as exc:
                result.requests += 1
                outcome = ImportOutcome(CapFetch.Outcome.FAILED, error=exc.message)
                _record(source, entry, outcome, known=entry.key in known)
                result.outcomes[outcome.outcome] = result.outcomes.get(outcome.outcome, 0) + 1
                complete = False
                continue
        try:
            # The import and its record commit together: one transaction per alert.
            with transaction.atomic():
                outcome = cap_source_import(source=source, xml=body)
                _record(source, entry, outcome, known=entry.key in known)
        except IntegrityError:  # another poll recorded the entry meanwhile: it is dealt with
            continue
        result.outcomes[outcome.outcome] = result.outcomes.get(outcome.outcome, 0) + 1
    return complete


def cap_source_poll(*, source_id: int, now: datetime | None = None) -> PollResult:
    """Poll one source (see the module docstring). Idempotent; never raises for what the
    source answers: the outcome is on the source (state) and its fetches."""
    now = now or timezone.now()
    result = PollResult(source_id=source_id)
    if not _claim(source_id, now):
        result.polled = False
        return result
    source = CapSource.objects.select_related("agency").get(pk=source_id)
    changes: dict[str, object] = {"last_polled_at": now, "polling_since": None}
    try:
        fetched = cap_fetch(source.url, etag=source.etag, last_modified=source.last_modified)
        result.requests += fetched.requests
        if fetched.status == 304:
            result.not_modified = True
            complete = True
        else:
            complete = _poll_entries(source, fetched, result)
            if complete:
                changes.update(etag=fetched.etag[:500], last_modified=fetched.last_modified[:100])
    except (FetchError, ValidationError) as exc:
        error = exc.message if isinstance(exc, FetchError) else " ".join(str(m) for m in exc.messages)
        failures = source.consecutive_failures + 1
        result.ok = False
        result.error = error
        changes.update(
            last_error=error[:ERROR_LENGTH],
            last_error_at=now,
            failing_since=source.failing_since or now,
            consecutive_failures=failures,
            next_poll_at=now + timedelta(seconds=backoff_seconds(source, failures)),
        )
        logger.info("CAP source %s failed (%s in a row): %s", source.pk, failures, error)
    else:
        changes.update(
            last_success_at=now,
            failing_since=None,
            consecutive_failures=0,
            next_poll_at=now + timedelta(minutes=source.poll_every_minutes),
        )
        if not complete:
            changes["last_error"] = "some entries could not be fetched; they are retried at the next poll"
            changes["last_error_at"] = now
    CapSource.objects.filter(pk=source.pk).update(**changes)
    return result
