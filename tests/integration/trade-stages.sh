#!/bin/sh
# Payment in stages (DESIGN §6), over a live kontord with real TLS: an offer with
# --deposit-pct 30 on an odd total (333 x 12.01 = 3,999.33 USD) is 30% on signing (1,199.79
# USD, rounded down) and 70% before shipment (2,799.54 USD, the rest); `contract show`
# says those numbers and `order pay` takes exactly them, one stage at a time, saying which
# and what remains; shipping is refused until the second stage is paid; the trade runs to
# completed. The deposit is money news in the seller's inbox (the stage, what comes next)
# until her `wallet` shows it, never again as the order to ship; a stage due on delivery,
# paid after she shipped, is news the same way. A cancel after the deposit refunds exactly the deposit; a ruling after both
# stages splits the whole. A payment refused on a later push stays in the outbox for
# `outbox retry`, says so, and is not shown as paid; one refused at once is dropped and
# says that. The node's ledger sums to zero per currency, checked in SQL, after every step.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

trade_node "Stages Test Node"
trade_party_np seller ks "Ningbo Valve Works" CN supplier
trade_party_np buyer kb "Rotterdam Pumps BV" NL buyer
SID=$(party_id ks)
BID=$(party_id kb)
jx() { sqlite3 "$DB" "SELECT json_extract(json, '$1') FROM $2 WHERE id = '$3'"; }
# body FIELD KIND: the field of the contract $KID's last section of that kind, on the node
body() {
	sqlite3 "$DB" "SELECT json_extract(json_extract(s.value, '$.body'), '$1') FROM contracts c, json_each(c.json, '$.sections') s WHERE c.id = '$KID' AND json_extract(s.value, '$.kind') = '$2' ORDER BY s.key DESC LIMIT 1"
}
escrow_tx() { sqlite3 "$DB" "SELECT count(*) FROM ledger_tx WHERE kind = '$1'"; }

t_run "seller lists a valve at 12.01" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.01 --currency USD --moq 10 --origin CN --hs-code 848180
trade_find ball valve
t_run "a deposit of 10,000.00 USD to the buyer" 0 "$KONTORD" admin deposit "$BID" 10000.00 USD --db "$DB" --reference psp-1
ledger_zero "after the deposit"

# --- the terms: 30% on signing, the rest before shipment ------------------------------------
trade_bind "buyer proposes 333 with a 30% deposit" --qty 333 --incoterm FOB --place Ningbo --deposit-pct 30
t_match "her signature says what comes next: his deposit" "$T_OUT" '^next: wait for payment: stage 1 of 2, 30% on signing, 1,199\.79 USD$'
t_run "the offer shows its payment" 0 env COLUMNS=200 "$KONTOR" --home "$B" contract show "$KID"
t_match "the deposit in words" "$T_OUT" 'Payment: 30% deposit into escrow held by the node; released to the seller 14 days after delivery unless disputed\. The remaining 70% is paid into escrow before shipment\.'
t_match "stage 1: 30% on signing, rounded down" "$T_OUT" 'stage 1: 30% on signing, 1,199\.79 USD'
t_match "stage 2: the rest before shipment" "$T_OUT" 'stage 2: 70% before shipment, 2,799\.54 USD'
t_match "the offer has a creation time" "$T_OUT" 'Offered: +20[0-9-]+ [0-9:]+ [A-Z+0-9-]+ \(nonce [A-Za-z0-9_-]{22}\)'
t_run "the offer in Hai Phong (TZ=Asia/Ho_Chi_Minh)" 0 env TZ=Asia/Ho_Chi_Minh COLUMNS=200 "$KONTOR" --home "$B" contract show "$KID"
t_match "its creation time is local, with the zone" "$T_OUT" 'Offered: +20[0-9-]+ [0-9:]+ \+07 \(nonce'
t_eq "the signed document keeps UTC" "$(sqlite3 "$DB" "SELECT json_extract(json_extract(json, '$.sections[0].body'), '$.created') FROM contracts WHERE id = '$KID'" | grep -c 'Z$')" 1
t_eq "the node's offer body lists the stages" \
	"$(sqlite3 "$DB" "SELECT json_extract(json_extract(json, '$.sections[0].body'), '$.payment.stages') FROM contracts WHERE id = '$KID'")" \
	'[{"due":"signing","pct":30},{"due":"before_shipment","pct":70}]'
