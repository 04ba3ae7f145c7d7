# Sociograph: `make demo` runs the platform on a sample organization, `make test` runs every test.
SHELL := /bin/bash
PY := .venv/bin/python

# Tests use their own Neo4j instance (port 7688) and Redis database, so they never touch demo data.
TEST_ENV := DJANGO_SETTINGS_MODULE=sociograph.settings.test \
	NEO4J_INSTANCE=test NEO4J_BOLT_PORT=7688 NEO4J_URI=bolt://127.0.0.1:7688 \
	REDIS_URL=redis://127.0.0.1:6379/15

.PHONY: demo test test-unit test-postgres lint install services test-services stop status bench \
	bench-mining bench-api bench-intake bench-backtest

install:
	@platform/bin/bootstrap

services: install
	@platform/bin/neo4j start
	@platform/bin/redis start

demo: services
	@platform/bin/app start
	@$(PY) manage.py demo_setup
	@$(PY) manage.py load_sample_org
	@$(PY) manage.py graph_reconcile | tail -n 1   # relayed, and Neo4j matches SQL, before mining
	@set -o pipefail; $(PY) manage.py demo_history --weeks 3 | grep -E "^run [0-9]+ succeeded|no history"
	@set -o pipefail; $(PY) manage.py mine --wait --window-days 90 --timeout 600 | tail -n 1
	@$(PY) manage.py send_report --run latest
	@$(PY) manage.py wait_healthy --timeout 90 >/dev/null
	@echo
	@echo "Sociograph is running: http://127.0.0.1:$${SOCIOGRAPH_PORT:-8000}/portal/ (HR portal)"
	@echo "  log in as admin / $${SOCIOGRAPH_DEMO_PASSWORD:-sociograph-demo}; admin: /admin/"
	@echo "  health: http://127.0.0.1:$${SOCIOGRAPH_PORT:-8000}/health/   stop everything: make stop"
	@echo "  REST API: http://127.0.0.1:$${SOCIOGRAPH_PORT:-8000}/api/v1/docs/ (a token:"
	@echo "    .venv/bin/python manage.py issue_token hr --role hr_admin)"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test-services: install
	@$(TEST_ENV) platform/bin/neo4j start
	@platform/bin/redis start

test: lint test-services
	$(TEST_ENV) $(PY) -m pytest

# The tests that need no services: tests/unit and the domain apps' unit tests.
test-unit: install
	$(TEST_ENV) $(PY) -m pytest tests/unit tests/people tests/recognition tests/analytics -m "not integration"

# The production database path: the same suite on Debian's PostgreSQL.
test-postgres: test-services
	@platform/bin/postgres start
	$(TEST_ENV) DATABASE_URL=$$(platform/bin/postgres url) $(PY) -m pytest

stop:
	@platform/bin/app stop
	@platform/bin/neo4j stop
	@NEO4J_INSTANCE=test platform/bin/neo4j stop
	@platform/bin/redis stop

status:
	@platform/bin/app status; platform/bin/neo4j status; platform/bin/redis status || true

# Benchmarks (bench/README.md); not tests: they print figures and append them to
# docs/performance.md. Ingest: 1,000,000 events for 10,000 people through SQLite and Neo4j, on a
# Neo4j instance (port 7689), SQLite file and Redis database (13) of its own. Quick checks that
# record nothing:
# .venv/bin/python bench/ingest.py --quick; .venv/bin/python bench/mining.py --quick
bench: install
	$(PY) bench/ingest.py --record
	$(PY) bench/mining.py --record
	$(PY) bench/api.py --record
	$(PY) bench/intake.py --record
	$(PY) bench/backtest.py --record

# Mining: a full mining run on 1,000, 10,000 and 100,000 people (100 events each) against a
# networkx baseline, per pattern family; Neo4j instance (port 7692) and Redis database (9) of its
# own. The 100,000 size takes long: 10,000,000 events to generate, import and project.
bench-mining: install
	$(PY) bench/mining.py --record

# API: p50/p95/p99 latency and throughput of REST API v1 reads (people, metrics) and bulk event
# creation on a 10,000-person organization, served by gunicorn (2 workers) on loopback and loaded
# from a second process; SQLite file and Redis database (8) of its own, no Neo4j. Quick check that
# records nothing: .venv/bin/python bench/api.py --quick
bench-api: install
	$(PY) bench/api.py --record

# Intake: a generated Slack export (1,000 users, 1,000,000 messages) and mbox (200,000 messages)
# imported end to end (parse, SQL, Neo4j), and each import's peak RSS at a tenth of the input beside
# it; Neo4j instance `benchintake` (port 7713) and Redis database (3) of its own. Quick check that
# records nothing: .venv/bin/python bench/intake.py --quick
bench-intake: install
	$(PY) bench/intake.py --record

# Backtest (issue 15): a generated organization of 10,000 people with outcomes (440 days, 100
# events each), 12 snapshots mined by the first of three backtests (departure, wellbeing,
# team_result delivery); target under 10 minutes; Neo4j instance `benchbacktest` (port 7714) and
# Redis database (4) of its own. Quick check that records nothing:
# .venv/bin/python bench/backtest.py --quick
bench-backtest: install
	$(PY) bench/backtest.py --record
