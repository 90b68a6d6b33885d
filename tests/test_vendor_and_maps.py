"""Front-end libraries come from npm into static/vendor/ (listed in VERSIONS, pinned in
package.json), and every map goes through the one set-up, static/js/sinergi_map.js.

Static checks of the repository's files: a new library copied in by hand, a version bumped in
one place only, a map page that calls Leaflet on its own (and so shows no base layer without
a tile server) all fail here.
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"


def _package():
    return json.loads((ROOT / "package.json").read_text())


def _versions():
    rows = {}
    for line in (VENDOR / "VERSIONS").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = re.split(r"\s{2,}", line.strip())
        rows[parts[2]] = parts[1]  # npm package -> version
    return rows


def test_every_dependency_is_listed_in_versions_with_its_pinned_version():
    package = _package()
    assert _versions() == package["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name


def test_every_vendored_folder_is_copied_by_npm_run_vendor():
    script = _package()["scripts"]["vendor"]
    for folder in sorted(p.name for p in VENDOR.iterdir() if p.is_dir()):
        assert f"static/vendor/{folder}" in script, folder


def test_the_offline_base_map_is_vendored():
    for scale in ("10m", "50m"):  # fine when zoomed in, coarse for the country-wide views
        topology = json.loads((VENDOR / "world-atlas" / f"countries-{scale}.json").read_text())
        assert topology["type"] == "Topology"
        assert {"land", "countries"} <= set(topology["objects"])
    partial = (ROOT / "templates" / "maps" / "map_scripts.html").read_text()
    assert "vendor/world-atlas/countries-10m.json" in partial and "vendor/world-atlas/countries-50m.json" in partial
    assert (VENDOR / "topojson-client" / "topojson-client.min.js").stat().st_size > 1000


def _sources():
    for path in [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static" / "js").rglob("*.js")]:
        yield path, path.read_text()


def test_no_page_loads_a_script_or_stylesheet_from_elsewhere():
    remote = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""", re.I)
    offenders = [str(p.relative_to(ROOT)) for p, text in _sources() if remote.search(text)]
    assert offenders == []


def test_every_map_is_made_by_the_shared_set_up():
    shared = ROOT / "static" / "js" / "sinergi_map.js"
    direct = re.compile(r"\bL\.(?:map|tileLayer)\(")
    offenders = [str(p.relative_to(ROOT)) for p, text in _sources() if p != shared and direct.search(text)]
    assert offenders == []
    # And every page that loads Leaflet loads it through the partial that brings the set-up.
    leaflet = re.compile(r"vendor/leaflet/leaflet\.js")
    partial = ROOT / "templates" / "maps" / "map_scripts.html"
    loaders = [str(p.relative_to(ROOT)) for p, text in _sources() if p != partial and leaflet.search(text)]
    assert loaders == []
