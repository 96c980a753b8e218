#!/usr/bin/env bash
# Usage: bench/load_mixed.sh [users] [seconds]   (default 50 users for 60 s; `make load`)
# gunicorn as docker-compose.yml runs it (2 workers) behind Caddy over https (bench/caddy.sh),
# production settings, a fresh PostgreSQL
# database with the demo data and one sealed agreement; then locust (bench/locust_mixed.py)
# with a mix of staff, partner-user and public verification traffic. Prints the figures per
# endpoint and exits non-zero if any request failed (an error status, or a wrong answer).
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-50}
DURATION=${2:-60}
BENCH_VENV=${BENCH_VENV:-.bench-venv}
PORT=${BENCH_PORT:-8091}
HTTPS_PORT=${BENCH_HTTPS_PORT:-8491}
if [ ! -x "$BENCH_VENV/bin/locust" ]; then
  python3 -m venv "$BENCH_VENV"
  "$BENCH_VENV/bin/pip" install -q -r bench/requirements.txt
fi
RUN=$(mktemp -d)
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qatif_load_mixed DEBUG=false
export SECRET_KEY="bench-$(head -c 24 /dev/urandom | base64)"
export SITE_URL="https://localhost:$HTTPS_PORT" TRUSTED_PROXY_COUNT=1
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/9}
export AXES_FAILURE_LIMIT=100000 LOG_LEVEL=WARNING VAR_DIR="$RUN/var" MEDIA_ROOT="$RUN/media"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH="$RUN/mail" ALLOW_FILE_EMAIL=true
export SEAL_PKCS12_PATH="$RUN/seal.p12" SEAL_PKCS12_PASSWORD=bench-seal
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS qatif_load_mixed WITH (FORCE)" \
  -c "CREATE DATABASE qatif_load_mixed"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo --i-know-this-is-production >/dev/null
.venv/bin/python manage.py create_seal_certificate >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
mkdir -p bench/results
CODE=$(.venv/bin/python manage.py shell -c "exec(open('bench/prepare_verification.py').read())" \
  2>bench/results/prepare-mixed.log | tail -1)
.venv/bin/gunicorn qatif_partnerships.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --log-level warning >bench/results/gunicorn-mixed.log 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; rm -rf "$RUN"' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
. bench/caddy.sh
caddy_start "$PORT" "$HTTPS_PORT"
trap 'kill $GUNICORN $CADDY_PID 2>/dev/null; rm -rf "$RUN"' EXIT
BENCH_VERIFY_CODE="$CODE" BENCH_VERIFY_PDF=bench/results/verify-sample.pdf "$BENCH_VENV/bin/locust" \
  -f bench/locust_mixed.py --headless -u "$USERS" -r "$USERS" -t "${DURATION}s" \
  --host "$BENCH_HOST" --only-summary --csv bench/results/mixed >/dev/null 2>&1 || true
python3 - "$USERS" "$DURATION" <<'PY'
import csv, sys
users, duration = sys.argv[1:]
rows = list(csv.DictReader(open("bench/results/mixed_stats.csv")))
print(f"{users} users, {duration} s, gunicorn 2 workers behind Caddy (https)")
print(f"{'endpoint':<28} {'requests':>8} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
for r in rows:
    print(f"{r['Name']:<28} {r['Request Count']:>8} {r['Failure Count']:>6} {float(r['Requests/s']):>7.1f} "
          f"{r['50%']:>7} {r['95%']:>7} {float(r['Max Response Time']):>7.0f}")
total = next(r for r in rows if r["Name"] == "Aggregated")
if int(total["Request Count"]) == 0:
    sys.exit("no requests were made")
if int(total["Failure Count"]):
    print(open("bench/results/mixed_failures.csv").read())
    sys.exit(f"{total['Failure Count']} failed requests")
PY
