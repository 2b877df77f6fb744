#!/bin/sh
# Orders and escrow (DESIGN §6), the first states, over a live kontord with real TLS: a
# contract binds and its order appears (awaiting_payment); shipping before payment and
# paying with too little money are refused naming the state; money deposited through the
# simulated provider pays the order into escrow (the buyer's wallet down, escrow holding
# the total), the seller ships, the buyer confirms and escrow is released to the seller;
# a second order is cancelled before funding; a third account can neither see nor move an
# order. The node's ledger sums to zero per currency after every step.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

KSIGN=${KSIGN:-$T_BUILD/tools/ksign}
export KONTOR_PASSPHRASE="order test passphrase"
trade_node "Order Test Node"

# Keys without a passphrase: an Argon2id unlock per command is what made this test slow,
# and passphrases are tested in cli.sh and ui/trade.sh.
trade_party seller ks "Ningbo Valve Works" CN supplier --no-passphrase
trade_party buyer kb "Rotterdam Pumps BV" NL buyer --no-passphrase
trade_party third kx "Nosy Parker Ltd" GB buyer --no-passphrase
SID=$(party_id ks)
BID=$(party_id kb)

t_run "seller lists a valve" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.00 --currency USD --moq 10 --origin CN --hs-code 848180 --lead-days 10
trade_find ball valve
t_match "the listing id" "$LID" '^L[A-Za-z0-9_-]{22}$'

# --- a contract binds: the order appears --------------------------------------------------
t_run "buyer proposes 100 valves" 0 kb contract propose --listing "$LID" --qty 100 \
	--incoterm FOB --place Ningbo --auto-release-days 10 --json
t_match "the total is 1,200.00 USD" "$T_OUT" '"total":120000'
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "seller signs: binding" 0 ks contract sign "$KID"
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_match "the order id" "$ORDER" '^[A-Za-z0-9_-]{43}$'
t_eq "the node made the order, awaiting payment" "$(ostate "$ORDER")" awaiting_payment
t_eq "the order's total, currency and auto-release come from the offer" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.total') || ' ' || json_extract(json, '$.currency') || ' ' || json_extract(json, '$.autoReleaseDays') || ' ' || json_extract(json, '$.contractId') FROM orders WHERE id = '$ORDER'")" \
	"120000 USD 10 $KID"
t_run "buyer syncs" 0 kb sync --json
t_match "the buyer pulled the order" "$T_OUT" '"Order":1'
t_run "buyer lists orders" 0 kb order list
t_match "awaiting payment, 1,200.00 USD from the seller, by name" "$T_OUT" "^$(printf %.8s "$ORDER") +awaiting_payment +buy from +1,?200.00 USD +DN50 brass ball valve +Ningbo Valve Works @ningbo-valve-works$"
t_run "order list --state funded is empty" 0 kb order list --state funded
t_eq "nothing funded yet" "$T_OUT" ""
t_run "order list --state bogus is a usage error (exit 2)" 2 kb order list --state bogus
t_run "buyer's inbox, his wallet synced and empty" 0 kb inbox
t_match "the order to pay says the wallet holds nothing (the node says not how to add money)" "$T_OUT" \
	"order $(printf %.8s "$ORDER")… \"DN50 brass ball valve\" from Ningbo Valve Works: pay 1,200\\.00 USD \\(total 1,200\\.00 USD\\); your wallet holds 0\\.00 USD$"

# --- refusals that name the state ---------------------------------------------------------
t_run "seller syncs" 0 ks sync
t_run "shipping before payment is refused (exit 1)" 1 ks order ship "$ORDER" --carrier Maersk --tracking MSKU1234565 --mode sea
t_match "the refusal names the state" "$T_ERR" 'order is awaiting_payment: ship needs funded'
t_eq "the refused step left the seller's outbox" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" 0
t_eq "and the seller's cached contract as the node holds it" \
	"$(sqlite3 "$S/cache.db" "SELECT json_array_length(json, '$.sections') FROM contracts WHERE id = '$KID'")" 1
t_eq "the order is still awaiting payment" "$(ostate "$ORDER")" awaiting_payment
t_run "the seller cannot pay (exit 1)" 1 ks order pay "$ORDER"