t_eq "the order awaits payment of 3,999.33 USD" "$(ostate "$ORDER") $(jx '$.total' orders "$ORDER")" "awaiting_payment 399933"
t_run "buyer syncs" 0 kb sync
t_run "buyer's inbox" 0 kb inbox
t_match "the deposit is his to pay" "$T_OUT" 'pay 1,199\.79 USD \(total 3,999\.33 USD\)$'

# --- stage 1 ----------------------------------------------------------------------------------
t_run "buyer pays" 0 kb order pay "$ORDER"
t_match "it says which stage and what remains" "$T_OUT" \
	"^order $ORDER: funded 30% as buyer; paid stage 1 of 2 \\(30% on signing\\): 1,199\\.79 USD; 2,799\\.54 USD still to pay \\(next: stage 2 of 2, 70% before shipment, 2,799\\.54 USD\\)$"
t_eq "the node's order is funded, escrow holding the deposit" "$(ostate "$ORDER") $(jx '$.escrow' orders "$ORDER")" "funded 119979"
t_eq "escrow holds 1,199.79 USD in the ledger" "$(bal "escrow:$ORDER")" 119979
t_eq "the buyer's wallet is down by it" "$(bal "wallet:$BID")" $((1000000 - 119979))
t_eq "the funded section carries the stage and its amount" "$(body '$.stage' funded) $(body '$.amount' funded)" "1 119979"
ledger_zero "after stage 1"

t_run "seller syncs" 0 ks sync
t_run "her order list" 0 ks order list
t_match "says the order is funded with the share paid, not as if paid whole" "$T_OUT" \
	"^$(printf %.8s "$ORDER")  funded 30% +sell to +3,999\\.33 USD "
# The deposit is money that came to her, in escrow: her inbox says so until she looks at
# her wallet, though nothing is hers to do about it yet.
OSHORT=$(printf '%s' "$ORDER" | cut -c1-8)
t_run "seller's inbox" 0 ks inbox
t_match "the deposit is news for her, with what is still to come" "$T_OUT" \
	"^money .*  1,199\\.79 USD paid into escrow by Rotterdam Pumps BV for order $OSHORT… \"DN50 brass ball valve\" \\(stage 1 of 2, 30% on signing\\); next: stage 2 of 2, 70% before shipment, 2,799\\.54 USD$"
t_match "pointing at her wallet" "$T_OUT" '^ +kontor wallet$'
t_nomatch "and not as an order to ship" "$T_OUT" 'ship it'
t_run "seller's inbox --json" 0 ks inbox --json
t_match "a money item keyed by the stage, with the amount paid" "$T_OUT" \
	"\"kind\":\"money\",\"key\":\"escrow:$ORDER:1\",\"id\":\"$ORDER\",.*\"currency\":\"USD\",\"amount\":119979,"
t_run "seller looks at her wallet" 0 ks wallet
t_match "where escrow holds it for her" "$T_OUT" "order $(printf %.8s "$ORDER") +as seller +1,199\\.79 USD"
t_run "seller's inbox after" 0 ks inbox
t_nomatch "the deposit is no longer news" "$T_OUT" 'paid into escrow'
t_run "buyer's inbox" 0 kb inbox
t_nomatch "the buyer is not told of his own payment as money" "$T_OUT" '^money .*paid into escrow'
t_run "shipping with stage 2 unpaid is refused (exit 1)" 1 ks order ship "$ORDER" --carrier Maersk --tracking MSKU1234565 --mode sea
t_match "naming the stage that is not paid" "$T_ERR" 'order is funded: ship needs every stage due before shipment paid \(stage 2 of 2, 70% before shipment, 2,799\.54 USD, is not\)'
t_nomatch "and not claiming to keep it" "$T_ERR" 'kept in the outbox'
t_eq "nothing was queued" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" 0
t_eq "the order is still funded" "$(ostate "$ORDER")" funded
ledger_zero "after the refused shipment"

# --- stage 2 ----------------------------------------------------------------------------------
t_run "buyer pays again" 0 kb order pay "$ORDER"
t_match "stage 2, nothing more to pay" "$T_OUT" "paid stage 2 of 2 \\(70% before shipment\\): 2,799\\.54 USD; nothing more to pay$"
t_eq "escrow holds the whole 3,999.33 USD" "$(bal "escrow:$ORDER") $(jx '$.escrow' orders "$ORDER")" "399933 399933"
t_eq "two escrow_fund transactions" "$(escrow_tx escrow_fund)" 2
ledger_zero "after stage 2"
t_run "a third payment is refused (exit 1)" 1 kb order pay "$ORDER"
t_match "every stage is paid" "$T_ERR" 'order is funded: pay needs a stage still to pay \(all 2 stages are paid\)'
t_run "buyer shows the order" 0 kb order show "$ORDER"
t_match "paid, due and remaining" "$T_OUT" 'payment +paid 3,999\.33 USD, due now 0\.00 USD, still to pay 0\.00 USD'
t_match "each stage paid" "$T_OUT" 'stage 1 of 2, 30% on signing, 1,199\.79 USD: paid'
t_match "the funded sections with their amounts" "$T_OUT" 'funded +by buyer +2,799\.54 USD \(stage 2 of 2\)'

