#!/usr/bin/env bash
# Runs schemathesis (from PyPI, in a venv under target/) with every check
# against a real Portcullis process over a throwaway SQLite file, signed in
# as the first admin (a session cookie). Bounded: a fixed seed and 50
# examples per operation, about 30 s. Fails on any finding.
#
#   scripts/api-fuzz.sh [path to the portcullis binary]   (default: release)
#   FUZZ_EXAMPLES=150 FUZZ_SEED=7 scripts/api-fuzz.sh      (a longer, other run)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
binary="${1:-target/release/portcullis}"
port="${FUZZ_PORT:-3300}"
examples="${FUZZ_EXAMPLES:-50}"
schemathesis_version="4.32.5"
venv="$root/target/schemathesis-venv"
work="$root/target/api-fuzz"

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "==> installing schemathesis $schemathesis_version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

rm -rf "$work"
mkdir -p "$work"
admin_email="fuzz-admin@example.com"
admin_password="fuzz admin password 1"
DATABASE_URL="sqlite://$work/fuzz.db" \
  PORTCULLIS_LISTEN="127.0.0.1:$port" \
  PORTCULLIS_SITE_ROOT="$root/target/site" \
  PORTCULLIS_ADMIN_EMAIL="$admin_email" \
  PORTCULLIS_ADMIN_PASSWORD="$admin_password" \
  PORTCULLIS_ADMIN_NAME="Fuzz Admin" \
  PORTCULLIS_LOG=info \
  "$binary" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null

# Signed in as the first admin (a session: API tokens carry at most the
# workspace permissions), so the fuzzer reaches every route.
session=$(curl -fsS -D - -o /dev/null -H 'content-type: application/json' \
  -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" "$base/api/v1/auth/login" |
  tr -d '\r' | awk -F'[:;] *' 'tolower($1) == "set-cookie" { print $2; exit }')
[ -n "$session" ] || { echo "signing in for the fuzzer failed" >&2; exit 1; }

# Left out: signing out and ending a session, which end the run's own
# session (the stateful phase finds its id); server/tests/api covers both.
# From the work folder: schemathesis keeps a cache where it runs.
cd "$work"
PYTHONPATH="$root/scripts" SCHEMATHESIS_HOOKS=api_fuzz_hooks "$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" run "$base/api/v1/openapi.json" \
  --url "$base" \
  --checks all \
  --max-examples "$examples" \
  --seed "${FUZZ_SEED:-14}" \
  --workers 1 \
  --request-timeout 10 \
  --generation-database none \
  --header "Cookie: $session" \
  --exclude-path /api/v1/auth/logout \
  --exclude-path '/api/v1/me/sessions/{id}' \
  --report junit --report-dir "$work" \
  --no-color
