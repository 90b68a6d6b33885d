"""Correct the ISO 3166-2 code stored on province areas.

Imports before this release took areaid's `p_bsni`, which gives DKI Jakarta `ID-JB` (Jawa
Barat's code). The table is frozen here, as migrations must not follow later code.
"""

from django.db import migrations

ISO_CODE_BY_AREAID_NAME = {
    "Aceh": "ID-AC",
    "Sumatra Utara": "ID-SU",
    "Sumatra Barat": "ID-SB",
    "Riau": "ID-RI",
    "Jambi": "ID-JA",
    "Sumatra Selatan": "ID-SS",
    "Bengkulu": "ID-BE",
    "Lampung": "ID-LA",
    "Kepulauan Bangka Belitung": "ID-BB",
    "Kepulauan Riau": "ID-KR",
    "Daerah Khusus Ibukota Jakarta": "ID-JK",
    "Jawa Barat": "ID-JB",
    "Jawa Tengah": "ID-JT",
    "Daerah Istimewa Yogyakarta": "ID-YO",
    "Jawa Timur": "ID-JI",
    "Banten": "ID-BT",
    "Bali": "ID-BA",
    "Nusa Tenggara Barat": "ID-NB",
    "Nusa Tenggara Timur": "ID-NT",
    "Kalimantan Barat": "ID-KB",
    "Kalimantan Tengah": "ID-KT",
    "Kalimantan Selatan": "ID-KS",
    "Kalimantan Timur": "ID-KI",
    "Kalimantan Utara": "ID-KU",
    "Sulawesi Utara": "ID-SA",
    "Sulawesi Tengah": "ID-ST",
    "Sulawesi Selatan": "ID-SN",
    "Sulawesi Tenggara": "ID-SG",
    "Gorontalo": "ID-GO",
    "Sulawesi Barat": "ID-SR",
    "Maluku": "ID-MA",
    "Maluku Utara": "ID-MU",
    "Papua": "ID-PA",
    "Papua Barat": "ID-PB",
}


def fix_codes(apps, schema_editor):
    Area = apps.get_model("agencies", "Area")
    for area in Area.objects.filter(level=1):
        code = ISO_CODE_BY_AREAID_NAME.get(area.name)
        if code and area.code != code:
            area.code = code
            area.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_webhook_url_public_addresses"),
    ]

    operations = [
        migrations.RunPython(fix_codes, migrations.RunPython.noop),
    ]
