#!/usr/bin/env bash
# The whole test suite: the README's test command. Installs node-smpp (the
# independent SMPP peer) on first use, then runs every Go test under -race.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d test/interop/node_modules/smpp ]; then
  (cd test/interop && npm install --no-audit --no-fund --silent)
fi
export SMSGW_TEST_PG_URL="${SMSGW_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
go vet ./...
go test -race -count=1 -timeout 25m ./...
