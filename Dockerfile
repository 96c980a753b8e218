# Stage 1: front-end packages from npm (Bootstrap, icons, fonts, signature_pad, htmx, Chart.js).
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Stage 2: slim Python with Pango (WeasyPrint), the Amiri Arabic font and gettext.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-hosny-amiri \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=frontend /app/node_modules ./node_modules
# Static files are collected at build time and served by WhiteNoise.
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput
RUN useradd --create-home portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "qatif_partnerships.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "60"]
