#!/bin/sh
# A small seller's day (issue 13: the wallet, what needs me), a buyer, a seller and a node
# over real TLS: an RFQ of her category waits in `kontor inbox` until she answers it; an
# offer and a message wait until she signs and reads; the order waits for her to ship once
# the buyer paid; the payment shows in her `wallet` as escrow, then as a release in her
# history and her inbox until she looks; she withdraws (the node's simulated provider
# records the payout, `kontord admin payouts` lists it) and over-withdraws (refused with
# the reason, nothing moves, in the client and at the node); a dispute, a ruling and a
# cancellation to sign each appear and go when acted on; the buyer's pay and confirm too.
# Her notify-command (a script that appends its argv to a file) runs once per sync that
# brings news, with the summary as one argument (a hostile display name stays text, no
# message text unless notify-text yes); one that fails or hangs (killed at the limit,
# KONTOR_NOTIFY_TIMEOUT=2 here; 10 s by default) is logged and the sync is unaffected.
# Her own sync says what it brought that waits for her, as the inbox says it (five at most).
# The ledger sums to zero, checked in SQL.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

KSIGN=${KSIGN:-$T_BUILD/tools/ksign}
export KONTOR_PASSPHRASE="seller day passphrase"
# Nobody's own config: the seller's comes from KONTOR_CONFIG below.
export XDG_CONFIG_HOME="$T_TMP/xdg"
unset KONTOR_NOTIFY_COMMAND KONTOR_NOTIFY_TEXT KONTOR_NOTIFY_TIMEOUT
CONF="$T_TMP/seller.conf"
: >"$CONF"
ks() { KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S" "$@"; }

trade_node "Seller Day Node"
trade_party seller ks "Hoa Phat Iron Art" VN supplier --no-passphrase
trade_party buyer kb "Berlin Interiors GmbH" DE buyer --no-passphrase
SID=$(party_id ks)
BID=$(party_id kb)

# The notify-command: every run appends one line, its arguments in brackets.
NOTES="$T_TMP/notify.out"
cat >"$T_TMP/notify.sh" <<EOF
#!/bin/sh
for a in "\$@"; do printf '[%s]' "\$a"; done >>"$NOTES"
echo >>"$NOTES"
EOF
printf 'set notify-command "sh %s --from kontor"\n' "$T_TMP/notify.sh" >"$CONF"
runs() { [ -f "$NOTES" ] && wc -l <"$NOTES" | tr -d ' ' || echo 0; }
last_note() { tail -n 1 "$NOTES"; }

t_run "seller lists iron table legs in Furniture > Table legs" 0 ks listing add --sku U720-BK \
	--title "Iron table legs, black, 72 cm" --price 11.50 --currency USD --moq 10 \
	--category "Furniture > Table legs" --origin VN
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox
t_match "nothing waits for a new seller" "$T_OUT" '^nothing waits for you'
t_eq "a sync with nothing for her runs no notify-command" "$(runs)" 0
t_run "a new seller's wallet" 0 ks wallet
t_match "is empty, and says so" "$T_OUT" 'no money has moved yet'
t_match "and no history" "$T_OUT" '^  nothing yet$'

# --- an RFQ of her category -------------------------------------------------------------
t_run "buyer asks for table legs (Furniture)" 0 kb rfq post --title "Table legs for 60 desks" \
	--qty 240 --category Furniture --currency USD --target-price 10
RFQ=$(sqlite3 "$B/cache.db" "SELECT id FROM rfqs LIMIT 1")
t_run "and for cushions (Textiles), not hers" 0 kb rfq post --title "Seat cushions" --qty 60 \
	--category Textiles
t_run "seller syncs" 0 ks sync
t_match "her sync says what it brought: the RFQ of her category, as her inbox says it" "$T_OUT" \
	'^sync [^ ]+: pushed 0, pulled [0-9]+ changes?
rfq     RFQ from Berlin Interiors GmbH: 240 pieces "Table legs for 60 desks", target 10.00 USD per piece to quote \(Furniture\)
        kontor contract propose --rfq [A-Za-z0-9_-]{8} --listing U720-BK '
t_nomatch "and not the RFQ that is not hers" "$T_OUT" 'Seat cushions'
t_run "seller's inbox" 0 ks inbox
t_match "the RFQ of her category waits" "$T_OUT" '^rfq .*RFQ from Berlin Interiors GmbH: 240 pieces "Table legs for 60 desks", target 10.00 USD per piece to quote \(Furniture\)$'
RSHORT=$(printf '%s' "$RFQ" | cut -c1-8)
t_match "with the command that quotes it: the RFQ's prefix, her SKU, the buyer's @handle" "$T_OUT" \
	"^ +kontor contract propose --rfq $RSHORT --listing U720-BK --buyer @berlin-interiors-gmbh --qty 240 --incoterm FOB --place PLACE$"
t_nomatch "no 43-character id in it" "$(printf '%s\n' "$T_OUT" | grep 'contract propose')" '[A-Za-z0-9_-]{43}'
PIPED=$(printf '%s\n' "$T_OUT" | grep -A1 '^rfq ')
# On an 80-column terminal: the text under its first line, the command in lines a shell reads
# as one (each but the last ending in " \"), each option with its value.
t_run "seller's inbox at 80 columns" 0 env COLUMNS=80 KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S" inbox
t_eq "no line is wider than 80" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_match "the RFQ's text goes on under its first line" "$T_OUT" \
	'^rfq     [0-9-]+ [0-9:]+ [^ ]+  RFQ from Berlin Interiors GmbH: 240 pieces
^ {30}[^ ]'
t_match "its command broken before an option, not between an option and its value" "$T_OUT" \
	'^        kontor contract propose --rfq [A-Za-z0-9_-]{8} --listing U720-BK \\$'
JOINED=$(printf '%s\n' "$T_OUT" | sed -n '/^        kontor contract propose/,/[^\\]$/p' |
	sed -e ':a' -e '/\\$/N; s/ \\\n */ /; ta')
t_eq "joined as the shell joins it, the command is the one a pipe gets whole" "$JOINED" \
	"$(printf '%s\n' "$PIPED" | sed -n 2p)"
t_nomatch "the RFQ of another category does not" "$T_OUT" 'Seat cushions'
# A crowd of newer RFQs of other categories (250 rows put into a copy of her cache; the
# inbox looks at 200 RFQs at most) does not hide the one of hers.
S2="$T_TMP/seller-crowded"
cp -r "$S" "$S2"
N0=$(sqlite3 "$S2/cache.db" "SELECT count(*) FROM rfqs")
sqlite3 "$S2/cache.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
INSERT INTO rfqs(id, json, buyer_id, node, created) SELECT 'Rcrowd' || i,
 json_object('id', 'Rcrowd' || i, 'buyerId', '$BID', 'title', 'Cushions ' || i,
  'category', 'Textiles', 'qty', 10, 'status', 'open', 'created', '2099-01-01T00:00:00Z'),
 '$BID', 'main', '2099-01-01T00:00:00Z' FROM n"
t_eq "her copy holds the crowd" "$(sqlite3 "$S2/cache.db" "SELECT count(*) FROM rfqs")" $((N0 + 250))
t_run "seller's inbox behind the crowd" 0 env KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S2" inbox
t_match "her RFQ still waits behind 250 newer ones of another category" "$T_OUT" \
	'^rfq .*RFQ from .*"Table legs for 60 desks".* \(Furniture\)$'
t_nomatch "and none of the crowd shows" "$T_OUT" 'Cushions'
rm -rf "$S2"
t_eq "the notify-command ran once for that sync" "$(runs)" 1
t_match "with its own words, then the summary as one argument" "$(last_note)" \
	'^\[--from\]\[kontor\]\[1 new: RFQ "Table legs for 60 desks" from Berlin Interiors GmbH\]$'
t_run "a sync that brings nothing new" 0 ks sync
t_eq "runs no notify-command" "$(runs)" 1
t_eq "and says only the sync's own line: nothing new, nothing said again" \
	"$(printf '%s\n' "$T_OUT" | wc -l | tr -d ' ')" 1
t_run "seller syncs with --json" 0 ks sync --json
t_match "its object says nothing is new" "$T_OUT" '"news":\[\]'
t_run "seller answers in a chat" 0 ks chat send "$BID" "11.00 USD at 240 pcs, FOB Hai Phong"
t_run "seller's inbox" 0 ks inbox --json
t_nomatch "an answered RFQ is gone" "$T_OUT" "\"id\":\"$RFQ\""

# --- an offer and a message wait for her ----------------------------------------------------
trade_find iron table legs
t_run "buyer writes" 0 kb chat send "$SID" "Good price, the offer follows"
t_run "buyer proposes 240 legs" 0 kb contract propose --listing "$LID" --qty 240 --incoterm FOB \
	--place "Hai Phong" --json
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
sleep 2 # her sync comes later than the offer, as it does on her link
t_run "seller syncs" 0 ks sync
t_match "her sync says the offer waits for her signature" "$T_OUT" \
	"^offer +offer $(printf %.8s "$KID")… from Berlin Interiors GmbH: .* waiting for your signature
 +kontor contract sign $(printf %.8s "$KID")$"
t_match "and the message waits" "$T_OUT" '^chat +1 unread message from Berlin Interiors GmbH$'
t_run "seller's inbox --json" 0 ks inbox --json
t_match "the offer waits for her signature" "$T_OUT" \
	"\"kind\":\"offer\".*\"id\":\"$KID\".*\"command\":\"kontor contract sign $(printf %.8s "$KID")\""
MADE=$(sqlite3 "$DB" "SELECT json_extract(json_extract(json, '\$.sections[0].body'), '\$.created') FROM contracts WHERE id = '$KID'")
t_match "the offer is dated when the buyer made it ($MADE), not when she synced" "$T_OUT" \
	"\"kind\":\"offer\",[^}]*\"when\":\"$MADE\""
t_match "the message waits to be read" "$T_OUT" '"kind":"chat".*"text":"1 unread message from Berlin Interiors GmbH"'
t_eq "one more notify run for that sync" "$(runs)" 2
t_match "naming both news" "$(last_note)" \
	'\[2 new: (offer from Berlin Interiors GmbH to sign \(2,760.00 USD\); message from Berlin Interiors GmbH|message from Berlin Interiors GmbH; offer from Berlin Interiors GmbH to sign \(2,760.00 USD\))\]$'
t_nomatch "never the message text (notify-text is no)" "$(last_note)" 'offer follows'
t_run "seller reads the conversation" 0 ks chat show "$BID"
t_run "seller signs by the short id the inbox printed: binding" 0 ks contract sign "$(printf %.8s "$KID")"
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_match "the order id" "$ORDER" '^[A-Za-z0-9_-]{43}$'
t_run "she names the order by what it trades, before any sync has brought it" 0 ks order show "iron table legs"
t_match "the one her signature made" "$T_OUT" "^order +$ORDER$"
t_run "and its contract too" 0 ks contract show "Iron table"
t_match "the same contract" "$T_OUT" "^Contract $ORDER$"
t_run "a product none of hers trades names nothing (exit 2)" 2 ks order show "seat cushions"
t_match "saying what else it takes" "$T_ERR" "no order in the cache matches 'seat cushions' \(give the other party's @handle or the start or words of their name, the product or its start,"
t_run "seller's orders, no sync since signing" 0 ks order list --json
t_match "the order her signature made is listed at once, waiting for payment" "$T_OUT" \
	"\"id\":\"$ORDER\".*\"state\":\"awaiting_payment\""
t_run "seller's inbox" 0 ks inbox --json
t_nomatch "the signed offer is gone" "$T_OUT" '"kind":"offer"'
t_nomatch "the read message is gone" "$T_OUT" '"kind":"chat"'
t_nomatch "nothing of the order is hers before payment" "$T_OUT" "$ORDER"

# --- the buyer pays; the seller sees it arrive --------------------------------------------------
t_run "a deposit of 5,000.00 USD to the buyer" 0 "$KONTORD" admin deposit "$BID" 5000.00 USD --db "$DB" --reference psp-1
t_run "buyer syncs" 0 kb sync
t_run "buyer's inbox" 0 kb inbox --json
t_match "the order waits for the buyer to pay" "$T_OUT" "\"kind\":\"order\".*\"command\":\"kontor order pay $(printf %.8s "$ORDER")\""
t_run "buyer pays, on an 80-column terminal" 0 env COLUMNS=80 "$KONTOR" --home "$B" order pay "$ORDER"
t_eq "the result in lines no wider than 80" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_eq "in two lines" "$(printf '%s\n' "$T_OUT" | wc -l)" 2
t_match "broken at a space, the order's whole id kept" "$(printf '%s\n' "$T_OUT" | tr '\n' ' ')" \
	"^order $ORDER: funded as buyer; paid stage 1 of 1 \(100% before shipment\): 2,760\.00 USD; nothing more to pay \$"
t_run "buyer's inbox" 0 kb inbox --json
t_nomatch "paid: gone from his inbox" "$T_OUT" "order pay $ORDER"
t_run "seller syncs" 0 ks sync
t_match "her sync says the money is in escrow and the order waits to ship" "$T_OUT" \
	"^order +order $(printf %.8s "$ORDER")… \"Iron table legs, black, 72 cm\" for Berlin Interiors GmbH: paid 2,760.00 USD into escrow; ship it by [0-9-]+
 +kontor order ship $(printf %.8s "$ORDER") --carrier CARRIER --tracking NUMBER$"
t_eq "one notify run" "$(runs)" 3
t_match "saying the order was paid" "$(last_note)" '\[1 new: order [A-Za-z0-9_-]{8}… paid 2,760.00 USD\]$'
t_run "seller's wallet" 0 ks wallet
t_match "escrow holds the payment for her order, as seller" "$T_OUT" \
	"order $(printf %.8s "$ORDER")  as seller +2,760.00 USD  \\(yours once released\\)"
t_match "under it the product and the buyer, by name" "$T_OUT" \
	'^        Iron table legs, black, 72 cm, Berlin Interiors GmbH @berlin-interiors-gmbh$'
t_nomatch "not the order's whole id" "$T_OUT" "$ORDER"
t_run "her wallet on an 80-column terminal" 0 env COLUMNS=80 KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S" wallet
t_match "what the order is wraps under its own start, not back to the edge" "$T_OUT" \
	'^        Iron table legs, black, 72 cm, Berlin Interiors GmbH$
^        @berlin-interiors-gmbh$'
t_eq "no line is wider than 80" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_run "her wallet in Hai Phong (TZ=Asia/Ho_Chi_Minh)" 0 env TZ=Asia/Ho_Chi_Minh KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S" wallet
t_match "says when it was synced in local time, with the zone" "$T_OUT" '^Wallet on node [^ ]+ \(as of the sync at 20[0-9-]+ [0-9:]+ \+07\)$'
P1=$(ks wallet --json | sed -n 's/.*"pulled":"\([^"]*\)".*/\1/p')
sleep 1.1
t_run "a sync that brings nothing of her wallet" 0 ks sync
P2=$(ks wallet --json | sed -n 's/.*"pulled":"\([^"]*\)".*/\1/p')
t_eq "her wallet is as of that sync, not the one that last changed it" "$P2" \
	"$(sqlite3 "$S/cache.db" "SELECT last_sync FROM nodes")"
[ "$P2" \> "$P1" ] && t_ok "a later time than before ($P1 -> $P2)" ||
	t_fail "a later time than before" "$P1 -> $P2"
t_run "seller's wallet --json" 0 ks wallet --json
t_match "her balance is nothing yet" "$T_OUT" '"balances":\{\},"held":\{\},"escrow":\[\{"orderId":"[A-Za-z0-9_-]+","role":"seller","currency":"USD","amount":276000\}\]'
t_run "seller's orders --json" 0 ks order list --json
SHIPBY=$(printf '%s\n' "$T_OUT" | sed -n 's/.*"shipBy":"\([0-9-]*\)".*/\1/p')
t_match "each says the day it ships by, from the contract" "$SHIPBY" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}$'
t_run "seller's inbox" 0 ks inbox
t_match "the order waits for her to ship, by its product, saying the money is in escrow and by when" "$T_OUT" \
	"order $(printf %.8s "$ORDER")… \"Iron table legs, black, 72 cm\" for Berlin Interiors GmbH: paid 2,760.00 USD into escrow; ship it by $SHIPBY$"
