#!/bin/sh
# demo.sh — `make demo`: a throwaway marketplace on this machine, then a seller's TUI.
# Makes a temporary home (mktemp -d), a local CA and a node certificate for 127.0.0.1, a
# kontord seeded with 20,000 listings from a few dozen suppliers on a free loopback port,
# three supplier identities that list products and write to a buyer, a one-person firm in
# Hai Phong who syncs only what concerns her (scope mine) and lists her shop from a Shopify
# export, and the buyer with RFQs, sealed conversations (some unread) and a trade in every
# state: an offer the supplier countered (waiting for the buyer's signature), orders awaiting
# payment, funded, shipped (a Maersk container in transit with DCSA events and an ETA),
# completed and rated, and disputed. For her: his offer waiting for her signature, his 30%
# deposit on another order, a paid order to ship, his RFQ in her category and his message.
# Then it opens `kontor tui` as her (DEMO_AS=buyer: as the buyer). Without the TUI (--no-tui,
# or no terminal) it prints the summary and keeps the node running until Ctrl-C, so the
# commands it suggests work from another terminal. On any way out (Q, Ctrl-C, a signal, an
# error) it stops every process it started, by its PID, and says where its files were.
# Needs no network: openssl, kontor and kontord only.
#
#   scripts/demo.sh [--no-tui]     DEMO_NO_TUI=1 is the same as --no-tui
#   B=build-dm scripts/demo.sh     binaries from another build dir (default: build)
#   DEMO_AS=buyer                  open the buyer's TUI instead of the seller's
#   DEMO_KEEP=1                    keep the demo home after exit (the node is stopped)
#   DEMO_LISTINGS=N                seed N listings instead of 20000
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BDIR=${B:-build}
case $BDIR in /*) ;; *) BDIR="$ROOT/$BDIR" ;; esac
KONTOR=${KONTOR:-$BDIR/kontor}
KONTORD=${KONTORD:-$BDIR/kontord}
NO_TUI=${DEMO_NO_TUI:-}
AS=${DEMO_AS:-seller}
case $AS in
seller | buyer) ;;
*)
	echo "demo: DEMO_AS is seller or buyer, not '$AS'" >&2
	exit 2
	;;
esac
[ "$NO_TUI" = 0 ] && NO_TUI=""
LISTINGS=${DEMO_LISTINGS:-20000}
for a in "$@"; do
	case $a in
	--no-tui) NO_TUI=1 ;;
	-h | --help)
		sed -n '2,23s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "demo: unknown argument '$a' (try --no-tui)" >&2
		exit 2
		;;
	esac
done
for x in "$KONTOR" "$KONTORD"; do
	[ -x "$x" ] || { echo "demo: $x is not built (make deps && make $x)" >&2; exit 1; }
done
command -v openssl >/dev/null 2>&1 || { echo "demo: openssl is needed for the local CA (make deps)" >&2; exit 1; }

D=$(mktemp -d "${TMPDIR:-/tmp}/kontor-demo.XXXXXX") || exit 1
NODE_PID=""
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
		kill -TERM "$NODE_PID" 2>/dev/null
		i=0
		while kill -0 "$NODE_PID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 "$NODE_PID" 2>/dev/null && kill -KILL "$NODE_PID" 2>/dev/null
		wait "$NODE_PID" 2>/dev/null
		echo "demo: node stopped (pid $NODE_PID)"
	fi
	if [ -n "${DEMO_KEEP:-}" ] && [ "${DEMO_KEEP:-}" != 0 ]; then
		echo "demo: kept $D (her home is $D/seller, the buyer's $D/buyer; remove it when done)"
	else
		rm -rf "$D"
		echo "demo: removed $D and everything done in it (DEMO_KEEP=1 make demo keeps it next time)"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say() { printf 'demo: %s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	[ -f "$D/log" ] && tail -n 20 "$D/log" >&2
	exit 1
}
# Everything a step prints goes to $D/log; a failing step shows its end.
run() { "$@" >>"$D/log" 2>&1 || die "failed: $*"; }
# A write that exits 4 (queued offline) would leave the demo half made: 0 only.

unset KONTOR_PASSPHRASE KONTOR_HOME KONTOR_CONFIG
export LC_ALL="${LC_ALL:-C.UTF-8}"
: >"$D/log"

# --- a local CA and a certificate for 127.0.0.1 (as tests/lib.sh t_make_ca) ---------------
mkdir -p "$D/tls"
say "making a local CA in $D/tls"
(
	cd "$D/tls" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 \
			-subj "/CN=kontor demo CA" -keyout ca.key -out ca.pem &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=127.0.0.1" -keyout node.key -out node.csr &&
		printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >node.ext &&
		openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 \
			-extfile node.ext -out node.pem
) >>"$D/log" 2>&1 || die "openssl could not make the CA"

# --- the node ------------------------------------------------------------------------------
DB="$D/node.db"
run "$KONTORD" init --db "$DB" --name "kontor demo node"
say "seeding the node with $LISTINGS listings (a few seconds)"
run "$KONTORD" seed --db "$DB" --listings "$LISTINGS" --accounts 50 --seed 7 -q
"$KONTORD" serve --db "$DB" --listen 127.0.0.1:0 --tls-cert "$D/tls/node.pem" \
	--tls-key "$D/tls/node.key" 2>"$D/node.log" &
NODE_PID=$!
PORT=""
i=0
while [ $i -lt 100 ] && [ -z "$PORT" ]; do
	PORT=$(sed -n 's|^kontord: listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$D/node.log")
	[ -n "$PORT" ] && break
	kill -0 "$NODE_PID" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
[ -n "$PORT" ] || { cat "$D/node.log" >&2; die "kontord did not come up"; }
URL="https://127.0.0.1:$PORT"
say "node up: kontord pid $NODE_PID on $URL"

# --- three suppliers who write to the buyer -----------------------------------------------
BUYER="$D/buyer"
kb() { "$KONTOR" --home "$BUYER" "$@"; }
ks() { _h=$1; shift; "$KONTOR" --home "$D/suppliers/$_h" "$@"; }
id_of() { "$KONTOR" --home "$1" id show --json | sed -n 's/^{"id":"\([^"]*\)".*/\1/p'; }

