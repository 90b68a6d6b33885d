"""Templates and the code that names them agree: no template lies unused under templates/, and every
template path the code or another template names exists. A missing template shows only when its
page renders, so this catches a move that forgot a reference without rendering every page. And
each template sits where docs/architecture.md says: its app's folder or its feature's."""

import ast
import inspect
import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
TEMPLATE_PATH = re.compile(r"[\w./-]+\.(?:html|txt)")
TAG = re.compile(r"""{%\s*(?:include|extends)\s+(["'])([^"']+)\1""")
APPS = ("agencies", "incidents", "coordination")
ROOT_TEMPLATES = {"base.html", "forbidden.html", "request_too_large.html"}
SHARED_FOLDERS = {"registration", "maps"}  # Django's auth pages; the map scripts every app includes
NOT_FEATURES = {"models", "migrations", "templatetags", "management", "tests"}


def _files(*patterns):
    command = ["git", "ls-files", "-co", "--exclude-standard", *patterns]
    out = subprocess.run(command, cwd=BASE, capture_output=True, text=True, check=True)
    return [BASE / name for name in out.stdout.split() if (BASE / name).is_file()]


def _names_in_python(path):
    """String constants that are a template path (a docstring that mentions one is not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and TEMPLATE_PATH.fullmatch(node.value)
    }


def _names_in_template(path):
    return {match.group(2) for match in TAG.finditer(path.read_text(encoding="utf-8"))}


def _project_templates():
    return {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.is_file()}


def _django_auth_defaults():
    """What django.contrib.auth's views render by default (config/urls.py includes its URLs)."""
    names = set()
    for _name, view in inspect.getmembers(auth_views, inspect.isclass):
        for attr in ("template_name", "email_template_name", "subject_template_name"):
            if isinstance(value := getattr(view, attr, None), str):
                names.add(value)
    return names


def test_every_template_under_templates_is_used_by_the_code_or_another_template():
    used = set(_django_auth_defaults())
    for path in _files("*.py"):
        if path.relative_to(BASE).parts[0] != "tests":  # a test alone does not keep a template alive
            used |= _names_in_python(path)
    for path in TEMPLATES.rglob("*.html"):
        used |= _names_in_template(path) - {str(path.relative_to(TEMPLATES))}
    orphans = sorted(_project_templates() - used)
    assert not orphans, f"templates nothing renders, includes or extends: {orphans}"


def test_every_template_the_code_and_the_templates_name_exists():
    named = {}
    # The tests name other files too (uploads, scratch files): theirs count when under templates/'s top.
    tops = {p.name for p in TEMPLATES.iterdir()}
    for path in _files("*.py"):
        in_tests = path.relative_to(BASE).parts[0] == "tests"
        for name in _names_in_python(path):
            if not in_tests or name.split("/")[0] in tops:
                named.setdefault(name, str(path.relative_to(BASE)))
    for path in [*TEMPLATES.rglob("*.html"), *BASE.glob("*/templates/**/*.html")]:
        for name in _names_in_template(path):
            named.setdefault(name, str(path.relative_to(BASE)))
    assert len(named) > 80, "no template names were found: the patterns are broken"
    missing = []
    for name, where in sorted(named.items()):
        try:
            get_template(name)
        except TemplateDoesNotExist:
            missing.append(f"{where}: {name}")
    assert not missing, "named templates that do not exist:\n" + "\n".join(missing)


def test_every_template_sits_in_its_app_or_feature_folder():
    """templates/ holds base.html and forbidden.html; the rest is templates/<app>/ (the app's root
    feature and what the whole app shares) or templates/<app>/<feature>/ for a feature package of
    the app (a feature inside a package, such as coordination/community/portal/, by its path),
    each with its fragments in partials/."""
    misplaced = []
    for name in sorted(_project_templates()):
        parts = name.split("/")
        if len(parts) == 1:
            ok = name in ROOT_TEMPLATES
        elif parts[0] in SHARED_FOLDERS:
            ok = len(parts) == 2
        elif parts[0] in APPS:
            folders = parts[1:-1]
            if folders[-1:] == ["partials"]:
                folders = folders[:-1]
            feature = BASE / parts[0] / "/".join(folders)
            nested = all(
                (BASE / parts[0] / "/".join(folders[: n + 1]) / "__init__.py").is_file() for n in range(len(folders))
            )
            ok = nested and (feature / "__init__.py").is_file() and not set(folders) & NOT_FEATURES
        else:
            ok = False
        if not ok:
            misplaced.append(name)
    assert not misplaced, f"templates outside templates/<app>/[<feature>/][partials/]: {misplaced}"


PAGE_LINK = re.compile(r"""href="([^"]*(?<![\w-])page=[^"]*)\"""")


def test_page_links_keep_the_filters_of_the_list():
    """A link to another page of a list keeps the list's filters: it is built by `{% querystring %}`
    (the shared agencies/partials/pagination.html does), never as a bare `?page=N`, which sent a
    user filtering by status back to the unfiltered list on page 2 (bulletins, exercises), or
    kept only one of several values of a filter (operations, `request.GET.items`)."""
    by_hand = [
        f"{path.relative_to(BASE)}: {match.group(1)}"
        for path in _files("templates/*.html")
        for match in PAGE_LINK.finditer(path.read_text(encoding="utf-8"))
        if "{% querystring" not in match.group(1)
    ]
    assert not by_hand, "page links built by hand (use {% querystring page=... %}):\n" + "\n".join(by_hand)
