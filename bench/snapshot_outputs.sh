#!/usr/bin/env bash
# Every command's output, for byte-identical checks of a refactor: run it on two trees and `diff -r` the two OUTDIRs.
# CLASSDIR: a class from bench/make_class.py (e.g. python bench/make_class.py 1000 /tmp/class1000).
# Usage: snapshot.sh REPO OUTDIR CLASSDIR  -- every command's output on the sample class and a generated class.
# Run with the venv whose editable install points at REPO (or PYTHONPATH=REPO).
set -u
repo=$1; out=$2; class=$3
rm -rf "$out"; mkdir -p "$out"
cd "$repo"
export PYTHONPATH="$repo" GRADER_SALT=""
g() { python -m grader.cli "$@"; }
for fmt in csv canvas moodle; do
  g submissions/ --format $fmt --gradebook "$out/gb-$fmt.csv" > "$out/table-$fmt.txt" 2> "$out/err-$fmt.txt"
done
g submissions/ --wide --gradebook "$out/wide.csv" --details --json "$out/r.json" --html "$out/r.html" \
  --feedback "$out/fb" --review "$out/review.csv" > "$out/details.txt" 2> "$out/details-err.txt"
for a in mlp-numeric softmax-ce backprop-general residual-softmax; do
  for f in text json yaml markdown; do g key $a --format $f > "$out/key-$a-$f.txt" 2>&1; done
  g publish $a --out "$out/sheets" > /dev/null 2>&1
done
g key mlp-random --student s1001 --salt x --format yaml > "$out/key-random.txt" 2>&1
g check submissions/*.yaml submissions/*.json > "$out/check.txt" 2>&1
g check --score submissions/s1001_all_correct.yaml submissions/s1004_wrong_entries.yaml > "$out/check-score.txt" 2>&1
g selftest > "$out/selftest.txt" 2>&1
printf 'student_id,name\ns1,Ada\ns2,Bob\n' > /tmp/snap-roster.csv
g handout mlp-random --roster /tmp/snap-roster.csv --out "$out/handout" --salt x > /dev/null 2>&1
g handout softmax-ce --roster /tmp/snap-roster.csv --out "$out/handout2" > /dev/null 2>&1
g "$class" --jobs 2 --salt bench --gradebook "$out/class.csv" --json "$out/class.json" > "$out/class-table.txt" 2>&1
g "$class" --jobs 2 --salt bench --format canvas --gradebook "$out/class-canvas.csv" > /dev/null 2>&1
sed -i "s#$out#OUT#g; s#$repo#REPO#g" "$out"/*.txt
echo "snapshot in $out"
