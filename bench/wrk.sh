#!/usr/bin/env bash
# Throughput of the directory's first page against a minimal paginated list of the
# same table, in the same run, served as `make serve` does: gunicorn + whitenoise,
# DEBUG off, HTTPS=0, persistent database connections (CONN_MAX_AGE=60).
#   bench/wrk.sh            (from the project root; the bench database must be populated)
# Environment: DATABASE_URL (default .../portal_bench), WEB_CONCURRENCY (default 3, as
# make serve), DURATION (default 20s), CONNECTIONS (16), THREADS (2), PORT (8765).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT=${PORT:-8765}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
export DJANGO_SETTINGS_MODULE=bench.settings
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench}
export SECRET_KEY=${SECRET_KEY:-insecure-benchmark-key}
export HTTPS=0 ALLOWED_HOSTS=127.0.0.1 CONN_MAX_AGE=${CONN_MAX_AGE:-60} LOG_LEVEL=WARNING

if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null
fi

$PY manage.py collectstatic --noinput -v0
LOG=$(mktemp)
.venv/bin/gunicorn portal.wsgi --bind "127.0.0.1:$PORT" --workers "${WEB_CONCURRENCY:-3}" \
  >"$LOG" 2>&1 &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null; rm -f "$LOG"' EXIT

for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" || { cat "$LOG"; exit 1; }

run() {  # url -> prints "requests/s errors", after a short warm-up of every worker
  local url=$1 out errors
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$url" >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s "$url")
  echo "$out" >&2
  errors=$(echo "$out" | awk '
    /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx/ { n += $NF }
    END { print n + 0 }')
  echo "$(echo "$out" | awk '/Requests\/sec/ { print $2 }') $errors"
}

read -r DIR_RPS DIR_ERR < <(run "http://127.0.0.1:$PORT/projects/")
read -r MIN_RPS MIN_ERR < <(run "http://127.0.0.1:$PORT/bench/minimal/")
echo
echo "| View | requests/s | errors |"
echo "|---|---:|---:|"
echo "| Directory, first page (/projects/) | $DIR_RPS | $DIR_ERR |"
echo "| Minimal paginated list (/bench/minimal/) | $MIN_RPS | $MIN_ERR |"
echo
awk -v d="$DIR_RPS" -v m="$MIN_RPS" 'BEGIN { printf "Ratio directory / minimal: %.2f\n", d / m }'
[ "$DIR_ERR" = 0 ] && [ "$MIN_ERR" = 0 ] && awk -v d="$DIR_RPS" -v m="$MIN_RPS" 'BEGIN { exit !(d >= m) }'