run kb init --name "Berlin Interiors GmbH" --country DE --role buyer --no-passphrase
run kb node add demo "$URL" --ca-file "$D/tls/ca.pem"
run kb id edit --address "Torstraße 140" --city Berlin --postcode 10119 \
	--tax-id VAT:DE812345678,EORI:DE123456789012345
BID=$(id_of "$BUYER")
[ -n "$BID" ] || die "no buyer account id"

mkdir -p "$D/suppliers"
# kbatch HOME OUT: the lines on stdin as one `kontor batch` (the identity opened once, what
# the lines queue pushed once at the end), its --json output in OUT and the log.
kbatch() {
	"$KONTOR" --home "$1" --json batch - --stop-on-error >"$2" 2>>"$D/log"
	_rc=$?
	cat "$2" >>"$D/log"
	[ "$_rc" -eq 0 ] || die "failed: a batch as $1 (exit $_rc)"
}
supplier() { # HANDLE NAME COUNTRY
	run ks "$1" init --name "$2" --country "$3" --role supplier --no-passphrase
	run ks "$1" node add demo "$URL" --ca-file "$D/tls/ca.pem"
}
say "three suppliers list products and write to the buyer"
supplier shenzhen "Shenzhen Iron Works" CN
kbatch "$D/suppliers/shenzhen" "$D/listings-shenzhen.json" <<'EOF2'
listing add --sku TL-71 --title "Iron table legs, black, 71 cm" --price 12.50 --currency USD --moq 100 --tier 500:11.00 --tier 2000:9.80 --origin CN --incoterm FOB --lead-days 20 --description "Powder-coated steel legs for desks and dining tables. Four per set."
listing add --sku HK-1 --title "Steel wall hooks, matt black" --price 0.35 --currency USD --moq 1000 --origin CN --incoterm FOB
EOF2
supplier porto "Porto Cork & Oak Lda" PT
kbatch "$D/suppliers/porto" "$D/listings-porto.json" <<'EOF2'
listing add --sku OAK-D160 --title "Solid oak desk top, 160 x 80 cm, oiled" --price 86.00 --currency EUR --moq 20 --tier 200:79.00 --origin PT --incoterm DAP --lead-days 30
listing add --sku CORK-5 --title "Cork desk pad, 5 mm" --price 4.20 --currency EUR --moq 50 --origin PT
EOF2
supplier izmir "Izmir Textile Mills" TR
kbatch "$D/suppliers/izmir" "$D/listings-izmir.json" <<'EOF2'
listing add --sku LIN-240 --title "Linen curtain fabric, natural, 240 cm wide" --price 6.90 --currency EUR --moq 300 --unit MTR --origin TR --incoterm CIF
listing add --sku CAN-280 --title "Cotton canvas, ecru, 280 cm wide" --price 5.40 --currency EUR --moq 300 --unit MTR --origin TR --incoterm CIF --lead-days 15
EOF2
# A supplier's listing id by SKU (from the batches' output).
lid() { sed -n "s/.*\"id\":\"\(L[^\"]*\)\",\"sku\":\"$1\".*/\1/p" "$D"/listings-*.json | head -n 1; }

