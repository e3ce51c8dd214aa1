#!/usr/bin/env bash
# The forward-auth hop, measured through a real nginx (Debian's, with
# `auth_request`) in one run, with wrk over loopback:
#   1. nginx -> a trivial upstream (nginx's own `return 200`), no auth
#   2. the same through deploy/nginx/portcullis.conf: every request asks
#      /api/v1/authz/forward first (route rules, a bearer API token)
#   3. Portcullis alone: /healthz, then /api/v1/authz/forward and
#      /api/v1/authz/check with the same token, as a ratio to /healthz
# Prints requests/s, p99 and the ratios recorded in BENCHMARKS.md. Bounded:
# FORWARD_BENCH_DURATION (10s) per phase, 64 connections.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${FORWARD_BENCH_DURATION:-10s}"
connections=64
port=3220; gateway=3221; plain=3222; upstream=3223
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
trap 'kill "${server_pid:-0}" 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }
[ -x /usr/sbin/nginx ] || { echo "installing nginx-light"; apt-get install -y nginx-light >/dev/null; }
if [ ! -x target/release/portcullis ]; then
  source scripts/ensure-tools.sh
  ./scripts/build-console.sh
fi

routes='[{"method":"POST","path":"/v1/{workspace}/endpoints/{endpoint}/predict","permission":"endpoint:invoke","workspace":"{workspace}"}]'
admin_email="bench@example.com"
admin_password="forward bench admin password"
DATABASE_URL="sqlite://$work/bench.db" PORTCULLIS_LISTEN="127.0.0.1:$port" PORTCULLIS_LOG=warn \
  PORTCULLIS_ADMIN_EMAIL="$admin_email" PORTCULLIS_ADMIN_PASSWORD="$admin_password" \
  PORTCULLIS_FORWARD_ROUTES="$routes" target/release/portcullis serve > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }

admin="$work/admin"; caller="$work/caller"
login() { curl -sf -c "$1" -H 'Content-Type: application/json' -d "{\"email\":\"$2\",\"password\":\"$3\"}" "$base/api/v1/auth/login" >/dev/null; }
login "$admin" "$admin_email" "$admin_password"
api() { local jar=$1; shift; curl -sf -b "$jar" -H 'Content-Type: application/json' "$@"; }
api "$admin" -d '{"key":"ml","name":"ML"}' "$base/api/v1/workspaces" >/dev/null
api "$admin" -d '{"email":"caller@example.com","name":"Caller","password":"caller long password","grants":[{"role":"endpoint-user","workspace":"ml"}]}' \
  "$base/api/v1/users" >/dev/null
login "$caller" caller@example.com "caller long password"
secret=$(api "$caller" -d '{"name":"bench","scope":"endpoint"}' "$base/api/v1/me/tokens" | sed -E 's/.*"secret":"([^"]+)".*/\1/')

# nginx: the shipped file (addresses replaced), a plain proxy beside it, and
# the trivial upstream both send to.
sed -e "s/server 127.0.0.1:3000;/server 127.0.0.1:$port;/" -e "s/server 127.0.0.1:8000;/server 127.0.0.1:$upstream;/" \
  -e "s/listen 127.0.0.1:8080;/listen 127.0.0.1:$gateway;/" deploy/nginx/portcullis.conf > "$work/portcullis.conf"
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  include $work/portcullis.conf;
  server { listen 127.0.0.1:$plain; location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://model_server; } }
  server { listen 127.0.0.1:$upstream; location / { return 200 "ok\n"; } }
}
EOF
/usr/sbin/nginx -p "$work/" -c "$work/nginx.conf"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$gateway/" && break; sleep 0.1; done

cat > "$work/post.lua" <<'EOF'
wrk.method = os.getenv("METHOD") or "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SECRET")
EOF
predict="/v1/ml/endpoints/llama/predict"
status() { curl -s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $secret" "$2"; }
echo "through nginx with auth_request: $(status POST "http://127.0.0.1:$gateway$predict") allowed, $(status POST "http://127.0.0.1:$gateway/v1/other/endpoints/llama/predict") elsewhere"

declare -A rps p99
run() { # name, method, url
  local out
  out=$(METHOD=$2 SECRET=$secret wrk -t2 -c$connections -d"$duration" --latency -s "$work/post.lua" "$3")
  rps[$1]=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p99[$1]=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  local bad; bad=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  printf '%-34s %10s req/s   p99 %8s%s\n' "$1" "${rps[$1]}" "${p99[$1]}" "${bad:+   non-2xx: $bad}"
}
echo
run "nginx -> upstream" POST "http://127.0.0.1:$plain$predict"
run "nginx + auth_request -> upstream" POST "http://127.0.0.1:$gateway$predict"
run "portcullis /healthz" GET "$base/healthz"
run "portcullis /authz/forward" GET "$base/api/v1/authz/forward?permission=endpoint:invoke&workspace=ml"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "nginx with auth_request / without: $(ratio "${rps[nginx + auth_request -> upstream]}" "${rps[nginx -> upstream]}") of the throughput (the hop costs $(awk -v a="${rps[nginx + auth_request -> upstream]}" -v b="${rps[nginx -> upstream]}" 'BEGIN { printf "%.0f", (1 - a / b) * 100 }') %)"
echo "/authz/forward / /healthz: $(ratio "${rps[portcullis /authz/forward]}" "${rps[portcullis /healthz]}")"
