#!/usr/bin/env bash
# Fails when src/generated, test/generated or docs/schema.graphql is not what `npm run codegen`
# (`npm run schema:print`) produces from schema/ and the test documents.
set -euo pipefail
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/test"
cp -r src/generated "$tmp/src/"
cp -r test/generated "$tmp/test/" 2>/dev/null || mkdir -p "$tmp/test/generated"
mkdir -p "$tmp/docs"; cp docs/schema.graphql "$tmp/docs/" 2>/dev/null || true
npx graphql-codegen --config codegen.yml --silent >/dev/null
for dir in src/generated test/generated docs/schema.graphql; do
  if ! diff -r "$tmp/$dir" "$dir" >/dev/null; then
    diff -ru "$tmp/$dir" "$dir" | head -40 >&2
    echo "error: $dir is stale; run 'npm run codegen' and commit the result" >&2
    exit 1
  fi
done
