#!/usr/bin/env python3
"""Feeds `ghurbal clean` damaged input and reports every run that does not end with exit 0.

Bad input must never crash a run (it is skipped and counted, see the README's "Command line"): this mutates
generated pages three ways and runs the release command line on each:
  jsonl  JSON lines with bytes inserted, deleted, flipped or cut (quotes, backslashes, \\u escapes, lone surrogates,
         NUL, invalid UTF-8, brackets), every third run with --annotate;
  gzip   the same lines gzipped (one member, or a member per line), then bytes flipped, the file cut, or a second
         member appended and cut;
  wet    WARC/WET records with odd types, missing or wrong Content-Lengths, shuffled headers, cut records.
A failing input is kept as fuzz-<kind>-<seed>-<round>.* in the work folder, with the command's standard error.

Usage: scripts/fuzz-inputs.py [--rounds N] [--seed S] [--work DIR]   (default 100 rounds of each kind)
"""
import argparse
import gzip
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECIALS = [b'\\', b'"', b'\\u', b'\\ud800', b'\\udc00', b'\\u00', b'\x00', b'\xff', b'\xc3', b'\xe2\x80', b'{', b'}',
            b'[', b']', b':', b',', b'\\n', b'\\"', b'\r', b'\t', b'\\uD83D\\uDE00', b'\\x', b'1e999', b'-', b'null']


def mutate(line, rng):
    line = bytearray(line)
    for _ in range(rng.randint(0, 6)):
        op, at = rng.random(), rng.randrange(len(line) + 1)
        if op < 0.3:
            line[at:at] = rng.choice(SPECIALS)
        elif op < 0.5:
            del line[at:at + rng.randint(1, 20)]
        elif op < 0.7 and at < len(line):
            line[at] = rng.randrange(256)
        elif op < 0.8:
            del line[at:]
        else:
            line[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(line)


def jsonl_case(lines, rng):
    return b''.join(mutate(l, rng) + b'\n' for l in rng.sample(lines, 30)), 'jsonl', ['--annotate'] if rng.random() < 0.33 else []


def gzip_case(lines, rng):
    chosen = rng.sample(lines, 60)
    if rng.random() < 0.5:
        data = bytearray(gzip.compress(b''.join(chosen), 6))
    else:
        # A member per line, as Common Crawl writes a member per record.
        data = bytearray(b''.join(gzip.compress(line, 6) for line in chosen))
    plain = b''.join(chosen)
    op = rng.random()
    if op < 0.4:
        for _ in range(rng.randint(1, 10)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif op < 0.7:
        del data[rng.randrange(len(data)):]
    else:
        second = gzip.compress(plain, 1)
        data += second[:rng.randrange(len(second) + 1)]
    return bytes(data), 'jsonl.gz', []


def wet_case(texts, rng):
    out = b''
    for text in rng.sample(texts, 20):
        length = len(text)
        if rng.random() < 0.1:
            length = rng.choice([0, length + rng.randint(1, 50), max(0, length - rng.randint(1, 50)), -3, 10 ** 20])
        headers = [b'WARC/1.0', b'WARC-Type: ' + rng.choice([b'conversion', b'conversion', b'response', b'', b'CONVERSION']),
                   b'WARC-Target-URI: http://x.example/%d' % rng.randrange(9), b'Content-Length: %d' % length]
        if rng.random() < 0.1:
            rng.shuffle(headers)
        record = b'\r\n'.join(headers) + b'\r\n\r\n' + text + b'\r\n\r\n'
        if rng.random() < 0.1:
            record = record[:rng.randrange(len(record))]
        out += record
    return out, 'warc.wet', []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=100)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--work', default=os.path.join(ROOT, '.build', 'fuzz'))
    args = ap.parse_args()
    binary = subprocess.run([os.path.join(ROOT, 'scripts', 'build-cli')], check=True, capture_output=True,
                            text=True).stdout.strip()
    os.makedirs(args.work, exist_ok=True)
    pages = os.path.join(args.work, 'pages.jsonl')
    if not os.path.exists(pages):
        subprocess.run([binary, 'synth', '--docs', '300', '-o', pages, '--truth', os.path.join(args.work, 'truth.jsonl'),
                        '--force'], check=True, capture_output=True)
    lines = [l + b'\n' for l in open(pages, 'rb').read().split(b'\n') if l]
    texts = [json.loads(l)['text'].encode() for l in lines]
    failures = 0
    for kind, make, material in (('jsonl', jsonl_case, lines), ('gzip', gzip_case, lines), ('wet', wet_case, texts)):
        rng = random.Random(f'{args.seed}-{kind}')
        for round_ in range(args.rounds):
            data, suffix, extra = make(material, rng)
            case = os.path.join(args.work, f'case.{suffix}')
            with open(case, 'wb') as f:
                f.write(data)
            run = subprocess.run([binary, 'clean', case, '--output', os.path.join(args.work, 'out'), '--force', '-q']
                                 + extra, capture_output=True)
            if run.returncode != 0:
                failures += 1
                kept = os.path.join(args.work, f'fuzz-{kind}-{args.seed}-{round_}.{suffix}')
                os.replace(case, kept)
                with open(kept + '.stderr', 'wb') as f:
                    f.write(run.stderr)
                print(f'{kind} round {round_}: exit {run.returncode}; input kept as {kept}', file=sys.stderr)
        print(f'{kind}: {args.rounds} runs, {failures} failed so far')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
