#!/bin/sh
# Disputes, rulings and auto-release (DESIGN §6) over a live kontord with real TLS: the buyer
# disputes a shipped order (escrow frozen: confirm refused naming the state; the seller's
# dispute of it is her answer, once; his second is refused); the operator
# rules 70/30 with `kontord admin resolve` (the node signs a "ruling" section as escrow,
# escrow is split in one ledger transaction keyed by the section hash, the order is
# resolved) and both parties see the ruling after sync; resolving an order that is not
# disputed is refused; a delivered order is released to the seller by
# `kontord admin release-due --now` once its auto-release days have passed, and not before;
# a disputed order is never auto-released. The ledger sums to zero after every step.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

export KONTOR_PASSPHRASE="dispute test passphrase"
trade_node "Dispute Test Node"

oescrow() { sqlite3 "$DB" "SELECT json_extract(json, '$.escrow') FROM orders WHERE id = '$1'"; }
# A new binding order for QTY valves: ORDER and KID set.
new_order() {
	trade_bind "buyer proposes $1 valves" --qty "$1" --incoterm FOB --place Ningbo --auto-release-days 10
	t_run "buyer syncs" 0 kb sync
}
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

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
t_run "a deposit of 5,000.00 USD to the buyer" 0 "$KONTORD" admin deposit "$BID" 5000.00 USD --db "$DB" --reference psp-1

# --- order A: disputed after shipment, ruled 70/30 ------------------------------------------
new_order 100
A=$ORDER; KA=$KID
t_run "A: disputing before payment is refused (exit 1)" 1 kb order dispute "$A" --reason "too early"
t_match "naming the state" "$T_ERR" 'order is awaiting_payment: dispute needs funded, shipped or delivered'
t_run "A: dispute without --reason is a usage error (exit 2)" 2 kb order dispute "$A"
t_run "A: buyer pays" 0 kb order pay "$A"
t_run "seller syncs" 0 ks sync
t_run "A: seller ships" 0 ks order ship "$A" --carrier Maersk --tracking MSKU1234565 --mode sea
t_run "buyer syncs" 0 kb sync
t_run "A: the third account cannot dispute (exit 1)" 1 kx order dispute "$A" --reason nosy
t_run "A: buyer disputes" 0 kb order dispute "$A" --reason "12 of 100 valves leak at 10 bar"
t_match "disputed" "$T_OUT" "order $A: disputed as buyer"
t_eq "A: the node's order is disputed" "$(ostate "$A")" disputed
t_eq "A: escrow stays frozen with the total" "$(bal "escrow:$A")" 120000
t_eq "A: and the order says so" "$(oescrow "$A")" 120000
t_run "A: confirm after the dispute is refused (exit 1)" 1 kb order confirm "$A"
t_match "naming the state" "$T_ERR" 'order is disputed: confirm needs shipped or delivered'
t_run "seller syncs" 0 ks sync
t_run "A: the seller's dispute of it is her answer" 0 ks order dispute "$A" --reason "me too"
t_match "said as an answer, for the arbitrator" "$T_OUT" "^order $A: answered the dispute as seller"
t_run "A: a second answer is refused (exit 1)" 1 ks order dispute "$A" --reason "me three"
t_match "an answer is given once" "$T_ERR" 'an answer is given once'
t_run "A: the buyer disputing twice is refused (exit 1)" 1 kb order dispute "$A" --reason "again"
t_match "his reason is his side" "$T_ERR" "order $A is disputed: its reason is your side"
t_eq "A: the node has one disputed section" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM contracts c, json_each(json_extract(c.json, '\$.sections')) s WHERE c.id = (SELECT json_extract(json, '\$.contractId') FROM orders WHERE id = '$A') AND json_extract(s.value, '\$.kind') = 'disputed'")" 1
t_run "A: delivery of a disputed order is refused (exit 1)" 1 ks order deliver "$A"
t_eq "A: still escrowed" "$(bal "escrow:$A")" 120000
ledger_zero "after the dispute"

t_run "resolve needs --buyer-pct (exit 2)" 2 "$KONTORD" admin resolve "$A" --note x --db "$DB"
t_run "resolve needs --note (exit 2)" 2 "$KONTORD" admin resolve "$A" --buyer-pct 70 --db "$DB"
t_run "--buyer-pct 101 is a usage error (exit 2)" 2 "$KONTORD" admin resolve "$A" --buyer-pct 101 --note x --db "$DB"
t_run "an unknown order is refused (exit 1)" 1 "$KONTORD" admin resolve nosuchorder --buyer-pct 50 --note x --db "$DB"
t_match "naming it, and what ORDER takes" "$T_ERR" 'no disputed order on this node starts with nosuchorder \(give its id, or its first 4 or more characters\)'
t_run "a whole id not on the node is refused (exit 1)" 1 "$KONTORD" admin resolve AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA --buyer-pct 50 --note x --db "$DB"
t_match "naming it" "$T_ERR" 'no order AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA on this node'
# one id in 64 begins with '-': its 8 characters are an order to look for, not an option
t_run "an id's start that begins with '-' is an order, looked for (exit 1 here)" 1 \
	"$KONTORD" admin resolve -okxI9XP --buyer-pct 50 --note x --db "$DB"
