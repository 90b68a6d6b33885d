"""The SKM index (PermenPANRB 14/2017) against worked examples computed by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from coordination.community.surveys import skm


def test_every_answer_four_is_100_and_grade_a():
    """9 elements x NRR 4 -> weighted NRR = 9 x 4 x 1/9 = 4 -> IKM = 4 x 25 = 100.00 (A).
    With the regulation's rounded weight 0.11 it would read 99.00: we keep 1/9."""
    index = skm.index_of(dict.fromkeys(skm.CODES, (40, 10)), respondents=10)
    assert index.ikm == Decimal("100.00")
    assert index.grade == "A"
    assert index.grade_label_id == "Sangat Baik"
    assert index.complete


def test_every_answer_one_is_25_and_grade_d():
    """NRR 1 everywhere -> 1 x 25 = 25.00 (D, Tidak Baik)."""
    index = skm.index_of(dict.fromkeys(skm.CODES, (7, 7)))
    assert index.ikm == Decimal("25.00")
    assert index.grade == "D"
    assert index.grade_label_id == "Tidak Baik"


def test_a_worked_example_of_ten_respondents():
    """10 respondents; sums of the answers per element U1..U9: 32, 30, 28, 40, 31, 33, 35, 27, 29.
    NRR: 3.2, 3.0, 2.8, 4.0, 3.1, 3.3, 3.5, 2.7, 2.9 (sum 28.5).
    Weighted NRR = 28.5 x 1/9 = 3.1666...; IKM = 3.1666... x 25 = 79.1666... -> 79.17: grade B (Baik).
    Per element: U4 = 4.0 x 25 = 100.00 (A), U8 = 2.7 x 25 = 67.50 (C)."""
    sums = dict(zip(skm.CODES, [(s, 10) for s in (32, 30, 28, 40, 31, 33, 35, 27, 29)], strict=True))
    index = skm.index_of(sums, respondents=10)
    assert index.weighted == Fraction(285, 90)
    assert index.ikm == Decimal("79.17")
    assert index.grade == "B"
    by_code = {e.code: e for e in index.elements}
    assert by_code["U1"].nrr_display == Decimal("3.200")
    assert by_code["U4"].ikm == Decimal("100.00") and by_code["U4"].grade == "A"
    assert by_code["U8"].ikm == Decimal("67.50") and by_code["U8"].grade == "C"


def test_unequal_counts_per_element_use_each_elements_own_mean():
    """U1 answered by 3 (4, 4, 3: sum 11, NRR 3.667), U2..U9 by 4 with sum 12 (NRR 3).
    Weighted = (11/3 + 8 x 3) / 9 = (11/3 + 24) / 9 = 83/27 = 3.0740...; IKM = 76.85... -> 76.85 (B)."""
    sums = dict.fromkeys(skm.CODES, (12, 4))
    sums["U1"] = (11, 3)
    index = skm.index_of(sums)
    assert index.weighted == Fraction(83, 27)
    assert index.ikm == Decimal("76.85")
    assert index.grade == "B"


def test_an_element_nobody_answered_is_left_out_and_marked_incomplete():
    """U9 unanswered; the eight others NRR 3 -> weighted 3 (1/8 each) -> IKM 75.00 (C)."""
    sums = dict.fromkeys(skm.CODES[:8], (30, 10))
    index = skm.index_of(sums)
    assert index.ikm == Decimal("75.00")
    assert index.grade == "C"
    assert not index.complete
    assert index.elements[8].nrr is None and index.elements[8].ikm is None


def test_no_answers_gives_no_index():
    index = skm.index_of({})
    assert index.ikm is None and index.grade is None and index.grade_label == ""


@pytest.mark.parametrize(
    ("ikm", "letter"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_the_grade_bands_at_their_edges(ikm, letter):
    assert skm.grade(Decimal(ikm)) == letter


@pytest.mark.parametrize(
    ("total", "count", "ikm", "letter"),
    [
        # NRR 3.5324 x 25 = 88.31 (the regulation's lowest A on the 1-4 scale)
        (35324, 10000, "88.31", "A"),
        # 3.5322 x 25 = 88.305 -> rounded half up to 88.31: A
        (35322, 10000, "88.31", "A"),
        # 3.532 x 25 = 88.30: B
        (3532, 1000, "88.30", "B"),
        # 3.0644 x 25 = 76.61: B; 3.064 x 25 = 76.60: C
        (30644, 10000, "76.61", "B"),
        (3064, 1000, "76.60", "C"),
        # 2.6 x 25 = 65.00: C; 2.599 x 25 = 64.975 -> 64.98: D
        (26, 10, "65.00", "C"),
        (2599, 1000, "64.98", "D"),
    ],
)
def test_boundary_means_convert_and_grade_as_the_regulation_tables(total, count, ikm, letter):
    """One element answered: its NRR is the weighted NRR; x 25, rounded half up to 2 decimals."""
    index = skm.index_of({"U1": (total, count)})
    assert index.ikm == Decimal(ikm)
    assert index.grade == letter


def test_the_template_has_nine_elements_with_four_answers_each_in_both_languages():
    assert skm.CODES == ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9")
    for _code, name_id, name_en, q_id, q_en, answers in skm.ELEMENTS:
        assert name_id and name_en and q_id and q_en
        assert len(answers) == 4 and all(a_id and a_en for a_id, a_en in answers)