t_match "with the command that ships it" "$T_OUT" "^ +kontor order ship $(printf %.8s "$ORDER") --carrier CARRIER --tracking NUMBER$"
# The command as the inbox printed it, her carrier and number filled in, ships the order.
SHIP=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *kontor \(order ship [^ ]*\) --carrier CARRIER --tracking NUMBER$/\1/p')
# shellcheck disable=SC2086 # the printed command's words
t_run "seller ships with the inbox's command" 0 ks $SHIP --carrier Maersk --tracking MSKU1234565 --mode sea
t_eq "that shipped this order" "$(ostate "$ORDER")" shipped
t_run "seller's inbox" 0 ks inbox --json
t_nomatch "shipped: gone" "$T_OUT" "order ship $(printf %.8s "$ORDER")"
t_run "buyer syncs" 0 kb sync
t_run "buyer's inbox" 0 kb inbox --json
t_match "the buyer is to confirm receipt" "$T_OUT" "\"command\":\"kontor order confirm $(printf %.8s "$ORDER")\""
t_match "once the goods are with him, not on reading it" "$T_OUT" \
	'"text":"order [A-Za-z0-9_-]{8}… \\"[^"]*\\" from [^"]* is shipped: once the goods are with you, confirm receipt to release '
t_run "buyer confirms" 0 kb order confirm "$ORDER"
t_run "buyer's inbox" 0 kb inbox --json
t_nomatch "confirmed: gone" "$T_OUT" "order confirm $(printf %.8s "$ORDER")"
ledger_zero "after the release"

