#!/usr/bin/env python3
"""Which of rensa's documented paths is fastest for peers.py's work, so that peers.py measures rensa at its best.

    python3 Benchmarks/scripts/rensa_paths.py [--runs 2] [PAGES]

Run peers.py once first: it makes the virtual environment (.build/peers/venv) and the dump (PAGES, by default
.build/peers/pages-36000.jsonl) this script uses. Every path does peers.py's work — word 5-grams after a whitespace
split, 128 permutations, seed 1, 16 bands, candidates checked on the signature at 0.8 — and the paths run in turn,
--runs times each, each in a process of its own under the virtual environment's Python:

- per page: one `RMinHash` per page, `update` with the page's shingles, `insert` and `query` (peers.py's "rensa");
- batch: 1,000 pages' shingle lists at a time to `RMinHash.from_token_sets`, `insert_many`, then one `query_all`;
- C-MinHash: one `CMinHash` per page, signing only (rensa's LSH index takes `RMinHash`; a lower bound for this path).

Prints seconds and the pairs each path found (the signing paths find the same pairs).
"""
import os, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import SHINGLING  # peers.py's settings and shingling

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CODE = r'''
import json, sys
from rensa import CMinHash, RMinHash, RMinHashLSH
''' + SHINGLING + r'''
pages, path = sys.argv[1], sys.argv[2]

lsh = RMinHashLSH(threshold=T, num_perm=K, num_bands=16)
sigs, batch = [], []
with open(pages, encoding="utf-8") as f:
    for line in f:
        sh = list(shingles(json.loads(line)["text"]))
        if path == "per page":
            m = RMinHash(num_perm=K, seed=1)
            m.update(sh)
            lsh.insert(len(sigs), m)
            sigs.append(m)
        elif path == "batch":
            batch.append(sh)
            if len(batch) == 1000:
                made = RMinHash.from_token_sets(batch, num_perm=K, seed=1)
                lsh.insert_many(made, len(sigs))
                sigs.extend(made)
                batch = []
        else:
            m = CMinHash(num_perm=K, seed=1)
            m.update(sh)
            sigs.append(m)
if batch:
    made = RMinHash.from_token_sets(batch, num_perm=K, seed=1)
    lsh.insert_many(made, len(sigs))
    sigs.extend(made)
pairs = 0
if path != "C-MinHash":
    candidates = lsh.query_all(sigs) if path == "batch" else [lsh.query(m) for m in sigs]
    for i, found in enumerate(candidates):
        pairs += sum(1 for j in found if j > i and sigs[i].jaccard(sigs[j]) >= T)
print(pairs)
'''

def main():
    args = sys.argv[1:]
    runs = 2
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    pages = args[0] if args else os.path.join(ROOT, ".build", "peers", "pages-36000.jsonl")
    python = os.path.join(ROOT, ".build", "peers", "venv", "bin", "python")
    if not (os.path.exists(python) and os.path.exists(pages)):
        sys.exit(f"needs {python} and {pages}: run Benchmarks/scripts/peers.py once first")
    code = os.path.join(ROOT, ".build", "peers", "rensa_paths_peer.py")
    with open(code, "w") as f:
        f.write(CODE)
    paths = ["per page", "batch", "C-MinHash"]
    times = {p: [] for p in paths}
    pairs = {}
    for _ in range(runs):
        for p in paths:
            t = subprocess.run(["/usr/bin/time", "-f", "%e", python, code, pages, p], capture_output=True, text=True)
            if t.returncode != 0:
                sys.exit(f"{p} failed:\n{t.stderr[-2000:]}")
            times[p].append(float(t.stderr.strip().splitlines()[-1]))
            pairs[p] = t.stdout.strip()
    machine = os.path.join(os.path.dirname(os.path.abspath(__file__)), "machine.sh")
    print(subprocess.run([machine], stdout=subprocess.PIPE, text=True).stdout.strip())
    print(f"{os.path.basename(pages)}, rensa paths, {runs} runs each in turn\n")
    print("| path | seconds (median) | runs | pairs at J ≥ 0.8 |")
    print("|---|---|---|---|")
    for p in paths:
        shown = "not indexed" if p == "C-MinHash" else pairs[p]
        print(f"| {p} | {statistics.median(times[p]):.2f} | {', '.join(f'{t:.2f}' for t in times[p])} | {shown} |")

if __name__ == "__main__":
    main()
