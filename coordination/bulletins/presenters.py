"""What the bulletin pages show, computed from the rows: the Markdown text made safe, what an
amendment changed, and the issuer's receipts panel."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

from coordination.models import Bulletin, BulletinReceipt, BulletinRecipient, BulletinVersion

# What a bulletin's Markdown may produce: text structure, links and tables; no scripts, no
# styles, no event handlers, no images (an attachment is the way to share one).
TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then sanitised by an allow-list (nh3/ammonia): raw HTML in the text is
    kept only where the list allows it, so `<script>` and `onerror=` never reach a reader."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


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