t_run "seller syncs" 0 ks sync
t_match "her sync says the money arrived in her wallet" "$T_OUT" \
	'^money +\+2,760.00 USD arrived in your wallet: released by order [A-Za-z0-9_-]{8}… "Iron table legs, black, 72 cm"
 +kontor wallet$'
t_eq "one notify run" "$(runs)" 4
t_match "for the release, and the trade to rate" "$(last_note)" \
	'\[2 new: 2,760.00 USD released by order [A-Za-z0-9_-]{8}…; order [A-Za-z0-9_-]{8}… completed: rate Berlin Interiors GmbH\]$'
t_run "seller's inbox" 0 ks inbox
t_match "the money that arrived waits until she looks" "$T_OUT" \
	'^money .*  \+2,760.00 USD arrived in your wallet: released by order [A-Za-z0-9_-]{8}… "Iron table legs, black, 72 cm"$'
t_match "with the command that shows it" "$T_OUT" '^ +kontor wallet$'
t_run "seller's wallet" 0 ks wallet
t_match "the balance is the release" "$T_OUT" '^ +2,760.00 USD$'
t_match "the history says it in words, the amount at the line's end" "$T_OUT" '^  20[0-9-]{8} [0-9:]{5} [^ ]+  released by order [A-Za-z0-9_-]{8}… +\+2,760.00 USD$'
t_match "and under it the order as she knows it: its product and its buyer" "$T_OUT" \
	'^ {24}Iron table legs, black, 72 cm, Berlin Interiors GmbH @berlin-interiors-gmbh$'
t_nomatch "and escrow holds nothing for her any more" "$T_OUT" 'In escrow'
t_run "seller's inbox" 0 ks inbox
t_nomatch "looked at: the money is no longer news" "$T_OUT" '^money'
t_match "the completed trade waits for her rating" "$T_OUT" \
	"^rate .*order $(printf %.8s "$ORDER")… \"Iron table legs, black, 72 cm\" with Berlin Interiors GmbH \(2,760.00 USD\) completed; rate the trade$"
t_run "seller rates the buyer" 0 ks order rate "$ORDER" --stars 5 --text "paid every stage on time"
t_run "seller's inbox" 0 ks inbox
t_match "rated: nothing waits" "$T_OUT" '^nothing waits for you'

