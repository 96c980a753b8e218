# The two commands a person needs: `make run` (the demo portal) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test fuzz setup lock check audit format messages load clean

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	test -f var/seal/dev-seal.p12 || $(PY) manage.py create_seal_certificate
	@echo "Portal: http://127.0.0.1:8000  (Ctrl-C stops web, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

# PostgreSQL and Redis are used where they run: tests/services.py points DATABASE_URL and
# REDIS_URL at the local servers when they are not exported. The end of the run lists every
# test that did not run, why, and how to run it.
test: setup
	$(PY) -m tests.services $(BIN)/pytest $(PYTEST_ARGS)

# Every form and POST endpoint driven by Hypothesis with 1000 examples each (tests/fuzz/).
# `make test` runs the same tests with 30 examples each (about 2 minutes); this run takes
# well over an hour on 2 cores (one run passed 13 of the 63 tests in its first 45 minutes; the
# agreement editor's formset tests are the slowest). One form only:
# `HYPOTHESIS_PROFILE=fuzz .venv/bin/pytest tests/fuzz -k <name>`.
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -p no:cacheprovider -q tests/fuzz

setup: $(VENV)/.installed node_modules/.installed

# The lock files pin every package, transitive ones included, with its hashes: pip refuses a
# file whose hash is not in the lock.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-pip.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-pip.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Recompile requirements.txt and requirements-dev.txt from requirements*.in, with hashes, against
# PyPI itself (not this machine's local wheel folders, whose files may hash differently).
# Versions already in the lock stay; to move one: `make lock LOCK_FLAGS=--upgrade-package=pillow`.
LOCK_VENV := .lock-venv
LOCK_FLAGS ?=
PIP_COMPILE := PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= CUSTOM_COMPILE_COMMAND="make lock" \
	$(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--index-url https://pypi.org/simple --no-emit-index-url $(LOCK_FLAGS)
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/pip install --quiet pip-tools==7.7.0)
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# Lint, the floors contract (no import runs uphill), migrations in step with the models,
# every UI string translated.
check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(PY) scripts/check_translations.py

# Known vulnerabilities in the lock files (runtime and dev).
audit: setup
	scripts/audit_dependencies.sh

# 50 clients for 60 s against gunicorn: staff, partner users, public verification (issue 10).
# Needs PostgreSQL and Redis on localhost; `make load LOAD_USERS=10 LOAD_SECONDS=15` is CI's run.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
load: setup
	bench/load_mixed.sh $(LOAD_USERS) $(LOAD_SECONDS)

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh locale/ar from the code; translate the new entries, then `make check`.
messages: setup
	$(PY) manage.py makemessages -l ar --no-location --ignore=.venv --ignore=node_modules --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) $(LOCK_VENV) node_modules staticfiles var