# Each supplier opens a conversation with the buyer (needs the buyer's key: a sync first).
first_word() { # HANDLE TEXT
	printf 'sync\nchat send -- %s "%s"\n' "$BID" "$2" | kbatch "$D/suppliers/$1" "$D/$1-0.json"
}
first_word shenzhen "Hello from Shenzhen Iron Works. We saw you furnish offices: our TL-71 legs ship FOB Shenzhen in 20 days. Samples free for orders over 500 sets."
first_word porto "Bom dia! Oak desk tops 160x80 in stock, 79.00 EUR from 200 pieces, DAP Berlin. Shall I send a quote?"
first_word izmir "Merhaba, we have 12,000 m of natural linen ready. Interested in a sample roll?"

# Her: a one-person firm in Hai Phong on a slow line. She syncs only what concerns her and
# sends her Shopify shop's export in as it is (variants, inventory, Vietnamese text).
SELLER="$D/seller"
kv() { "$KONTOR" --home "$SELLER" "$@"; }
say "a seller in Hai Phong lists her shop from its Shopify export, syncing only what is hers"
run kv init --name "Sắt Mỹ Thuật Hoà Phát" --country VN --role supplier --no-passphrase
run kv node add demo "$URL" --ca-file "$D/tls/ca.pem"
run kv node scope demo mine
cat >"$D/shop-export.csv" <<'EOF2'
Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,Image Src,Status
den-long-sat,Đèn lồng sắt mỹ thuật,"<p>Đèn lồng sắt rèn thủ công, sơn tĩnh điện đen. Hand-forged iron lantern, black powder coat.</p>",Sắt Mỹ Thuật Hoà Phát,Home & Garden > Lighting,Lanterns,"sắt, đèn, lantern",TRUE,Cỡ,Nhỏ,DEN-S,1800,240,14.50,,active
den-long-sat,,,,,,,,,Lớn,DEN-L,3200,120,22.00,,
chan-ban-sat,Chân bàn sắt uốn 72 cm,"<p>Chân bàn sắt uốn, 72 cm, bộ 4 chân. Wrought iron table legs, set of four.</p>",Sắt Mỹ Thuật Hoà Phát,Home & Garden > Furniture,Table Legs,"sắt, bàn",TRUE,Title,Default Title,CHAN-72,6400,400,18.00,,active
ke-treo-tuong,Kệ treo tường sắt 60 cm,<p>Kệ sắt treo tường. Iron wall shelf.</p>,Sắt Mỹ Thuật Hoà Phát,Home & Garden > Furniture,Shelves,sắt,TRUE,Title,Default Title,KE-60,2100,150,9.50,,active
EOF2
run kv listing import "$D/shop-export.csv" --currency USD
# what her papers need, said once: her address and tax id, the shelves' HS code and origin
run kv id edit --address "Số 12 Lạch Tray; Ngô Quyền" --city "Hải Phòng" --postcode 04000 \
	--tax-id MST:0201234567
