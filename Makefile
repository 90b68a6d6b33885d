# One command runner for the README and CI. Only python3.11 is needed on the machine; every
# other thing (the virtualenv, Python packages, Chromium for the browser tests) is set up here.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-dates lint fmt migrate seed worker beat bench serve chromium messages check clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $(VENV)/.installed $@

# The embedded demo: SQLite, Celery eager, seeded data, the dev server on $(HOST):$(PORT)
# (`make run PORT=8080`); links in the demo's alerts and the printed logins use that address.
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 SINERGI_SITE_URL=http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(DEMO_ENV) $(PY) manage.py migrate --no-input -v 0
	$(DEMO_ENV) $(PY) manage.py seed_demo --url http://$(HOST):$(PORT)/
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --no-input

seed: $(VENV)/.installed
	$(PY) manage.py seed_demo

# Full stack pieces (set DATABASE_URL and REDIS_URL first).
serve: $(VENV)/.installed
	$(PY) manage.py collectstatic --no-input -v 0
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 4 --access-logfile -

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A config worker --loglevel INFO --concurrency 4

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A config beat --loglevel INFO

# Debian's Chromium for the Playwright browser tests (Playwright cannot download its own here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; \
	fi

check: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# The suite on the real clock and the tests marked `dates` again at each awkward instant, in one
# session (tests/conftest.py, AWKWARD): a Saturday night in WITA, Sunday night in WIB when the
# area's week (WITA) has turned, Monday just after midnight in WIB, a month's last evening in WIT
# with the server itself in WIT, New Year's Eve. Try your own instants, `@Zone` setting the
# server's zone: `make test-dates CLOCKS=2027-02-28T23:59+09:00,2027-03-01T00:05+07:00@Asia/Makassar`.
CLOCKS ?= awkward
# The suite runs in parallel processes (pytest-xdist), a module's tests in one process so that
# its fixtures are built once, the slowest modules first (tests/conftest.py, SLOW_MODULES);
# `make test TEST_WORKERS=0` runs it in this one process.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

test: $(VENV)/.dev-installed chromium check
	$(VENV)/bin/pytest $(XDIST) --clock=now,$(CLOCKS) $(PYTEST_ARGS)

test-dates: $(VENV)/.dev-installed chromium
	$(VENV)/bin/pytest $(XDIST) -m dates --clock=$(CLOCKS) $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

fmt: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.dev-installed
	$(PY) manage.py makemessages -l id -l en --no-obsolete --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'node_modules/*' --ignore 'test-results/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# Each benchmark prints its figures and exits 1 on a missed target; run them all regardless.
bench: $(VENV)/.dev-installed
	-$(PY) bench/area_import.py
	-$(PY) bench/incidents.py
	-$(PY) bench/fanout.py
	-$(PY) bench/cap_feeds.py
	-$(PY) bench/patrols.py
	-$(PY) bench/pages.py --reuse
	-$(PY) bench/desk.py --reuse
	-$(PY) bench/search.py --reuse
	-$(PY) bench/surveys.py --reuse
	-$(PY) bench/evaluation.py --reuse
	@command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk missing: apt-get install wrk"; }
	-$(PY) bench/report_intake.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
