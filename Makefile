# Kanali — two commands: `make run` serves the demo, `make test` proves it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := kanali.settings

.PHONY: run test lint format install assets messages bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required to install the front-end libraries"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed assets
assets: node_modules/.installed

run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py schedule_tier_runs
	$(BIN)/python manage.py expire_deal_protection --schedule
	$(BIN)/python manage.py expire_lead_offers
	@$(BIN)/python manage.py demo --logins
	@echo "Kanali is at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the task worker)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py db_worker --no-reload & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy kanali
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# pytest exits 5 when it collects nothing; that is reported, not treated as a pass.
# The suite runs on every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process).
PYTEST_WORKERS ?= auto
test: lint
	@$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

messages: install
	cd kanali && ../$(BIN)/python ../manage.py makemessages -l el --no-obsolete --add-location file \
	  --ignore 'templates/allauth/*' && ../$(BIN)/python ../manage.py compilemessages -l el

bench: install
	@for b in bench/*.py; do [ -e "$$b" ] || continue; echo "== $$b"; $(BIN)/python "$$b" || exit 1; done

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
