#!/usr/bin/env bash
# Builds the console (release) and serves it on http://127.0.0.1:3000 over an
# SQLite file in data/. On the first start it creates the first admin and
# prints how to sign in. Settings: see README.md (PORTCULLIS_*, DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
./scripts/build-console.sh
export DATABASE_URL="${DATABASE_URL:-sqlite://data/portcullis.db}"
exec target/release/portcullis serve
