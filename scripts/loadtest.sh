#!/usr/bin/env bash
# Load test of the authorization API over loopback with wrk: a release server
# on a throwaway SQLite file, seeded through the REST API, then
#   1. POST /api/v1/authz/check          (one question per request)
#   2. POST /api/v1/authz/check-batch    (100 questions per request)
#   3. /authz/check again while a burst of sign-ins hashes passwords
# Prints the figures recorded in BENCHMARKS.md. Bounded: 10 s per phase.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
port="${LOADTEST_PORT:-3210}"
base="http://127.0.0.1:$port"
duration="${LOADTEST_DURATION:-10s}"
work="$(mktemp -d)"
trap 'kill "${server_pid:-0}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }
if [ ! -x target/release/portcullis ]; then
  source scripts/ensure-tools.sh
  ./scripts/build-console.sh
fi

if curl -sf "$base/healthz" >/dev/null 2>&1; then
  echo "something already listens on port $port: stop it or set LOADTEST_PORT" >&2
  exit 1
fi

admin_email="load@example.com"
admin_password="load test admin password"
DATABASE_URL="sqlite://$work/load.db" PORTCULLIS_LISTEN="127.0.0.1:$port" PORTCULLIS_LOG=warn \
  PORTCULLIS_ADMIN_EMAIL="$admin_email" PORTCULLIS_ADMIN_PASSWORD="$admin_password" \
  target/release/portcullis serve > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }

jar="$work/cookies"
curl -sf -c "$jar" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" "$base/api/v1/auth/login" >/dev/null
cookie="portcullis_session=$(awk '$6 == "portcullis_session" { print $7 }' "$jar")"
api() { curl -sf -b "$jar" -H 'Content-Type: application/json' "$@"; }

echo "seeding: 20 workspaces, 500 users, 1,500 policies"
for w in $(seq 1 20); do api -d "{\"key\":\"ws-$w\",\"name\":\"Workspace $w\"}" "$base/api/v1/workspaces" >/dev/null; done
: > "$work/users"
for u in $(seq 1 500); do
  created=$(api -d "{\"email\":\"user$u@example.com\",\"name\":\"User $u\"}" "$base/api/v1/users")
  printf '%s\n' "$created" | sed -E 's/.*"id":"([^"]+)".*/\1/' >> "$work/users"
done
n=0
while read -r id; do
  n=$((n + 1))
  for k in 0 1 2; do
    ws=$(( (n + k * 7) % 20 + 1 ))
    role=$([ "$k" = 0 ] && echo developer || echo endpoint-user)
    api -d "{\"subject\":{\"user_id\":\"$id\"},\"role\":\"$role\",\"workspace\":\"ws-$ws\"}" "$base/api/v1/policies" >/dev/null
  done
done < "$work/users"

# Questions: every user, a mix of permissions and workspaces (about a third allowed).
permissions=(endpoint:invoke endpoint:create model:push workspace:delete user:manage)
: > "$work/checks"
n=0
while read -r id; do
  n=$((n + 1))
  p=${permissions[$((n % 5))]}
  echo "{\"user_id\":\"$id\",\"permission\":\"$p\",\"workspace\":\"ws-$(( n % 20 + 1 ))\"}" >> "$work/checks"
done < "$work/users"
: > "$work/batches"
for b in $(seq 0 9); do
  printf '{"checks":[%s]}\n' "$(sed -n "$((b * 50 + 1)),$((b * 50 + 100))p" "$work/checks" | paste -sd, -)" >> "$work/batches"
done

run() { # label, script, extra env...
  local label=$1; shift
  echo
  echo "== $label"
  env COOKIE="$cookie" "$@" wrk -t2 -c32 -d"$duration" --latency -s scripts/loadtest/check.lua "$base" \
    | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx' || true
}

echo "sample answer: $(api -d "$(head -n 1 "$work/checks")" "$base/api/v1/authz/check")"
run "authz/check, 1 question per request" BODIES_FILE="$work/checks"
run "authz/check-batch, 100 questions per request" BODIES_FILE="$work/batches" CHECK_PATH=/api/v1/authz/check-batch

echo
echo "== authz/check during a burst of sign-ins (Argon2id, 2 at a time)"
LOGIN_EMAIL="$admin_email" LOGIN_PASSWORD="$admin_password" \
  wrk -t1 -c16 -d"$duration" --latency -s scripts/loadtest/login.lua "$base" > "$work/logins" &
burst=$!
sleep 1
env COOKIE="$cookie" BODIES_FILE="$work/checks" wrk -t2 -c32 -d"$duration" --latency -s scripts/loadtest/check.lua "$base" \
  | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx' || true
wait "$burst"
echo "-- the sign-in burst itself:"
grep -E 'Requests/sec|Latency|99%' "$work/logins" || true