# --- withdrawing ---------------------------------------------------------------------------
t_run "seller withdraws 1,000.00 USD" 0 ks wallet withdraw 1000 USD
t_match "it says the new balance" "$T_OUT" '^withdrew 1,000.00 USD \(a payout from node main, reference [A-Za-z0-9_-]+\); balance 1,760.00 USD$'
t_eq "the node debited her wallet" "$(bal "wallet:$SID")" 176000
t_eq "one payout transaction, from the simulated provider" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx t JOIN ledger_entries e ON e.tx = t.seq WHERE t.kind = 'payout' AND e.account = 'provider:sim' AND e.amount = 100000")" 1
t_run "seller's wallet" 0 ks wallet
HIST=$(printf '%s\n' "$T_OUT" | grep -E '^  20[0-9-]{8} .*USD$')
t_eq "two history lines: the payout and the release" "$(printf '%s\n' "$HIST" | wc -l)" 2
t_eq "which end in the same column (the … of an id is one column, not three bytes)" \
	"$(printf '%s\n' "$HIST" | while IFS= read -r l; do printf "%s" "$l" | LC_ALL=C.UTF-8 wc -m; done | sort -u | wc -l)" 1
t_run "seller's wallet --json" 0 ks wallet --json
t_match "the payout is the newest line" "$T_OUT" '"history":\[\{"txId":"T[A-Za-z0-9_-]+","kind":"payout","words":"payout","currency":"USD","amount":-100000'
t_match "and the balance what is left" "$T_OUT" '"balances":\{"USD":176000\}'
t_run "kontord admin payouts lists it" 0 "$KONTORD" admin payouts --db "$DB"
t_match "when, whose, how much, the transaction and reference" "$T_OUT" \
	"^20[0-9-]{8}T[0-9:]{8}Z	$SID	1000.00 USD	T[A-Za-z0-9_-]+	sim-payout:$SID:[A-Za-z0-9_-]+$"
t_run "admin payouts of the buyer" 0 "$KONTORD" admin payouts "$BID" --db "$DB"
t_eq "lists none" "$T_OUT" ""
t_match "and says so" "$T_ERR" "no payouts of $BID"
t_run "admin payouts of an unknown account fails" 1 "$KONTORD" admin payouts nobody-here --db "$DB"

t_run "withdrawing more than the wallet holds is refused (exit 1)" 1 ks wallet withdraw 5000 USD
t_match "with the reason" "$T_ERR" '5,000.00 USD is more than your wallet holds \(1,760.00 USD'
t_run "an unknown currency is refused (exit 2)" 2 ks wallet withdraw 10 ABC
t_match "naming it" "$T_ERR" "unknown currency 'ABC'"
t_run "a zero amount is refused (exit 2)" 2 ks wallet withdraw 0 USD
t_run "a negative amount is refused (exit 2)" 2 ks wallet withdraw -5 USD
t_match "saying so" "$T_ERR" 'more than zero'
t_run "a word that is no amount (exit 2)" 2 ks wallet withdraw lots USD
t_match "says all is the word" "$T_ERR" 'AMOUNT lots is not an amount .*, or all for what the wallet holds$'
t_eq "nothing was queued" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" 0
t_eq "the wallet is untouched" "$(bal "wallet:$SID")" 176000
# A stale cache that believes in more money: the node refuses, and says why.
sqlite3 "$S/cache.db" "UPDATE wallets SET json = json_set(json, '$.balances.USD', 900000)"
t_run "the node refuses a withdrawal over the balance (exit 1)" 1 ks wallet withdraw 5000 USD
t_match "with its reason" "$T_ERR" 'insufficientFunds: withdraw: 5,000.00 USD is more than the wallet holds \(1,760.00 USD\)'
t_eq "the wallet is untouched at the node" "$(bal "wallet:$SID")" 176000
t_eq "still one payout" "$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = 'payout'")" 1
t_run "the refused withdrawal waits in the outbox" 0 ks outbox list
t_match "as Wallet/set" "$T_OUT" 'Wallet/set'
t_run "and is dropped" 0 ks outbox drop "$(sqlite3 "$S/cache.db" "SELECT seq FROM outbox")"
ledger_zero "after the withdrawals"

# --- at the node: the refusals a client without the cache check would meet ---------------
"$KSIGN" keygen random >"$T_TMP/x.key"
XID=$("$KSIGN" id "$T_TMP/x.key")
capi "$T_TMP/x.key" '["Account/set",{"create":{"me":{"displayName":"Third Party","country":"GB","role":"buyer"}}},"r"]'
t_run "a deposit of 10.00 USD to a third account" 0 "$KONTORD" admin deposit "$XID" 10 USD --db "$DB"
capi "$T_TMP/x.key" "[\"Wallet/set\",{\"update\":{\"W$XID\":{\"withdraw\":{\"amount\":2000,\"currency\":\"USD\",\"reference\":\"a1\"}}}},\"1\"]"
t_match "Wallet/set over the balance: insufficientFunds with the reason" "$RESP" \
	'"notUpdated":\{"W[A-Za-z0-9_-]+":\{"type":"insufficientFunds","description":"withdraw: 20.00 USD is more than the wallet holds \(10.00 USD\)"'
capi "$T_TMP/x.key" "[\"Wallet/set\",{\"update\":{\"W$XID\":{\"withdraw\":{\"amount\":100,\"currency\":\"ABC\",\"reference\":\"a2\"}}}},\"2\"]"
t_match "an unknown currency: invalidProperties naming it" "$RESP" \
	'"type":"invalidProperties","description":"withdraw.currency: unknown currency .ABC'
