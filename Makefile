# Pilotage — the commands a newcomer needs. `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
RUN := $(UV) run
PORT ?= 8000

.PHONY: demo test install uv assets messages migrate serve worker beat screenshots bench check-deploy clean

uv:
	@command -v uv >/dev/null 2>&1 || test -x "$(HOME)/.local/bin/uv" || python3 -m pip install --user --quiet uv \
	  || python3 -m pip install --quiet uv

install: uv
	$(UV) sync --frozen
	$(MAKE) --no-print-directory assets messages

# Front-end libraries come from the npm registry into the git-ignored static/vendor/.
assets:
	@if [ -f package.json ]; then \
	  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci --no-audit --no-fund --loglevel=error; fi; \
	  mkdir -p static/vendor && cp node_modules/echarts/dist/echarts.min.js static/vendor/; \
	fi

# .po files are committed; the .mo files are built (Babel, so no system gettext is needed).
messages:
	@for po in $$(find locale -name 'django.po' 2>/dev/null); do \
	  $(RUN) pybabel compile --use-fuzzy -i "$$po" -o "$${po%.po}.mo" >/dev/null; done

migrate: install
	$(RUN) python manage.py migrate --noinput

demo: migrate
	$(RUN) python manage.py seed_demo --url http://127.0.0.1:$(PORT)
	$(RUN) python manage.py runserver 127.0.0.1:$(PORT)

# Bytecode is written even where the environment sets PYTHONDONTWRITEBYTECODE: every pytest process, and
# every Celery worker or server the tests start, imports Django and the project again, and compiling them
# from source each time costs seconds of CPU (collecting the suite: 28 s of CPU without .pyc, 12 s with).
test: install
	env -u PYTHONDONTWRITEBYTECODE $(RUN) pytest $(PYTEST_ARGS)

# The production-like stack on this machine: gunicorn + Celery worker + beat (see Procfile). With
# DATABASE_MIGRATION_URL (the owner) set, migrations run as the owner and the app as DATABASE_URL's role.
serve: install
	@test -n "$$DATABASE_URL" || (echo "Set DATABASE_URL (PostgreSQL) and REDIS_URL first; see README." && exit 1)
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL first; see README." && exit 1)
	DATABASE_URL=$${DATABASE_MIGRATION_URL:-$$DATABASE_URL} DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.dev} $(RUN) python manage.py migrate --noinput
	@if [ -n "$$DATABASE_MIGRATION_URL" ]; then \
	  DATABASE_URL=$$DATABASE_MIGRATION_URL DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.dev} \
	    $(RUN) python manage.py db_app_role --url "$$DATABASE_URL"; fi
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.dev} $(RUN) python manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.dev} $(RUN) honcho start

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.prod DJANGO_SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(50))') \
	  FIELD_ENCRYPTION_KEYS=$$($(RUN) python -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	  DJANGO_ALLOWED_HOSTS=pilotage.example.com \
	  $(RUN) python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf .venv node_modules static/vendor staticfiles db.sqlite3
