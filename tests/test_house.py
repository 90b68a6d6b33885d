"""The house keeps its shape: modules stay small, the architecture page names real paths, and the
feature-package import contract (config/import_contracts.py, run by `make check`) catches an
import past a feature's services and selectors."""

import re
import subprocess
import sys
from pathlib import Path

import grimp
from django.conf import settings

from config.import_contracts import FeaturePackagesContract

BASE = Path(settings.BASE_DIR)
MAX_LINES = 600


def _tracked(*patterns):
    out = subprocess.run(["git", "ls-files", *patterns], cwd=BASE, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_no_module_template_or_script_passes_600_lines():
    long = []
    for name in _tracked("*.py", "*.html", "*.js", "*.css"):
        if "/migrations/" in name or name.startswith(("bench/", "static/vendor/")):
            continue
        path = BASE / name
        if path.is_file() and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES:
            long.append(f"{name}: {n}")
    assert not long, long


def test_every_path_the_architecture_page_names_exists():
    # The places laid out for features not built yet say so on their line.
    lines = (BASE / "docs/architecture.md").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if "to build" not in line and "not built yet" not in line)
    named = set(re.findall(r"`([a-z_]+(?:/[a-z_.]*)+)`", text))
    named |= set(re.findall(r"^([a-z_]+/(?:[a-z_]+/)*)\s", text, re.M))  # the tree's lines
    named |= {f"{m.group(1)}/" for m in re.finditer(r"^  +([a-z_]+)/", text, re.M)}
    assert len(named) > 20, "the page's paths were not found: the pattern is broken"
    tree_parents = {"agencies", "incidents", "coordination", "incidents/threats", "coordination/community"}
    missing = []
    for path in named:
        candidates = [path] + [f"{parent}/{path}" for parent in tree_parents]
        if not any((BASE / c).exists() for c in candidates):
            missing.append(path)
    assert not missing, f"docs/architecture.md names paths that do not exist: {sorted(missing)}"


def _graph(imports):
    graph = grimp.ImportGraph()
    for module in ["app", "app.services", "app.feature", "app.feature.services", "app.feature.views", "app.other"]:
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=7, line_contents=f"import {imported}")
    return graph


def _contract():
    return FeaturePackagesContract(
        name="features",
        session_options={},
        contract_options={"features": ["app.feature"], "public": ["services", "selectors", "urls", "api_urls"]},
    )


def test_the_feature_contract_lets_another_feature_use_services_and_the_feature_its_own_modules():
    graph = _graph([("app.other", "app.feature.services"), ("app.feature.views", "app.feature.services")])
    assert _contract().check(graph, verbose=False).kept


def test_the_feature_contract_breaks_on_an_import_of_another_features_views():
    check = _contract().check(_graph([("app.other", "app.feature.views")]), verbose=False)
    assert not check.kept
    assert check.metadata["violations"] == [{"importer": "app.other", "imported": "app.feature.views", "lines": [7]}]


def test_the_project_keeps_its_import_contracts():
    """The same check as `make check`, so that the suite alone holds the layers too."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint_imports), "--no-cache"], cwd=BASE, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "3 kept, 0 broken" in out.stdout


def test_celery_registers_the_tasks_of_every_feature_package_under_their_pinned_names():
    from config.celery import app, task_packages

    packages = task_packages()
    on_disk = {str(p.parent.relative_to(BASE)).replace("/", ".") for p in BASE.glob("*/**/tasks.py")}
    assert {p for p in on_disk if p.split(".")[0] in ("agencies", "incidents", "coordination")} == set(packages)
    app.loader.import_default_modules()
    assert {
        "incidents.tasks.threat_fan_out",
        "incidents.tasks.deliver_batch",
        "incidents.tasks.alerts_sweep",
        "agencies.tasks.camera_mark_stale",
    } <= set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks), "beat would send a task no worker knows"
