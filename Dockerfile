# Stage 1: front-end packages from npm (Bootstrap, icons, fonts, signature_pad, htmx, Chart.js).
# Only the folders the portal serves (settings.STATICFILES_DIRS) leave this stage, under
# /served/<package>/<folder>; package sources, manifests and the rest of node_modules stay here.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
 && for served in bootstrap/dist bootstrap-icons/font htmx.org/dist signature_pad/dist chart.js/dist \
        @fontsource/amiri @fontsource/ibm-plex-sans-arabic; do \
      mkdir -p "/served/$(dirname "$served")" && cp -r "node_modules/$served" "/served/$served"; \
    done

# Stage 2: slim Python with Pango (WeasyPrint), the Amiri Arabic font and gettext.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-hosny-amiri \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The runtime lock only (no test tools, no honcho); pip refuses any file whose hash is not in it.
COPY requirements-pip.txt requirements.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements-pip.txt \
 && pip install --no-cache-dir --require-hashes -r requirements.txt
# .dockerignore keeps tests/, bench/, node_modules/, .venv, .git and local data out of this copy.
COPY . .
# The served folders only, at the paths STATICFILES_DIRS names (so `check` finds them all).
COPY --from=frontend /served ./node_modules
# Static files are collected at build time and served by WhiteNoise.
# The production settings refuse to load without a site address and a Redis broker: give the
# build placeholders (nothing is contacted while collecting static files).
RUN SECRET_KEY=build-only-not-secret SITE_URL=https://build.invalid REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput
RUN useradd --create-home portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
# The web service's command: docker-compose.yml's web service runs this default.
CMD ["gunicorn", "qatif_partnerships.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "60"]
