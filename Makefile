# CloudPOS — `make run` serves the demo on the embedded default; `make test` runs the whole suite
# against real PostgreSQL, Redis and Chromium.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-dev lint test messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The compiled translations (.mo) are committed, so `run` needs no gettext on the machine.
run: install
	$(PY) manage.py migrate --noinput -v0
	PORT=$(PORT) $(PY) manage.py seed_demo --once
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: install-dev
	scripts/ensure-system-packages.sh
	$(MAKE) lint
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py makemigrations --check --dry-run -v0
	scripts/services.sh $(BIN)/pytest $(PYTEST_ARGS)

messages: install-dev
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=test-artifacts --ignore=media
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
