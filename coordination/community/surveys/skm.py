"""The public-satisfaction index (Indeks Kepuasan Masyarakat, IKM) as PermenPANRB 14/2017
computes it, as pure functions of sums and counts (the selectors read those from the database).

- Each of the nine elements (unsur, U1..U9) is answered 1 to 4.
- NRR per element (nilai rata-rata unsur) = the sum of its answers / the number of answers.
- Each element weighs the same: 1/9 (the regulation writes 0.11, which is 1/9 rounded; we keep
  1/9 exactly, so that every answer "4" gives 100.00 and not 99.00).
- Weighted NRR (NRR tertimbang) = the sum over the elements of NRR x 1/9.
- IKM = weighted NRR x 25, on the 25-100 scale (the conversion value, nilai dasar 25).
- Grade (mutu pelayanan) of the IKM rounded to two decimals: A (88.31-100.00, Sangat Baik),
  B (76.61-88.30, Baik), C (65.00-76.60, Kurang Baik), D (25.00-64.99, Tidak Baik). The same
  bands on the 1-4 scale (3.5324, 3.0644, 2.60) are what these are, divided by 25.

An element nobody answered is left out and the weights of the others stay 1/n of the answered
ones (a survey missing an element is not an SKM the regulation recognises; the index is still
shown, marked incomplete).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import get_language, pgettext_lazy

# (code, element in Indonesian, in English, question (id), question (en), the four answers
# (id, en) from 1 to 4), in the regulation's order of the nine elements.
ELEMENTS: tuple[tuple[str, str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "U1",
        "Persyaratan",
        "Requirements",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "How well did the requirements of the service fit the kind of service?",
        (
            ("Tidak sesuai", "Not suitable"),
            ("Kurang sesuai", "Less suitable"),
            ("Sesuai", "Suitable"),
            ("Sangat sesuai", "Very suitable"),
        ),
    ),
    (
        "U2",
        "Sistem, mekanisme, dan prosedur",
        "Procedure",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy was the procedure of the service?",
        (("Tidak mudah", "Not easy"), ("Kurang mudah", "Less easy"), ("Mudah", "Easy"), ("Sangat mudah", "Very easy")),
    ),
    (
        "U3",
        "Waktu penyelesaian",
        "Time",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "How fast was the service given?",
        (("Tidak cepat", "Not fast"), ("Kurang cepat", "Less fast"), ("Cepat", "Fast"), ("Sangat cepat", "Very fast")),
    ),
    (
        "U4",
        "Biaya/tarif",
        "Cost/tariff",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "How fair was the cost or tariff of the service?",
        (
            ("Sangat mahal", "Very expensive"),
            ("Cukup mahal", "Rather expensive"),
            ("Murah", "Cheap"),
            ("Gratis", "Free"),
        ),
    ),
    (
        "U5",
        "Produk spesifikasi jenis pelayanan",
        "Product/specification of the service",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar "
        "pelayanan dengan hasil yang diberikan?",
        "How well did what you received match what the service standard promises?",
        (
            ("Tidak sesuai", "Not suitable"),
            ("Kurang sesuai", "Less suitable"),
            ("Sesuai", "Suitable"),
            ("Sangat sesuai", "Very suitable"),
        ),
    ),
    (
        "U6",
        "Kompetensi pelaksana",
        "Competence of staff",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent were the officers who served you?",
        (
            ("Tidak kompeten", "Not competent"),
            ("Kurang kompeten", "Less competent"),
            ("Kompeten", "Competent"),
            ("Sangat kompeten", "Very competent"),
        ),
    ),
    (
        "U7",
        "Perilaku pelaksana",
        "Conduct of staff",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        "How polite and friendly were the officers who served you?",
        (
            ("Tidak sopan dan ramah", "Not polite and friendly"),
            ("Kurang sopan dan ramah", "Less polite and friendly"),
            ("Sopan dan ramah", "Polite and friendly"),
            ("Sangat sopan dan ramah", "Very polite and friendly"),
        ),
    ),
    (
        "U8",
        "Penanganan pengaduan, saran, dan masukan",
        "Handling of complaints, suggestions and input",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        "How were complaints of the service's users handled?",
        (
            ("Tidak ada", "There is none"),
            ("Ada tetapi tidak berfungsi", "There is one, but it does not work"),
            ("Berfungsi kurang maksimal", "It works, but not fully"),
            ("Dikelola dengan baik", "Well managed"),
        ),
    ),
    (
        "U9",
        "Sarana dan prasarana",
        "Facilities",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "How good were the facilities?",
        (("Buruk", "Poor"), ("Cukup", "Fair"), ("Baik", "Good"), ("Sangat baik", "Very good")),
    ),
)
CODES: tuple[str, ...] = tuple(e[0] for e in ELEMENTS)
SCALE = 25  # nilai dasar: the weighted NRR (1-4) times 25 is the IKM (25-100)
TWO = Decimal("0.01")

# (lowest IKM of the grade, grade, label) from the best down.
GRADES: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("25.00"), "D", "Tidak Baik"),
)
GRADE_LABELS = {
    "A": pgettext_lazy("service quality", "Very good"),
    "B": pgettext_lazy("service quality", "Good"),
    "C": pgettext_lazy("service quality", "Less than good"),
    "D": pgettext_lazy("service quality", "Not good"),
}


def element_name(code: str, language: str) -> str:
    for c, name_id, name_en, *_rest in ELEMENTS:
        if c == code:
            return name_id if language == "id" else name_en
    return code


def nrr(total: int, count: int) -> Fraction | None:
    """The element's mean (NRR) exactly, or None when nobody answered it."""
    return Fraction(total, count) if count else None


