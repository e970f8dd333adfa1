# Everyday entry points. Every target first brings the checkout up to date (system packages,
# venv, translations), which is quick when nothing changed. See .env.example for the variables.

PY := .venv/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs in one process per core (pytest-xdist), a test file to a process; 0 runs it in
# this process alone.
TEST_PROCESSES ?= auto
LOG_LEVEL ?= INFO

.PHONY: run test worker beat reminders bench backup restore messages clean distclean

# The default: SQLite, eager background jobs, demo data; open http://127.0.0.1:$(PORT)/
run:
	bash scripts/system-deps.sh run
	bash scripts/setup.sh
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Tests create their own database, so no migrate here; translations are compiled though. The
# import contracts in pyproject.toml (the layers) are checked first.
test:
	bash scripts/system-deps.sh test
	bash scripts/setup.sh --no-migrate
	.venv/bin/lint-imports --no-logo --no-cache
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

# A worker and beat only make sense with a broker; without one tasks already run in-process.
worker:
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) for 'make run' and 'make worker' alike; without it tasks run eagerly in the web process." >&2; exit 1; }
	bash scripts/setup.sh
	.venv/bin/celery -A config worker --loglevel=$(LOG_LEVEL)

beat:
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without it there is nothing for beat to send to." >&2; exit 1; }
	bash scripts/setup.sh --no-migrate
	@mkdir -p var
	.venv/bin/celery -A config beat --loglevel=$(LOG_LEVEL) --schedule var/celerybeat-schedule

# The deadline reminders once, for a setup without beat (cron: `7 * * * * make -C /srv/lecrs reminders`,
# or manage.py send_reminders directly); each reminder still goes out at most once.
reminders:
	$(PY) manage.py send_reminders

# Runs every bench/bench_*.py in turn (the generators that build their data are run by hand: see
# bench/README.md); stops at the first that fails.
bench:
	bash scripts/system-deps.sh run
	bash scripts/setup.sh
	@for f in bench/bench_*.py; do \
		[ -e "$$f" ] || { echo "no benchmarks in bench/"; break; }; \
		echo "== $$f"; $(PY) "$$f" || exit 1; \
	done

# The database (pg_dump, custom format; SQLite: a copy) and MEDIA_ROOT in one archive under
# BACKUP_DIR (./backups), with a .sha256 beside it. See README, "Backup and restore".
BACKUP_DIR ?= backups
backup:
	$(PY) scripts/backup.py backup --out $(BACKUP_DIR)

# Checks the checksum, restores ARCHIVE into a fresh database (DATABASE_URL, or TARGET_DATABASE_URL
# when set: the drill restores beside the live one) and puts the files back under MEDIA_ROOT.
restore:
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=backups/lecrs-….tar [TARGET_DATABASE_URL=postgres://…/lecrs_drill]" >&2; exit 1; }
	$(PY) scripts/backup.py restore $(ARCHIVE) $(if $(TARGET_DATABASE_URL),--database-url $(TARGET_DATABASE_URL))

# Refresh the catalogues from the source, then compile them.
messages:
	bash scripts/setup.sh --no-migrate
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# Build output and caches; keeps the venv and the development database.
clean:
	find . -path ./.venv -prune -o \( -name __pycache__ -o -name .pytest_cache \) -type d -print0 | xargs -0 rm -rf
	find . -path ./.venv -prune -o -path '*/locale/*' -name '*.mo' -print0 | xargs -0 rm -f
	rm -rf staticfiles test-artifacts var

# Everything clean removes, plus the venv and the SQLite database.
distclean: clean
	rm -rf .venv db.sqlite3 db.sqlite3-journal media
