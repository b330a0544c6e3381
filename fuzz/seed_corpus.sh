#!/bin/sh
# Seed the fuzz corpora from the fixtures (corpora are not committed: they grow large).
# Usage: fuzz/seed_corpus.sh   (from the repository root or from fuzz/)
set -eu
cd "$(dirname "$0")"
fixtures=../fixtures
for target in read_bytes read_text assess; do
    mkdir -p "corpus/$target"
    cp "$fixtures/songjiang-2023.tsv" "corpus/$target/songjiang-2023.tsv"
    for f in "$fixtures"/published/*-raw.txt; do
        cp "$f" "corpus/$target/$(basename "$f")"
    done
    # Each seed form on its own (small inputs mutate faster than the whole file).
    awk -v dir="corpus/$target" '
        /^财政项目支出绩效自评表/ { n++ }
        n > 0 { print > (dir "/seed-form-" n ".tsv") }
    ' "$fixtures/songjiang-2023.tsv"
done
mkdir -p corpus/read_json
for f in "$fixtures"/*.json "$fixtures"/published/*.json; do
    cp "$f" "corpus/read_json/$(basename "$f")"
done


# read_xlsx: the seed as a workbook, raw (mode byte 0) and as the fuzz target's structured
# input (mode byte 1: the sheet XML, a 0xFF byte, the shared strings). Needs the jixiao binary.
mkdir -p corpus/read_xlsx
book=$(mktemp --suffix=.xlsx)
(cd .. && cargo run --release -q -p jixiao-cli -- convert fixtures/songjiang-2023.tsv -o "$book")
python3 - "$book" corpus/read_xlsx <<'PY'
import sys, zipfile
book, out = sys.argv[1], sys.argv[2]
raw = open(book, "rb").read()
open(f"{out}/seed-raw.bin", "wb").write(b"\x00" + raw)
z = zipfile.ZipFile(book)
names = z.namelist()
shared = z.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
for n in names:
    if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"):
        stem = n.rsplit("/", 1)[1]
        open(f"{out}/seed-{stem}.bin", "wb").write(b"\x01" + z.read(n) + b"\xff" + shared)
PY
rm -f "$book"
echo "read_xlsx corpus seeded"
echo "corpora seeded under $(pwd)/corpus"
