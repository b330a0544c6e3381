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
echo "corpora seeded under $(pwd)/corpus"
