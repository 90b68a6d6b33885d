"""The shared form plumbing (agencies/form_fields.py) and the browser-form helper the round-trip
tests rely on."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone, translation

from agencies.form_fields import IsoDateField, IsoTimeField, ZonedDateTimeField, ZonedFormMixin, zone_of_areas
from tests.browser_form import as_post_data, rendered_form

WITA, WIT, WIB = ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura"), ZoneInfo("Asia/Jakarta")


class Plan(ZonedFormMixin, forms.Form):
    starts_at = ZonedDateTimeField()
    day = IsoDateField(required=False)
    at = IsoTimeField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea)


def _render(form):
    return f'<form method="post">{form.as_div()}</form>'


def test_a_zoned_form_renders_and_reads_in_its_zone_whatever_zone_is_active():
    instant = datetime.datetime(2026, 12, 31, 15, 7, tzinfo=datetime.UTC)  # 23:07 WITA
    with timezone.override(WIT):  # where the form is built
        form = Plan(initial={"starts_at": instant}, zone="Asia/Makassar")
    with timezone.override(WIB):  # where the template renders
        pairs = dict(rendered_form(_render(form)))
    assert pairs["starts_at"] == "2026-12-31T23:07"
    with timezone.override(WIT):  # where the post is read
        bound = Plan(pairs, zone="Asia/Makassar")
        assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["starts_at"] == instant


def test_iso_inputs_in_every_language_and_crlf_stored_as_lf():
    initial = {"starts_at": None, "day": datetime.date(2026, 12, 31), "at": datetime.time(22, 0)}
    for language in ("id", "en"):
        with translation.override(language):
            pairs = dict(rendered_form(_render(Plan(initial=initial))))
        assert (pairs["day"], pairs["at"]) == ("2026-12-31", "22:00")
    bound = Plan({"starts_at": "2026-01-02T03:04", "notes": "a\r\nb"})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["notes"] == "a\nb"
    assert bound.cleaned_data["starts_at"] == datetime.datetime(2026, 1, 2, 3, 4, tzinfo=WIB)


def test_the_browser_form_helper_sends_what_a_browser_sends():
    html = """<form method="post" id="f"><input name="t" type="time" value="22.00.00">
    <input name="n" type="number" value="0,5"><input name="ok" type="number" value="-0.137">
    <input name="c" type="checkbox"><input name="d" type="checkbox" checked value="x">
    <select name="s"><option value="1">a</option><option value="2">b</option></select>
    <select name="m" multiple><option value="1" selected>a</option><option value="2" selected>b</option></select>
    <textarea name="ta">
line 1
line 2</textarea><input name="off" disabled value="1"><button name="go">Go</button></form>
    <input name="outside" form="f" value="yes">"""
    assert as_post_data(rendered_form(html)) == {
        "t": [""],
        "n": [""],
        "ok": ["-0.137"],
        "d": ["x"],
        "s": ["1"],
        "m": ["1", "2"],
        "ta": ["line 1\r\nline 2"],
        "outside": ["yes"],
    }


def test_the_zone_of_areas_is_the_first_by_level_then_name():
    class A:
        def __init__(self, pk, level, name, tz):
            self.pk, self.level, self.name, self.timezone = pk, level, name, tz

    areas = [A(1, 3, "Aaa", "Asia/Jayapura"), A(2, 2, "Zzz", "Asia/Makassar")]
    assert zone_of_areas(areas) == "Asia/Makassar"
    assert zone_of_areas([]) == "Asia/Jakarta"