capi "$T_TMP/x.key" "[\"Wallet/set\",{\"update\":{\"W$XID\":{\"withdraw\":{\"amount\":0,\"currency\":\"USD\",\"reference\":\"a3\"}}}},\"3\"]"
t_match "zero: refused" "$RESP" '"description":"withdraw.amount: must be more than zero \(got 0\)"'
capi "$T_TMP/x.key" "[\"Wallet/set\",{\"update\":{\"W$XID\":{\"withdraw\":{\"amount\":-500,\"currency\":\"USD\",\"reference\":\"a4\"}}}},\"4\"]"
t_match "negative: refused" "$RESP" '"description":"withdraw.amount: must be more than zero \(got -500\)"'
capi "$T_TMP/x.key" "[\"Wallet/set\",{\"update\":{\"W$SID\":{\"withdraw\":{\"amount\":100,\"currency\":\"USD\",\"reference\":\"a5\"}}}},\"5\"]"
t_match "another's wallet is notFound" "$RESP" '"notUpdated":\{"W[A-Za-z0-9_-]+":\{"type":"notFound"'
t_eq "none of it moved the third wallet" "$(bal "wallet:$XID")" 1000
t_eq "nor the seller's" "$(bal "wallet:$SID")" 176000
capi "$T_TMP/x.key" "[\"Wallet/set\",{\"update\":{\"W$XID\":{\"withdraw\":{\"amount\":400,\"currency\":\"USD\",\"reference\":\"a6\"}}}},\"6\"]"
t_match "a withdrawal within the balance: updated with the new balance" "$RESP" '"updated":\{"W[A-Za-z0-9_-]+":\{"balances":\{"USD":600\},"payout":\{"txId":"T[A-Za-z0-9_-]+","posted":true\}'
capi "$T_TMP/x.key" "[\"Wallet/set\",{\"update\":{\"W$XID\":{\"withdraw\":{\"amount\":400,\"currency\":\"USD\",\"reference\":\"a6\"}}}},\"7\"]"
t_match "the same reference again pays nothing twice" "$RESP" '"balances":\{"USD":600\},"payout":\{"txId":"T[A-Za-z0-9_-]+","posted":false\}'
t_eq "600 left" "$(bal "wallet:$XID")" 600
capi "$T_TMP/x.key" '["Wallet/changes",{"sinceState":"0"},"c"]'
t_match "Wallet/changes: her wallet updated since 0" "$RESP" "\"updated\":\\[\"W$XID\"\\]"
ledger_zero "after the node's refusals"

# --- a dispute and a ruling wait for her; a cancellation to sign ------------------------------
# The second is to ship the day he proposes it (his day, twelve hours behind UTC), and she
# reads her inbox fourteen hours ahead of UTC: for her that day is always gone.
BUYER_DAY=$(TZ=Etc/GMT+12 date +%Y-%m-%d)
t_run "buyer proposes 20 more, to ship today" 0 env TZ=Etc/GMT+12 "$KONTOR" --home "$B" \
	contract propose --listing "$LID" --qty 20 --incoterm FOB --place "Hai Phong" \
	--ship-by "$BUYER_DAY" --json
K2=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "seller signs the second" 0 ks contract sign "$K2"
O2=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the second" 0 kb order pay "$O2"
t_run "seller syncs" 0 ks sync
t_run "her inbox where the day is later than his (TZ=Etc/GMT-14)" 0 env TZ=Etc/GMT-14 \
	KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S" inbox
t_match "the order to ship says it is late, and the day it was to ship by" "$T_OUT" \
	"order $(printf %.8s "$O2")… \"Iron table legs, black, 72 cm\" for Berlin Interiors GmbH: paid 230.00 USD into escrow; ship it, late: the contract said by $BUYER_DAY$"
t_run "his inbox there too" 0 env TZ=Etc/GMT-14 "$KONTOR" --home "$B" inbox
t_match "his goods are late: he is told, and how to ask her" "$T_OUT" \
	"order $(printf %.8s "$O2")… \"Iron table legs, black, 72 cm\" from Hoa Phat Iron Art is not shipped, late: the contract said by $BUYER_DAY; write to them, or dispute it for the node's arbitrator$"
t_match "by her handle, about the order" "$T_OUT" "^ +kontor chat send @hoa-phat-iron-art --order $(printf %.8s "$O2") TEXT$"
t_run "his order show there" 0 env TZ=Etc/GMT-14 "$KONTOR" --home "$B" order show "$O2"
t_match "says it too, under the terms" "$T_OUT" "^late +not shipped, and the contract said by $BUYER_DAY$"
t_run "and its --json" 0 env TZ=Etc/GMT-14 "$KONTOR" --home "$B" order show "$O2" --json
t_match "says shipLate" "$T_OUT" '"shipLate":true'
t_run "his inbox on his own clock, where the day is today" 0 env TZ=Etc/GMT+12 "$KONTOR" --home "$B" inbox
t_nomatch "is not late yet" "$T_OUT" 'not shipped, late'
t_run "nor his order show" 0 env TZ=Etc/GMT+12 "$KONTOR" --home "$B" order show "$O2"
t_nomatch "says nothing late" "$T_OUT" '^late'
t_run "buyer disputes it" 0 kb order dispute "$O2" --reason "wrong colour"
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox --json
t_match "the dispute the buyer opened waits for her" "$T_OUT" \
	"\"kind\":\"dispute\".*\"id\":\"$O2\".*disputed by Berlin Interiors GmbH"
t_match "with his reason, the first thing she answers" "$T_OUT" \
	'disputed by Berlin Interiors GmbH: \\"wrong colour\\"; give your side; escrow holds it until'
t_match "and the command that answers it" "$T_OUT" \
	"\"command\":\"kontor order dispute $(printf %.8s "$O2") --reason TEXT\""
t_run "the arbitrator lists what waits for a ruling" 0 "$KONTORD" admin disputes --db "$DB"
t_match "the order, what escrow holds, who disputed, both parties, his reason, no answer yet" "$T_OUT" \
	"^20[0-9-]{8}T[0-9:]{8}Z	$O2	230\.00 USD	by the buyer	buyer @berlin-interiors-gmbh	seller @[a-z0-9-]+	wrong colour	no answer from the seller yet\$"
t_run "the buyer cannot answer his own dispute (exit 1)" 1 kb order dispute "$O2" --reason "and again"
t_match "its reason is his side" "$T_ERR" "order $O2 is disputed: its reason is your side"
t_run "she answers with her side, by the product" 0 ks order dispute "Iron table legs" \
	--reason "Black, as the signed offer says; photos sent in our chat"
t_match "it is with the arbitrator" "$T_OUT" "^order $O2: answered the dispute as seller; the node's arbitrator reads it"
t_eq "the node keeps her signed answer on the order" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '\$.answer.from') = '$SID' AND json_extract(json, '\$.answer.sig') IS NOT NULL FROM orders WHERE id = '$O2'")" 1
t_run "a second answer is refused (exit 1)" 1 ks order dispute "$O2" --reason "more"
t_match "an answer is given once" "$T_ERR" 'you answered the dispute on .*; an answer is given once'
t_run "seller's inbox" 0 ks inbox --json
t_nomatch "answered: nothing of it waits for her" "$T_OUT" '"kind":"dispute"'
t_run "buyer syncs" 0 kb sync
t_run "buyer's inbox" 0 kb inbox
t_match "her answer reaches him" "$T_OUT" \
	'answered your dispute: "Black, as the signed offer says; photos sent in our chat"; the node.s arbitrator rules next'
t_run "his order show" 0 kb order show "$O2"
t_match "prints her answer" "$T_OUT" '^answer by the seller \(.*\): Black, as the signed offer says'
t_run "the arbitrator lists it with both sides" 0 "$KONTORD" admin disputes --db "$DB"
t_match "his reason, then her answer" "$T_OUT" \
	"	wrong colour	the seller answers: Black, as the signed offer says; photos sent in our chat\$"
