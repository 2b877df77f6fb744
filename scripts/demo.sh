#!/bin/sh
# demo.sh — `make demo`: a throwaway marketplace on this machine, then the buyer's TUI.
# Makes a temporary home (mktemp -d), a local CA and a node certificate for 127.0.0.1, a
# kontord seeded with 20,000 listings from a few dozen suppliers on a free loopback port,
# three supplier identities that list products and write to a buyer, and the buyer with an
# RFQ and sealed conversations (some unread), then opens `kontor tui` as the buyer. On any
# way out (Q, Ctrl-C, a signal, an error) it stops every process it started, by its PID.
# Needs no network: openssl, kontor and kontord only.
#
#   scripts/demo.sh [--no-tui]     DEMO_NO_TUI=1 is the same as --no-tui
#   B=build-dm scripts/demo.sh     binaries from another build dir (default: build)
#   DEMO_KEEP=1                    keep the demo home after exit (the node is stopped)
#   DEMO_LISTINGS=N                seed N listings instead of 20000
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BDIR=${B:-build}
case $BDIR in /*) ;; *) BDIR="$ROOT/$BDIR" ;; esac
KONTOR=${KONTOR:-$BDIR/kontor}
KONTORD=${KONTORD:-$BDIR/kontord}
NO_TUI=${DEMO_NO_TUI:-}
[ "$NO_TUI" = 0 ] && NO_TUI=""
LISTINGS=${DEMO_LISTINGS:-20000}
for a in "$@"; do
	case $a in
	--no-tui) NO_TUI=1 ;;
	-h | --help)
		sed -n '2,14s/^# \{0,1\}//p' "$0"
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
		echo "demo: kept $D"
	else
		rm -rf "$D"
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
id_of() { "$KONTOR" --home "$1" id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p'; }

run kb init --name "Berlin Interiors GmbH" --country DE --role buyer --no-passphrase
run kb node add demo "$URL" --ca-file "$D/tls/ca.pem"
BID=$(id_of "$BUYER")
[ -n "$BID" ] || die "no buyer account id"

mkdir -p "$D/suppliers"
supplier() { # HANDLE NAME COUNTRY
	run ks "$1" init --name "$2" --country "$3" --role supplier --no-passphrase
	run ks "$1" node add demo "$URL" --ca-file "$D/tls/ca.pem"
}
say "three suppliers list products and write to the buyer"
supplier shenzhen "Shenzhen Iron Works" CN
run ks shenzhen listing add --sku TL-71 --title "Iron table legs, black, 71 cm" --price 12.50 \
	--currency USD --moq 100 --tier 500:11.00 --tier 2000:9.80 --origin CN --incoterm FOB \
	--lead-days 20 --description "Powder-coated steel legs for desks and dining tables. Four per set."
run ks shenzhen listing add --sku HK-1 --title "Steel wall hooks, matt black" --price 0.35 \
	--currency USD --moq 1000 --origin CN --incoterm FOB
supplier porto "Porto Cork & Oak Lda" PT
run ks porto listing add --sku OAK-D160 --title "Solid oak desk top, 160 x 80 cm, oiled" --price 86.00 \
	--currency EUR --moq 20 --tier 200:79.00 --origin PT --incoterm DAP --lead-days 30
run ks porto listing add --sku CORK-5 --title "Cork desk pad, 5 mm" --price 4.20 --currency EUR \
	--moq 50 --origin PT
supplier izmir "Izmir Textile Mills" TR
run ks izmir listing add --sku LIN-240 --title "Linen curtain fabric, natural, 240 cm wide" \
	--price 6.90 --currency EUR --moq 300 --unit MTR --origin TR --incoterm CIF

# Each supplier opens a conversation with the buyer (needs the buyer's key: a sync first).
for h in shenzhen porto izmir; do run ks "$h" sync; done
run ks shenzhen chat send -- "$BID" "Hello from Shenzhen Iron Works. We saw you furnish offices: our TL-71 legs ship FOB Shenzhen in 20 days. Samples free for orders over 500 sets."
run ks porto chat send -- "$BID" "Bom dia! Oak desk tops 160x80 in stock, 79.00 EUR from 200 pieces, DAP Berlin. Shall I send a quote?"
run ks izmir chat send -- "$BID" "Merhaba, we have 12,000 m of natural linen ready. Interested in a sample roll?"

# The buyer pulls everything (20,000 listings), posts an RFQ, answers two of them.
say "the buyer syncs the node's listings and answers"
run kb sync
run kb rfq post --title "Oak desks, 200 units" --qty 200 --currency EUR --target-price 80 \
	--incoterm DAP --destination DE --description "Solid oak, 160 x 80 cm, delivered to Berlin by March."
run kb chat send -- "$(id_of "$D/suppliers/shenzhen")" "Thanks. What is your price at 2,000 sets, and can you do matt grey?"
run kb chat send -- "$(id_of "$D/suppliers/porto")" "Yes please: 200 tops, DAP Berlin, delivery before March."
# A question to one of the seeded suppliers about their listing: it stays unanswered.
LID=$(kb search office chair --json 2>>"$D/log" | sed -n 's/.*"id":"\(L[^"]*\)".*/\1/p' | head -n 1)
[ -n "$LID" ] && run kb chat send "$LID" "Could you quote 40 of these, delivered to Berlin?"

# The suppliers answer: these stay unread until the buyer opens them in the TUI.
for h in shenzhen porto; do run ks "$h" sync; done
run ks shenzhen chat send -- "$BID" "At 2,000 sets: 9.80 USD each, FOB. Matt grey is no extra charge."
run ks shenzhen chat send -- "$BID" "Sample set can leave Friday by air if you confirm today."
run ks porto chat send -- "$BID" "Quote follows: 200 x OAK-D160 at 79.00 EUR, DAP Berlin, 30 days."
run kb sync

# --- the summary -------------------------------------------------------------------------
NLIST=$(sqlite3 "$BUYER/cache.db" "SELECT count(*) FROM listings" 2>/dev/null || echo "?")
NCONV=$(kb chat list --json 2>/dev/null | grep -c '"id"')
NUNREAD=$(kb chat list --json 2>/dev/null | grep -c '"unread":[1-9]')
cat <<EOF

kontor demo
  demo home   $D
  node        kontord pid $NODE_PID on $URL (database $DB, log $D/node.log)
  buyer       Berlin Interiors GmbH ($BID), home $BUYER
  keys        stored without a passphrase (a demo: nothing here is worth anything)
  suppliers   $D/suppliers/shenzhen, $D/suppliers/porto, $D/suppliers/izmir
  cache       $NLIST listings, $NCONV conversations ($NUNREAD with unread messages), 1 RFQ
  not yet     the demo makes no contracts or orders (the commands work: kontor contract
              propose, kontor order pay ...); the TUI has no screens for them; no shipments

While it runs, try in another terminal:
  KONTOR_HOME=$BUYER $KONTOR search oak desk
  KONTOR_HOME=$BUYER $KONTOR chat list
  KONTOR_HOME=$D/suppliers/porto $KONTOR chat send -- $BID "Any news?"

EOF
if [ -n "$NO_TUI" ]; then
	say "--no-tui: stopping"
	exit 0
fi
if ! [ -t 0 ] || ! [ -t 1 ]; then
	say "no terminal for the TUI (DEMO_NO_TUI=1 to only set up): stopping"
	exit 0
fi
say "opening the buyer's TUI: 2 shows the conversations, ? the keys, Q leaves (and stops the node)"
KONTOR_HOME="$BUYER" "$KONTOR" tui
