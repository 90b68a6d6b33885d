"""Markdown written by members (a bulletin's text, a meeting's agenda and minutes) made safe to
show: rendered, then sanitised by an allow-list (nh3/ammonia)."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

# What members' Markdown may produce: text structure, links and tables; no scripts, no styles,
# no event handlers, no images (an attachment is the way to share one).
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