t_run "admin disputes takes no operand (exit 2)" 2 "$KONTORD" admin disputes "$O2" --db "$DB"
t_run "the arbitrator rules 50/50" 0 "$KONTORD" admin resolve "$O2" --buyer-pct 50 --note "half" --db "$DB"
t_run "nothing waits for a ruling now" 0 "$KONTORD" admin disputes --db "$DB"
t_eq "no line" "$T_OUT" ""
t_match "it says so" "$T_ERR" 'no disputed order waits for a ruling'
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox --json
t_nomatch "ruled: the dispute is gone" "$T_OUT" '"kind":"dispute"'
t_match "the ruling waits to be rated, saying her share" "$T_OUT" \
	"\"kind\":\"ruling\".*ruled: 115.00 USD to you; rate the trade\",\"command\":\"kontor order rate $(printf %.8s "$O2") --stars N\""
t_match "her share arrived in the wallet" "$T_OUT" '"kind":"money".*ruling on order'
t_run "seller rates" 0 ks order rate "$O2" --stars 3 --text "fair"
t_run "seller looks at her wallet" 0 ks wallet
t_run "seller's inbox" 0 ks inbox
t_match "rated and looked at: nothing waits" "$T_OUT" '^nothing waits for you'

t_run "buyer proposes a third" 0 kb contract propose --listing "$LID" --qty 10 --incoterm FOB \
	--place "Hai Phong" --json
K3=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "seller signs the third" 0 ks contract sign "$K3"
O3=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the third" 0 kb order pay "$O3"
t_run "buyer asks to cancel it" 0 kb order cancel "$O3"
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox --json
t_match "the cancellation waits for her signature" "$T_OUT" "\"command\":\"kontor order cancel $(printf %.8s "$O3")\""
t_run "seller signs the cancellation" 0 ks order cancel "$O3"
t_run "seller's inbox" 0 ks inbox --json
t_nomatch "signed: gone" "$T_OUT" "order cancel $(printf %.8s "$O3")"
t_eq "the third order is cancelled" "$(ostate "$O3")" cancelled
ledger_zero "after the dispute and the cancellation"

# --- the notify-command's text, injection, failure and hang --------------------------------------
printf 'set notify-command "sh %s"\nset notify-text yes\n' "$T_TMP/notify.sh" >"$CONF"
t_run "buyer writes again" 0 kb chat send "$SID" "Ready for the next lot?"
t_run "seller syncs" 0 ks sync
t_match "with notify-text yes the summary quotes the message" "$(last_note)" \
	'^\[1 new: message from Berlin Interiors GmbH: "Ready for the next lot\?"\]$'
t_run "seller reads it" 0 ks chat show "$BID"
t_run "she lists a lamp with a long title in Vietnamese" 0 ks listing add --sku DEN-TRE \
	--title "Đèn tre đan thủ công mỹ nghệ làng Phú Vinh, cỡ lớn" --price 320000 --currency VND
t_run "buyer syncs" 0 kb sync
t_run "a buyer with no Vietnamese keyboard searches his cache for 'den tre'" 0 kb search den tre
t_match "and finds the lamp (đ read as d)" "$T_OUT" 'Đèn tre đan thủ công'
t_run "and asks the node for 'tre dan lang phu vinh' (its SKU says none of the rest)" 0 kb search --remote tre dan lang phu vinh
t_match "which finds it too" "$T_OUT" 'Đèn tre đan thủ công'
t_run "she names her lamp as she would type it in ASCII" 0 ks listing show "den tre"
t_match "and it is the lamp" "$T_OUT" '^Đèn tre đan thủ công'
t_run "buyer asks about the lamp" 0 kb chat send "đèn tre" "What size is the large one?"
t_run "seller syncs" 0 ks sync
t_match "her inbox quotes its title cut as the inbox cuts titles, whole characters and the quote closed" "$(ks inbox)" 'about "Đèn tre đan thủ công mỹ nghệ làng Phú Vinh, cỡ…"$'
LAMP=$(ks inbox | sed -n '/about "Đèn tre/{n;s/^ *kontor chat show \([A-Za-z0-9_-]*\)$/\1/p;}')
t_run "seller reads it by the id's start the inbox printed" 0 ks chat show "$LAMP"
t_match "the question" "$T_OUT" 'What size is the large one\?'
t_nomatch "nothing about the lamp waits any more" "$(ks inbox)" 'about "Đèn tre'
t_run "buyer asks about her legs, named by their title" 0 kb chat send "iron table legs" "Can you do 300 of these?"
t_run "seller syncs" 0 ks sync
t_run "her inbox" 0 ks inbox
t_match "says which product the message is about" "$T_OUT" '1 unread message from Berlin Interiors GmbH about "Iron table legs, black, 72 cm"'
t_match "and so does the notify-command's text" "$(last_note)" '^\[1 new: message from Berlin Interiors GmbH about "Iron table legs, black, 72 cm": "Can you do 300 of these\?"\]$'
CHAT=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *kontor \(chat show [A-Za-z0-9_-]*\)$/\1/p')
t_match "with the command by the start of the conversation's id" "$CHAT" '^chat show [A-Za-z0-9_-]{8}$'
# shellcheck disable=SC2086 # the command as the inbox printed it
t_run "which she runs as printed" 0 ks $CHAT
t_match "the message" "$T_OUT" 'Can you do 300 of these\?'
t_run "her chat list" 0 ks chat list
t_match "names each conversation by its id's start and the product it is about" "$T_OUT" \
	"^${CHAT#chat show } +0 unread +20[0-9-]+ [0-9:]+ [A-Z+0-9-]+ +Berlin Interiors GmbH @berlin-interiors-gmbh +about \"Iron table legs, black, 72 cm\"$"
