# Weft — `make run` starts the platform with demo data; `make test` runs every check on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_ENTERPRISES ?= 20000
# Apps that keep their own translation catalogue (weft/<app>/locale).
APP_CATALOGUES := chain csr events imports market services stats talent

.PHONY: run test install install-python install-assets install-browser install-system migrate demo \
	messages clean bench bench-quick bench-imports bench-stats bench-chain bench-market bench-services

run: install migrate demo
	@$(PY) manage.py demo_logins
	@echo "Weft is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	WEFT_DEBUG=$${WEFT_DEBUG:-true} scripts/serve $(HOST):$(PORT)

test: install install-browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2 -q
	scripts/with-postgres $(PY) -m pytest -n 2 -q

install: install-system install-python install-assets

install-system:
	@scripts/install-system

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install-python: $(VENV)/.installed

weft/static/vendor/.installed: package.json package-lock.json scripts/copy-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/copy-assets.mjs
	touch $@

install-assets: weft/static/vendor/.installed

install-browser:
	@scripts/install-system chromium

migrate: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0

demo: migrate
	$(PY) manage.py setup_demo --enterprises $(DEMO_ENTERPRISES)

messages:
	cd weft && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete $(foreach a,$(APP_CATALOGUES),--ignore '$(a)/*')
	for a in $(APP_CATALOGUES); do (cd weft/$$a && ../../$(PY) ../../manage.py makemessages -l zh_Hans --no-obsolete) || exit 1; done
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules

# Benchmarks: each prints a table and the machine it ran on (figures in BENCHMARKS.md).
bench: install
	$(PY) bench/directory.py

bench-quick: install
	$(PY) bench/directory.py --enterprises 100000 --requests 400

bench-imports: install
	$(PY) bench/imports.py

bench-stats: install
	$(PY) bench/stats.py

bench-chain: install
	$(PY) bench/chain.py

# Marketplace matching: 1,000,000 firms and 100,000 capacity offers on SQLite and PostgreSQL.
# Prepare the data niced (bulk inserts, var/bench/), then measure on it; set BENCH_LOCK to a lock
# file shared with other benchmarks on the machine so measurements never overlap.
bench-market: install
	nice -n 19 $(PY) bench/market.py --prepare-only
	$(if $(BENCH_LOCK),flock $(BENCH_LOCK)) $(PY) bench/market.py --reuse

bench-services: install
	$(PY) bench/vouchers.py

clean:
	rm -rf var staticfiles
