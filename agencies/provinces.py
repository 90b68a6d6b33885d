"""ISO 3166-2:ID codes of Indonesia's provinces, and the areaid names they go by.

The `areaid` package carries a BSNI code per province (`p_bsni`), and it is wrong for one:
DKI Jakarta has `ID-JB`, Jawa Barat's code. The province codes we store come from this table
instead, which is ISO 3166-2:ID as published by the ISO Online Browsing Platform (the 38
provinces, after the creation of Papua Selatan, Papua Tengah, Papua Pegunungan in 2022 and
Papua Barat Daya in 2022/2023), with the subdivision names ISO uses.
"""

from __future__ import annotations

# code -> subdivision name, as ISO 3166-2:ID publishes them (category "province"; the
# special region Aceh, the capital district Jakarta Raya and the special region Yogyakarta
# are listed among them).
ISO_3166_2_ID: dict[str, str] = {
    "ID-AC": "Aceh",
    "ID-BA": "Bali",
    "ID-BB": "Kepulauan Bangka Belitung",
    "ID-BE": "Bengkulu",
    "ID-BT": "Banten",
    "ID-GO": "Gorontalo",
    "ID-JA": "Jambi",
    "ID-JB": "Jawa Barat",
    "ID-JI": "Jawa Timur",
    "ID-JK": "Jakarta Raya",
    "ID-JT": "Jawa Tengah",
    "ID-KB": "Kalimantan Barat",
    "ID-KI": "Kalimantan Timur",
    "ID-KR": "Kepulauan Riau",
    "ID-KS": "Kalimantan Selatan",
    "ID-KT": "Kalimantan Tengah",
    "ID-KU": "Kalimantan Utara",
    "ID-LA": "Lampung",
    "ID-MA": "Maluku",
    "ID-MU": "Maluku Utara",
    "ID-NB": "Nusa Tenggara Barat",
    "ID-NT": "Nusa Tenggara Timur",
    "ID-PA": "Papua",
    "ID-PB": "Papua Barat",
    "ID-PD": "Papua Barat Daya",
    "ID-PE": "Papua Pegunungan",
    "ID-PS": "Papua Selatan",
    "ID-PT": "Papua Tengah",
    "ID-RI": "Riau",
    "ID-SA": "Sulawesi Utara",
    "ID-SB": "Sumatera Barat",
    "ID-SG": "Sulawesi Tenggara",
    "ID-SN": "Sulawesi Selatan",
    "ID-SR": "Sulawesi Barat",
    "ID-SS": "Sumatera Selatan",
    "ID-ST": "Sulawesi Tengah",
    "ID-SU": "Sumatera Utara",
    "ID-YO": "Yogyakarta",
}

# areaid's province names where they differ from ISO's (areaid writes "Sumatra", ISO the
# Indonesian "Sumatera"; areaid spells out the special regions).
AREAID_TO_ISO_NAME: dict[str, str] = {
    "Daerah Khusus Ibukota Jakarta": "Jakarta Raya",
    "Daerah Istimewa Yogyakarta": "Yogyakarta",
    "Sumatra Utara": "Sumatera Utara",
    "Sumatra Barat": "Sumatera Barat",
    "Sumatra Selatan": "Sumatera Selatan",
}

_CODE_BY_ISO_NAME = {name: code for code, name in ISO_3166_2_ID.items()}


def province_iso_code(name: str) -> str:
    """The ISO 3166-2:ID code of a province given by its areaid (or ISO) name; KeyError if none."""
    return _CODE_BY_ISO_NAME[AREAID_TO_ISO_NAME.get(name, name)]
