#!/usr/bin/env bash
# Ghurbal's hot loop (shingle hashing + 128-permutation MinHash fold) beside a plain C loop over libxxhash doing the
# same work with the same permutation family, on the same documents; both print the same signature checksum.
# Usage: Benchmarks/scripts/hotloop.sh [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-20}"
work="$root/.build/hotloop"
mkdir -p "$work"
"$root/scripts/ensure-deps"
swift build -c release --package-path "$root" --product HotLoop >&2
cc -O3 -march=native "$root/Benchmarks/reference/minhash_reference.c" -lxxhash -o "$work/minhash_reference"
"$root/Benchmarks/scripts/machine.sh"
"$root/.build/release/HotLoop" prepare "$root/seeds" "$work/documents.txt"
"$work/minhash_reference" "$work/documents.txt" "$rounds" | tee "$work/c.txt"
"$root/.build/release/HotLoop" run "$work/documents.txt" "$rounds" | tee "$work/swift.txt"
c=$(sed -E 's/.*= ([0-9.]+) M.*/\1/' "$work/c.txt"); s=$(sed -E 's/.*= ([0-9.]+) M.*/\1/' "$work/swift.txt")
[ "$(sed -E 's/.*signatures //' "$work/c.txt")" = "$(sed -E 's/.*signatures //' "$work/swift.txt")" ] \
    && echo "same signatures" || { echo "signatures differ"; exit 1; }
awk -v c="$c" -v s="$s" 'BEGIN { printf "Ghurbal / C reference: %.2f× the speed\n", s / c }'
