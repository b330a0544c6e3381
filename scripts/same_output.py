#!/usr/bin/env python3
"""Do two builds of `jixiao` print the same thing? (性能改动前后输出是否一致)

    scripts/same_output.py OLD_JIXIAO NEW_JIXIAO [--forms 2000] [--keep DIR]

For speed work: a change that makes `check` faster must not change a byte of what it prints.
The script writes a set of inputs into a temporary folder — the seed, the published forms, a
generated corpus, each in other encodings and text shapes (CRLF, BOM, GB18030, UTF-16, `|`
rows, one cell per line, flattened, spaces for tabs), and randomly damaged copies (bytes
deleted, inserted, replaced; lines dropped, repeated, shifted) — then runs both binaries on
every input (`check --format json` under each shipped profile, `check --format human`, `show`,
stdin, several inputs at once, `convert -o .json`) and compares stdout, stderr and exit code.
Exit 0 when everything is identical, 1 with the first differences printed otherwise.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = ["central-2020", "shanghai", "sichuan", "yunnan-20"]


def variants(name, data):
    """The text shapes and encodings people send, of one UTF-8 input."""
    text = data.decode("utf-8")
    out = {
        f"{name}.crlf.txt": text.replace("\n", "\r\n").encode(),
        f"{name}.bom.txt": b"\xef\xbb\xbf" + data,
        f"{name}.gb18030.txt": text.encode("gb18030"),
        f"{name}.utf16.txt": text.encode("utf-16"),
        f"{name}.pipe.txt": "\n".join("| " + l.replace("\t", " | ") + " |" for l in text.split("\n")).encode(),
        f"{name}.cells.txt": text.replace("\t", "\n").encode(),
        f"{name}.flat.txt": text.replace("\n", " ").encode(),
        f"{name}.spaces.txt": text.replace("\t", "  ").encode(),
    }
    return out


def damaged(name, data, rng, count):
    out = {}
    lines = data.split(b"\n")
    for i in range(count):
        kind = i % 6
        if kind < 3:
            b = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                p = rng.randrange(max(1, len(b)))
                if kind == 0 and b:
                    del b[p : p + rng.randint(1, 8)]
                elif kind == 1:
                    b[p:p] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
                elif b:
                    b[p] = rng.randrange(256)
            out[f"{name}.damaged{i}.txt"] = bytes(b)
        else:
            ls = list(lines)
            for _ in range(rng.randint(1, 6)):
                if not ls:
                    break
                p = rng.randrange(len(ls))
                if kind == 3:
                    del ls[p]
                elif kind == 4:
                    ls.insert(p, ls[p])
                else:
                    ls[p] = b"\t" + ls[p]
            out[f"{name}.damaged{i}.txt"] = b"\n".join(ls)
    return out


def run(binary, args, cwd, stdin=None):
    p = subprocess.run([binary] + args, cwd=cwd, input=stdin, capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--forms", type=int, default=2000)
    ap.add_argument("--keep", help="write the inputs here and keep them")
    a = ap.parse_args()
    old, new = os.path.abspath(a.old), os.path.abspath(a.new)
    work = a.keep or tempfile.mkdtemp(prefix="same-output-")
    os.makedirs(work, exist_ok=True)
    inputs = {}
    bases = {"seed": open(os.path.join(ROOT, "fixtures/songjiang-2023.tsv"), "rb").read()}
    pub = os.path.join(ROOT, "fixtures/published")
    for f in sorted(os.listdir(pub)):
        if f.endswith("-raw.txt"):
            bases["pub" + f[:2]] = open(os.path.join(pub, f), "rb").read()
    corpus = os.path.join(work, "corpus.tsv")
    subprocess.run([old, "gen-corpus", "--forms", str(a.forms), "-o", corpus], check=True, capture_output=True)
    big = open(corpus, "rb").read()
    # The first 200 forms (cut at a title line) stand for the corpus in the variants.
    cut = 0
    for _ in range(200):
        nxt = big.find("自评表".encode(), cut + 10)
        if nxt < 0:
            break
        cut = nxt
    small = big[: big.rfind(b"\n", 0, cut) + 1] if cut else big
    bases["corpus200"] = small
    rng = random.Random(2023)
    for name, data in bases.items():
        inputs[f"{name}.txt"] = data
        inputs.update(variants(name, data))
        inputs.update(damaged(name, data, rng, 12))
    for name, data in inputs.items():
        with open(os.path.join(work, name), "wb") as f:
            f.write(data)
    cases = []
    for name in sorted(inputs):
        cases.append(["check", "--format", "json", name])
        cases.append(["check", "--format", "human", name])
    for name in sorted(bases):
        for p in PROFILES:
            cases.append(["check", "--format", "json", "--profile", p, f"{name}.txt"])
        cases.append(["show", f"{name}.txt"])
    cases.append(["check", "--format", "json", "corpus.tsv"])
    cases.append(["check", "--format", "human", "corpus.tsv"])
    cases.append(["check", "--format", "json"] + sorted(f"{n}.txt" for n in bases))
    failures = 0
    for args in cases:
        if run(old, args, work) != run(new, args, work):
            failures += 1
            if failures <= 5:
                print("differs:", " ".join(args), file=sys.stderr)
    for name in sorted(bases):
        data = inputs[f"{name}.txt"]
        if run(old, ["check", "--format", "json", "-"], work, data) != run(new, ["check", "--format", "json", "-"], work, data):
            failures += 1
            print("differs: stdin", name, file=sys.stderr)
        outs = []
        for b, tag in ((old, "old"), (new, "new")):
            target = os.path.join(work, f"{name}.{tag}.json")
            r = run(b, ["convert", f"{name}.txt", "-o", target], work)
            outs.append((r[0], open(target, "rb").read() if os.path.exists(target) else None))
        if outs[0] != outs[1]:
            failures += 1
            print("differs: convert", name, file=sys.stderr)
    total = len(cases) + 2 * len(bases)
    print(f"{len(inputs) + 1} inputs, {total} runs of each build: {failures} differ")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
