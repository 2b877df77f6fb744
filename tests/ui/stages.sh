#!/bin/sh
# Payment in stages on the Orders screen of the terminal UI, against a live kontord over
# TLS, driven in tmux at 80x24: before any payment the seller's s names both stages still to
# pay before shipment, whole on the prompt rows; a 30% deposit order shows what is paid, due now and still
# to pay and each stage; its next step is the 30% with its amount; p asks for exactly the
# stage that is due and pays it; then the 70% is due; the seller's TUI opens on her Inbox
# with the deposit as money, Enter shows it in her wallet and then it is no longer news;
# her s says shipping waits for the 70%. A stage 30 days after delivery is not due on the day
# of delivery: the buyer's next step is to pay by its day, and escrow waits for it. The amounts
# are the ones the node takes, checked in its database.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null
unset NO_COLOR KONTOR_PASSPHRASE

trade_node "Stages UI Node" "kontord is up"
trade_party_np seller ks "Ningbo Valve Works" CN supplier
trade_party_np buyer kb "Rotterdam Pumps BV" NL buyer
BID=$(party_id kb)
t_run "seller lists a valve" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.00 --currency USD --moq 10 --origin CN
trade_find ball valve
trade_bind "buyer proposes 100 with a 30% deposit" --qty 100 --incoterm FOB --place Ningbo --deposit-pct 30
# Nothing paid yet: her s names every stage still to pay before shipment, in full.
t_run "seller syncs the new order" 0 ks sync
cat >"$T_TMP/s-seller0" <<EOF
3
<Enter>
s
:dump $T_TMP/d-s-refused0
:quit
EOF
ui "$S" 80x24 "$T_TMP/s-seller0"
t_match "s before any payment names both stages due before shipment, over the prompt rows" \
	"$(tail -n 3 "$T_TMP/d-s-refused0" | head -n 2 | tr '\n' ' ')" \
	'ship: not now — it ships once stages 1 and 2 of 2 are paid \(360\.00 USD on signing, 840\.00 USD before +shipment\) \(it is awaiting payment\)'
t_run "a deposit of 1,500.00 USD to the buyer" 0 "$KONTORD" admin deposit "$BID" 1500.00 USD --db "$DB" --reference psp-1
t_run "buyer syncs" 0 kb sync

cat >"$T_TMP/s-buyer" <<EOF
3
:dump $T_TMP/d-orders
<Enter>
:dump $T_TMP/d-order
p
:dump $T_TMP/d-ask-pay
y
$(settle)
:dump $T_TMP/d-paid
:quit
EOF
ui "$B" 80x24 "$T_TMP/s-buyer"
t_match "the list: the next step is the stage due, with its amount" "$(cat "$T_TMP/d-orders")" '^> awaiting payment +buy +Ningbo Valv[^ ]* +DN50 brass[^0-9]* +1,?200\.00 USD +pay 360\.00 USD$'
D=$(cat "$T_TMP/d-order")
t_match "paid, due now and remaining" "$D" 'Payment +paid 0\.00 USD · due now 360\.00 USD · remaining 1,?200\.00 USD'
t_match "stage 1 is due now" "$D" 'stage 1 of 2, 30% on signing, 360\.00 USD: due now'
t_match "stage 2 is not yet due" "$D" 'stage 2 of 2, 70% before shipment, 840\.00 USD: not yet due'
t_match "a fact longer than the row goes on under its value, not under its label" \
	"$(grep -A1 '^Escrow  ' "$T_TMP/d-order" | tr '\n' '|')" \
	'^Escrow     released to the seller 14 days after delivery once every stage is\|           paid, unless disputed\|$'
# at 80 columns the question takes the row above too, and ends with its keys
t_match "p asks for the stage that is due, and says what remains" \
	"$(tail -n 3 "$T_TMP/d-ask-pay" | tr '\n' ' ')" \
	'Pay stage 1 of 2, 360\.00 USD \(30% on signing\)\? 840\.00 USD remains after +it\. \(y/n\)'
