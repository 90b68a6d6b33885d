"""Reading a respondent's answers: raw values (strings from a form, or JSON values from the
API) checked against each question's kind, into the integer and text values stored.

The page posts one field per question named `q<id>` (several values for multiple choice); the
API sends {"<id>": value or [values]}. Both arrive here as {question id: [raw values]}, and
errors come back per field name (`q<id>`), so the form and the API say the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from agencies.models import Area
from coordination.models import SurveyQuestion

K = SurveyQuestion.Kind
SCALES: dict[str, tuple[int, int]] = {K.SKM: (1, 4), K.LIKERT: (1, 5)}
NUMBER_BOUNDS = (-1_000_000_000, 1_000_000_000)
TEXT_LIMITS: dict[str, int] = {K.SHORT_TEXT: 200, K.LONG_TEXT: 5000}
MAX_OPTIONS = 30


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.pk}"


def _int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    text = str(raw).strip()
    try:
        return int(text)
    except ValueError:
        return None


def _yes_no(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return int(raw)
    text = str(raw).strip().lower()
    return {"1": 1, "yes": 1, "ya": 1, "true": 1, "0": 0, "no": 0, "tidak": 0, "false": 0}.get(text)


def parse(
    questions: Sequence[SurveyQuestion], raw: Mapping[int, list[Any]], *, within: Area | None = None
) -> tuple[list[tuple[SurveyQuestion, int | None, str]], dict[str, list[str]]]:
    """(rows, errors): rows are (question, value, text); errors {"q<id>": [message]}.
    An area question accepts an area of `within` or under it (any area when None)."""
    rows: list[tuple[SurveyQuestion, int | None, str]] = []
    errors: dict[str, list[str]] = {}
    areas_wanted: dict[int, SurveyQuestion] = {}
    for q in questions:
        values = [v for v in raw.get(q.pk, []) if v is not None and str(v).strip() != ""]
        name = field_name(q)
        if not values:
            if q.required:
                errors[name] = [_("Please answer this question.")]
            continue
        if q.kind != K.MULTIPLE and len(values) > 1:
            errors[name] = [_("Give one answer.")]
            continue
        if q.kind in (K.SHORT_TEXT, K.LONG_TEXT):
            text = str(values[0]).strip()
            if len(text) > TEXT_LIMITS[q.kind]:
                errors[name] = [_("At most %(n)d characters.") % {"n": TEXT_LIMITS[q.kind]}]
                continue
            rows.append((q, None, text))
        elif q.kind in SCALES:
            low, high = SCALES[q.kind]
            v = _int(values[0])
            if v is None or not low <= v <= high:
                errors[name] = [_("Choose a value from %(low)d to %(high)d.") % {"low": low, "high": high}]
                continue
            rows.append((q, v, ""))
        elif q.kind == K.YES_NO:
            v = _yes_no(values[0])
            if v is None:
                errors[name] = [_("Answer yes or no.")]
                continue
            rows.append((q, v, ""))
        elif q.kind == K.NUMBER:
            v = _int(values[0])
            if v is None or not NUMBER_BOUNDS[0] <= v <= NUMBER_BOUNDS[1]:
                errors[name] = [_("Enter a whole number.")]
                continue
            rows.append((q, v, ""))
        elif q.kind in (K.SINGLE, K.MULTIPLE):
            chosen = [_int(v) for v in values]
            if any(c is None or not 1 <= c <= len(q.options) for c in chosen):
                errors[name] = [_("Choose among the options given.")]
                continue
            rows += [(q, c, "") for c in sorted({c for c in chosen if c is not None})]
        elif q.kind == K.AREA:
            v = _int(values[0])
            if v is None:
                errors[name] = [_("Choose an area.")]
                continue
            areas_wanted[v] = q
            rows.append((q, v, ""))
    if areas_wanted:
        found = Area.objects.filter(pk__in=list(areas_wanted))
        if within is not None:
            found = found.filter(path__startswith=within.path)
        allowed = set(found.values_list("pk", flat=True))
        for pk, q in areas_wanted.items():
            if pk not in allowed:
                errors[field_name(q)] = [_("Choose an area from the list.")]
        rows = [r for r in rows if not (r[0].kind == K.AREA and r[1] not in allowed)]
    return rows, errors


def options_from_lines(text: str) -> list[dict[str, str]]:
    """The builder's options field: one option a line, "Indonesian | English" (English optional)."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        id_text, _sep, en_text = line.partition("|")
        options.append({"id": id_text.strip()[:200], "en": en_text.strip()[:200]})
    return options


def options_to_lines(options: list[dict[str, str]]) -> str:
    return "\n".join(f"{o.get('id', '')} | {o['en']}" if o.get("en") else o.get("id", "") for o in options)