run kv listing edit ke-treo-tuong --hs-code 732690 --origin VN
run kv sync
HP=$(id_of "$SELLER")
[ -n "$HP" ] || die "no account id for the seller in Hai Phong"

# The buyer pulls everything (20,000 listings), posts an RFQ, answers two of them and makes
# offers for six of the suppliers' listings (one batch).
say "the buyer syncs the node's listings, answers and makes six offers"
run kb sync
SZ=$(id_of "$D/suppliers/shenzhen")
PO=$(id_of "$D/suppliers/porto")
# A question to one of the seeded suppliers about their listing: it stays unanswered.
LID=$(kb search office chair --json 2>>"$D/log" | sed -n 's/.*"id":"\(L[^"]*\)".*/\1/p' | head -n 1)
for sku in OAK-D160 CORK-5 TL-71 HK-1 LIN-240 CAN-280; do
	[ -n "$(lid "$sku")" ] || die "no listing id for $sku"
done
ASK=""
[ -n "$LID" ] && ASK="chat send $LID \"Could you quote 40 of these, delivered to Berlin?\""
day() { date -u -d "$1" +%Y-%m-%d; }
kbatch "$BUYER" "$D/buyer-offers.json" <<EOF2
rfq post --title "Oak desks, 200 units" --qty 200 --currency EUR --target-price 80 --incoterm DAP --destination DE --description "Solid oak, 160 x 80 cm, delivered to Berlin by March."
chat send -- $SZ "Thanks. What is your price at 2,000 sets, and can you do matt grey?"
chat send -- $PO "Yes please: 200 tops, DAP Berlin, delivery before March."
$ASK
# 1: countered by Porto, waiting for the buyer
contract propose --listing $(lid OAK-D160) --qty 200 --price 75.00 --incoterm DAP --place Berlin --deliver-by $(day '60 days') --auto-release-days 14
# 2: awaiting payment
contract propose --listing $(lid LIN-240) --qty 1200 --incoterm CIF --place Hamburg
# 3: funded
contract propose --listing $(lid CORK-5) --qty 200 --incoterm DAP --place Berlin
# 4: shipped, in transit
contract propose --listing $(lid TL-71) --qty 2000 --incoterm FOB --place "Shenzhen (Shekou)"
# 5: completed and rated
contract propose --listing $(lid HK-1) --qty 5000 --incoterm FOB --place "Shenzhen (Shekou)"
# 6: disputed
contract propose --listing $(lid CAN-280) --qty 600 --incoterm CIF --place Hamburg
# 7-9, hers: an offer waiting for her signature, one she signs and he pays 30% of, and one
# she signs and he pays whole, to ship
contract propose --listing den-long-sat --variant Lớn --qty 200 --incoterm FOB --place "Hai Phong" --deposit-pct 30
contract propose --listing chan-ban-sat --qty 100 --incoterm FOB --place "Hai Phong" --deposit-pct 30
contract propose --listing ke-treo-tuong --qty 60 --incoterm FOB --place "Hai Phong" --net-kg 2.1 --gross-kg 2.6 --packages 6:CT --port-loading VNHPH --port-discharge DEHAM
rfq post --title "Iron lanterns for 40 cafés" --qty 400 --currency USD --target-price 18 --incoterm FOB --destination DE --category "Home & Garden > Lighting"
chat send @sat-my-thuat-hoa-phat "Xin chào! Your large lanterns would suit our cafés. 200 to start, 30% on signing?"
EOF2
# The Nth contract id the buyer's batch proposed.
kid() { grep '"role":"buyer"' "$D/buyer-offers.json" | sed -n "$1s/.*\"id\":\"\([^\"]*\)\".*/\1/p"; }
K_OAK=$(kid 1) K_LIN=$(kid 2) K_CORK=$(kid 3) K_TL=$(kid 4) K_HK=$(kid 5) K_CAN=$(kid 6)
K_CHAN=$(kid 8) K_KE=$(kid 9) # 7, the lanterns, waits for her
[ -n "$K_KE" ] || die "the buyer's offers have no contract ids (see $D/buyer-offers.json)"

