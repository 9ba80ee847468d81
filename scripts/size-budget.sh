#!/usr/bin/env bash
# size-budget.sh DIST BUDGET_FILE
# Prints the first-load transfer of DIST (HTML + JS + wasm + CSS, each gzip -9)
# file by file, and fails when the total exceeds first_load_gzip_bytes in BUDGET_FILE.
# Also prints, not counted, the parts in DIST/parts/ (code and stylesheets)
# that the page loads when first wanted (src/components/lazy.rs).
set -euo pipefail
dist=$1 budget_file=$2

budget=$(sed -n 's/^first_load_gzip_bytes *= *\([0-9][0-9]*\) *$/\1/p' "$budget_file")
if [ -z "$budget" ]; then
  echo "$budget_file: first_load_gzip_bytes must be set to a whole number of bytes" >&2
  exit 1
fi

shopt -s nullglob
files=("$dist"/*.html "$dist"/*.js "$dist"/*.wasm "$dist"/*.css)
if [ ${#files[@]} -eq 0 ]; then
  echo "$dist/ holds no HTML, JS, wasm or CSS: build the site first (./lab test build)" >&2
  exit 1
fi

total=0
printf '%10s  %10s  %s\n' "raw" "gzip -9" "file"
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  printf '%10d  %10d  %s\n' "$raw" "$gz" "${f#"$dist"/}"
done
printf 'First-load transfer: %d bytes gzip -9 (%d.%d KB) of a budget of %d bytes (%d KB)\n' \
  "$total" $((total / 1024)) $((total % 1024 * 10 / 1024)) "$budget" $((budget / 1024))
parts=("$dist"/parts/*.wasm "$dist"/parts/*.css)
if [ ${#parts[@]} -gt 0 ]; then
  later=0
  for f in "${parts[@]}"; do later=$((later + $(gzip -9 -c "$f" | wc -c))); done
  printf 'Loaded when first wanted, not counted: %d files in parts/, %d bytes gzip -9 in all\n' "${#parts[@]}" "$later"
fi
if [ "$total" -gt "$budget" ]; then
  echo "Over budget by $((total - budget)) bytes: make the site smaller (ARCHITECTURE.md, \"Size\", says what it is made of)." >&2
  exit 1
fi