t_match "named as an order, not as an unknown option" "$T_ERR" 'no disputed order on this node starts with -okxI9XP'
t_run "and so is a whole one" 1 "$KONTORD" admin resolve -AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA --buyer-pct 50 --note x --db "$DB"
t_match "named as an order" "$T_ERR" 'no order -AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA on this node'
t_run "A: the operator rules 70/30, naming the order by the 8 characters clients show" 0 \
	"$KONTORD" admin resolve "$(printf %.8s "$A")" --buyer-pct 70 \
	--note "inspection report 4711: 12% defective" --db "$DB"
t_match "the whole order id is printed" "$T_OUT" "^Order $A resolved"
t_match "the split is printed" "$T_OUT" '840.00 USD to the buyer \(70%\), 360.00 USD to the seller'
t_eq "A: the order is resolved" "$(ostate "$A")" resolved
t_eq "A: escrow is empty" "$(bal "escrow:$A")" 0
t_eq "A: and the order says so" "$(oescrow "$A")" 0
t_eq "A: the buyer got 70% back (5,000 - 1,200 + 840)" "$(bal "wallet:$BID")" 464000
t_eq "A: the seller got 30%" "$(bal "wallet:$SID")" 36000
t_eq "one ruling transaction, keyed by the ruling section's hash" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = 'escrow_ruling' AND ref = (SELECT json_extract(json, '$.sections[#-1].hash') FROM contracts WHERE id = '$KA')")" 1
t_eq "the contract's last section is the ruling, signed as escrow" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.sections[#-1].kind') || ' ' || json_extract(json, '$.sections[#-1].signatures[0].role') FROM contracts WHERE id = '$KA'")" "ruling escrow"
ledger_zero "after the ruling"
sqlite3 "$DB" "SELECT currency, sum(amount) FROM ledger_entries GROUP BY currency" >"$T_TMP/sums"
t_eq "the ledger's USD entries sum to 0" "$(cat "$T_TMP/sums")" "USD|0"
t_run "A: resolving twice is refused (exit 1)" 1 "$KONTORD" admin resolve "$A" --buyer-pct 50 --note again --db "$DB"
t_match "naming the state" "$T_ERR" 'order is resolved: resolve needs disputed'
t_eq "still one ruling" "$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = 'escrow_ruling'")" 1

t_run "buyer syncs" 0 kb sync
t_run "A: buyer shows the order" 0 kb order show "$A"
t_match "resolved" "$T_OUT" 'state +resolved'
t_match "with the split" "$T_OUT" 'ruling +by escrow +buyer 840.00 USD, seller 360.00 USD'
t_match "and the dispute's reason" "$T_OUT" 'disputed +by buyer.*reason: 12 of 100 valves leak'
t_run "seller syncs" 0 ks sync
t_run "A: seller shows the order" 0 ks order show "$A"
t_match "resolved" "$T_OUT" 'state +resolved'
t_match "with the split" "$T_OUT" 'ruling +by escrow +buyer 840.00 USD, seller 360.00 USD'
t_match "escrow said divided: hers and his" "$T_OUT" \
	'^release +divided on 20[0-9-]+ [0-9:]+ UTC: 360\.00 USD to the seller, 840\.00 USD back to the buyer$'
t_run "A: the contract with the node's ruling verifies offline" 0 ks contract show "$KA" --verify
t_match "five sections (offer, funded, shipped, disputed, ruling)" "$T_OUT" '^verified: 5 sections'
t_run "A: confirm after the ruling is refused (exit 1)" 1 kb order confirm "$A"
t_match "naming the state" "$T_ERR" 'order is resolved: confirm needs shipped or delivered'

