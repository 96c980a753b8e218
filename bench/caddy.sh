# Sourced by the load benchmarks: Caddy (deploy/Caddyfile, as compose runs it) in front of
# gunicorn, so the figures include what users get — TLS and the proxy — and the portal runs
# with its production defaults (https redirect, secure cookies, HSTS).
#   caddy_start <gunicorn port> <https port>   sets SITE_URL, BENCH_HOST, CADDY_PID and
#   REQUESTS_CA_BUNDLE (Caddy's local authority, trusted by locust's requests-based users).
caddy_start() {
  local upstream=$1 https=$2 run
  run=$(mktemp -d)
  SITE_HOST=localhost CADDY_TLS=internal UPSTREAM="127.0.0.1:$upstream" CADDY_HTTPS_PORT="$https" \
    CADDY_HTTP_PORT=$((https + 1)) CADDY_ADMIN="localhost:$((https + 2))" XDG_DATA_HOME="$run/data" \
    XDG_CONFIG_HOME="$run/config" HOME="$run" caddy run --config deploy/Caddyfile --adapter caddyfile \
    >"$run/caddy.log" 2>&1 &
  CADDY_PID=$!
  BENCH_HOST="https://localhost:$https"
  export REQUESTS_CA_BUNDLE="$run/data/caddy/pki/authorities/local/root.crt"
  for _ in $(seq 60); do
    [ -f "$REQUESTS_CA_BUNDLE" ] && curl -sf --cacert "$REQUESTS_CA_BUNDLE" "$BENCH_HOST/healthz" >/dev/null && return 0
    sleep 0.5
  done
  echo "Caddy never served $BENCH_HOST" >&2
  cat "$run/caddy.log" >&2
  return 1
}
