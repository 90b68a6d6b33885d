"""The category taxonomy (two levels, Indonesian and English names, a CAP category each).

Admins extend it in Django admin; this migration only creates or refreshes its own codes.
"""

from django.db import migrations

# code, parent, name_id, name_en, CAP category
TAXONOMY = [
    ("crime", None, "Kejahatan", "Crime", "Security"),
    ("crime-theft", "crime", "Pencurian", "Theft", "Security"),
    ("crime-robbery", "crime", "Perampokan", "Robbery", "Security"),
    ("crime-assault", "crime", "Penganiayaan", "Assault", "Security"),
    ("narcotics", None, "Narkotika", "Narcotics", "Security"),
    ("narcotics-trafficking", "narcotics", "Peredaran narkotika", "Drug trafficking", "Security"),
    ("narcotics-lab", "narcotics", "Laboratorium gelap narkotika", "Clandestine drug laboratory", "CBRNE"),
    ("terrorism", None, "Terorisme", "Terrorism", "Security"),
    ("terrorism-threat", "terrorism", "Ancaman teror", "Terror threat", "Security"),
    ("terrorism-explosive", "terrorism", "Bahan peledak", "Explosive device", "CBRNE"),
    ("social-conflict", None, "Konflik sosial/kerusuhan", "Social conflict/riot", "Security"),
    ("social-conflict-riot", "social-conflict", "Kerusuhan massa", "Riot", "Security"),
    ("social-conflict-clash", "social-conflict", "Bentrokan antarkelompok", "Clash between groups", "Security"),
    ("industrial-accident", None, "Kecelakaan industri", "Industrial accident", "Safety"),
    ("industrial-gas-leak", "industrial-accident", "Kebocoran gas", "Gas leak", "CBRNE"),
    ("industrial-explosion", "industrial-accident", "Ledakan industri", "Industrial explosion", "Safety"),
    ("pollution", None, "Pencemaran", "Pollution", "Env"),
    ("pollution-oil-spill", "pollution", "Tumpahan minyak", "Oil spill", "Env"),
    ("pollution-air", "pollution", "Pencemaran udara", "Air pollution", "Env"),
    ("fire", None, "Kebakaran", "Fire", "Fire"),
    ("fire-building", "fire", "Kebakaran bangunan", "Building fire", "Fire"),
    ("fire-forest", "fire", "Kebakaran hutan dan lahan", "Forest and land fire", "Fire"),
    ("flood", None, "Banjir", "Flood", "Met"),
    ("flood-flash", "flood", "Banjir bandang", "Flash flood", "Met"),
    ("flood-tidal", "flood", "Banjir rob", "Tidal flood", "Met"),
    ("landslide", None, "Tanah longsor", "Landslide", "Geo"),
    ("earthquake", None, "Gempa bumi/tsunami", "Earthquake/tsunami", "Geo"),
    ("earthquake-quake", "earthquake", "Gempa bumi", "Earthquake", "Geo"),
    ("earthquake-tsunami", "earthquake", "Tsunami", "Tsunami", "Geo"),
    ("smuggling", None, "Penyelundupan", "Smuggling", "Security"),
    ("illegal-logging", None, "Pembalakan liar/perambahan hutan", "Illegal logging/forest encroachment", "Env"),
    ("cybercrime", None, "Kejahatan siber", "Cybercrime", "Security"),
    ("traffic", None, "Kecelakaan lalu lintas", "Traffic accident", "Transport"),
    ("missing-person", None, "Orang hilang", "Missing person", "Rescue"),
    ("suspicious-activity", None, "Aktivitas mencurigakan", "Suspicious activity", "Security"),
]


def load(apps, schema_editor):
    Category = apps.get_model("incidents", "Category")
    by_code = {}
    for order, (code, parent, name_id, name_en, cap) in enumerate(TAXONOMY):
        obj, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent),
                "name_id": name_id,
                "name_en": name_en,
                "cap_category": cap,
                "sort_order": order * 10,
            },
        )
        by_code[code] = obj


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
