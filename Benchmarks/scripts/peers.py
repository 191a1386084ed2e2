#!/usr/bin/env python3
"""Ghurbal beside datasketch, rensa and datatrove on one generated dump, in one run.

    python3 Benchmarks/scripts/peers.py [--docs 36000] [--runs 3] [--work DIR]

Creates a virtual environment with the peers from PyPI (once), generates a dump with `ghurbal synth` (about 100 MB
at 36,000 pages), and runs every tool on it at the same settings — word 5-grams after a whitespace split, 128
permutations, threshold 0.8 — each as its own process under /usr/bin/time -v, after an untimed read of the input (so
that every tool starts with it in the page cache) and, untimed, the removal of what its previous run left (ghurbal's
output folder, datatrove's work folder). rensa runs twice: in one process, and with the reading, shingling
and signing split over two processes (this machine's two cores, as ghurbal has them). The peers hash shingles, build
MinHash signatures, index them in LSH, verify candidates on the signature and join them transitively; ghurbal runs its
whole job (read, normalize, boilerplate, sign, index, cluster, write the cleaned corpus). Prints seconds, documents/s,
MB/s, peak memory, pairs found and, against the truth, pair precision and the recall of copies with exact Jaccard ≥ 0.8.
Every tool runs --runs times, one after the other in turn; the table shows the median time and the largest peak memory
(a shared machine's timings vary by 10–20 % from run to run, and a single run can be an outlier).
"""
import argparse, json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = ["datasketch", "rensa", "rensa2", "datatrove"]
# datatrove 0.10's MinHash stages also import these; its xxhash path passes str where xxhash 3 wants bytes, so its
# SHA-1 shingle hash is used.
PIP = ["datasketch", "rensa", "datatrove", "regex", "tokenizers", "xxhash", "orjson"]

# The settings and the shingling every peer runs (also rensa_paths.py's).
SHINGLING = r'''
K, T, N = 128, 0.8, 5

def shingles(text):
    w = text.split()
    if len(w) < N:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i:i + N]) for i in range(len(w) - N + 1)}
'''

