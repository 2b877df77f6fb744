#!/bin/sh
# `make demo` without the TUI (scripts/demo.sh --no-tui), run in the background as a person
# runs it in a terminal: it sets up a seeded node, three suppliers, a seller in Hai Phong
# (her shop's Shopify export, scope mine, and in her inbox his offer, his deposit, an order
# to ship, his RFQ and his message) and a buyer, prints a summary naming the demo home, the
# node's PID and the CA file, and keeps the node running;
# the commands the summary suggests work meanwhile, and so do checks of the buyer's cache:
# listings, conversations, the RFQ, a countered offer waiting for the buyer, orders
# awaiting payment, funded, shipped (with DCSA events and an ETA: `track`), completed and
# rated, and disputed, nothing left in the outbox, and the node's ledger balanced. Ctrl-C
# (SIGINT) stops the node and leaves no process; the home is kept with DEMO_KEEP=1 and
# removed without it, and the demo says which.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC0 # times are shown in the local zone: this one says "UTC"

if ! command -v openssl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	t_fail "openssl and sqlite3 are installed" "the demo needs openssl; this test reads the cache with sqlite3"
	t_done
	exit 1
fi

export TMPDIR="$T_TMP" # the demo home goes with the test's files

# demo_bg OUTFILE [ENV...]: the demo without its TUI, in the background, as a person runs it
# in a terminal: SIGINT is let through (a background job of sh ignores it otherwise). Sets
# DPID; waits up to 5 minutes for the line that says the node runs until Ctrl-C.
demo_bg() {
	_out=$1
	shift
	env --default-signal=INT "$@" KONTOR="$KONTOR" KONTORD="$KONTORD" \
		sh "$T_ROOT/scripts/demo.sh" --no-tui >"$_out" 2>&1 &
	DPID=$!
	T_PIDS="$T_PIDS $DPID"
	_i=0
	while [ $_i -lt 3000 ] && ! grep -q 'runs until Ctrl-C' "$_out"; do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
}
# demo_int: SIGINT to the demo, up to 20 s for it to end; DRC is its exit status.
demo_int() {
	kill -INT "$DPID" 2>/dev/null
	_i=0
	while kill -0 "$DPID" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		DRC=124
	else
		wait "$DPID"
		DRC=$?
	fi
}

demo_bg "$T_TMP/demo.out" DEMO_KEEP=1
T_OUT=$(cat "$T_TMP/demo.out")
t_match "demo --no-tui sets up and says the node runs until Ctrl-C" "$T_OUT" \
	'the node runs until Ctrl-C; then it stops and .* is kept \(DEMO_KEEP=1\)'
kill -0 "$DPID" 2>/dev/null && t_ok "the demo is still running after its summary" ||
	t_fail "the demo is still running after its summary" "$(tail -n 5 "$T_TMP/demo.out")"
H=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *demo home *//p' | head -n 1)
NPID=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *node *kontord pid \([0-9]*\) on .*/\1/p' | head -n 1)
[ -n "$H" ] && [ -d "$H" ] && t_ok "the summary names the demo home ($H)" ||
	t_fail "the summary names the demo home" "$(printf '%s' "$T_OUT" | head -c 600)"
case $H in "$T_TMP"/*) t_ok "the demo home is a fresh temporary directory" ;;
*) t_fail "the demo home is a fresh temporary directory" "$H" ;; esac
t_match "the summary says the node's URL" "$T_OUT" 'on https://127\.0\.0\.1:[0-9]+'
CA=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *CA file *\([^ ]*\) .*/\1/p' | head -n 1)
[ -n "$CA" ] && [ -f "$CA" ] && t_ok "the summary names the CA file, and it is there" ||
	t_fail "the summary names the CA file, and it is there" "'$CA'"
t_match "the summary names the countered contract" "$T_OUT" 'countered by Porto at 79\.00 EUR; waits for your signature'
for st in awaiting_payment funded shipped completed disputed; do
	t_match "the summary names an order $st" "$T_OUT" "^ +([a-z]+ +)?[A-Za-z0-9_-]{43}  $st  "
