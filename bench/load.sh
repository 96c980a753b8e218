#!/usr/bin/env bash
# Usage: bench/load.sh [users] [seconds-per-page]   (default 16 users, 60 s per page)
# Starts gunicorn (2 workers, production settings) behind Caddy over https (bench/caddy.sh),
# on a fresh PostgreSQL database with the
# demo data, then saturates one page at a time with locust (bench/locustfile.py) and prints
# requests per second, p95 and failures per page, and each page's share of /healthz.
# There is no page cache: every request makes its page afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-16}
SECONDS_=${2:-60}
BENCH_VENV=${BENCH_VENV:-.bench-venv}
if [ ! -x "$BENCH_VENV/bin/locust" ]; then
  python3 -m venv "$BENCH_VENV"
  "$BENCH_VENV/bin/pip" install -q -r bench/requirements.txt
fi
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_load DEBUG=false
export SECRET_KEY="bench-$(head -c 24 /dev/urandom | base64)"
export REDIS_URL=redis://127.0.0.1:6379/0 TRUSTED_PROXY_COUNT=1
export AXES_FAILURE_LIMIT=100000 LOG_LEVEL=WARNING SITE_URL=https://localhost:8490 ALLOW_FILE_EMAIL=true
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH="$(mktemp -d)"
mkdir -p bench/results
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS qatif_load" -c "CREATE DATABASE qatif_load"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo --i-know-this-is-production >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn qatif_partnerships.wsgi:application --bind 127.0.0.1:8090 --workers 2 --timeout 60 \
  --log-level warning >bench/results/gunicorn.log 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN' EXIT
sleep 3
. bench/caddy.sh
caddy_start 8090 8490
trap 'kill $GUNICORN $CADDY_PID' EXIT
# A fully signed agreement with its sealed PDF, so the verification page has something to show.
export SEAL_PKCS12_PATH="$(mktemp -d)/seal.p12" SEAL_PKCS12_PASSWORD=bench-seal
.venv/bin/python manage.py create_seal_certificate >/dev/null
CODE=$(.venv/bin/python manage.py shell -c "exec(open('bench/prepare_verification.py').read())" \
  2>bench/results/prepare-pages.log | tail -1)
PAGES=(
  "trivial|/healthz|"
  "trivial logged in|/healthz|staff"
  "dashboard|/|staff"
  "agreement list|/agreements/|staff"
  "search|/agreements/?q=%D8%A7%D9%84%D8%A7%D8%B3%D8%B1|staff"
  "agreement detail|/agreements/QC-2026-0002/|staff"
  "partner list|/partners/|staff"
  "portal home|/portal/|tech-college"
  "portal commitments|/portal/commitments/|tech-college"
  "verification page|/verify/${CODE}/|"
)
printf "%-20s %8s %8s %6s %10s\n" page "req/s" "p95 ms" fails "of trivial"
for entry in "${PAGES[@]}"; do
  IFS='|' read -r label path login <<< "$entry"
  csv="bench/results/load-${label// /_}"
  BENCH_PATH="$path" BENCH_LOGIN="$login" "$BENCH_VENV/bin/locust" -f bench/locustfile.py --headless \
    -u "$USERS" -r "$USERS" -t "${SECONDS_}s" --host "$BENCH_HOST" --only-summary --csv "$csv" \
    >/dev/null 2>&1
  python3 - "$label" "${csv}_stats.csv" "$path" <<'PY'
import csv, sys
label, path, url = sys.argv[1:]
row = next(r for r in csv.DictReader(open(path)) if r["Name"] == url)
rps = float(row["Requests/s"])
if label == "trivial":
    open("bench/results/trivial_rps", "w").write(str(rps))
base = float(open("bench/results/trivial_rps").read())
print(f"{label:<20} {rps:>8.1f} {row['95%']:>8} {row['Failure Count']:>6} {rps / base * 100:>9.0f}%")
PY
done