# The suppliers answer (these messages stay unread until the buyer opens them in the TUI),
# counter one offer and sign the others: five orders, awaiting payment.
say "the suppliers answer, counter one offer and sign five"
kbatch "$D/suppliers/shenzhen" "$D/shenzhen-1.json" <<EOF2
sync
chat send -- $BID "At 2,000 sets: 9.80 USD each, FOB. Matt grey is no extra charge."
chat send -- $BID "Sample set can leave Friday by air if you confirm today."
contract sign $K_TL
contract sign $K_HK
EOF2
kbatch "$D/suppliers/porto" "$D/porto-1.json" <<EOF2
sync
contract counter $K_OAK --price 79.00 --ship-by $(day '35 days') --deposit-pct 30
chat send -- $BID "Quote follows: 200 x OAK-D160 at 79.00 EUR, DAP Berlin, 30 days. Countered your offer: 75.00 is below our cost."
contract sign $K_CORK
EOF2
kbatch "$D/suppliers/izmir" "$D/izmir-1.json" <<EOF2
sync
contract sign $K_LIN
contract sign $K_CAN
EOF2
kbatch "$SELLER" "$D/seller-1.json" <<EOF2
sync
contract sign $K_CHAN
contract sign $K_KE
EOF2
oid() { sed -n "s/.*\"id\":\"$2\".*\"orderId\":\"\([^\"]*\)\".*/\1/p" "$1" | head -n 1; }
O_TL=$(oid "$D/shenzhen-1.json" "$K_TL") O_HK=$(oid "$D/shenzhen-1.json" "$K_HK")
O_CORK=$(oid "$D/porto-1.json" "$K_CORK")
O_LIN=$(oid "$D/izmir-1.json" "$K_LIN") O_CAN=$(oid "$D/izmir-1.json" "$K_CAN")
O_CHAN=$(oid "$D/seller-1.json" "$K_CHAN") O_KE=$(oid "$D/seller-1.json" "$K_KE")
for o in "$O_TL" "$O_HK" "$O_CORK" "$O_LIN" "$O_CAN" "$O_CHAN" "$O_KE"; do
	[ -n "$o" ] || die "a signed contract has no order id (see $D/*-1.json)"
done

# Money in through the simulated payment provider; the buyer funds four of the orders.
say "the buyer's wallet gets 25,000.00 USD and 8,000.00 EUR; it pays four orders, and hers"
run "$KONTORD" admin deposit "$BID" 25000.00 USD --db "$DB" --reference demo-wire-1
run "$KONTORD" admin deposit "$BID" 8000.00 EUR --db "$DB" --reference demo-wire-2
kbatch "$BUYER" "$D/buyer-pay.json" <<EOF2
sync
order pay $O_CORK
order pay $O_TL
order pay $O_HK
order pay $O_CAN
order pay $O_CHAN
order pay $O_KE
EOF2