t_match "and under it his last message" "$T_OUT" '^          Can you do 300 of these\?$'
t_nomatch "no listing id in it" "$T_OUT" 'listing [A-Za-z0-9_-]'
sleep 1 # times are in seconds: her answer comes after the second the last message came in
t_run "she answers the question about the lamp" 0 ks chat send "$LAMP" "The large one is 40 cm"
t_match "saying to whom and about what" "$T_OUT" '^sent to Berlin Interiors GmbH @berlin-interiors-gmbh about "Đèn tre'
t_match "that conversation comes first in her list at once" "$(ks chat list | head -n 1)" "^$LAMP .*about \"Đèn tre"
t_run "she writes to him about the order" 0 ks chat send @berlin "Your legs left Hai Phong" --order "$(printf %.8s "$ORDER")"
t_match "in a conversation about that order, named with its product" "$T_OUT" "^sent to Berlin Interiors GmbH @berlin-interiors-gmbh about order $(printf %.8s "$ORDER") \"Iron table legs, black, 72 cm\" in conversation [A-Za-z0-9_-]{8}$"
t_match "her chat list says so too" "$(ks chat list)" " about order $(printf %.8s "$ORDER") \"Iron table legs, black, 72 cm\"$"
ABOUT_ORDER=$(printf '%s\n' "$T_OUT" | sed -n 's/.* in conversation \([A-Za-z0-9_-]*\)$/\1/p')
t_run "and a word about nothing in particular" 0 ks chat send @berlin "Happy new year"
t_nomatch "goes to their other conversation, not the order's" "$T_OUT" "about order|in conversation $ABOUT_ORDER"
t_run "a second word about the order" 0 ks chat send @berlin "ETA Hamburg on the 2nd" --order "$(printf %.8s "$ORDER")"
t_match "joins the order's conversation" "$T_OUT" "in conversation $ABOUT_ORDER$"
t_run "the buyer syncs" 0 kb sync
t_match "his inbox says which order her messages are about, by its product" "$(kb inbox)" \
	"2 unread messages from Hoa Phat Iron Art about order $(printf %.8s "$ORDER") \"Iron table legs, black, 72 cm\"$"
# On an 80-column terminal: a row of her chat list gives up the @handle, then what it is
# about goes under it; a message's lines are indented under its sender and wrapped to fit.
t_run "her chat list at 80 columns" 0 env COLUMNS=80 KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S" chat list
t_eq "no line of it is wider than 80" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_match "the order's conversation: his name without the @handle, then under it the order, then her last message" "$T_OUT" \
	"^$(printf %.8s "$ABOUT_ORDER") +0 unread +20[0-9-]+ [0-9:]+ [A-Z+0-9-]+ +Berlin Interiors GmbH$
^          about order $(printf %.8s "$ORDER") \"Iron table legs, black, 72 cm\"$
^          you: ETA Hamburg on the 2nd$"
t_match "piped, the row keeps the @handle and all it is about" "$(ks chat list)" \
	"Berlin Interiors GmbH @berlin-interiors-gmbh +about order $(printf %.8s "$ORDER") \"Iron table legs, black, 72 cm\"$"
t_run "she writes two lines, the second long" 0 ks chat send @berlin "Packing list for the lot:
20 cartons of 12 legs each, 4.2 kg a leg, 50.4 kg a carton, strapped on two pallets of 10 cartons"
PACKING=$(printf '%s\n' "$T_OUT" | sed -n 's/.* in conversation \([A-Za-z0-9_-]*\)$/\1/p')
t_run "the conversation at 80 columns" 0 env COLUMNS=80 KONTOR_CONFIG="$CONF" "$KONTOR" --home "$S" chat show "$PACKING"
t_eq "no line of it is wider than 80" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_match "each line of the message indented under her, the long one wrapped under itself" "$T_OUT" \
	'^[0-9-]+ [0-9:]+ [^ ]+  you:
^  Packing list for the lot:
^  20 cartons of 12 legs each, 4\.2 kg a leg, 50\.4 kg a carton, strapped on two
^  pallets of 10 cartons$'
t_run "piped" 0 ks chat show "$PACKING"
t_match "each line indented, none wrapped" "$T_OUT" \
	'^  Packing list for the lot:
^  20 cartons of 12 legs each, 4\.2 kg a leg, 50\.4 kg a carton, strapped on two pallets of 10 cartons$'

# shellcheck disable=SC2016 # shell that must stay text
EVIL='Evil $(touch pwned-a); `touch pwned-b` | touch pwned-c'
trade_party_np third kx "$EVIL" GB buyer
t_run "the third party writes to the seller" 0 kx chat send "$SID" "hello"
cd "$T_TMP" || exit 1
t_run "seller syncs (in a directory a command injection would write to)" 0 ks sync
cd "$T_ROOT" || exit 1
# shellcheck disable=SC2016 # the same, as a pattern
t_match "its name arrives as text inside the one argument" "$(last_note)" \
	'^\[1 new: message from Evil \$\(touch pwned-a\); `touch pwned-b` \| touch pwned-c: "hello"\]$'
set -- "$T_TMP"/pwned*
t_eq "and ran nothing" "$1" "$T_TMP/pwned*"
t_run "seller reads it" 0 ks chat show "$(party_id kx)"

printf '#!/bin/sh\nexit 3\n' >"$T_TMP/fail.sh"
printf 'set notify-command "sh %s"\n' "$T_TMP/fail.sh" >"$CONF"
sleep 1 # times are in seconds: his message is the newest, as `chat show ACCOUNT` shows the newest
t_run "buyer writes" 0 kb chat send "$SID" "one"
t_run "a sync whose notify-command fails still succeeds (exit 0)" 0 ks sync
t_match "the failure is said" "$T_ERR" 'notify-command exited 3'
t_match "and logged" "$(tail -n 1 "$S/notify.log")" 'notify-command exited 3 \([0-9]+ ms\): 1 new: message from Berlin Interiors GmbH$'
t_run "the message came all the same" 0 ks chat show "$BID"
t_match "read" "$T_OUT" 'one'

cat >"$T_TMP/hang.sh" <<EOF
#!/bin/sh
echo \$\$ >"$T_TMP/hang.pid"
exec sleep 300
EOF
printf 'set notify-command "sh %s"\n' "$T_TMP/hang.sh" >"$CONF"
t_run "buyer writes" 0 kb chat send "$SID" "two"
export KONTOR_NOTIFY_TIMEOUT=2
t_run "a sync whose notify-command hangs still succeeds (exit 0)" 0 ks sync
unset KONTOR_NOTIFY_TIMEOUT
t_match "it is killed at the limit" "$T_ERR" 'notify-command killed after 2 s'
t_match "and logged" "$(tail -n 1 "$S/notify.log")" 'notify-command killed after 2 s'
HP=$(cat "$T_TMP/hang.pid" 2>/dev/null)
if [ -n "$HP" ] && ! kill -0 "$HP" 2>/dev/null; then
	t_ok "the hanging command is gone"
else
	t_fail "the hanging command is gone" "pid '$HP' still runs"
	[ -n "$HP" ] && kill -9 "$HP" 2>/dev/null
fi
t_run "the message came all the same" 0 ks chat show "$BID"
t_match "read" "$T_OUT" 'two'
t_eq "the sync and its message were not held: nothing waits" "$(ks inbox --json | grep -c '"kind":"chat"')" 0
: >"$CONF"

# --- a long history comes whole -------------------------------------------------------------
i=0
while [ $i -lt 55 ]; do
	"$KONTORD" admin deposit "$BID" 1 EUR --db "$DB" >/dev/null 2>&1 || break
	i=$((i + 1))
