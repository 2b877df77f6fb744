#!/bin/sh
# listing import of N rows of kontor CSV (default 100,000) into a throwaway KONTOR_HOME:
# validate, sign, cache and queue every row (DESIGN §11: <= 10 s for 100,000). Prints the
# elapsed seconds, rows per second and the importer's peak RSS, then times a re-run of the
# same file (every row unchanged). Usage: sh tests/bench/import.sh [ROWS] [BUILD_DIR]
# KEEP=1 keeps the home and the CSV. XLSX=1 imports the same rows as an Excel workbook
# (tests/tools/csv2xlsx.py writes it): the sheet read as CSV first, then the same import.
N=${1:-100000}
B=${2:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KONTOR=${KONTOR:-$ROOT/$B/kontor}
[ -x "$KONTOR" ] || { echo "no $KONTOR: build it first (make $B/kontor)"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/kontor-import-bench.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$W"' EXIT
export KONTOR_HOME="$W/home" KONTOR_PASSPHRASE="bench passphrase"
"$KONTOR" init --name "Bench Supplies" --country DE --role supplier >/dev/null || exit 1

# Rows like a real catalogue: varied titles and descriptions, a third with quantity breaks,
# tags, incoterms, an https image.
awk -v n="$N" 'BEGIN {
	srand(42)
	split("iron steel oak linen cotton ceramic glass copper bamboo leather", mat, " ")
	split("table chair lamp mug towel shelf hook bowl basket strap", thing, " ")
	split("black white natural blue green red grey", col, " ")
	split("CN DE IN VN TR PL PT IT MX US", cc, " ")
	print "sku,title,description,category,tags,currency,price,tiers,moq,unit,hs_code,origin,ships_from,lead_days,incoterms,images,status"
	for (i = 1; i <= n; i++) {
		m = mat[int(rand() * 10) + 1]; t = thing[int(rand() * 10) + 1]; c = col[int(rand() * 7) + 1]
		p = int(rand() * 50000) + 100
		tiers = (i % 3 == 0) ? sprintf("100:%d.%02d|500:%d.%02d", int(p * 0.9 / 100), int(p * 0.9) % 100, int(p * 0.8 / 100), int(p * 0.8) % 100) : ""
		printf "BENCH-%06d,\"%s %s, %s, model %d\",\"A %s %s in %s.\nSold by the carton; samples on request.\",%s,%s|%s|%s,USD,%d.%02d,%s,%d,C62,,%s,%s,%d,FOB|EXW,https://img.example.com/%d.jpg,active\n", \
			i, m, t, c, i, c, t, m, t, m, t, c, p / 100, p % 100, tiers, (i % 3 == 0) ? 10 : 1, cc[int(rand() * 10) + 1], cc[int(rand() * 10) + 1], int(rand() * 60), i
	}
}' >"$W/bench.csv"
echo "generated $N rows ($(du -h "$W/bench.csv" | cut -f1))"
FILE="$W/bench.csv"
if [ -n "$XLSX" ]; then
	python3 "$ROOT/tests/tools/csv2xlsx.py" "$W/bench.xlsx" "Products=$W/bench.csv" || exit 1
	FILE="$W/bench.xlsx"
	echo "as a workbook: $(du -h "$FILE" | cut -f1)"
fi

run() { # label
	start=$(date +%s.%N)
	/usr/bin/time -v "$KONTOR" -q listing import "$FILE" >"$W/out" 2>"$W/err"
	rc=$?
	end=$(date +%s.%N)
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/err")
	grep -v -e '^	' -e '^Command' "$W/err" | head -n 3
	awk -v s="$start" -v e="$end" -v n="$N" -v r="$rss" -v l="$1" -v rc="$rc" 'BEGIN {
		t = e - s
		printf "%s: %d rows in %.2f s = %.0f rows/s, peak RSS %.1f MiB, exit %d\n", l, n, t, n / t, r / 1024, rc
	}'
}
echo "(peak RSS includes the Argon2id unlock of identity.key, 256 MiB by design, and the"
echo " 128 MiB bulk-load page cache the import switches on after its first full batch)"
run "first import"
echo "outbox: $("$KONTOR" outbox list | tail -n 1)"
run "re-import (all unchanged)"
[ -n "$KEEP" ] && echo "kept $W"
exit 0