t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox
t_match "the last stage before shipment is the order to ship" "$T_OUT" \
	"order $OSHORT… \"DN50 brass ball valve\" for Rotterdam Pumps BV: paid 3,999\\.33 USD into escrow; ship it by [0-9]{4}-[0-9]{2}-[0-9]{2}$"
t_nomatch "said once, not again as money" "$T_OUT" '^money'
t_run "seller ships" 0 ks order ship "$ORDER" --carrier Maersk --tracking MSKU1234565 --mode sea
t_run "seller's inbox after shipping" 0 ks inbox
t_nomatch "what she shipped against is not news again" "$T_OUT" 'into escrow'
t_eq "shipped" "$(ostate "$ORDER")" shipped
t_eq "the mode is a field of the section" "$(body '$.mode' shipped)" sea
t_eq "and not a note" "$(body '$.note' shipped)" ""
t_eq "the node's shipment has it" "$(jx '$.shipment.mode' orders "$ORDER")" sea
ledger_zero "after shipping"
t_run "seller marks it delivered" 0 ks order deliver "$ORDER"
t_run "buyer syncs" 0 kb sync
t_run "buyer confirms" 0 kb order confirm "$ORDER"
t_eq "completed, escrow empty" "$(ostate "$ORDER") $(bal "escrow:$ORDER")" "completed 0"
t_eq "the seller has the whole 3,999.33 USD" "$(bal "wallet:$SID")" 399933
t_eq "the buyer the rest of 10,000.00" "$(bal "wallet:$BID")" $((1000000 - 399933))
ledger_zero "after release"
t_run "the contract verifies offline" 0 kb contract show "$KID" --verify
t_match "six sections" "$T_OUT" '^verified: 6 sections'

# --- a cancel after the deposit refunds exactly the deposit ----------------------------------
BEFORE=$(bal "wallet:$BID")
trade_bind "a second offer of 100 with a 30% deposit" --qty 100 --incoterm FOB --place Ningbo --deposit-pct 30
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the deposit" 0 kb order pay "$ORDER"
t_match "360.30 USD (30% of 1,201.00)" "$T_OUT" 'paid stage 1 of 2 \(30% on signing\): 360\.30 USD'
t_eq "escrow holds the deposit" "$(bal "escrow:$ORDER")" 36030
ledger_zero "after the deposit of the second"
t_run "seller syncs" 0 ks sync
t_run "seller asks to cancel" 0 ks order cancel "$ORDER" --reason "out of stock"
t_run "buyer syncs" 0 kb sync
t_run "buyer signs the cancellation" 0 kb order cancel "$ORDER"
t_match "cancelled by both" "$T_OUT" "cancelled by both; escrow refunded to the buyer"
t_eq "cancelled, escrow empty" "$(ostate "$ORDER") $(bal "escrow:$ORDER")" "cancelled 0"
t_eq "the buyer has exactly the deposit back" "$(bal "wallet:$BID")" "$BEFORE"
t_eq "one refund of 360.30 USD" \
	"$(sqlite3 "$DB" "SELECT e.amount FROM ledger_tx t JOIN ledger_entries e ON e.tx = t.seq WHERE t.kind = 'escrow_refund' AND e.account = 'wallet:$BID'")" 36030
ledger_zero "after the cancellation"
t_run "the cancelled contract verifies" 0 kb contract show "$KID" --verify