done
t_match "the summary gives the shipment's events and ETA" "$T_OUT" '5 events, ETA 20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]+ UTC'
t_match "the summary says the completed order was rated" "$T_OUT" 'completed +wall hooks.*rated 5 stars'
kill -0 "$NPID" 2>/dev/null && t_ok "the node (pid $NPID) runs while the demo waits" ||
	t_fail "the node runs while the demo waits" "pid '$NPID'"

# --- her, the seller in Hai Phong, before she acts ------------------------------------------
SUMMARY=$T_OUT
SELLER="$H/seller"
t_match "the summary names her and her home" "$T_OUT" "^  seller +Sắt Mỹ Thuật Hoà Phát, Hai Phong \\([A-Za-z0-9_-]{43}\\), home $SELLER\$"
t_eq "her shop's Shopify export went in whole: three listings" \
	"$("$KONTOR" --home "$SELLER" listing list | awk '{print $1}' | sort | tr '\n' ' ')" \
	"chan-ban-sat den-long-sat ke-treo-tuong "
LANTERN=$("$KONTOR" --home "$SELLER" listing show den-long-sat)
t_match "the lantern small, with its price and stock" "$LANTERN" 'Nhỏ +USD 14\.50 +stock 240 +DEN-S$'
t_match "and large" "$LANTERN" 'Lớn +USD 22\.00 +stock 120 +DEN-L$'
t_eq "she syncs only what concerns her: no other seller's listing in her cache" \
	"$(sqlite3 "$SELLER/cache.db" "SELECT count(*) FROM listings")" 3
t_run "her inbox" 0 "$KONTOR" --home "$SELLER" inbox
t_match "his offer waits for her signature, saying her stock" "$T_OUT" \
	'^offer .* from Berlin Interiors GmbH: 200 pieces × "Đèn lồng sắt mỹ thuật \(Cỡ: Lớn\)" \(120 in stock\), 4,400\.00 USD FOB Hai Phong, waiting for your signature$'
t_match "his 30% deposit arrived" "$T_OUT" '^money .*540\.00 USD paid into escrow by Berlin Interiors GmbH for order .*"Chân bàn sắt uốn 72 cm" \(stage 1 of 2, 30% on signing\)'
t_match "the paid shelves wait to be shipped" "$T_OUT" '^order .*"Kệ treo tường sắt 60 cm" for Berlin Interiors GmbH: paid 570\.00 USD into escrow; ship it by [0-9]{4}-[0-9]{2}-[0-9]{2}$'
t_match "his RFQ in her category" "$T_OUT" '^rfq .*"Iron lanterns for 40 cafés".*\(Home & Garden > Lighting\)$'
t_match "his message" "$T_OUT" '^chat .*1 unread message from Berlin Interiors GmbH$'
t_run "her order list" 0 "$KONTOR" --home "$SELLER" order list
t_match "the table legs are funded by 30%" "$T_OUT" ' funded 30% +sell to +1,800\.00 USD +Chân bàn sắt uốn 72 cm'

# The commands the summary suggests, run as printed, against the running demo.
printf '%s\n' "$SUMMARY" | sed -n 's/^  \(KONTOR_HOME=[^ ]* [^ ]*kontor .*\)$/\1/p' >"$T_TMP/suggested"
n=$(wc -l <"$T_TMP/suggested" | tr -d ' ')
[ "$n" -ge 5 ] && t_ok "the summary suggests $n commands" || t_fail "the summary suggests commands" "$n"
while IFS= read -r cmd; do
	(eval "$cmd") >"$T_TMP/sout" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && t_ok "suggested command works while the demo runs: ${cmd#* }" ||
		t_fail "suggested command works while the demo runs: ${cmd#* }" "exit $rc: $(head -c 300 "$T_TMP/sout")"