t_match "the question's last row ends with its keys" "$(tail -n 2 "$T_TMP/d-ask-pay" | head -n 1)" '\(y/n\)$'
D=$(cat "$T_TMP/d-paid")
t_match "p + y pays it: funded, the 70% next" "$D" 'pay: done — the order is funded; next: pay 840\.00 USD'
t_match "now 360.00 paid and 840.00 due" "$D" 'Payment +paid 360\.00 USD · due now 840\.00 USD · remaining 840\.00 USD'
t_match "the timeline shows the stage paid" "$D" 'Paid into escrow by the buyer: 360\.00 USD \(stage 1\)'
t_eq "the node took 360.00 USD into escrow" "$(bal "escrow:$ORDER") $(ostate "$ORDER")" "36000 funded"
ledger_zero "after the deposit stage"

t_run "seller syncs" 0 ks sync
# The deposit waits in her Inbox as money; Enter shows her wallet, and then it is seen.
cat >"$T_TMP/s-seller-inbox" <<EOF
:dump $T_TMP/d-s-inbox
<Enter>
:dump $T_TMP/d-s-wallet
q
6
:dump $T_TMP/d-s-inbox2
:quit
EOF
ui "$S" 80x24 "$T_TMP/s-seller-inbox"
t_match "the TUI opens on her Inbox: the deposit, as money" "$(cat "$T_TMP/d-s-inbox")" \
	'^> [0-9-]+ [0-9:]+ money +wallet +360\.00 USD paid into escrow by Rotterdam'
D=$(cat "$T_TMP/d-s-wallet")
t_match "Enter shows her wallet" "$D" '^Wallet on node main'
t_match "where escrow holds the deposit for her" "$D" 'as seller +order [A-Za-z0-9_-]{8}… +360\.00 USD +yours once released'
t_nomatch "after the wallet, the deposit is no longer news" "$(cat "$T_TMP/d-s-inbox2")" 'money +wallet +order'
cat >"$T_TMP/s-seller" <<EOF
3
:dump $T_TMP/d-s-orders
<Enter>
:dump $T_TMP/d-s-order
s
:dump $T_TMP/d-s-refused
D
:dump $T_TMP/d-s-ask
<Escape>
:quit
EOF
ui "$S" 80x24 "$T_TMP/s-seller"
D=$(cat "$T_TMP/d-s-order")
t_match "her list says the order is funded by 30%, not whole" "$(cat "$T_TMP/d-s-orders")" \
	'^> funded 30% +sell .*1,?200\.00 USD +wait for payment$'
t_match "the seller waits for the 70%" "$D" 'State +funded — next: wait for payment'
t_nomatch "and is not offered ship" "$D" 's ship'
t_match "s says shipping waits for the stage due before shipment" "$(cat "$T_TMP/d-s-refused")" \
	'ship: not now — it ships once stage 2 of 2 is paid \(840\.00 USD before shipment\)'
t_match "D then asks what went wrong" "$(cat "$T_TMP/d-s-ask")" '^what went wrong \(for the arbitrator\):'
t_nomatch "and the status line no longer says the refusal of s, which is not of this question" \
	"$(tail -n 1 "$T_TMP/d-s-ask")" 'not now'

# The buyer's wallet says how to add money, as the node says it, wrapped to the screen.
t_run "the operator says how to add money" 0 "$KONTORD" admin funding --db "$DB" \
	"Wire the amount to IBAN NL91 ABNA 0417 1643 00, Stages UI Node BV, quoting your kontor account id; it is credited the same day"
t_run "buyer syncs: the node's answer says its session changed" 0 kb sync
cat >"$T_TMP/s-buyer-wallet" <<EOF
3
w
:dump $T_TMP/d-b-wallet
:quit
EOF
ui "$B" 80x24 "$T_TMP/s-buyer-wallet"
t_match "w: his payment into escrow in the history, the amount at the line's end" "$(cat "$T_TMP/d-b-wallet")" \
	'^  [0-9-]{10} [0-9:]{5} [^ ]+  paid into escrow for order [A-Za-z0-9_-]{8}… +-360\.00 USD *$'
t_match "and under it the order as he knows it: product and seller" "$(cat "$T_TMP/d-b-wallet")" \
	'^ {24}DN50 brass ball valve, '
t_match "and the account id to quote on a line of its own" "$(cat "$T_TMP/d-b-wallet")" "^  Your account id: $BID *\$"
D=$(tr '\n' ' ' <"$T_TMP/d-b-wallet" | tr -s ' ')
t_match "the seller's name and @handle whole, wrapped under the product, not cut" "$D" \
	' DN50 brass ball valve, Ningbo Valve Works @ningbo-valve-works '
