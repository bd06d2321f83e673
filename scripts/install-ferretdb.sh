#!/usr/bin/env bash
# Installs FerretDB 1.24.x (SQLite backend, pure Go) into $(go env GOPATH)/bin/ferretdb.
#
# Why not a plain `go install …/cmd/ferretdb@v1.24.x`: the module zip served by the Go proxy lacks
# build/version/version.txt, and a binary built from it panics at start-up ("Invalid
# build/version/version.txt"); the proxy may also refuse the module's version list, which
# `go install pkg@version` reads. So we download the exact module version, stamp the version file
# in a scratch copy and build that copy.
set -euo pipefail

versions=("${FERRETDB_VERSION:-v1.24.2}" v1.24.1 v1.24.0)
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
target="$gobin/ferretdb"

if [ -x "$target" ] && "$target" --version >/dev/null 2>&1; then
  echo "ferretdb already installed: $target ($("$target" --version 2>&1 | grep -m1 -i version || true))"
  exit 0
fi

command -v go >/dev/null || { echo "error: Go is required to build FerretDB (https://go.dev/dl/)" >&2; exit 1; }

scratch="$(mktemp -d)"
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT

for v in "${versions[@]}"; do
  echo "[db:install] downloading github.com/FerretDB/FerretDB@$v through the Go module proxy…"
  if ! dir="$(go mod download -json "github.com/FerretDB/FerretDB@$v" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || [ -z "$dir" ]; then
    echo "[db:install] $v not available, trying the next version"
    continue
  fi
  echo "[db:install] building FerretDB $v (pure Go, about one minute on 2 cores)…"
  cp -r "$dir" "$scratch/src"
  chmod -R u+w "$scratch/src"
  echo "$v" > "$scratch/src/build/version/version.txt"
  mkdir -p "$gobin"
  (cd "$scratch/src" && CGO_ENABLED=0 go build -trimpath -o "$target" ./cmd/ferretdb)
  echo "[db:install] installed $target"
  "$target" --version 2>&1 | head -3
  exit 0
done

echo "error: could not download FerretDB ${versions[*]} from the Go module proxy" >&2
exit 1