t_run "a deposit of 500.00 USD to the buyer" 0 "$KONTORD" admin deposit "$BID" 500.00 USD --db "$DB" --reference psp-1
ledger_zero "after the deposit"
t_run "paying 1,200.00 with 500.00 is refused (exit 1)" 1 kb order pay "$ORDER"
t_match "the refusal says what is needed and held" "$T_ERR" 'insufficientFunds.*1,?200.00 USD.*500.00 USD'
t_eq "the buyer's wallet is untouched" "$(bal "wallet:$BID")" 50000
t_eq "nothing in escrow" "$(bal "escrow:$ORDER")" 0
ledger_zero "after the refused payment"

# --- pay, ship, confirm -------------------------------------------------------------------
t_run "a second deposit of 1,000.00 USD" 0 "$KONTORD" admin deposit "$BID" 1000.00 USD --db "$DB" --reference psp-2
t_run "buyer pays" 0 kb order pay "$ORDER"
t_match "funded" "$T_OUT" "order $ORDER: funded as buyer"
t_eq "the node's order is funded" "$(ostate "$ORDER")" funded
t_eq "the buyer's wallet is down by the total" "$(bal "wallet:$BID")" 30000
t_eq "escrow holds the total" "$(bal "escrow:$ORDER")" 120000
t_eq "the order says what escrow holds" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.escrow') FROM orders WHERE id = '$ORDER'")" 120000
t_eq "the escrow is counted as the buyer's (held)" \
	"$(sqlite3 "$DB" "SELECT owner FROM ledger_accounts WHERE id = 'escrow:$ORDER'")" "$BID"
t_eq "one escrow_fund transaction, referenced by the section hash" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = 'escrow_fund' AND length(ref) = 43")" 1
ledger_zero "after funding"
t_run "paying twice is refused (exit 1)" 1 kb order pay "$ORDER"
t_match "naming the state" "$T_ERR" 'order is funded: pay needs awaiting_payment'
t_eq "still one funding" "$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = 'escrow_fund'")" 1
t_run "buyer confirms before shipment: refused (exit 1)" 1 kb order confirm "$ORDER"
t_match "naming the state" "$T_ERR" 'order is funded: confirm needs shipped or delivered'

t_run "seller syncs" 0 ks sync
t_run "seller ships" 0 ks order ship "$ORDER" --carrier Maersk --tracking MSKU1234565 --mode sea
t_match "shipped" "$T_OUT" "order $ORDER: shipped as seller"
OSH=$(printf '%s' "$ORDER" | cut -c1-8)
t_match "and what she may do now: events, by hand or from the carrier" "$T_OUT" \
	"^next: wait for delivery; say where the goods are with \`kontor order event $OSH --code CODE\` \(or --dcsa FILE from the carrier\)\$"
t_eq "the node's order is shipped" "$(ostate "$ORDER")" shipped
t_run "the seller cannot confirm (exit 1)" 1 ks order confirm "$ORDER"
ledger_zero "after shipping"

t_run "buyer syncs" 0 kb sync
t_run "buyer shows the order" 0 kb order show "$ORDER"
t_match "shipped" "$T_OUT" 'state +shipped'
t_match "with the carrier and tracking number" "$T_OUT" 'shipped +by seller +Maersk MSKU1234565'
t_match "what was sold, as both signed it" "$T_OUT" '^goods +100 pieces × DN50 brass ball valve at 12\.00 USD$'
t_match "and where, how and by when it ships" "$T_OUT" '^terms +FOB Ningbo by sea; ship by 20[0-9-]+, deliver by 20[0-9-]+$'
t_run "buyer shows the order --json" 0 kb order show "$ORDER" --json
t_match "the goods as the offer signed them" "$T_OUT" \
	'"goods":\[\{"description":"DN50 brass ball valve",.*"qty":100,.*"unitPrice":1200\}\],'
t_match "and its shipping terms" "$T_OUT" \
	'"shipping":\{"incoterm":"FOB","namedPlace":"Ningbo","shipmentMode":"sea","shipBy":"20[0-9-]+","deliverBy":"20[0-9-]+"\}'
t_run "buyer confirms receipt" 0 kb order confirm "$ORDER"
t_match "completed" "$T_OUT" "order $ORDER: completed as buyer"
t_match "and that he may rate her now" "$T_OUT" "^next: rate the seller: \`kontor order rate $OSH --stars N\`\$"
t_eq "the node's order is completed" "$(ostate "$ORDER")" completed
t_eq "escrow is empty" "$(bal "escrow:$ORDER")" 0
t_eq "and so does the order" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.escrow') FROM orders WHERE id = '$ORDER'")" 0
t_eq "the seller's wallet is up by the total" "$(bal "wallet:$SID")" 120000
t_eq "the buyer keeps the rest" "$(bal "wallet:$BID")" 30000
ledger_zero "after release"
t_run "confirming twice is refused (exit 1)" 1 kb order confirm "$ORDER"
t_match "naming the state" "$T_ERR" 'order is completed: confirm needs shipped or delivered'
t_eq "one release" "$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = 'escrow_release'")" 1

