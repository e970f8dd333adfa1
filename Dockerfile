# Production image: gunicorn serves the web app; the same image runs the Celery worker and beat
# (see docker-compose.yml for the commands and every environment variable).
# The front-end libraries (package.json), installed from the npm registry; only their dist
# folders are copied into the image, where the app serves them (no CDN).
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and HarfBuzz's subsetter (without it, it subsets the CJK font with
# fontTools: ~10 s more per PDF); the PDFs need a CJK font (else Chinese prints as boxes); gettext is for
# compilemessages at start-up.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk gettext \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, from pyproject.toml alone, so code changes don't re-run pip. The project
# declares no packages (it runs from its directory), so this installs just the pinned deps.
COPY pyproject.toml /tmp/build/
RUN pip install /tmp/build && rm -rf /tmp/build

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app /data/media \
    && chown app:app /app /data/media
WORKDIR /app
# Owned by the app user because start-up writes into the tree: compiled .mo files next to the
# .po files and collected static files in /app/staticfiles.
COPY --chown=app:app . /app
RUN mkdir -p /app/locale && chown app:app /app/locale
COPY --from=assets --chown=app:app /assets/node_modules/tom-select/dist /app/node_modules/tom-select/dist

USER app
ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