done
t_eq "55 small deposits to the buyer" "$i" 55
t_run "buyer syncs" 0 kb sync
t_run "buyer's wallet, one page" 0 kb wallet --json --limit 5 --page 2
t_match "every line of the history is cached, past the node's first page of 50" "$T_OUT" \
	'"historyTotal":([0-9]+).*"historyCached":\1,'
t_match "the page is the 6th to 10th line" "$T_OUT" '"offset":5,"limit":5'
TOTAL=$(sqlite3 "$DB" "SELECT count(*) FROM ledger_entries WHERE account = 'wallet:$BID'")
t_eq "the cache holds the node's lines, one for one" \
	"$(sqlite3 "$B/cache.db" "SELECT count(*) FROM wallet_lines")" "$TOTAL"

# --- she takes out all she has: her wallet is at 0, not empty "yet" -----------------------
t_run "seller syncs" 0 ks sync
HAS=$(bal "wallet:$SID")
t_run "she withdraws all her wallet holds, the currency as she types it" 0 ks wallet withdraw all usd
t_match "the whole of it, in words" "$T_OUT" '^withdrew [0-9,]+\.[0-9]{2} USD \(a payout from node main, reference [A-Za-z0-9_-]+\); balance 0\.00 USD$'
t_eq "the node's wallet is at 0" "$(bal "wallet:$SID")" 0
t_run "all again: nothing to withdraw (exit 1)" 1 ks wallet withdraw all USD
t_eq "saying what the wallet holds" "$T_ERR" "kontor: wallet withdraw: your wallet holds 0.00 USD at the last sync: nothing to withdraw"
t_run "her wallet after" 0 ks wallet
t_match "says every currency is at 0" "$T_OUT" '^  0 in every currency$'
t_nomatch "not that no money came yet" "$T_OUT" 'nothing yet'

# --- the ledger ---------------------------------------------------------------------------
ledger_zero "at the end of the day"
t_eq "no wallet or escrow below zero" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM ledger_accounts WHERE kind IN ('wallet', 'escrow') AND balance < 0")" 0
t_eq "every balance is the sum of its entries" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM ledger_accounts a WHERE balance != (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.account = a.id AND e.currency = a.currency)")" 0

# --- an RFQ on a C rule: the place to offer is its destination, as her TUI's quote fills it ---
t_run "buyer asks for legs CIF to Germany" 0 kb rfq post --title "Table legs, CIF Hamburg" \
	--qty 300 --category Furniture --incoterm CIF --destination DE
CSHORT=$(sqlite3 "$B/cache.db" "SELECT substr(id, 1, 8) FROM rfqs WHERE json_extract(json, '$.title') = 'Table legs, CIF Hamburg'")
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox
t_match "its command offers CIF to the RFQ's destination, no PLACE to fill in" "$T_OUT" \
	"^ +kontor contract propose --rfq $CSHORT --listing [^ ]+ --buyer @berlin-interiors-gmbh --qty 300 --incoterm CIF --place DE$"

# --- two listings of her category: the RFQ's unit chooses, not the newer ----------------------
t_run "she lists boxed leg sets by the carton, newer, in the same category" 0 ks listing add \
	--sku LEG-CT --title "Table leg sets, 4 to a carton" --price 44.00 --currency USD \
	--moq 5 --unit carton --category "Furniture > Table legs"
t_run "seller syncs" 0 ks sync
t_run "buyer asks for 30 cartons of legs" 0 kb rfq post --title "Boxed table legs" --qty 30 \
	--unit carton --category Furniture
t_run "and for 500 legs, counted in pieces" 0 kb rfq post --title "Loose table legs" --qty 500 \
	--category Furniture
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox
t_match "the cartons are quoted from the listing sold by the carton" "$T_OUT" \
	"^ +kontor contract propose --rfq [^ ]+ --listing LEG-CT --buyer @berlin-interiors-gmbh --qty 30 "
t_match "the pieces from the one sold by the piece, though older" "$T_OUT" \
	"^ +kontor contract propose --rfq [^ ]+ --listing U720-BK --buyer @berlin-interiors-gmbh --qty 500 "

# --- an RFQ that says which variant: the command names it; one that does not, VARIANT --------
printf '%s\n' 'sku,title,currency,price,stock,category,variant_of,options' \
	'GIO,Giỏ mây đan tay,USD,12.00,,Baskets,,' \
	'GIO-S-NAU,,,,40,,GIO,Cỡ: Nhỏ|Màu: Nâu' \
	'GIO-L-NAU,,,14.50,25,,GIO,Cỡ: Lớn|Màu: Nâu' \
	'GIO-L-TRANG,,,15.00,10,,GIO,Cỡ: Lớn|Màu: Trắng' >"$T_TMP/baskets.csv"
t_run "she imports rattan baskets in three variants" 0 ks listing import "$T_TMP/baskets.csv"
t_run "buyer asks for large brown baskets, without accents" 0 kb rfq post \
	--title "Gio may lon mau nau" --qty 40 --category Baskets
t_run "and for baskets, saying no size" 0 kb rfq post --title "Rattan baskets" --qty 80 \
	--category Baskets --description "large or small, brown or white"
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox
t_match "the brown large one is named by her SKU for it" "$T_OUT" \
	"^ +kontor contract propose --rfq [^ ]+ --listing GIO --variant GIO-L-NAU --buyer @berlin-interiors-gmbh --qty 40 "
t_match "words that name several leave VARIANT to fill in" "$T_OUT" \
	"^ +kontor contract propose --rfq [^ ]+ --listing GIO --variant VARIANT --buyer @berlin-interiors-gmbh --qty 80 "

# --- a sync that brings much says five and how many more ---------------------------------
for i in 1 2 3 4 5 6 7; do
	t_run "buyer asks for basket lot $i" 0 kb rfq post --title "Basket lot $i" --qty 10 --category Baskets
done
t_run "seller syncs" 0 ks sync
t_eq "her sync shows five of the seven" "$(printf '%s\n' "$T_OUT" | grep -c '^rfq .*"Basket lot [1-7]"')" 5
t_match "and says where the rest are" "$T_OUT" '^and 2 more new: `kontor inbox`$'
t_run "seller's inbox" 0 ks inbox
t_eq "which has all seven" "$(printf '%s\n' "$T_OUT" | grep -c '^rfq .*"Basket lot [1-7]"')" 7
t_run "buyer asks for basket lot 8" 0 kb rfq post --title "Basket lot 8" --qty 10 --category Baskets
t_run "seller syncs with -q" 0 ks -q sync
t_eq "says nothing of it" "$T_OUT" ""
t_run "though her inbox has it" 0 ks inbox
t_match "lot 8" "$T_OUT" '^rfq .*"Basket lot 8"'


t_node_stop
t_done