t_match "w: the wallet says how to add money, wrapped, not cut" "$D" \
	'To add money \(node main says\): Wire the amount to IBAN NL91 ABNA 0417 1643 00, Stages UI Node BV, quoting your kontor account id; it is credited the same day Your account id: '"$BID"

# A stage 30 days after delivery: on the day of delivery the buyer's next step is to pay by
# its day, the stage says its day and that it may be paid now, escrow waits for it.
trade_bind "buyer proposes 20, half on signing, half 30 days after delivery" --qty 20 \
	--incoterm FOB --place Ningbo --stages 50:signing,50:days_after_delivery:30
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the half on signing" 0 kb order pay "$ORDER"
t_run "seller syncs" 0 ks sync
t_run "seller ships" 0 ks order ship "$ORDER" --carrier DHL --tracking 1234567890
t_run "seller marks it delivered" 0 ks order deliver "$ORDER"
t_run "buyer syncs" 0 kb sync
# the day counts from the signed delivered section's time, on the node
DAT=$(sqlite3 "$DB" "SELECT json_extract(json_extract(s.value, '$.body'), '$.at') FROM contracts c, json_each(c.json, '$.sections') s WHERE c.id = '$KID' AND json_extract(s.value, '$.kind') = 'delivered'")
DUE=$(TZ=UTC0 date -d "$DAT + 30 days" +%Y-%m-%d)
printf '3\n:dump %s\n:quit\n' "$T_TMP/d-late-list" >"$T_TMP/s-late"
ui "$B" 100x30 "$T_TMP/s-late" TZ=UTC0
t_match "his list: pay by the stage's day" "$(cat "$T_TMP/d-late-list")" \
	"^. delivered 50% +buy .* 240\\.00 USD +pay by $DUE\$"
LINE=$(grep -n "pay by $DUE" "$T_TMP/d-late-list" | cut -d: -f1)
ROW=$(grep -n '^[> ] [a-z]' "$T_TMP/d-late-list" | head -n 1 | cut -d: -f1)
{
	echo 3
	downs "$ROW" "$LINE"
	echo '<Enter>'
	echo ":dump $T_TMP/d-late"
	echo ':quit'
} >"$T_TMP/s-late2"
ui "$B" 80x24 "$T_TMP/s-late2" TZ=UTC0
D=$(cat "$T_TMP/d-late")
t_match "nothing is due now" "$D" 'Payment +paid 120\.00 USD · due now 0\.00 USD · remaining 120\.00 USD'
t_match "the stage says its day and that it may be paid now, wrapped under its column" \
	"$(tr '\n' ' ' <"$T_TMP/d-late" | tr -s ' ')" \
	"stage 2 of 2, 50% 30 days after delivery, 120\\.00 USD: not yet due \\($DUE [0-9:]{5} UTC; it may be paid now\\)"
t_match "escrow waits for every stage" "$(tr '\n' ' ' <"$T_TMP/d-late" | tr -s ' ')" \
	'Escrow released to the seller 14 days after delivery once every stage is paid, unless disputed'
# its shipment, arrived: the day it came where the ETA was, never "none given yet"
printf '5\n:dump %s\n:quit\n' "$T_TMP/d-ships" >"$T_TMP/s-ships"
ui "$B" 100x30 "$T_TMP/s-ships" TZ=UTC0
LINE=$(grep -n ' delivered ' "$T_TMP/d-ships" | head -n 1 | cut -d: -f1)
ROW=$(grep -n '^[> ] [A-Za-z]' "$T_TMP/d-ships" | head -n 1 | cut -d: -f1)
{
	echo 5
	downs "$ROW" "$LINE"
	echo '<Enter>'
	echo ":dump $T_TMP/d-ship"
	echo ':quit'
} >"$T_TMP/s-ship"
ui "$B" 100x30 "$T_TMP/s-ship" TZ=UTC0
t_match "the delivered shipment says the day it came" "$(cat "$T_TMP/d-ship")" \
	"^Delivered +$(printf %.10s "$DAT") [0-9:]{5} UTC\$"
t_nomatch "and no ETA" "$(cat "$T_TMP/d-ship")" '^ETA '

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