done <"$T_TMP/suggested"
t_eq "her papers for the shelves, in Vietnamese, are in the demo home: invoice, proforma, packing list, origin" \
	"$(ls "$H" | grep -cE '^[A-Za-z0-9_-]{8}-(invoice|proforma|packing-list|origin)\.pdf$')" 4
t_match "a PDF each" "$(head -c 5 "$(ls "$H"/*-invoice.pdf | head -n 1)")" '^%PDF-'
t_eq "her suggested commands signed his lantern offer and shipped the shelves, by name" \
	"$(sqlite3 "$H/node.db" "SELECT group_concat(state, ' ') FROM (SELECT state FROM orders WHERE seller_id = (SELECT id FROM accounts WHERE handle = 'sat-my-thuat-hoa-phat') ORDER BY json_extract(json, '\$.total'))")" \
	"shipped funded awaiting_payment"

BUYER="$H/buyer"
n=$(sqlite3 "$BUYER/cache.db" "SELECT count(*) FROM listings" 2>/dev/null)
[ "${n:-0}" -ge 20000 ] && t_ok "the buyer's cache holds $n listings after its sync" ||
	t_fail "the buyer's cache holds at least 20,000 listings" "${n:-none}"
t_run "chat list" 0 "$KONTOR" --home "$BUYER" chat list --json
unread=$(printf '%s\n' "$T_OUT" | grep -c '"unread":[1-9]')
[ "$unread" -ge 2 ] && t_ok "$unread conversations have unread messages" ||
	t_fail "at least 2 conversations have unread messages" "$T_OUT"
t_run "rfq list" 0 "$KONTOR" --home "$BUYER" rfq list
t_match "the buyer's RFQ is there" "$T_OUT" 'Oak desks'
t_run "search in the kept home" 0 "$KONTOR" --home "$BUYER" search oak desk
t_match "search finds a supplier's listing" "$T_OUT" 'Solid oak desk top'
t_run "search finds seeded listings too" 0 "$KONTOR" --home "$BUYER" search --json
t_match "seeded listings are searchable" "$T_OUT" '"id":"L'

# --- the trades, as the buyer's cache holds them --------------------------------------------
t_eq "the buyer's outbox is empty (everything reached the node)" \
	"$(sqlite3 "$BUYER/cache.db" "SELECT count(*) FROM outbox" 2>&1)" 0
t_run "order list --json" 0 "$KONTOR" --home "$BUYER" order list --json
ORDERS=$T_OUT
t_eq "seven orders, all the buyer's (two with her)" "$(printf '%s\n' "$ORDERS" | grep -c '"role":"buyer"')" 7
for st in awaiting_payment funded shipped completed disputed; do
	t_match "an order is $st" "$ORDERS" "\"state\":\"$st\""
done
SHIPPED=$(printf '%s\n' "$ORDERS" | grep '"state":"shipped"' | head -n 1)
O_TL=$(printf '%s' "$SHIPPED" | sed -n 's/.*"id":"\([^"]*\)","listingId".*/\1/p')
t_match "the shipped order's id" "$O_TL" '^[A-Za-z0-9_-]{43}$'
t_match "it was shipped by Maersk, sea, with a tracking number" "$SHIPPED" \
	'"carrier":"Maersk".*"trackingNumber":"MAEU[0-9]{7}"'
t_match "the shipment has events in the cache" "$SHIPPED" '"events":\[\{'
t_match "and an ETA" "$SHIPPED" '"eta":"20[0-9-]+T[0-9:]+Z"'
COMPLETED=$(printf '%s\n' "$ORDERS" | grep '"state":"completed"' | head -n 1)
t_match "the completed order carries the buyer's 5-star rating" "$COMPLETED" \
	'"ratings":\{"buyer":\{[^}]*"stars":5'
t_match "the disputed order is escrowed" "$(printf '%s\n' "$ORDERS" | grep '"state":"disputed"')" \
	'"escrow":[1-9][0-9]*'

t_run "contract list --json" 0 "$KONTOR" --home "$BUYER" contract list --json
t_eq "nine contracts: seven binding, one countered, his offer to her (signed since, unsynced)" \
	"$(printf '%s\n' "$T_OUT" | grep -c '"state":"binding"') $(printf '%s\n' "$T_OUT" | grep -c '"state":"countered"') $(printf '%s\n' "$T_OUT" | grep -c '"state":"offer"')" "7 1 1"
K_OAK=$(printf '%s\n' "$T_OUT" | grep '"state":"countered"' | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
t_match "the countered offer is a purchase (the buyer's role)" \
	"$(printf '%s\n' "$T_OUT" | grep '"state":"countered"')" '"role":"buyer".*"total":1580000,"currency":"EUR"'
t_run "contract show of the countered offer" 0 env COLUMNS=200 "$KONTOR" --home "$BUYER" contract show "$K_OAK"
t_match "it verifies: two offers, countered" "$T_OUT" '^verified: 2 sections.*countered'
t_match "the counter replaces the buyer's offer" "$T_OUT" "counters and replaces offer $K_OAK"
t_match "at 79.00 EUR" "$T_OUT" '79\.00 EUR'
# The latest offer (section 1) is signed by the seller alone: it waits for the buyer.
# (the role after the signer's id: an id may itself end in "as", so never grep 'as [a-z]*')
SIGS=$(printf '%s\n' "$T_OUT" | sed -n '/^  1 offer /,$p' | sed -n 's/^ *signed by [^ ]* \(as [a-z]*\)$/\1/p' | tr '\n' ' ')
t_eq "the counter is signed by the seller only: it waits for the buyer's signature" "$SIGS" "as seller "

t_run "track the shipped order" 0 "$KONTOR" --home "$BUYER" track "$O_TL"
TRACK=$T_OUT
t_match "track prints the ETA" "$TRACK" '(ETA|[Ee]stimated arrival).*20[0-9][0-9]'
t_match "track names Los Angeles or USLAX" "$TRACK" 'USLAX|Los Angeles'
n=$(printf '%s\n' "$TRACK" | grep -ciE 'gate[ -]?in|gated in|loaded|departed')
[ "$n" -ge 3 ] && t_ok "track tells at least 3 events in words ($n)" ||
	t_fail "track tells at least 3 events in words (gate in, loaded, departed)" "$TRACK"

t_eq "the node's ledger sums to zero per currency" \
	"$(sqlite3 "$H/node.db" "SELECT count(*) FROM (SELECT currency, sum(amount) AS s FROM ledger_entries GROUP BY currency HAVING s != 0)" 2>&1)" 0
t_eq "money moved in USD and EUR" \
	"$(sqlite3 "$H/node.db" "SELECT group_concat(currency, ' ') FROM (SELECT DISTINCT currency FROM ledger_entries ORDER BY currency)" 2>&1)" "EUR USD"

# --- Ctrl-C: the node stops, the files stay (DEMO_KEEP=1) -----------------------------------
demo_int
t_eq "Ctrl-C ends the demo with status 130" "$DRC" 130
t_match "it says the node was stopped" "$(cat "$T_TMP/demo.out")" "node stopped \\(pid $NPID\\)"
t_match "it says where the kept files are" "$(cat "$T_TMP/demo.out")" "kept $H"
if [ -n "$NPID" ] && ! kill -0 "$NPID" 2>/dev/null; then
	t_ok "the node (pid $NPID) is gone after Ctrl-C"
else
	t_fail "the node is gone after Ctrl-C" "pid '$NPID' still runs"
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
fi
left=$(ps -eo pid=,args= | grep -F "$H" | grep -v grep | wc -l)
t_eq "no process of the demo is left" "$left" 0
[ -d "$H/buyer" ] && t_ok "DEMO_KEEP=1 kept the demo home" || t_fail "DEMO_KEEP=1 kept the demo home" "$H"

# --- without DEMO_KEEP the home goes, and the demo says so ----------------------------------
demo_bg "$T_TMP/demo2.out" DEMO_LISTINGS=300
H2=$(sed -n 's/^ *demo home *//p' "$T_TMP/demo2.out" | head -n 1)
t_match "a second demo says its files go at Ctrl-C" "$(cat "$T_TMP/demo2.out")" 'is removed \(DEMO_KEEP=1 keeps it\)'
demo_int
t_eq "Ctrl-C ends the second demo with status 130" "$DRC" 130
[ -n "$H2" ] && ! [ -e "$H2" ] && t_ok "without DEMO_KEEP the demo home is removed" ||
	t_fail "without DEMO_KEEP the demo home is removed" "'$H2'"
t_match "it says what it removed and how to keep it" "$(cat "$T_TMP/demo2.out")" \
	"removed $H2 .*DEMO_KEEP=1 make demo keeps it next time"

# --- in a terminal: the demo opens her TUI on her Inbox; q and y end it --------------------
. "$T_ROOT/tests/tmux-lib.sh"
tm_start demo3 100x30 "env KONTOR=$KONTOR KONTORD=$KONTORD DEMO_LISTINGS=300 sh $T_ROOT/scripts/demo.sh; echo DEMO-EXIT \$?; sleep 60"
wait_for 'Inbox \(' 3000 && t_ok "in a terminal the demo opens a TUI on an Inbox" ||
	t_fail "in a terminal the demo opens a TUI on an Inbox" "$(cat "$T_TMP/pane")"
# the head can be on the pane before its rows: wait for the last row read below and the cursor
wait_for ' offer +S sign ' 100 || true
wait_for ' order +s ship ' 100 || true
wait_for '^> ' 100 || true
S=$(cat "$T_TMP/pane")
t_match "hers: five things wait for her" "$S" '^Inbox \(5 waiting\)'
t_match "his offer to sign among them" "$S" ' offer +S sign +offer [A-Za-z0-9_-]{8}… from Berlin Interiors GmbH: 200 pieces × '
t_match "and the shelves to ship" "$S" ' order +s ship +order [A-Za-z0-9_-]{8}… "Kệ treo tường sắt 60 cm"'
# Enter on his offer, then S: the question says what she binds herself to, and what she lacks
_o=$(grep -n ' offer  ' "$T_TMP/pane" | head -n 1 | cut -d: -f1)
_c=$(grep -n '^> ' "$T_TMP/pane" | head -n 1 | cut -d: -f1)
while [ "$_c" -lt "$_o" ]; do tm send-keys Down; _c=$((_c + 1)); done
tm send-keys Enter
wait_for 'S signs' || t_fail "Enter opens his offer" "$(cat "$T_TMP/pane")"
tm send-keys S
wait_for 'y/n' || t_fail "S asks" "$(cat "$T_TMP/pane")"
t_match "S names the goods and, as she sells, what she lacks of them" "$(tr '\n' ' ' <"$T_TMP/pane")" \
	'Sign this offer: 200 pcs × Đèn lồng sắt mỹ thuật \(Cỡ: Lớn\), 4,400\.00 USD, FOB Hai Phong, you selling to .* \(120 on hand, 80 short\)\?'
tm send-keys n q
sleep 0.3
tm send-keys q
wait_for 'Quit the demo\?' && t_ok "q asks before it ends the demo" || t_fail "q asks before it ends the demo" "$(cat "$T_TMP/pane")"
tm send-keys y
wait_for 'DEMO-EXIT 0' 300 && t_ok "y ends the demo, exit 0" || t_fail "y ends the demo, exit 0" "$(cat "$T_TMP/pane")"
t_match "saying it stopped the node and removed its files" "$(cat "$T_TMP/pane")" 'node stopped \(pid [0-9]+\)'
tm kill-server 2>/dev/null

t_run "an unknown argument is a usage error" 2 sh "$T_ROOT/scripts/demo.sh" --frobnicate
t_run "DEMO_AS names whose TUI opens: another value is a usage error" 2 env DEMO_AS=carrier sh "$T_ROOT/scripts/demo.sh" --no-tui
t_match "saying which it takes" "$T_ERR" "DEMO_AS is seller or buyer, not 'carrier'"
t_done