# --- a ruling after both stages splits the whole ---------------------------------------------
trade_bind "a third offer of 101 with a 30% deposit" --qty 101 --incoterm FOB --place Ningbo --deposit-pct 30
t_run "buyer syncs" 0 kb sync
t_run "buyer pays stage 1" 0 kb order pay "$ORDER"
t_run "buyer pays stage 2" 0 kb order pay "$ORDER"
t_eq "escrow holds 1,213.01 USD" "$(bal "escrow:$ORDER")" 121301
t_run "seller syncs" 0 ks sync
t_run "seller ships" 0 ks order ship "$ORDER" --carrier Maersk --tracking MSKU7654321
t_run "buyer syncs" 0 kb sync
t_run "buyer disputes" 0 kb order dispute "$ORDER" --reason "20 valves leak"
SB=$(bal "wallet:$SID")
BB=$(bal "wallet:$BID")
t_run "the operator rules 33% to the buyer" 0 "$KONTORD" admin resolve "$ORDER" --buyer-pct 33 --note "20 of 101 leak" --db "$DB"
t_eq "resolved, escrow empty" "$(ostate "$ORDER") $(bal "escrow:$ORDER")" "resolved 0"
t_eq "the buyer got 33% rounded down (400.29 USD)" "$(($(bal "wallet:$BID") - BB))" 40029
t_eq "the seller the rest (812.72 USD): the whole split" "$(($(bal "wallet:$SID") - SB))" 81272
ledger_zero "after the ruling"
t_run "buyer syncs" 0 kb sync
t_run "the ruled contract verifies" 0 kb contract show "$KID" --verify

# --- refusals and the outbox -----------------------------------------------------------------
trade_bind "a fourth offer, 5,000 pieces" --qty 5000 --incoterm FOB --place Ningbo --deposit-pct 30
t_run "buyer syncs" 0 kb sync
t_run "buyer's inbox" 0 kb inbox
t_match "the deposit due is more than his wallet holds, and it says so" "$T_OUT" \
	'pay 18,015\.00 USD \(total 60,050\.00 USD\); your wallet holds [0-9,]+\.[0-9]{2} USD$'
t_run "a payment the wallet cannot cover, refused at once (exit 1)" 1 kb order pay "$ORDER"
t_match "it says the node refused it and that it was dropped" "$T_ERR" 'the node refused it: insufficientFunds: .*\(dropped from the outbox; nothing is kept to retry\)$'
t_nomatch "a node that says nothing of adding money: no pointer to it" "$T_ERR" 'add money'
t_run "buyer's wallet" 0 kb wallet
t_nomatch "says nothing of adding money either" "$T_OUT" 'add money'

