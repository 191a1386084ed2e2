#!/usr/bin/env python3
"""Top removed lines per outlet, and a random sample of removed lines, from a `ghurbal clean --annotate` run.

    ghurbal clean ../shared/corpora/saudinewsnet/articles.jsonl -o /tmp/snn --annotate
    python3 Benchmarks/scripts/boilerplate_by_outlet.py /tmp/snn/corpus/articles.jsonl --group source

Prints, per value of the --group field (the outlet), the lines removed most often; then a seeded random sample of
removed lines with their reason, and how many removed lines look like article sentences (12 words or more).
"""
import argparse, collections, gzip, json, random

def lines_of(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("corpus")
    p.add_argument("--group", default="source")
    p.add_argument("--text-field", default="text")
    p.add_argument("--top", type=int, default=4)
    p.add_argument("--sample", type=int, default=25)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    per_group = collections.defaultdict(collections.Counter)
    docs = collections.Counter()
    removed_all = []
    for d in lines_of(a.corpus):
        g = d.get(a.group, "?")
        docs[g] += 1
        text = d[a.text_field]
        for start, end, reason in d.get("removed_spans", []):
            line = text[start:end].strip()
            per_group[g][line] += 1
            removed_all.append((g, reason, line))
    for g in sorted(docs, key=lambda g: -sum(per_group[g].values())):
        total = sum(per_group[g].values())
        print(f"== {g}: {docs[g]} documents, {total} lines removed")
        for line, n in per_group[g].most_common(a.top):
            print(f"   {n:5d}× {line[:90]}")
    rng = random.Random(a.seed)
    sample = rng.sample(removed_all, min(a.sample, len(removed_all)))
    print(f"\n== random sample of {len(sample)} of {len(removed_all)} removed lines (seed {a.seed})")
    for g, reason, line in sample:
        print(f"   [{g} {reason}] {line[:100]}")
    long = [r for r in removed_all if len(r[2].split()) >= 12]
    print(f"\nremoved lines of 12 words or more (sentence-like): {len(long)} of {len(removed_all)}")
    for g, reason, line in long[:10]:
        print(f"   [{g} {reason}] {line[:140]}")

if __name__ == "__main__":
    main()