def weighted_nrr(means: Iterable[Fraction | None]) -> Fraction | None:
    """Sum of the answered elements' means, each weighted 1/n (1/9 when all nine are answered)."""
    answered = [m for m in means if m is not None]
    if not answered:
        return None
    return sum(answered, Fraction(0)) / len(answered)


def to_ikm(value: Fraction | None) -> Decimal | None:
    """A 1-4 value on the 25-100 scale, rounded half-up to two decimals (as reported)."""
    if value is None:
        return None
    exact = value * SCALE
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(TWO, rounding=ROUND_HALF_UP)


def grade(ikm: Decimal | None) -> str | None:
    """The grade (A-D) of an IKM on the 25-100 scale (already rounded to two decimals)."""
    if ikm is None:
        return None
    for lowest, letter, _label in GRADES:
        if ikm >= lowest:
            return letter
    return "D"


def grade_label_id(letter: str | None) -> str:
    """The regulation's own wording of the grade (Sangat Baik ... Tidak Baik)."""
    return next((label for _low, g, label in GRADES if g == letter), "")


@dataclass(frozen=True)
class ElementScore:
    code: str
    count: int
    nrr: Fraction | None

    @property
    def nrr_display(self) -> Decimal | None:
        """The NRR as the regulation's tables print it: three decimals."""
        if self.nrr is None:
            return None
        return (Decimal(self.nrr.numerator) / Decimal(self.nrr.denominator)).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )

    @property
    def ikm(self) -> Decimal | None:
        return to_ikm(self.nrr)

    @property
    def label(self) -> str:
        """The element's name in the reader's language."""
        return element_name(self.code, "en" if (get_language() or "id").startswith("en") else "id")

    @property
    def grade(self) -> str | None:
        return grade(self.ikm)


@dataclass(frozen=True)
class Index:
    """The index of a set of answers: per element, and overall with its grade."""

    elements: tuple[ElementScore, ...]
    weighted: Fraction | None
    ikm: Decimal | None
    grade: str | None
    respondents: int

    @property
    def complete(self) -> bool:
        return all(e.count for e in self.elements)

    @property
    def grade_label(self) -> str:
        return str(GRADE_LABELS[self.grade]) if self.grade else ""

    @property
    def grade_label_id(self) -> str:
        return grade_label_id(self.grade)


def index_of(sums: Mapping[str, tuple[int, int]], *, respondents: int = 0) -> Index:
    """The index from {element code: (sum of answers, number of answers)}; codes absent or
    with no answers are left out of the weighting."""
    elements = tuple(ElementScore(code, sums.get(code, (0, 0))[1], nrr(*sums.get(code, (0, 0)))) for code in CODES)
    weighted = weighted_nrr(e.nrr for e in elements)
    ikm = to_ikm(weighted)
    return Index(elements=elements, weighted=weighted, ikm=ikm, grade=grade(ikm), respondents=respondents)