PEER_CODE = r'''
import json, os, sys
''' + SHINGLING + r'''
try:  # at module level so that datatrove's worker processes can unpickle it
    from datatrove.utils.word_tokenizers import WordTokenizer
    class Whitespace(WordTokenizer):
        def word_tokenize(self, text): return text.split()
        def sent_tokenize(self, text): return [text]
        def span_tokenize(self, text): return [(0, len(text))]
except ImportError:
    pass

def write_groups(groups, pairs_out):
    with open(pairs_out, "w") as out:
        for g in groups:
            if len(g) > 1:
                out.write(json.dumps(g) + "\n")

def rensa_signatures(pages, start, end):
    # rensa's fastest path for this work (Benchmarks/scripts/rensa_paths.py): one RMinHash per page, updated with
    # the page's shingles as a list. The pages whose line starts in [start, end) of the file.
    from rensa import RMinHash
    out = []
    with open(pages, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            f.readline()  # to the first line that starts at or after `start`
        while f.tell() < end:
            line = f.readline()
            if not line:
                break
            d = json.loads(line)
            m = RMinHash(num_perm=K, seed=1)
            m.update(list(shingles(d["text"])))
            out.append((d["id"], m))
    return out

def rensa_part(args):
    return rensa_signatures(*args)

def minhash_lsh(tool, pages, pairs_out):
    ids, sigs = [], []
    if tool == "datasketch":
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=T, num_perm=K)
        make = lambda sh: (lambda m: (m.update_batch([s.encode("utf-8") for s in sh]), m)[1])(MinHash(num_perm=K, seed=1))
        with open(pages, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                m = make(shingles(d["text"]))
                lsh.insert(len(ids), m)
                ids.append(d["id"]); sigs.append(m)
    else:
        from rensa import RMinHashLSH
        lsh = RMinHashLSH(threshold=T, num_perm=K, num_bands=16)
        if tool == "rensa":
            signed = rensa_signatures(pages, 0, os.path.getsize(pages))
        else:
            # "rensa2": the same per-page work in two processes, each signing one half of the file (the Python
            # shingling is most of rensa's time); the index, the checks and the joining in this one.
            import multiprocessing
            size = os.path.getsize(pages)
            with multiprocessing.get_context("fork").Pool(2) as pool:
                halves = pool.map(rensa_part, [(pages, 0, size // 2), (pages, size // 2, size)])
            signed = halves[0] + halves[1]
        for page_id, m in signed:
            lsh.insert(len(ids), m)
            ids.append(page_id); sigs.append(m)
    parent = list(range(len(ids)))
    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]; x = parent[x]
        return x
    for i in range(len(ids)):
        for j in lsh.query(sigs[i]):
            if j > i and find(i) != find(j) and sigs[i].jaccard(sigs[j]) >= T:
                parent[find(j)] = find(i)
    groups = {}
    for i in range(len(ids)):
        groups.setdefault(find(i), []).append(ids[i])
    write_groups(groups.values(), pairs_out)

def datatrove(pages, pairs_out):
    # datatrove's own four stages: signatures, buckets (16 tasks on 2 workers), clusters, filter with cluster ids.
    import glob, os
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupSignature, MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    work = pairs_out + ".work"
    folder, name = os.path.dirname(pages), os.path.basename(pages)
    config = MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"), num_buckets=16, hashes_per_bucket=8, n_grams=N)
    reader = lambda: JsonlReader(folder, glob_pattern=name, text_key="text", id_key="id")
    s1 = LocalPipelineExecutor(pipeline=[reader(), MinhashDedupSignature(output_folder=f"{work}/sigs", config=config, language=Whitespace())],
                               tasks=1, workers=1, logging_dir=f"{work}/logs/1")
    s2 = LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(input_folder=f"{work}/sigs", output_folder=f"{work}/buckets", config=config)],
                               tasks=config.num_buckets, workers=2, logging_dir=f"{work}/logs/2", depends=s1)
    s3 = LocalPipelineExecutor(pipeline=[MinhashDedupCluster(input_folder=f"{work}/buckets", output_folder=f"{work}/remove", config=config, save_cluster_id=True)],
                               tasks=1, workers=1, logging_dir=f"{work}/logs/3", depends=s2)
    s4 = LocalPipelineExecutor(pipeline=[reader(), MinhashDedupFilter(input_folder=f"{work}/remove", exclusion_writer=JsonlWriter(f"{work}/removed", compression=None), load_cluster_ids=True),
                                         JsonlWriter(f"{work}/kept", compression=None)],
                               tasks=1, workers=1, logging_dir=f"{work}/logs/4", depends=s3)
    s4.run()
    groups = {}
    for path in glob.glob(f"{work}/kept/*") + glob.glob(f"{work}/removed/*"):
        for line in open(path, encoding="utf-8"):
            d = json.loads(line)
            c = d.get("metadata", {}).get("minhash_cluster_id", -1)
            if c != -1:
                groups.setdefault(c, []).append(d["id"])
    write_groups(groups.values(), pairs_out)

if __name__ == "__main__":
    tool, pages, pairs_out = sys.argv[1], sys.argv[2], sys.argv[3]
    if tool == "datatrove":
        datatrove(pages, pairs_out)
    else:
        minhash_lsh(tool, pages, pairs_out)
'''

def run_timed(cmd, env=None):
    t = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    if t.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{t.stderr[-2000:]}")
    rss = next(int(l.split(":")[1]) for l in t.stderr.splitlines() if "Maximum resident" in l)
    return rss

