#!/usr/bin/env bash
# Puts the generated C sources of one tree-sitter grammar (src/parser.c, src/scanner.c, src/tree_sitter/*.h
# from its npm package) into <dest>. The package tarball is checked against the pinned sha512 integrity
# (what `npm view <name>@<version> dist.integrity` prints) before anything of it is used, and kept under
# ~/.cache/claude-telemetry so that a rebuild needs no network.
# Usage: grammar-source.sh <name> <version> <sha512-integrity> <dest>
set -euo pipefail
name=$1 version=$2 integrity=$3 dest=$4
cache=${XDG_CACHE_HOME:-$HOME/.cache}/claude-telemetry/tree-sitter-grammars
tarball=$cache/$name-$version.tgz

integrity_of() {
  python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$1"
}

if [[ ! -f "$tarball" || "$(integrity_of "$tarball")" != "$integrity" ]]; then
  mkdir -p "$cache"
  download=$(mktemp -d "$cache/download.XXXXXX")
  trap 'rm -rf "$download"' EXIT
  (cd "$download" && npm pack --silent "$name@$version" >/dev/null)
  mv "$download/$name-$version.tgz" "$tarball"
fi
actual=$(integrity_of "$tarball")
if [[ "$actual" != "$integrity" ]]; then
  echo "grammar-source.sh: $name@$version has integrity $actual, expected $integrity" >&2
  rm -f "$tarball"
  exit 1
fi
rm -rf "$dest"
mkdir -p "$dest"
tar -xzf "$tarball" -C "$dest" --strip-components=2 package/src/parser.c package/src/scanner.c package/src/tree_sitter
