"""A fresh clone, with nothing beside it, runs its tests on any day: no test or benchmark reads a
path outside the repository, and `--clock` runs the date-sensitive tests at an awkward instant.

Two guards: tests/conftest.py's audit hook fails any test that opens or lists a path outside the
repository while it runs (it is tried here), and a scan of the source of tests/ and bench/
finds paths built to climb out of the repository, which the hook only catches in code that runs.
"""

import ast
import datetime
import os
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import AWKWARD, AWKWARD_INSTANTS, REPO, _audit, _boundary


def test_an_open_outside_the_repository_is_recorded_against_the_test():
    # What the interpreter tells the audit hook when code opens a file: a random name at the
    # filesystem's root stands for any path a fresh clone lacks (nothing is opened here).
    outside = str(Path(REPO.anchor) / uuid.uuid4().hex)
    assert _boundary.watching
    _audit("open", (outside, "r", 0))
    found, _boundary.outside[:] = list(_boundary.outside), []  # left there, it would fail this test
    assert found and outside in found[0] and "test_fresh_clone.py" in found[0]


def test_reads_inside_the_repository_and_the_temporary_directory_pass(tmp_path):
    (REPO / "tests" / "data" / "cap" / "README.md").read_text()
    (tmp_path / "scratch.txt").write_text("x")
    assert not _boundary.outside


def _climbs_out(node: ast.AST, depth: int) -> str | None:
    """`Path(__file__)...parents[N]` or `.parent.parent...` above the repository root, or a
    literal path that climbs (`..` then a separator)."""
    literal = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
    if os.pardir + os.sep in literal:
        return repr(literal)
    if isinstance(node, ast.Attribute) and node.attr == "pardir":
        return "os.pardir"
    if not (isinstance(node, ast.Subscript | ast.Attribute) and "__file__" in ast.unparse(node)):
        return None
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "parents"
        and isinstance(node.slice, ast.Constant)
        and node.slice.value >= depth
    ):
        return ast.unparse(node)
    ups, inner = 0, node
    while isinstance(inner, ast.Attribute) and inner.attr == "parent":
        ups, inner = ups + 1, inner.value
    return ast.unparse(node) if ups > depth else None


def test_no_test_or_benchmark_builds_a_path_outside_the_repository():
    found = []
    for path in sorted([*REPO.glob("tests/**/*.py"), *REPO.glob("bench/**/*.py")]):
        relative = path.relative_to(REPO)
        if path.name == Path(__file__).name:
            continue  # the scanner itself, and its examples tried below
        depth = len(relative.parts)  # parents[depth - 1] is the repository's root
        for node in ast.walk(ast.parse(path.read_text(), str(relative))):
            if (culprit := _climbs_out(node, depth)) is not None:
                found.append(f"{relative}:{node.lineno}: {culprit}")
    assert not found, "paths outside the repository (a fresh clone has nothing there):\n" + "\n".join(found)


# The examples are built here, from a number of levels up, so that this file names no path
# outside the repository itself. A file at tests/<app>/test_x.py is 3 levels below the root.
@pytest.mark.parametrize(
    "build, climbs",
    [
        (lambda: f"Path(__file__).resolve().parents[{3}]", True),
        (lambda: f"Path(__file__).resolve().parents[{2}]", False),
        (lambda: "Path(__file__).resolve()" + ".parent" * 4, True),
        (lambda: "Path(__file__).resolve()" + ".parent" * 3, False),
        (lambda: repr(os.path.join(os.pardir, "elsewhere")), True),
        (lambda: repr(os.path.join("tests", "data")), False),
    ],
)
def test_the_scan_tells_a_path_that_climbs_out_from_one_that_stays(build, climbs):
    expression = ast.parse(build(), mode="eval").body
    assert any(_climbs_out(node, 3) for node in ast.walk(expression)) is climbs


@pytest.mark.dates
def test_with_a_clock_a_dates_test_runs_at_that_instant_in_every_zone(_awkward_clock):
    """`--clock` (make test, make test-dates) moves Django's clock, the server zone's date and the process's
    own clock to the instant, and the server's zone when one is named; without it the test runs
    on the real clock."""
    if _awkward_clock is None:
        pytest.skip("runs at the instants of --clock (make test, make test-dates)")
    _name, instant, zone = _awkward_clock
    now = timezone.now()
    assert datetime.timedelta(0) <= now - instant < datetime.timedelta(minutes=5)
    if zone:
        assert str(timezone.get_default_timezone()) == zone
    assert timezone.localdate() == instant.astimezone(timezone.get_default_timezone()).date()
    assert datetime.date.today() == timezone.localdate()  # the process's zone is the server's (TIME_ZONE)


@pytest.mark.parametrize("name, weekday", [("saturday-2330-wita", 5), ("monday-0010-wib", 0)])
def test_the_awkward_instants_are_the_days_they_say(name, weekday):
    assert datetime.datetime.fromisoformat(AWKWARD_INSTANTS[name]).weekday() == weekday
    assert any(entry.partition("@")[0] == name for entry in AWKWARD)


_CLOCK_READS = {"now", "today", "localdate", "localtime", "utcnow"}


def _reads_the_clock(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in _CLOCK_READS
    if isinstance(func, ast.Attribute):  # time.time(), not datetime.time(22)
        return func.attr in _CLOCK_READS or (func.attr == "time" and ast.unparse(func.value) == "time")
    return False


def _clock_reads_at_import(tree: ast.Module) -> list[ast.Call]:
    """Calls that read the clock when the module is imported (module level, class bodies,
    decorators such as parametrize, default arguments), not when a test runs: a run that crosses
    midnight or --clock sees a date from before."""
    found: list[ast.Call] = []

    def visit(node: ast.AST, deferred: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for eager in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                if eager is not None:
                    visit(eager, deferred)
            for statement in node.body:
                visit(statement, True)
            return
        if isinstance(node, ast.Lambda):
            visit(node.body, True)
            return
        if not deferred and isinstance(node, ast.Call) and _reads_the_clock(node):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child, deferred)

    visit(tree, False)
    return found


def test_no_test_reads_the_clock_when_it_is_imported():
    found = []
    for path in sorted(REPO.glob("tests/**/*.py")):
        for call in _clock_reads_at_import(ast.parse(path.read_text(), str(path))):
            found.append(f"{path.relative_to(REPO)}:{call.lineno}: {ast.unparse(call)}")
    assert not found, "read the clock inside the test (or a fixture), not at import:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source, eager",
    [
        ("TODAY = datetime.date.today()", True),
        ("@pytest.mark.parametrize('d', [timezone.localdate()])\ndef test_x(d): pass", True),
        ("def helper(when=timezone.now()): pass", True),
        ("STARTED = time.time()", True),
        ("NIGHT = datetime.time(22)", False),
        ("def today():\n    return timezone.localdate()", False),
        ("due = factory.LazyFunction(lambda: datetime.date.today())", False),
    ],
)
def test_the_scan_tells_a_clock_read_at_import_from_one_at_run_time(source, eager):
    assert bool(_clock_reads_at_import(ast.parse(source))) is eager