# --- order B: delivered, auto-released after 10 days --------------------------------------
new_order 20
B1=$ORDER
t_run "B: buyer pays" 0 kb order pay "$B1"
t_run "B: resolve of a funded (not disputed) order is refused (exit 1)" 1 "$KONTORD" admin resolve "$B1" --buyer-pct 50 --note x --db "$DB"
t_match "naming the state" "$T_ERR" 'order is funded: resolve needs disputed'
t_eq "B: nothing moved" "$(bal "escrow:$B1")" 24000
t_run "seller syncs" 0 ks sync
t_run "B: seller ships" 0 ks order ship "$B1" --carrier DHL --tracking 1234567890 --mode air
t_run "B: seller marks it delivered" 0 ks order deliver "$B1"
t_eq "B: delivered" "$(ostate "$B1")" delivered
t_match "B: the node recorded when" "$(sqlite3 "$DB" "SELECT json_extract(json, '$.deliveredAt') FROM orders WHERE id = '$B1'")" '^20[0-9-]+T[0-9:]+Z$'
DAT=$(sqlite3 "$DB" "SELECT json_extract(json, '$.deliveredAt') FROM orders WHERE id = '$B1'")
REL=$(TZ=Asia/Shanghai date -d "$DAT + 10 days" '+%Y-%m-%d %H:%M')
t_run "seller syncs the delivery" 0 ks sync
t_run "B: her order show, in her zone" 0 env TZ=Asia/Shanghai "$KONTOR" --home "$S" order show "$B1"
t_match "says the day escrow comes to her by itself" "$T_OUT" \
	"^release +$REL CST \\(10 days after delivery\\), unless confirmed or disputed first\$"
t_run "B: her wallet" 0 env TZ=Asia/Shanghai "$KONTOR" --home "$S" wallet
t_match "says whose the money is from which day" "$T_OUT" \
	"order $(printf %.8s "$B1") +as seller +240\\.00 USD +\\(yours on ${REL% *} unless disputed\\)"
t_run "release-due now releases nothing" 0 "$KONTORD" admin release-due --db "$DB"
t_match "none" "$T_OUT" 'Released 0 orders'
t_run "release-due 9 days on releases nothing" 0 "$KONTORD" admin release-due --now "$(at '+9 days')" --db "$DB"
t_match "none" "$T_OUT" 'Released 0 orders'
t_eq "B: still delivered" "$(ostate "$B1")" delivered
t_eq "B: still in escrow" "$(bal "escrow:$B1")" 24000
t_run "release-due --now garbage is a usage error (exit 2)" 2 "$KONTORD" admin release-due --now tomorrow --db "$DB"

# --- order C: delivered, then disputed: never auto-released --------------------------------
new_order 10
C=$ORDER
t_run "C: buyer pays" 0 kb order pay "$C"
t_run "seller syncs" 0 ks sync
t_run "C: seller ships" 0 ks order ship "$C" --carrier DHL --tracking 555 --mode air
t_run "buyer syncs" 0 kb sync
t_run "C: buyer marks it delivered" 0 kb order deliver "$C"
t_run "C: buyer disputes after delivery" 0 kb order dispute "$C" --reason "wrong thread size"
t_eq "C: disputed" "$(ostate "$C")" disputed

t_run "release-due 11 days on" 0 "$KONTORD" admin release-due --now "$(at '+11 days')" --db "$DB"
t_match "releases B" "$T_OUT" 'Released 1 order to the seller'
t_eq "B: completed" "$(ostate "$B1")" completed
t_eq "B: escrow is empty" "$(bal "escrow:$B1")" 0
t_eq "B: the seller was paid (360 + 240)" "$(bal "wallet:$SID")" 60000
t_eq "B: released by a node-signed section" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.sections[#-1].kind') || ' ' || json_extract(json, '$.sections[#-1].signatures[0].role') FROM contracts WHERE id = (SELECT contract_id FROM orders WHERE id = '$B1')")" "released escrow"
t_eq "C: the disputed order stays disputed" "$(ostate "$C")" disputed
t_eq "C: and escrowed" "$(bal "escrow:$C")" 12000
t_run "release-due again releases nothing more" 0 "$KONTORD" admin release-due --now "$(at '+30 days')" --db "$DB"
t_match "none" "$T_OUT" 'Released 0 orders'
t_eq "one auto-release" "$(sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = 'escrow_release'")" 1
ledger_zero "after the auto-release"
t_run "seller syncs" 0 ks sync
t_run "B: the seller sees it completed" 0 ks order show "$B1"
t_match "completed" "$T_OUT" 'state +completed'
t_match "released by escrow" "$T_OUT" 'released +by escrow +240.00 USD to the seller'
t_match "escrow said released to her, when the node did it" "$T_OUT" \
	'^release +released to the seller on 20[0-9-]+ [0-9:]+ UTC: 240\.00 USD$'

t_run "C: the operator rules 0/100 (all to the seller)" 0 "$KONTORD" admin resolve "$C" --buyer-pct 0 --note "thread size as ordered" --db "$DB"
t_eq "C: resolved" "$(ostate "$C")" resolved
t_eq "C: the seller got it all" "$(bal "wallet:$SID")" 72000
t_eq "the buyer's wallet: 5,000 - 1,200 + 840 - 240 - 120" "$(bal "wallet:$BID")" 428000
ledger_zero "at the end"

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