# Three ship: the legs by sea to Los Angeles, the hooks and the canvas.
say "the suppliers ship three orders"
kbatch "$D/suppliers/shenzhen" "$D/shenzhen-2.json" <<EOF2
sync
order ship $O_TL --carrier Maersk --tracking MAEU2611804 --mode sea
order ship $O_HK --carrier Maersk --tracking MAEU2609377 --mode sea
chat send -- $BID "Your 2,000 sets of TL-71 are on MAERSK ESSEN 447E, Shekou to Los Angeles. B/L MAEU2611804."
EOF2
kbatch "$D/suppliers/izmir" "$D/izmir-2.json" <<EOF2
sync
order ship $O_CAN --carrier MSC --tracking MEDUTR4471902 --mode sea
EOF2

# The legs' container, as the carrier reports it (DCSA Track & Trace 2.2): booked, gate in
# and loaded at Shekou, the vessel departed; its arrival at Los Angeles is an estimate (ETA).
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
ETA=$(at '14:00 5 days')
EVENTS="" EVNOTE=""
if "$KONTOR" order event --help >/dev/null 2>&1; then
	cat >"$D/dcsa-MAEU2611804.json" <<EOF2
[
  {"eventID": "6a0e7c3b-1d52-4f0a-9e61-2b7d3c8f1a01", "eventType": "SHIPMENT",
   "eventClassifierCode": "ACT", "eventCreatedDateTime": "$(at '03:12 9 days ago')",
   "eventDateTime": "$(at '03:10 9 days ago')", "shipmentEventTypeCode": "CONF",
   "documentTypeCode": "BKG", "documentID": "MAEU2611804"},
  {"eventID": "6a0e7c3b-1d52-4f0a-9e61-2b7d3c8f1a02", "eventType": "EQUIPMENT",
   "eventClassifierCode": "ACT", "eventCreatedDateTime": "$(at '08:06 5 days ago')",
   "eventDateTime": "$(at '08:05 5 days ago')", "equipmentEventTypeCode": "GTIN",
   "equipmentReference": "MSKU7045125", "ISOEquipmentCode": "45G1", "emptyIndicatorCode": "LADEN",
   "eventLocation": {"locationName": "Shekou Container Terminals", "UNLocationCode": "CNSZX",
                     "facilityCode": "SCT", "facilityCodeListProvider": "SMDG"}},
  {"eventID": "6a0e7c3b-1d52-4f0a-9e61-2b7d3c8f1a03", "eventType": "EQUIPMENT",
   "eventClassifierCode": "ACT", "eventCreatedDateTime": "$(at '14:41 3 days ago')",
   "eventDateTime": "$(at '14:40 3 days ago')", "equipmentEventTypeCode": "LOAD",
   "equipmentReference": "MSKU7045125", "ISOEquipmentCode": "45G1", "emptyIndicatorCode": "LADEN",
   "eventLocation": {"locationName": "Shekou Container Terminals", "UNLocationCode": "CNSZX",
                     "facilityCode": "SCT", "facilityCodeListProvider": "SMDG"},
   "transportCall": {"transportCallSequenceNumber": 1, "exportVoyageNumber": "447E",
                     "modeOfTransport": "VESSEL", "UNLocationCode": "CNSZX",
                     "vessel": {"vesselIMONumber": "9456769", "vesselName": "MAERSK ESSEN"}}},
  {"eventID": "6a0e7c3b-1d52-4f0a-9e61-2b7d3c8f1a04", "eventType": "TRANSPORT",
   "eventClassifierCode": "ACT", "eventCreatedDateTime": "$(at '22:20 3 days ago')",
   "eventDateTime": "$(at '22:15 3 days ago')", "transportEventTypeCode": "DEPA",
   "transportCall": {"transportCallSequenceNumber": 1, "exportVoyageNumber": "447E",
                     "modeOfTransport": "VESSEL",
                     "location": {"locationName": "Shekou", "UNLocationCode": "CNSZX"},
                     "vessel": {"vesselIMONumber": "9456769", "vesselName": "MAERSK ESSEN"}}},
  {"eventID": "6a0e7c3b-1d52-4f0a-9e61-2b7d3c8f1a05", "eventType": "TRANSPORT",
   "eventClassifierCode": "EST", "eventCreatedDateTime": "$(at '22:20 3 days ago')",
   "eventDateTime": "$ETA", "transportEventTypeCode": "ARRI",
   "transportCall": {"transportCallSequenceNumber": 2, "importVoyageNumber": "447E",
                     "modeOfTransport": "VESSEL",
                     "location": {"locationName": "Los Angeles", "UNLocationCode": "USLAX"},
                     "vessel": {"vesselIMONumber": "9456769", "vesselName": "MAERSK ESSEN"}}}
]
EOF2
	# One command, not a batch: a refusal takes its events back out of the outbox.
	if ks shenzhen order event "$O_TL" --dcsa "$D/dcsa-MAEU2611804.json" >>"$D/log" 2>&1; then
		EVENTS=1
	else
		EVNOTE="no events: the node refused them (see $D/log)"
		say "$EVNOTE"
	fi
