#!/usr/bin/env bash
# Fails when src/generated is not what `npm run codegen` produces from schema/.
set -euo pipefail
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cp -r src/generated "$tmp/before"
npx graphql-codegen --config codegen.yml --silent >/dev/null
if ! diff -r "$tmp/before" src/generated >/dev/null; then
  diff -ru "$tmp/before" src/generated | head -40 >&2
  echo "error: src/generated is stale; run 'npm run codegen' and commit the result" >&2
  exit 1
fi
