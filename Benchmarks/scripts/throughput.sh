#!/usr/bin/env bash
# The cost curve: generates dumps of about 100 MB and 1 GB with ghurbal synth, cleans each with 1 and 2 threads
# under /usr/bin/time -v, and prints MB/s, documents/s and peak resident memory.
# Usage: Benchmarks/scripts/throughput.sh [WORKDIR] [SIZES_IN_DOCS…]   (default sizes: 36000 360000 ≈ 100 MB, 1 GB)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$root/.build/throughput}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(36000 360000)
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
bin="$("$root/scripts/build-cli")"  # (installs what is missing; see it for the build)
mkdir -p "$work"
"$root/Benchmarks/scripts/machine.sh"
printf '%-10s %-9s %-8s %-9s %-9s %-10s %-12s\n' docs MB threads seconds MB/s docs/s peak_RSS_MB
for docs in "${sizes[@]}"; do
    pages="$work/pages-$docs.jsonl"
    [ -f "$pages" ] || "$bin" synth --docs "$docs" -o "$pages" --truth "$work/truth-$docs.jsonl" --force 2>/dev/null
    mb=$(awk -v b="$(stat -c %s "$pages")" 'BEGIN { printf "%.1f", b / 1e6 }')
    for threads in 1 2; do
        rm -rf "$work/out"
        # Untimed: the last run's output flushed, the input in the page cache.
        sync
        cat "$pages" > /dev/null
        /usr/bin/time -v "$bin" clean "$pages" -o "$work/out" --threads "$threads" --quiet 2> "$work/time.txt"
        secs=$(awk -F': ' '/Elapsed/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")
        rss=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$work/time.txt")
        awk -v d="$docs" -v mb="$mb" -v t="$threads" -v s="$secs" -v r="$rss" \
            'BEGIN { printf "%-10d %-9s %-8d %-9.2f %-9.1f %-10.0f %-12s\n", d, mb, t, s, mb / s, d / s, r }'
    done
done