else
	EVNOTE="no events: this kontor has no \`order event\`"
	say "$EVNOTE"
fi

# The buyer receives the hooks and disputes the canvas; then rates the hooks' supplier.
say "the buyer confirms one order, disputes another and rates"
kbatch "$BUYER" "$D/buyer-done.json" <<EOF2
sync
order confirm $O_HK
order dispute $O_CAN --reason "Canvas is grey, not ecru as sampled; 3 of 6 rolls have water stains."
EOF2
RATED="" RATENOTE=""
if "$KONTOR" order rate --help >/dev/null 2>&1; then
	run kb sync # rating needs the order completed in the cache
	if kb order rate "$O_HK" --stars 5 --quality 5 --delivery 5 --communication 5 \
		--text "Hooks as sampled, well packed, shipped two days early." >>"$D/log" 2>&1; then
		RATED=1
	else
		RATENOTE="not rated: the node refused it (see $D/log)"
		say "$RATENOTE"
	fi
else
	RATENOTE="not rated: this kontor has no \`order rate\`"
	say "$RATENOTE"
fi
run kb sync
run kv sync # her inbox: his offer, his deposit, his order to ship, his RFQ, his message

# --- the summary -------------------------------------------------------------------------
NLIST=$(sqlite3 "$BUYER/cache.db" "SELECT count(*) FROM listings" 2>/dev/null || echo "?")
NLIST_HP=$(sqlite3 "$SELLER/cache.db" "SELECT count(*) FROM listings" 2>/dev/null || echo "?")
NCONV=$(kb chat list --json 2>/dev/null | grep -c '"id"')
NUNREAD=$(kb chat list --json 2>/dev/null | grep -c '"unread":[1-9]')
NRFQ=$(kb rfq list --json 2>/dev/null | grep -c '"id":"R')
kb order list --json >"$D/orders.json" 2>>"$D/log"
# An order's state as the buyer's cache holds it.
ost() { grep "\"id\":\"$1\"" "$D/orders.json" | sed -n 's/.*"state":"\([a-z_]*\)".*/\1/p' | head -n 1; }
orow() { printf '%s  %-16s  %s' "$1" "$(ost "$1")" "$2"; }
[ -n "$EVENTS" ] && EVNOTE="5 events, ETA $(date -u -d "$ETA" '+%Y-%m-%d %H:%M UTC')"
[ -n "$RATED" ] && RATENOTE="rated 5 stars"
cat <<EOF

