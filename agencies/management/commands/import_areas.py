import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from agencies.area_import import (
    ImportStats,
    UnknownProvince,
    analyze_areas,
    import_province,
    province_names,
    province_row_count,
    resolve_province,
    rollup_centroids,
)


class Command(BaseCommand):
    help = "Import provinces, regencies/cities, districts and villages from the areaid package (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="NAME",
            help='A province as areaid names it, e.g. "Kalimantan Timur"; repeat for several.',
        )
        parser.add_argument("--all", action="store_true", help="Import all 34 provinces.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, **options) -> None:
        if options["all"]:
            names = province_names()
        elif options["province"]:
            names = options["province"]
        else:
            raise CommandError("Give --province NAME (repeatable) or --all.")
        valid = province_names()
        try:
            names = [resolve_province(n) for n in names]
        except UnknownProvince as exc:
            raise CommandError(
                f'Unknown province "{exc.name}". Valid names:\n  ' + "\n  ".join(sorted(valid))
            ) from None

        started = time.monotonic()
        total = ImportStats()
        rows = sum(province_row_count(n) for n in names)
        disable = options["no_progress"] or options["verbosity"] == 0
        with tqdm(total=rows, unit="area", disable=disable, file=self.stderr._out) as bar:
            for name in names:
                bar.set_description(name)
                stats = import_province(name, progress=bar.update)
                total.add(stats)
        # Districts, regencies and provinces get the mean of their children's centroids.
        derived = rollup_centroids()
        if sum(total.created.values()) or total.updated:
            analyze_areas()
        elapsed = time.monotonic() - started
        created = total.created
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(names)} province(s) in {elapsed:.1f} s: created {created[1]} provinces, "
                f"{created[2]} regencies/cities, {created[3]} districts, {created[4]} villages; "
                f"updated {total.updated}, unchanged {total.unchanged}; {derived} centroid(s) derived."
            )
        )
