"""What the bulletin pages show, computed from the rows: the Markdown text made safe, what an
amendment changed, and the issuer's receipts panel."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

# The text is rendered and sanitised by the one rule of members' Markdown (common/markdown.py).
from common.markdown import render_markdown  # noqa: F401 - the bulletins' serializers use it from here
from coordination.models import Bulletin, BulletinReceipt, BulletinRecipient, BulletinVersion


@dataclass
class Change:
    number: int
    note: str
    changed_at: Any
    changed_by: Any
    lines: list[tuple[str, str]]  # ("+", text), ("-", text) or (" ", text)


def version_changes(*, versions: list[BulletinVersion], releasable: bool) -> list[Change]:
    """Each amendment (newest first) with the lines it removed and added in the text the reader reads."""
    changes = []
    for before, after in zip(versions, versions[1:], strict=False):
        old = (
            [before.releasable_title, *before.releasable_body.splitlines()]
            if releasable
            else [before.title, *before.body.splitlines()]
        )
        new = (
            [after.releasable_title, *after.releasable_body.splitlines()]
            if releasable
            else [after.title, *after.body.splitlines()]
        )
        lines = [
            (line[0], line[1:])
            for line in difflib.unified_diff(old, new, lineterm="", n=1)
            if line[:1] in "+- " and not line.startswith(("+++", "---"))
        ]
        changes.append(Change(after.number, after.note, after.changed_at, after.changed_by, lines))
    return list(reversed(changes))


@dataclass
class Progress:
    rows: list[BulletinRecipient]
    receipts: list[BulletinReceipt]
    total: int
    read: int
    acknowledged: int

    @property
    def acknowledged_percent(self) -> int:
        return round(100 * self.acknowledged / self.total) if self.total else 0

    @property
    def read_percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0


def progress(*, bulletin: Bulletin, rows: list[BulletinRecipient], receipts: list[BulletinReceipt]) -> Progress:
    return Progress(
        rows=rows,
        receipts=receipts,
        total=len(rows),
        read=sum(1 for r in rows if getattr(r, "has_readers", False) or r.acknowledged_at),
        acknowledged=sum(1 for r in rows if r.acknowledged_at),
    )


def shown_text(bulletin: Bulletin) -> dict[str, Any]:
    """The title, text and classification this reader reads (full, or the releasable version)."""
    if getattr(bulletin, "reads_full", True):
        return {
            "title": bulletin.title,
            "html": render_markdown(bulletin.body),
            "classification": bulletin.classification,
        }
    return {
        "title": bulletin.releasable_title or bulletin.title,
        "html": render_markdown(bulletin.releasable_body),
        "classification": bulletin.releasable_classification,
    }
