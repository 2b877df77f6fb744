#!/bin/sh
# Trade papers for one order (DESIGN §11: 4 PDFs + 4 UBL files <= 1 s): a node and two parties
# on loopback, one binding CIF order with every paper field, then `kontor order docs` timed
# RUNS times (default 10) for all four PDFs and again for all four UBL documents, wall clock
# per command (the process start, the cache read, the contract verified, the files written).
# Prints the median and the slowest. OUT=DIR also keeps the papers and the invoice's first
# page as PNG (pdftoppm -r 60), the picture the README shows. Run from the repository root:
#   sh tests/bench/papers.sh            (T_BUILD=$PWD/build-NAME for another build dir)
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
RUNS=${RUNS:-10}
trade_node "Papers Bench Node" >/dev/null
trade_party_np seller ks "Công ty TNHH Gốm Sứ Bát Tràng" VN supplier >/dev/null
trade_party_np buyer kb "شركة الخليج للتجارة" AE buyer >/dev/null
ks id edit --address "Số 12 Đường Gốm Sứ; Xã Bát Tràng" --city "Hà Nội" --postcode 100000 --tax-id VAT:0101234567 >/dev/null
kb id edit --address "Building 5, Port Road" --city Dubai --tax-id TRN:100123456700003 >/dev/null
ks listing add --sku TEA-6 --title "青花瓷茶具套装 blue and white tea set" --price 9.80 --currency USD --moq 50 --origin VN --hs-code 691200 >/dev/null
ks sync >/dev/null
trade_find tea set >/dev/null
trade_bind "order" --qty 500 --incoterm CIF --place "Jebel Ali" --port-loading VNHPH --port-discharge AEJEA \
	--net-kg 1.2 --gross-kg 1.45 --packages 50:CT --marks GULF/BT/1-50 --charge freight:850.00 --charge insurance:120.50 >/dev/null
ks sync >/dev/null
D=${OUT:-$T_TMP/out}
mkdir -p "$D"
ms() { date +%s%N; }
bench() { # FORMAT
	: >"$T_TMP/times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		a=$(ms)
		ks order docs "$ORDER" --format "$1" --dir "$D" --force >/dev/null || echo "order docs failed" >&2
		b=$(ms)
		echo $(((b - a) / 1000000)) >>"$T_TMP/times"
		i=$((i + 1))
	done
	sort -n "$T_TMP/times" | awk -v f="$1" '{v[NR]=$1} END {printf "%s: 4 papers, median %d ms, slowest %d ms over %d runs\n", f, v[int((NR+1)/2)], v[NR], NR}'
}
bench pdf
bench ubl
if [ -n "$OUT" ]; then
	pdftoppm -r 60 -png -f 1 -l 1 "$D/$(printf '%.8s' "$ORDER")-invoice.pdf" "$OUT/invoice"
	echo "kept the papers and $OUT/invoice-1.png in $OUT"
fi
t_done >/dev/null
