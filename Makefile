# partner_payouts: the two set-up commands are `make demo` and `make test`;
# both run `install` first. Everything runs inside .venv.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

DEMO_DIR ?= data/demo
DEMO_SCALE ?= 1
DEMO_SEED ?= 42

export PAYOUTS_RAW_DIR ?= $(DEMO_DIR)
export PAYOUTS_DUCKDB_PATH ?= warehouse/partner_payouts.duckdb
# The published snapshot readers open (`make publish`; a link to the newest
# version folder beside it) and the dashboard's address.
export PAYOUTS_SNAPSHOT_DIR ?= published
DASHBOARD_ADDRESS ?= 127.0.0.1
DASHBOARD_PORT ?= 8501
export DBT_PROFILES_DIR := profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: install lock demo-data demo build publish dashboard lint validate coverage docs metrics pytest test clean spark-up spark-down build-spark bench

install: $(STAMP)

# Idempotent: rebuilt only when the lock or the package metadata changes.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip check
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (needs the package index).
lock:
	$(PYTHON) -m venv .bench/uv && .bench/uv/bin/pip install --quiet uv
	.bench/uv/bin/uv pip compile pyproject.toml requirements-build.in --extra test \
	    --python-version 3.11 --generate-hashes --no-header -o requirements.lock
	sed -i '1i # Fully resolved, hash-pinned dependency set used by `make install`.\n# Regenerate with `make lock` after changing pyproject.toml.' requirements.lock

# Deterministic demo export (scale 1 = about 10,000 invoice lines).
demo-data: install
	$(BIN)/partner-payouts demo-data --out $(DEMO_DIR) --scale $(DEMO_SCALE) --seed $(DEMO_SEED)

# Write-audit-publish: dbt builds and tests the marts in `marts_audit` and
# publishes them to `marts` only when every test passed (macros/publish.sql).
build: install
	@mkdir -p $(dir $(PAYOUTS_DUCKDB_PATH))
	@$(BIN)/partner-payouts check-warehouse --warehouse $(PAYOUTS_DUCKDB_PATH)
	$(BIN)/dbt build

demo: demo-data build
	@echo "Warehouse ready: $(PAYOUTS_DUCKDB_PATH) (raw files: $(PAYOUTS_RAW_DIR))"

# Spark (README, "Run it on Spark"): a local Thrift server from the pyspark
# wheel, its tables as Parquet under $(PAYOUTS_SPARK_WAREHOUSE); the same
# build with the profile's `spark` target; a relative PAYOUTS_RAW_DIR is
# this folder's.
export PAYOUTS_SPARK_WAREHOUSE ?= warehouse/spark
export PAYOUTS_SPARK_PROJECT_DIR ?= $(CURDIR)
spark-up: install
	$(BIN)/partner-payouts spark-up

spark-down: install
	$(BIN)/partner-payouts spark-down

build-spark: install
	$(BIN)/dbt build --target spark

# What readers open instead of the warehouse: every published mart as Parquet
# plus a views-only DuckDB file, swapped in atomically (run after a build).
publish: install
	$(BIN)/partner-payouts publish --warehouse $(PAYOUTS_DUCKDB_PATH) --out $(PAYOUTS_SNAPSHOT_DIR)

# The dashboard over the snapshot (never the warehouse), on
# http://$(DASHBOARD_ADDRESS):$(DASHBOARD_PORT) (DASHBOARD_ADDRESS=0.0.0.0 to share it).
dashboard: install
	$(BIN)/streamlit run src/partner_payouts/dashboard/app.py --server.headless true \
	    --server.address $(DASHBOARD_ADDRESS) --server.port $(DASHBOARD_PORT) \
	    --browser.gatherUsageStats false --client.toolbarMode viewer

# The dbt templater compiles the project; an in-memory database keeps lint
# independent of (and unblocked by) the warehouse file.
lint: install
	PAYOUTS_DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint

# Great Expectations suites of the public marts, as one checkpoint, against
# the built warehouse; Data Docs in gx_data_docs/ (git-ignored).
validate: install
	$(BIN)/partner-payouts validate --warehouse $(PAYOUTS_DUCKDB_PATH) --docs-dir gx_data_docs

# Descriptions and primary-key tests of every model, descriptions of every
# public-mart column, freshness of transactional sources (target/manifest.json
# from the last dbt build).
coverage: install
	$(BIN)/partner-payouts coverage --manifest target/manifest.json --warehouse $(PAYOUTS_DUCKDB_PATH)

# The docs site as one static file (target/static_index.html: open it in a
# browser, no server needed): every model, its lineage, the public marts'
# groups and owners, the exposures. Reads the built warehouse's catalog.
docs: install
	$(BIN)/dbt docs generate --static
	@echo "Docs site: $(CURDIR)/target/static_index.html"

# The semantic layer (README, "Metrics (semantic layer)"): a parse with the
# var semantic_layer writes target/semantic_manifest.json with the metrics,
# reading the published marts; then an example query on the last build.
metrics: install
	$(BIN)/dbt parse --vars '{semantic_layer: true}'
	$(BIN)/mf query --metrics payout_amount --decimals 2 \
	    --order metric_time__quarter,payout__payout_currency \
	    --group-by metric_time__quarter,payout__payout_currency

# One pytest worker per core (at most 4): each fixture warehouse is built
# once and shared by the workers (tests/python/conftest.py, shared_build);
# whole files go to a worker, in collection order (Spark first: conftest.py),
# so one worker runs all the Spark tests, from the start.
pytest: install
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder --durations=30

# Lint and the demo build use a core each: they run side by side.
test: install
	$(MAKE) -j2 lint demo
	$(MAKE) validate
	$(MAKE) coverage
	$(MAKE) pytest

# The benchmark (not a test; README, "Performance"): scale 100 by default,
# `make bench BENCH_SCALE=1000` for 10 M invoice lines; in .bench/ (git-ignored).
BENCH_SCALE ?= 100
bench: install
	$(BIN)/python bench/run.py --scale $(BENCH_SCALE)

clean:
	rm -rf target logs dbt_packages data gx_data_docs warehouse/*.duckdb warehouse/*.wal \
	    published published.[0-9]*Z .published.lock