t_run "seller syncs" 0 ks sync
t_run "seller lists completed orders" 0 ks order list --state completed --json
t_match "the seller's order is completed" "$T_OUT" "\"id\":\"$ORDER\".*\"state\":\"completed\".*\"role\":\"seller\""
t_run "the contract still verifies offline" 0 ks contract show "$KID" --verify
t_match "with its four sections (offer, funded, shipped, confirmed)" "$T_OUT" '^verified: 4 sections'

# --- a second order, cancelled before funding ---------------------------------------------
t_run "buyer proposes 20 more" 0 kb contract propose --listing "$LID" --qty 20 \
	--incoterm FOB --place Ningbo --json
KID2=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "seller signs the second" 0 ks contract sign "$KID2"
ORDER2=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_eq "the second order awaits payment" "$(ostate "$ORDER2")" awaiting_payment
t_run "buyer syncs" 0 kb sync
t_run "buyer cancels it" 0 kb order cancel "$ORDER2" --reason "ordered twice"
t_match "cancelled" "$T_OUT" "order $ORDER2: cancelled as buyer"
t_eq "the node's order is cancelled" "$(ostate "$ORDER2")" cancelled
t_eq "and so is its contract" "$(sqlite3 "$DB" "SELECT state FROM contracts WHERE id = '$KID2'")" cancelled
t_run "a cancelled order cannot be paid (exit 1)" 1 kb order pay "$ORDER2"
t_eq "no money moved for it" "$(bal "escrow:$ORDER2")" 0
ledger_zero "after the cancellation"

# --- a third account ----------------------------------------------------------------------
t_run "third syncs" 0 kx sync --json
t_match "the third account pulled no order" "$T_OUT" '"Order":0'
t_run "third cannot pay (exit 1)" 1 kx order pay "$ORDER2"
t_run "third cannot show an order (exit 1)" 1 kx order show "$ORDER"
if [ -x "$KSIGN" ]; then
	"$KSIGN" keygen random >"$T_TMP/x.key"
	capi "$T_TMP/x.key" '["Account/set",{"create":{"me":{"handle":"nosy-api","displayName":"Nosy","country":"GB","role":"buyer"}}},"0"]'
	t_match "a ksign account registers" "$RESP" '"created":\{"me"'
	capi "$T_TMP/x.key" "[\"Order/get\",{\"ids\":[\"$ORDER\"]},\"g\"]"
	t_match "Order/get by a stranger: notFound" "$RESP" "\"notFound\":\\[\"$ORDER\"\\]"
	t_nomatch "and no order" "$RESP" '"total"'
	capi "$T_TMP/x.key" '["Order/query",{"filter":{"state":"completed"}},"q"]'
	t_match "Order/query by a stranger finds nothing" "$RESP" '"ids":\[\]'
	capi "$T_TMP/x.key" '["Order/changes",{"sinceState":"0"},"c"]'
	t_match "Order/changes by a stranger lists nothing" "$RESP" '"created":\[\],"updated":\[\]'
	capi "$T_TMP/x.key" '["Order/get",{"ids":null},"g"]'
	t_match "Order/get of all by a stranger lists nothing" "$RESP" '"list":\[\]'
	sqlite3 "$S/cache.db" "SELECT json FROM contracts WHERE id = '$KID'" >"$T_TMP/k.json"
	SECS=$(sed 's/^.*"sections":\(\[.*\]\)}$/\1/' "$T_TMP/k.json")
	capi "$T_TMP/x.key" "[\"Contract/set\",{\"update\":{\"$KID\":{\"sections\":$SECS}}},\"s\"]"
	t_match "Contract/set update by a stranger: notFound" "$RESP" '"notUpdated":\{"[^"]*":\{"type":"notFound"'
	capi "$T_TMP/x.key" '["Order/query",{"filter":{"state":"nonsense"}},"q"]'
	t_match "Order/query with an unknown state: unsupportedFilter" "$RESP" 'unsupportedFilter'
else
	t_fail "ksign is built" "no $KSIGN"
fi
ledger_zero "at the end"

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
