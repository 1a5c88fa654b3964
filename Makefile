# Two entry points for a new machine: `make run` (the whole product) and `make test` (the suite).
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen

.PHONY: run test install lint format check migrate seed bench bench-events bench-list bench-keys clean

install: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

run: install
	$(RUN) python scripts/ensure_database.py
	$(RUN) python manage.py migrate --noinput
	$(RUN) python manage.py seed_demo
	@mkdir -p .run
	@echo ""
	@echo "  API:        http://127.0.0.1:8000/api/   (docs: http://127.0.0.1:8000/api/docs/)"
	@echo "  Admin:      http://127.0.0.1:8000/admin/"
	@echo "  Streamlit:  http://127.0.0.1:8501/"
	@echo "  Kafka:      $${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092} (local Tansu broker)"
	@echo "  Emails:     .run/emails/ (one file per message)"
	@echo ""
	$(RUN) honcho start -f Procfile

test: install
	$(RUN) python scripts/ensure_database.py
	$(RUN) pytest $(if $(CI),--create-db)

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy .

format: install
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

check: install
	$(RUN) python manage.py check
	$(RUN) python manage.py makemigrations --check --dry-run

# The API under load at 100k and 1M complaints (bench/bench_api.py; docs/performance.md).
# Extra flags: make bench BENCH_ARGS="--sizes 100k --duration 10"
BENCH_ARGS ?=
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/complaints_bench

bench: install
	$(RUN) python bench/bench_api.py $(BENCH_ARGS)

# The older, narrower benchmarks: the event pipeline, the list in-process with its plans, keys.
bench-events: install
	$(RUN) python bench/bench_events.py --rate 50 --seconds 30

bench-list: install
	DATABASE_URL=$(BENCH_DB) $(RUN) python scripts/ensure_database.py
	DATABASE_URL=$(BENCH_DB) $(RUN) python manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB) $(RUN) python manage.py seed_demo --complaints 100000
	DATABASE_URL=$(BENCH_DB) $(RUN) python bench/bench_list.py

bench-keys: install
	$(RUN) python bench/bench_keys.py

clean:
	rm -rf .venv .run .test-media artifacts
