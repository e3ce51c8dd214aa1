#!/usr/bin/env bash
# Runs every test: unit and property tests, the API tests on SQLite and on
# Postgres (TEST_DATABASE_URL), then the browser tests in Debian's Chromium
# against a real release server process. Installs what is missing first.
# Fails if the Postgres or the browser tests did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
all_started=$(date +%s)
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export RUSTFLAGS="--cfg erase_components"
export RUST_BACKTRACE=0
logs="$root/target/test-logs"
mkdir -p "$logs"

phase_started=0
phase() { phase_started=$(date +%s); printf '\n==> %s\n' "$*"; }
phase_done() { printf '==> %s took %ss\n' "$1" "$(( $(date +%s) - phase_started ))"; }

phase "tools"
source scripts/ensure-tools.sh --browser
phase_done "tools"

phase "postgres"
if ! pg_isready -d "$TEST_DATABASE_URL" -t 5 >/dev/null 2>&1; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "Postgres is not answering; starting the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    sleep 2
  fi
fi
pg_isready -d "$TEST_DATABASE_URL" -t 10 || { echo "Postgres at $TEST_DATABASE_URL does not answer: the Postgres tests cannot run" >&2; exit 1; }
phase_done "postgres"

phase "unit, property and API tests (SQLite and Postgres)"
cargo test -p app -p server 2>&1 | tee "$logs/cargo-test.log"
phase_done "cargo test"
cargo_passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i == "passed;") s += $(i-1) } END { print s + 0 }' "$logs/cargo-test.log")
postgres_passed=$(grep -cE '^test [a-z_]+::postgres::.* \.\.\. ok$' "$logs/cargo-test.log" || true)
sqlite_passed=$(grep -cE '^test [a-z_]+::sqlite::.* \.\.\. ok$' "$logs/cargo-test.log" || true)
echo "API tests passed: $sqlite_passed on SQLite, $postgres_passed on Postgres"
if [ "$postgres_passed" -eq 0 ] || [ "$sqlite_passed" -eq 0 ]; then
  echo "the API tests did not run on both backends" >&2
  exit 1
fi
cluster_passed=$(grep -cE '^test (a_.*process|disabling_a_user_on_one_process|failed_sign_ins_count).* \.\.\. ok$' "$logs/cargo-test.log" || true)
echo "two-process tests over one Postgres passed: $cluster_passed"
if [ "$cluster_passed" -lt 7 ]; then
  echo "the two-process (cluster) tests did not all run" >&2
  exit 1
fi

phase "release build (server and wasm)"
echo "the bundle, one chunk per page, as sent (precompressed):"
./scripts/build-console.sh 2>&1 | grep -v '^\s*Compiling' | tail -n 40
phase_done "release build"

phase "API fuzzing (schemathesis, every check, against the release server)"
./scripts/api-fuzz.sh target/release/portcullis 2>&1 | tee "$logs/api-fuzz.log"
phase_done "API fuzzing"
fuzzed=$(grep -oE 'Tested: [0-9]+' "$logs/api-fuzz.log" | grep -oE '[0-9]+' || echo 0)
echo "operations fuzzed: $fuzzed"
if [ "${fuzzed:-0}" -lt 45 ]; then
  echo "the fuzzer reached too few operations" >&2
  exit 1
fi

phase "browser tests (Playwright, Chromium)"
(cd end2end && npx playwright test --reporter=list) 2>&1 | tee "$logs/playwright.log"
phase_done "browser tests"
browser_passed=$(grep -oE '^ *[0-9]+ passed' "$logs/playwright.log" | tail -n1 | grep -oE '[0-9]+' || echo 0)
if [ "${browser_passed:-0}" -eq 0 ]; then
  echo "no browser test ran" >&2
  exit 1
fi

phase "first load (cold, throttled: 10 Mbit/s, 40 ms, a 4x slower CPU; see BENCHMARKS.md)"
load_dir="$(mktemp -d)"
DATABASE_URL="sqlite://$load_dir/load.db" PORTCULLIS_LISTEN=127.0.0.1:3130 PORTCULLIS_SITE_ROOT=target/site \
  PORTCULLIS_ADMIN_EMAIL=load@example.com PORTCULLIS_ADMIN_PASSWORD='first load admin password' PORTCULLIS_LOG=warn \
  target/release/portcullis serve &
load_pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:3130/readyz >/dev/null && break; sleep 0.2; done
(cd end2end && node first-load.mjs http://127.0.0.1:3130 load@example.com 'first load admin password' ../target/site/pkg) | tee "$logs/first-load.log"
kill "$load_pid"; wait "$load_pid" 2>/dev/null || true
rm -rf "$load_dir"
phase_done "first load"

echo
echo "all tests took $(( $(date +%s) - all_started ))s"
echo "$(( cargo_passed + browser_passed )) passed, 0 failed"
