#!/usr/bin/env bash
# `ghurbal clean` on the same generated pages in each input format it reads: JSONL; JSONL with every non-ASCII
# character escaped (as Python's json.dumps writes by default); gzip-compressed JSONL (gzip out); a Common Crawl WET
# file; a folder of .txt files (the first 3,600 pages, 10 MB); and JSONL with --annotate. Prints, per format and
# binary, the wall and CPU seconds of the fastest of RUNS runs (/usr/bin/time; 2 threads, a fresh output folder each
# run, the input read once before). The variants are made from the 36,000-page dump of throughput.sh (generated if
# missing) into .build/formats.
# Each run writes a folder of its own; the text folders' are deleted only at the end: ext4 skips inodes deleted in the
# last minute or so when it makes new ones (`recently_deleted`), and creating 3,600 files just after deleting 3,600 took
# seconds of system time whatever the program. (So leave a few minutes between two runs of this script.)
# Usage: Benchmarks/scripts/formats.sh [RUNS] [GHURBAL_BINARY...]   (default: this checkout's release build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-3}"
shift || true
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
built="$("$root/scripts/build-cli")"  # (installs what is missing; see it for the build)
bins=("$@")
[ ${#bins[@]} -eq 0 ] && bins=("$built")
work="$root/.build/formats"
mkdir -p "$work" "$root/.build/throughput"
pages="$root/.build/throughput/pages-36000.jsonl"
[ -f "$pages" ] || "$built" synth --docs 36000 -o "$pages" \
    --truth "$root/.build/throughput/truth-36000.jsonl" --force 2>/dev/null

[ -f "$work/pages.jsonl.gz" ] || gzip -6 -c "$pages" > "$work/pages.jsonl.gz"
[ -f "$work/escaped.jsonl" ] && [ -f "$work/pages.warc.wet" ] && [ -d "$work/txt" ] || python3 - "$pages" "$work" <<'EOF'
import json, os, sys
pages, work = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(work, "txt"), exist_ok=True)
with open(pages, encoding="utf-8") as src, open(os.path.join(work, "escaped.jsonl"), "w") as esc, \
        open(os.path.join(work, "pages.warc.wet"), "wb") as wet:
    wet.write(b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n")
    for i, line in enumerate(src):
        doc = json.loads(line)
        esc.write(json.dumps(doc) + "\n")
        body = doc["text"].encode("utf-8")
        head = ("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: %s\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
                "WARC-Record-ID: <urn:uuid:%08d>\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
                % (doc.get("url", "https://example.org/%d" % i), i, len(body)))
        wet.write(head.encode("ascii") + body + b"\r\n\r\n")
        if i < 3600:
            with open(os.path.join(work, "txt", "%05d.txt" % i), "w", encoding="utf-8") as t:
                t.write(doc["text"])
EOF

"$root/Benchmarks/scripts/machine.sh"
printf '%-18s %-10s %-28s %-9s %-9s\n' format MB binary wall_s cpu_s
run() {  # name, input, extra arguments...
    local name="$1" input="$2"
    shift 2
    local mb
    mb=$(du -sb "$input" | awk '{ printf "%.1f", $1 / 1e6 }')
    for bin in "${bins[@]}"; do
        local best="" bestcpu=""
        for r in $(seq "$runs"); do
            local out="$work/out-$name-$(basename "$bin")-$r"
            rm -rf "$out"
            sync
            cat "$input" > /dev/null 2>&1 || find "$input" -type f -exec cat {} + > /dev/null
            /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$bin" clean "$input" -o "$out" --quiet "$@"
            read -r wall user sys < "$work/time.txt"
            [ "$name" = txt-folder ] || rm -rf "$out"  # (a few files: their inodes are no trouble)
            if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
                best="$wall"
                bestcpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
            fi
        done
        printf '%-18s %-10s %-28s %-9s %-9s\n' "$name" "$mb" "$(basename "$bin")" "$best" "$bestcpu"
    done
}
rm -rf "$work"/out-*
run txt-folder "$work/txt"
run jsonl "$pages"
run jsonl-escaped "$work/escaped.jsonl"
run jsonl.gz "$work/pages.jsonl.gz"
run wet "$work/pages.warc.wet"
run jsonl-annotate "$pages" --annotate
rm -rf "$work"/out-*
