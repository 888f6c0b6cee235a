# Weft — `make run` starts the platform with demo data; `make test` runs every check on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_ENTERPRISES ?= 20000

.PHONY: run test install install-python install-assets install-browser install-system lint migrate demo bench bench-quick bench-chain messages clean
.PHONY: run test install install-python install-assets install-browser install-system lint migrate demo bench bench-quick bench-services messages clean
.PHONY: run test install install-python install-assets install-browser install-system lint migrate demo bench bench-quick bench-stats messages clean
.PHONY: run test install install-python install-assets install-browser install-system lint migrate demo bench bench-quick bench-imports messages clean

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
	cd weft && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete && ../$(PY) ../manage.py compilemessages -l zh_Hans

bench: install
	$(PY) bench/directory.py

bench-quick: install
	$(PY) bench/directory.py --enterprises 100000 --requests 400

bench-stats: install
	$(PY) bench/stats.py

clean:
	rm -rf var staticfiles

bench-chain: install
	$(PY) bench/chain.py
# Marketplace matching: 1,000,000 firms and 100,000 capacity offers on SQLite and PostgreSQL.
.PHONY: bench-market
bench-market: install
	$(PY) bench/market.py
bench-services: install
	$(PY) bench/vouchers.py
bench-imports: install
	$(PY) bench/imports.py
