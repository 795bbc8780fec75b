# Tsudoi — `make run` serves the demo on SQLite, `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: setup run test test-fast lint bench bench-checkin bench-stats translations db clean

# Python environment, created on first use and refreshed when the requirements change.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(BIN)/.installed
	@for d in app/translations app/translations.d/*; do \
	  if [ -d "$$d" ]; then $(BIN)/pybabel compile --statistics -d "$$d" 2>&1 | grep -v '^compiling' || true; \
	    [ -f "$$d/ja/LC_MESSAGES/messages.mo" ] || { echo "could not compile $$d"; exit 1; }; fi; done

setup: $(BIN)/.installed translations

db: setup
	$(BIN)/flask db upgrade

run: db
	$(BIN)/flask demo load --if-empty
	@echo "Serving Tsudoi on http://127.0.0.1:$(PORT)  (mail jobs run beside it; read mails on the outbox page)"
	@# One process (exec) that make forwards SIGTERM to: it stops the server and the worker within 5 s.
	@PORT=$(PORT) exec $(BIN)/python scripts/run_dev.py --port $(PORT) --interval 5

test: setup
	@sh scripts/ensure-chromium
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest --ignore=tests/browser -x -q

lint: setup
	$(BIN)/ruff check .

bench: setup
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  echo "Installing wrk (the load generator) from Debian's packages..." && apt-get install -y wrk >/dev/null 2>&1; } || \
	  echo "wrk not available: the benchmark falls back to its Python load generator (less exact)"
	$(BIN)/python bench/flash_crowd.py

bench-stats: setup
	$(BIN)/python bench/stats_load.py

bench-checkin: setup
	$(BIN)/python bench/checkin.py

clean:
	rm -rf $(VENV) instance/*.sqlite3*