# The operator says how money comes in while the node serves; the buyer's kontor kept the
# session from minutes ago, and the node's next answer says its session changed.
FUNDING="Bank transfer to IBAN NL91 ABNA 0417 1643 00, Stages Node BV, quoting your kontor account id"
STATE0=$(curl -s --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor" | sed -n 's/.*"state":"\([^"]*\)".*/\1/p')
t_run "the operator sets how to add money" 0 "$KONTORD" admin funding "$FUNDING" --db "$DB"
t_eq "the node's session says it" "$(curl -s --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor" | sed -n 's/.*"funding":"\([^"]*\)".*/\1/p')" "$FUNDING"
t_nomatch "under a new session state" "$(curl -s --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor")" "\"state\":\"$STATE0\""
t_run "buyer syncs, his kept session an hour old" 0 kb sync -v
t_match "one request more than a sync with nothing new: the session fetched again" "$T_OUT" '^  2 requests, '
t_run "buyer syncs again" 0 kb sync -v
t_match "the session kept: one request" "$T_OUT" '^  1 request, '
t_run "buyer's wallet" 0 kb wallet
t_match "the node's words on adding money, and the account id to quote" "$(printf '%s\n' "$T_OUT" | tail -n 2 | tr '\n' ' ')" \
	"^To add money \\(node main says\\): $FUNDING +your account id: $BID $"
t_run "buyer's wallet --json" 0 kb wallet --json
t_match "as a field" "$T_OUT" "\"funding\":\"$FUNDING\""
t_run "buyer's inbox" 0 kb inbox
t_match "the order to pay now points at the wallet's words" "$T_OUT" \
	'pay 18,015\.00 USD \(total 60,050\.00 USD\); your wallet holds [0-9,]+\.[0-9]{2} USD \(`kontor wallet` says how to add money\)$'
t_run "the payment again, refused" 1 kb order pay "$ORDER"
t_match "the refusal points at the wallet" "$T_ERR" 'insufficientFunds: .*nothing is kept to retry\); `kontor wallet` says how to add money$'
t_nomatch "not that it was kept" "$T_ERR" 'kept in the outbox'
t_eq "and it is not in the outbox" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM outbox")" 0
printf 'order pay %s\n' "$ORDER" >"$T_TMP/pay.batch"
t_run "the same payment in a batch, refused at its push (exit 4)" 4 kb batch "$T_TMP/pay.batch"
t_match "it says the refusal is kept in the outbox" "$T_ERR" 'insufficientFunds.*kept in the outbox'
t_run "outbox list --json" 0 kb outbox list --json
t_match "the refusal's type is a field" "$T_OUT" '"errorType":"insufficientFunds"'
t_run "outbox list" 0 kb outbox list
t_match "kept for retry or drop, as the command said" "$T_OUT" 'refused, kept for `outbox retry [0-9]+` or `outbox drop [0-9]+`: insufficientFunds:'
t_run "order show" 0 kb order show "$ORDER"
t_nomatch "the refused payment is not shown as made" "$T_OUT" 'funded +by buyer'
t_match "nothing paid" "$T_OUT" 'payment +paid 0\.00 USD'
t_run "a deposit to cover it" 0 "$KONTORD" admin deposit "$BID" 20000.00 USD --db "$DB" --reference psp-2
t_run "outbox retry sends it again" 0 kb outbox retry
t_eq "the node took stage 1" "$(ostate "$ORDER") $(bal "escrow:$ORDER")" "funded 1801500"
t_run "buyer syncs" 0 kb sync
t_run "order show" 0 kb order show "$ORDER"
t_match "now it shows the payment" "$T_OUT" 'funded +by buyer +18,015\.00 USD \(stage 1 of 2\)'
ledger_zero "at the end"

# --- a stage due on delivery, paid after she shipped, is news too -----------------------------
trade_bind "a fifth offer, half before shipment, half on delivery" --qty 200 --incoterm FOB \
	--place Ningbo --stages 50:before_shipment,50:delivery
OSHORT=$(printf '%s' "$ORDER" | cut -c1-8)
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the first half" 0 kb order pay "$ORDER"
t_run "seller syncs" 0 ks sync
t_run "seller ships it by what it trades, the one of her valve orders she can ship" 0 \
	ks order ship "DN50 brass ball valve" --carrier Maersk --tracking MSKU2222222
t_match "that order" "$T_OUT" "^order $ORDER: shipped as seller"
t_run "buyer syncs while it travels" 0 kb sync
t_run "buyer's inbox" 0 kb inbox
t_nomatch "does not ask him to pay the half due on delivery before it is delivered" "$T_OUT" \
	"^order .*$OSHORT.*: pay "
t_run "order show while it travels" 0 kb order show "$ORDER"
t_match "due now is nothing" "$T_OUT" '^payment +paid 1,201\.00 USD, due now 0\.00 USD, still to pay 1,201\.00 USD$'
t_match "the delivery half is not yet due" "$T_OUT" '^  stage 2 of 2, 50% on delivery, 1,201\.00 USD: not yet due$'
t_run "seller marks it delivered" 0 ks order deliver "$ORDER"
t_run "buyer syncs" 0 kb sync
t_run "buyer's inbox once delivered" 0 kb inbox
t_match "asks him to pay the half due on delivery" "$T_OUT" \
	"^order .*$OSHORT… \"DN50 brass ball valve\" from .*: pay 1,201\\.00 USD \\(total 2,402\\.00 USD\\)"
t_run "buyer pays the second half" 0 kb order pay "$ORDER"
t_run "seller syncs" 0 ks sync
t_run "seller's inbox" 0 ks inbox
t_match "the half paid on delivery is news, and every stage is paid" "$T_OUT" \
	"^money .*  1,201\\.00 USD paid into escrow by Rotterdam Pumps BV for order $OSHORT… \"DN50 brass ball valve\" \\(stage 2 of 2, 50% on delivery\\); every stage paid, 2,402\\.00 USD held for you$"
t_run "seller looks at her wallet" 0 ks wallet
t_run "seller's inbox after" 0 ks inbox
t_nomatch "then it is not" "$T_OUT" 'into escrow'
ledger_zero "after the delivery stage"

# --- a stage 30 days after delivery is not due on the day of delivery ------------------------
trade_bind "a sixth offer, half on signing, half 30 days after delivery" --qty 100 --incoterm FOB \
	--place Ningbo --stages 50:signing,50:days_after_delivery:30
OSHORT=$(printf '%s' "$ORDER" | cut -c1-8)
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the half on signing" 0 kb order pay "$ORDER"
t_run "seller syncs" 0 ks sync
t_run "seller ships it" 0 ks order ship "$ORDER" --carrier Maersk --tracking MSKU3333333
t_run "seller marks it delivered" 0 ks order deliver "$ORDER"
t_run "buyer syncs" 0 kb sync
t_run "order show --json" 0 kb order show "$ORDER" --json
# the day counts from the signed delivered section's time (the order's deliveredAt is the
# node's own stamp, which may be a second apart)
DAT=$(body '$.at' delivered)
DUE=$(date -d "$DAT + 30 days" +%Y-%m-%d)
t_match "the due day is 30 days after delivery" "$DUE" '^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]$'
t_match "--json gives the stage its dueAt, to the second" "$T_OUT" \
	"\"due\":\"days_after_delivery:30\",\"amount\":60050,\"paid\":false,\"dueAt\":\"$(date -u -d "$DAT + 30 days" +%Y-%m-%dT%H:%M:%SZ)\""
t_run "order show on the day of delivery" 0 kb order show "$ORDER"
t_match "nothing is due now" "$T_OUT" '^payment +paid 600\.50 USD, due now 0\.00 USD, still to pay 600\.50 USD$'
t_match "escrow is released only once every stage is paid" "$T_OUT" \
	'^release +14 days after delivery once every stage is paid, unless confirmed or disputed first$'
t_match "the second half is not yet due: its day, and that it may be paid early" "$T_OUT" \
	"^  stage 2 of 2, 50% 30 days after delivery, 600\\.50 USD: not yet due \\($DUE [0-9][0-9]:[0-9][0-9] [^;]*; it may be paid now\\)\$"
t_run "the contract as a document" 0 kb contract show "$ORDER"
t_match "says escrow is released once every stage is paid, as the rules hold it" \
	"$(printf '%s\n' "$T_OUT" | tr '\n' ' ' | tr -s ' ')" \
	'Payment: into escrow held by the node in 2 stages; released to the seller 14 days after delivery once every stage is paid, unless disputed\.'
t_run "buyer's inbox on the day of delivery" 0 kb inbox
t_nomatch "does not ask him to pay it yet, nor to confirm what he cannot" "$T_OUT" "^order .*$OSHORT"
# Time passes (faketime moves the client's clock; the cache is all it reads): the day is past.
# days_on N HOME ARGS...: kontor N days from now (under ASan, libfaketime is preloaded before
# its runtime, which then must not insist on coming first)
days_on() {
	_d=$1 _h=$2
	shift 2
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		faketime -f "+${_d}d" "$KONTOR" --home "$_h" "$@"
}
t_run "seller syncs" 0 ks sync
t_run "29 days on, her inbox" 0 days_on 29 "$S" inbox
t_nomatch "says nothing is late yet" "$T_OUT" "late since"
t_run "31 days on, her inbox" 0 days_on 31 "$S" inbox
t_match "says her money is late, since the day it fell due, and what it is" "$T_OUT" \
	"payment late since $DUE: 600\\.50 USD of order $OSHORT… .* \\(stage 2 of 2, 50% 30 days after delivery\\); write to them, or dispute it for the node's arbitrator\$"
t_match "with the command that writes to him about the order, by his handle" "$T_OUT" \
	"^ +kontor chat send @[a-z0-9_-]+ --order $OSHORT TEXT\$"
CMD=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *kontor chat send \(@[a-z0-9_-]*\) --order.*/\1/p')
t_run "which she runs, her words for TEXT" 0 ks chat send "$CMD" --order "$OSHORT" "The second half is due"
t_match "to him, about the order" "$T_OUT" "about order $OSHORT"
t_run "31 days on, the order as she sees it" 0 days_on 31 "$S" order show "$ORDER"
t_match "the stage is late, since its day" "$T_OUT" \
	"^  stage 2 of 2, 50% 30 days after delivery, 600\\.50 USD: late: due since $DUE [0-9][0-9]:[0-9][0-9] "
t_run "31 days on, his inbox" 0 days_on 31 "$B" inbox
t_match "asks him to pay it, saying since when it is late" "$T_OUT" \
	"^order .*$OSHORT.*: pay 600\\.50 USD \\(total [0-9,.]+ USD\\), late since $DUE"
t_run "buyer pays it early" 0 kb order pay "$ORDER"
t_match "as the last stage" "$T_OUT" 'paid stage 2 of 2 \(50% 30 days after delivery\): 600\.50 USD; nothing more to pay'
t_run "then confirms receipt" 0 kb order confirm "$ORDER"
t_eq "the order is completed on the node" "$(ostate "$ORDER")" completed
ledger_zero "after the stage 30 days after delivery"

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