kontor demo
  demo home   $D
  node        kontord pid $NODE_PID on $URL (database $DB, log $D/node.log)
  CA file     $D/tls/ca.pem (the node's certificate is signed by it: node add --ca-file)
  seller      Sắt Mỹ Thuật Hoà Phát, Hai Phong ($HP), home $SELLER
              her shop's Shopify export imported (3 listings, a lantern in two sizes); she
              syncs only what concerns her: $NLIST_HP listings in her cache of the node's $NLIST
              waiting for her: his offer for 200 large lanterns, his 30% deposit on table
              legs ($(ost "$O_CHAN")), shelves paid and to ship, his RFQ for lanterns, his message
  buyer       Berlin Interiors GmbH ($BID), home $BUYER
  keys        stored without a passphrase (a demo: nothing here is worth anything)
  suppliers   $D/suppliers/shenzhen, $D/suppliers/porto, $D/suppliers/izmir
  cache       $NLIST listings, $NCONV conversations ($NUNREAD with unread messages), $NRFQ RFQs
  wallet      25,000.00 USD and 8,000.00 EUR deposited (simulated payment provider)
  contract    $K_OAK  oak desk tops: your offer at 75.00 EUR,
              countered by Porto at 79.00 EUR; waits for your signature
  orders      $(orow "$O_LIN" "linen, Izmir")
              $(orow "$O_CORK" "cork pads, Porto")
              $(orow "$O_TL" "table legs, Shenzhen: Maersk MAEU2611804 by sea,")
                Shekou (CNSZX) to Los Angeles (USLAX), $EVNOTE
              $(orow "$O_HK" "wall hooks, Shenzhen, $RATENOTE")
              $(orow "$O_CAN" "canvas, Izmir: grey, not ecru as sampled")

While it runs, try in another terminal (a name or its words serve where an id goes):
  KONTOR_HOME=$SELLER $KONTOR inbox
  KONTOR_HOME=$SELLER $KONTOR contract sign @berlin-interiors-gmbh
  KONTOR_HOME=$SELLER $KONTOR order ship "Kệ treo" --carrier "Vietnam Post" --tracking EE123456789VN
  KONTOR_HOME=$SELLER $KONTOR wallet
  KONTOR_HOME=$SELLER $KONTOR order docs "Kệ treo" --lang vi --dir $D
  KONTOR_HOME=$BUYER $KONTOR search oak desk
  KONTOR_HOME=$BUYER $KONTOR order list
  KONTOR_HOME=$BUYER $KONTOR contract show "oak desk"
  KONTOR_HOME=$BUYER $KONTOR track "table legs"
  KONTOR_HOME=$D/suppliers/porto $KONTOR chat send @berlin-interiors-gmbh "Any news?"

EOF
# Without the TUI the node keeps running for the commands above until Ctrl-C (or a TERM).
if [ -z "$NO_TUI" ] && { ! [ -t 0 ] || ! [ -t 1 ]; }; then
	say "no terminal for the TUI: the demo runs without it"
	NO_TUI=1
fi
if [ -n "$NO_TUI" ]; then
	if [ -n "${DEMO_KEEP:-}" ] && [ "${DEMO_KEEP:-}" != 0 ]; then
		say "the node runs until Ctrl-C; then it stops and $D is kept (DEMO_KEEP=1)"
	else
		say "the node runs until Ctrl-C; then it stops and $D is removed (DEMO_KEEP=1 keeps it)"
	fi
	# wait returns at once when a trapped signal arrives; the trap then stops the node.
	wait "$NODE_PID"
	NODE_PID=""
	die "the node stopped by itself (see $D/node.log)"
fi
if [ "$AS" = buyer ]; then
	say "opening the buyer's TUI: 2 shows the conversations, ? the keys, Q leaves (and stops the node)"
	KONTOR_DEMO=1 KONTOR_HOME="$BUYER" "$KONTOR" tui # KONTOR_DEMO: q asks before it ends the demo
else
	say "opening her TUI on what waits for her: Enter goes to it, ? the keys, Q leaves (and stops the node)"
	KONTOR_DEMO=1 KONTOR_HOME="$SELLER" "$KONTOR" tui
fi