def pairs_of(groups):
    out = set()
    for g in groups:
        g = sorted(g)
        for i in range(len(g)):
            for j in range(i + 1, len(g)):
                out.add((g[i], g[j]))
    return out

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--docs", type=int, default=36000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--work", default=os.path.join(ROOT, ".build", "peers"))
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    venv = os.path.join(a.work, "venv")
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q"] + PIP, check=True)
    # The release build every script runs (installs what is missing; see scripts/build-cli).
    ghurbal = subprocess.run([os.path.join(ROOT, "scripts", "build-cli")], check=True, stdout=subprocess.PIPE,
                             text=True).stdout.strip()
    pages = os.path.join(a.work, f"pages-{a.docs}.jsonl")
    truth_path = os.path.join(a.work, f"truth-{a.docs}.jsonl")
    if not os.path.exists(pages):
        subprocess.run([ghurbal, "synth", "--docs", str(a.docs), "-o", pages, "--truth", truth_path, "--force"], check=True)
    mb = os.path.getsize(pages) / 1e6
    truth = [json.loads(l) for l in open(truth_path, encoding="utf-8")]
    story = {t["id"]: t["story"] for t in truth}
    by_story = {}
    for t in truth:
        by_story.setdefault(t["story"], []).append(t["id"])
    true_pairs = pairs_of(by_story.values())
    copies_80 = [(min(t["id"], t["original"]), max(t["id"], t["original"])) for t in truth
                 if t["original"] and t["jaccard"] >= 0.8]
    code = os.path.join(a.work, "peer.py")
    with open(code, "w") as f:
        f.write(PEER_CODE)

    rows = []
    def score(name, seconds, rss, groups):
        found = pairs_of(groups)
        tp = len(found & true_pairs)
        precision = tp / len(found) if found else 1.0
        recall80 = sum(1 for c in copies_80 if c in found) / max(1, len(copies_80))
        rows.append((name, seconds, a.docs / seconds, mb / seconds, rss / 1024, len(found), precision, recall80))

    out = os.path.join(a.work, "ghurbal-out")
    tools = [("ghurbal (2 threads, whole job)", [ghurbal, "clean", pages, "-o", out, "--quiet"], None)]
    for peer in PEERS:
        name, label = {"datatrove": ("datatrove", "1–2 workers"), "rensa2": ("rensa", "2 processes")}.get(peer, (peer, "1 process"))
        result = os.path.join(a.work, f"{peer}-groups.jsonl")
        tools.append((f"{name} ({label}, dedup only)", [os.path.join(venv, "bin", "python"), code, peer, pages, result], result))
    times = {name: [] for name, _, _ in tools}
    peaks = {name: 0 for name, _, _ in tools}
    def warm(path):
        # Untimed, before every tool: what the tool before wrote is flushed to disk (datatrove's stages write gigabytes,
        # whose writeback would otherwise run during the next tool), and the input is read once so that it is in the
        # page cache, whatever the tool before did to the cache (this VM's reclaim evicts idle pages).
        os.sync()
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass
    for _ in range(max(1, a.runs)):
        for name, cmd, result in tools:
            # Untimed, as datatrove's work folder below and as throughput.sh does: the previous run's output folder
            # is removed, so that ghurbal's time is the job's and not also the deletion of the last run's 44 MB
            # corpus (about 10 ms here, the unlink freeing its blocks and cached pages).
            if result is None:
                subprocess.run(["rm", "-rf", out])
            warm(pages)
            start = time.time()
            rss = run_timed(cmd)
            times[name].append(time.time() - start)
            peaks[name] = max(peaks[name], rss)
            if result:
                subprocess.run(["rm", "-rf", result + ".work"])
    for name, cmd, result in tools:
        if result:
            groups = [json.loads(l) for l in open(result, encoding="utf-8")]
        else:
            groups = [[m["id"] for m in json.loads(l)["members"]] for l in open(os.path.join(out, "clusters.jsonl"), encoding="utf-8")]
        score(name, statistics.median(times[name]), peaks[name], groups)
    print("\nseconds of each run: " + "; ".join(f"{n.split(',')[0]}) " + ", ".join(f"{t:.2f}" for t in ts) for n, ts in times.items()))

    print("\n" + subprocess.run([os.path.join(ROOT, "Benchmarks", "scripts", "machine.sh")], stdout=subprocess.PIPE,
                                text=True).stdout.strip())
    print(f"{a.docs} pages, {mb:.1f} MB, {len(true_pairs)} true pairs, {len(copies_80)} copies with J >= 0.8\n")
    print("| tool | seconds | documents/s | MB/s | peak RSS MB | pairs found | pair precision | recall, copies J ≥ 0.8 |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.2f} | {r[2]:.0f} | {r[3]:.1f} | {r[4]:.0f} | {r[5]} | {r[6]:.4f} | {r[7]:.4f} |")
    fastest = min(rows[1:], key=lambda r: r[1])
    print(f"\nghurbal / fastest peer ({fastest[0].split(', dedup')[0]})): {fastest[1] / rows[0][1]:.1f}× the speed")

if __name__ == "__main__":
    main()
