#!/usr/bin/env bash
# Generates a scraped dump with ghurbal synth, cleans it at thresholds 0.7, 0.8 (default) and 0.9 with --annotate, and
# prints ghurbal evaluate's table for each. Usage: Benchmarks/scripts/quality.sh [DOCS] [WORKDIR] [SOURCE…]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
docs="${1:-100000}"
work="${2:-$root/.build/quality}"
shift $(( $# > 2 ? 2 : $# )) || true
sources=("$@")
[ ${#sources[@]} -eq 0 ] && sources=("$root/seeds")
bin="$("$root/scripts/build-cli")"  # (installs what is missing; see it for the build)
mkdir -p "$work"
source_args=()
for s in "${sources[@]}"; do source_args+=(--source "$s"); done
"$bin" synth --docs "$docs" -o "$work/pages.jsonl.gz" --truth "$work/truth.jsonl" "${source_args[@]}" --force
for t in 0.7 0.8 0.9; do
    echo "== threshold $t ($docs documents; sources: ${sources[*]})"
    "$bin" clean "$work/pages.jsonl.gz" -o "$work/out-$t" --annotate --threshold "$t" --force --quiet
    "$bin" evaluate --truth "$work/truth.jsonl" "$work/out-$t"
    "$bin" evaluate --truth "$work/truth.jsonl" "$work/out-$t" --json > "$work/evaluation-$t.json"
done
