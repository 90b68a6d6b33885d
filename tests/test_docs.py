"""The README and the docs stand on their own: every demo login listed, no file outside the repository."""

import re
import subprocess
from pathlib import Path

from django.conf import settings

from agencies.demo import seed_demo

BASE = Path(settings.BASE_DIR)
# Built from pieces so that this file does not match itself.
OUTSIDE = re.compile(r"\.\./" + "shared|" + r"\bshared/|\b(?:DESIGN|STYLE|TESTING)" + r"\.md\b")


def test_the_readme_lists_every_login_the_seed_creates(db):
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    logins = [username for username, _password, _what in seed_demo().logins]
    assert "planner.bontang" in logins
    missing = [u for u in logins if f"`{u}`" not in readme]
    assert not missing, f"README.md does not list the demo logins {missing}"


def test_the_readme_says_how_to_change_the_port_and_points_at_the_docs():
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=8080" in readme
    for doc in ("docs/architecture.md", "docs/security.md"):
        assert doc in readme and (BASE / doc).is_file()


def test_no_file_in_the_repository_refers_to_a_file_outside_it():
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=BASE, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in files:
        path = BASE / name
        if name.startswith("static/vendor/") or path.suffix in {".mo", ".png", ".jpg", ".webp", ".ico", ".woff2"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not offenders, offenders


def test_every_link_in_the_readme_and_docs_points_at_a_file_of_the_repository():
    broken = []
    for doc in [BASE / "README.md", *sorted((BASE / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)", doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            path = (doc.parent / target).resolve()
            if not path.exists() or BASE.resolve() not in path.parents:
                broken.append(f"{doc.name}: {target}")
    assert not broken, broken


def test_the_security_doc_shows_the_capability_table_as_the_code_has_it():
    """docs/security.md "What each role may do" is `manage.py capabilities`, copied: a capability
    added, removed or given to another role in agencies/roles.py fails here until the doc says so."""
    from agencies.roles import CAPABILITIES, capabilities_markdown

    doc = (BASE / "docs" / "security.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- capabilities:begin -->\n(.*?)<!-- capabilities:end -->", doc, re.S)
    assert found, "docs/security.md lost its capability table markers"
    rendered = capabilities_markdown()
    assert found.group(1) == rendered, "docs/security.md differs from `python manage.py capabilities`"
    assert len(rendered.splitlines()) == len(CAPABILITIES) + 2


def test_every_capability_says_what_it_allows():
    from agencies.roles import CAPABILITIES, DESCRIPTIONS

    assert set(DESCRIPTIONS) == set(CAPABILITIES)


def test_the_security_doc_says_how_to_report_a_vulnerability():
    doc = (BASE / "docs" / "security.md").read_text(encoding="utf-8")
    section = doc.split("## Reporting a vulnerability", 1)[1]
    assert "security@" in section and "public issue" in section
