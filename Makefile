# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PG_URL := postgres://postgres@127.0.0.1:5432/portal
DEV_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3
REDIS_TEST_URL := redis://127.0.0.1:6379/1
TEST_ENV := DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} REDIS_URL=$${REDIS_URL:-$(REDIS_TEST_URL)}

.PHONY: run test lint serve migrations-check messages clean

# Debian packages WeasyPrint needs for the PDF of an application (projects/pdf.py).
PDF_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf_ready = $(PY) -W ignore -c 'import weasyprint' >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q .

# The first Python 3.12 or newer found: on PATH, then under pyenv.
find_python = for c in python3.14 python3.13 python3.12 python3 \
	$$(ls -dr $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$c; break; fi; \
	done

$(VENV)/.installed: pyproject.toml
	@python=$$($(find_python)); \
	if [ -z "$$python" ]; then \
	  echo "No Python 3.12 or newer found. Install one (e.g. 'apt install python3.13' or 'pyenv install 3.13') and run make again."; \
	  exit 1; \
	fi; \
	echo "Using $$python ($$($$python --version))"; \
	[ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	@$(pdf_ready) || echo "Warning: the PDF of an application needs Pango and a font: apt-get install $(PDF_APT)"
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo
	@echo
	@echo "  Portal:  http://127.0.0.1:8000/          Catalog: http://127.0.0.1:8000/catalog/"
	@echo "  In English: http://127.0.0.1:8000/en/   Data requests: Mes projets > Nouvelle demande de statistiques"
	@echo "  Admin:   http://127.0.0.1:8000/admin/    DCAT:    http://127.0.0.1:8000/catalog/dcat.jsonld"
	@echo "  Algorithms: http://127.0.0.1:8000/algorithms/   Open data API: http://127.0.0.1:8000/api/v1/docs/"
	@echo "  Sign in with a demo account printed above. Staff (admin@hub.example, reviewer@hub.example)"
	@echo "  also give a code: TOTP secret JBCEQIDQN5ZHIYLMEBSGK3LPEAZEMQJB (oathtool --totp -b JBCEQIDQN5ZHIYLMEBSGK3LPEAZEMQJB)"
	@echo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed
	@$(TEST_ENV) $(PY) -c 'import os, psycopg; psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()' 2>/dev/null \
	  || { echo "PostgreSQL is not reachable at $${DATABASE_URL:-$(PG_URL)}: start it (pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start) or set DATABASE_URL."; exit 1; }
	@$(TEST_ENV) $(PY) -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()' 2>/dev/null \
	  || { echo "Redis is not reachable at $${REDIS_URL:-$(REDIS_TEST_URL)}: start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no) or set REDIS_URL."; exit 1; }
	@$(pdf_ready) \
	  || { echo "WeasyPrint cannot find Pango or a font, which the PDF of an application needs: apt-get install $(PDF_APT)"; exit 1; }
	@command -v java >/dev/null \
	  || { echo "The browser tests check every page with the W3C Nu HTML checker, which needs Java: apt-get install default-jre-headless"; exit 1; }
	$(TEST_ENV) $(PY) -m pytest -n $${TEST_WORKERS:-2} --dist load $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/mypy
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

migrations-check: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

# Production-like: gunicorn, whitenoise, DEBUG off, persistent database connections,
# and the task worker beside it (emails queued in the database, sent by `db_worker`;
# it stops with gunicorn). HTTPS=0 because it serves plain HTTP on 127.0.0.1; behind
# a TLS proxy leave it unset. The daily jobs are cron's: README, Deployment.
serve: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput -v0
	@export HTTPS=0 ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECRET_KEY=$${SECRET_KEY:?set SECRET_KEY} \
	  TASKS_BACKEND=$${TASKS_BACKEND:-django_tasks_db.DatabaseBackend}; \
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(VENV)/bin/gunicorn portal.wsgi --bind 127.0.0.1:8000 --workers $${WEB_CONCURRENCY:-3} --access-logfile -

messages: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py makemessages -l fr -l en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Benchmark on PostgreSQL with 100,000 projects (bench/README.md): fills the database
# portal_bench once, then measures server time and queries, then throughput with wrk,
# then import_projects of 100,000 rows (into its own database, portal_bench_import) and
# the full CSV and JSON exports with their memory.
# Mutation testing of the modules that hold the rules ([tool.mutmut] in pyproject.toml):
# about 20 minutes; resumes where it stopped. Prints each module's score (target 85%).
.PHONY: mutation
mutation: $(VENV)/.installed
	@template=$$($(TEST_ENV) $(PY) -m tests.mutation_setup) && \
	  $(TEST_ENV) TEST_DATABASE_TEMPLATE=$$template $(VENV)/bin/mutmut run --max-children 1
	$(TEST_ENV) $(PY) -m tests.mutation_report

.PHONY: bench
bench: $(VENV)/.installed
	$(PY) -m bench.populate
	$(PY) -m bench.measure
	bench/wrk.sh
	$(PY) -m bench.import_export
	$(PY) -m bench.mixed
