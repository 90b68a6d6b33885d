"""Post a form back exactly as a browser would, from the HTML a page rendered.

`rendered_form(html, action=...)` reads one `<form>` of the page the way a browser builds its
submission: every named, enabled `input`, `select` and `textarea` (also those outside the form
that name it with `form="id"`), checked boxes only, a `<select>` without a selected option
sending its first option, a textarea's line breaks as CRLF, and the HTML value sanitisation
of typed inputs: a `type=date|time|datetime-local|number` input whose value is not in the
machine form (`22.00.00`, `0,137`) is empty, as the browser shows and sends it.

`post_rendered(client, url)` GETs the page, takes the form whose action is the page itself
(or `action=`), and POSTs it back unchanged (optionally with `changes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

SKIPPED_TYPES = {"submit", "button", "reset", "image", "file"}
MACHINE_FORMS = {
    "date": re.compile(r"^\d{4,}-\d{2}-\d{2}$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"),
    "datetime-local": re.compile(r"^\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"),
    "number": re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$"),
    "month": re.compile(r"^\d{4,}-\d{2}$"),
    "week": re.compile(r"^\d{4,}-W\d{2}$"),
}


def is_machine_value(input_type: str, value: str) -> bool:
    """Whether a browser keeps `value` in an input of this type (an empty value is kept)."""
    pattern = MACHINE_FORMS.get(input_type)
    return value == "" or pattern is None or bool(pattern.match(value))


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    options: list[tuple[str, bool, bool]] = field(default_factory=list)  # value, selected, disabled
    text: str = ""

    @property
    def name(self) -> str:
        return self.attrs.get("name", "")

    @property
    def type(self) -> str:
        return (self.attrs.get("type") or ("text" if self.tag == "input" else self.tag)).lower()


@dataclass
class ParsedForm:
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[ParsedForm] = []
        self.orphans: list[Control] = []  # controls outside any form (maybe with form="id")
        self.controls: list[Control] = []  # every control, in document order
        self._form: ParsedForm | None = None
        self._select: Control | None = None
        self._option: list[Any] | None = None
        self._textarea: Control | None = None

    def _add(self, control: Control) -> None:
        self.controls.append(control)
        if self._form is not None and "form" not in control.attrs:
            self._form.controls.append(control)
        else:
            self.orphans.append(control)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "form":
            self._form = ParsedForm(attrs)
            self.forms.append(self._form)
        elif tag == "input":
            self._add(Control("input", attrs))
        elif tag == "select":
            self._select = Control("select", attrs)
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = [attrs.get("value"), "selected" in attrs, "disabled" in attrs, ""]
        elif tag == "textarea":
            self._textarea = Control("textarea", attrs)
            self._add(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.text += data
        elif self._option is not None:
            self._option[3] += data

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected, disabled, text = self._option
            self._select.options.append((value if value is not None else text.strip(), selected, disabled))
        self._option = None


def parse(html: str) -> _Parser:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser


def typed_inputs(html: str) -> list[Control]:
    """Every `<input>` of the page whose type has a machine form (date, time, number…)."""
    return [c for c in parse(html).controls if c.tag == "input" and c.type in MACHINE_FORMS]


def _submission(control: Control) -> list[tuple[str, str]]:
    if not control.name or "disabled" in control.attrs:
        return []
    if control.tag == "textarea":
        text = control.text[1:] if control.text.startswith("\n") else control.text  # the parser drops it
        return [(control.name, text.replace("\r\n", "\n").replace("\n", "\r\n"))]
    if control.tag == "select":
        enabled = [o for o in control.options if not o[2]]
        chosen = [o for o in enabled if o[1]]
        if "multiple" not in control.attrs and not chosen and enabled and "size" not in control.attrs:
            chosen = enabled[:1]
        if "multiple" not in control.attrs:
            chosen = chosen[-1:]
        return [(control.name, value) for value, _selected, _disabled in chosen]
    kind = control.type
    if kind in SKIPPED_TYPES:
        return []
    value = control.attrs.get("value", "")
    if kind in ("checkbox", "radio"):
        return [(control.name, value or "on")] if "checked" in control.attrs else []
    if not is_machine_value(kind, value):
        return [(control.name, "")]
    return [(control.name, value)]


def rendered_form(html: str, *, action: str | None = None, index: int | None = None) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser submits for one form of `html`: the form whose action
    is `action` (an empty action means the page itself), else the `index`th, else the only one
    with a method of POST."""
    parser = parse(html)
    forms = [f for f in parser.forms if f.attrs.get("method", "get").lower() == "post"]
    if action is not None:
        forms = [f for f in forms if f.attrs.get("action", "") == action]
    if index is not None:
        forms = forms[index : index + 1]
    assert len(forms) == 1, f"expected one form, found {len(forms)}: {[f.attrs for f in forms]}"
    form = forms[0]
    controls = list(form.controls)
    if form.attrs.get("id"):
        controls += [c for c in parser.orphans if c.attrs.get("form") == form.attrs["id"]]
    return [pair for control in controls for pair in _submission(control)]


def as_post_data(pairs: list[tuple[str, str]], changes: dict[str, Any] | None = None) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    for name, value in (changes or {}).items():
        data[name] = value if isinstance(value, list) else [value]
    return data


def post_rendered(client: Any, url: str, *, action: str | None = None, changes: dict[str, Any] | None = None) -> Any:
    """GET `url`, then POST its form back as the browser would (with `changes`, if any)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    pairs = rendered_form(html, action=action if action is not None else _self_action(html, url))
    return client.post(action or url, as_post_data(pairs, changes))


def _self_action(html: str, url: str) -> str:
    """The page's own form: action="" or its own URL."""
    actions = {f.attrs.get("action", "") for f in parse(html).forms if f.attrs.get("method", "").lower() == "post"}
    return url if url in actions else ""
