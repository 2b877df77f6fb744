#!/bin/sh
# Offers waiting for the seller, in the terminal UI at 80x24 against a live kontord over TLS,
# driven in tmux: S asks with every term whole over the two prompt rows (a long product title
# shortened with …, never the quantities, what she lacks or the keys); c's counter form shows
# the offer's real payment terms (30% on signing and the rest before shipment as "Deposit %
# 30"; stages that are not a deposit and the rest, as the stages); and the buyer's listing
# view lists none of the supplier's paused listings among her others.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null
export TZ=UTC0
unset NO_COLOR KONTOR_PASSPHRASE

trade_node "Offer UI Node" "kontord is up"
trade_party_np seller ks "Ningbo Valve Works" CN supplier
trade_party_np buyer kb "Rotterdam Pumps BV" NL buyer
t_run "seller lists a valve with a long title, none on hand" 0 ks listing add --sku BV-50 \
	--title "DN50 forged brass ball valve, full bore, PN25, lever handle, nickel plated" \
	--price 12.00 --currency USD --moq 10 --origin CN --stock 0
t_run "seller lists a gate valve, CIF or FOB" 0 ks listing add --sku GV-80 \
	--title "DN80 cast iron gate valve" --price 40.00 --currency USD --moq 5 --origin CN \
	--incoterm CIF,FOB
t_run "seller lists a check valve" 0 ks listing add --sku CV-25 --title "DN25 swing check valve" \
	--price 9.00 --currency USD --moq 5 --origin CN
t_run "seller syncs" 0 ks sync
trade_find forged brass ball valve
t_run "seller pauses the check valve" 0 ks listing pause CV-25
t_run "seller syncs the pause" 0 ks sync
t_run "buyer syncs the pause" 0 kb sync

t_run "buyer proposes 300 valves, 30% on signing and 70% before shipment" 0 kb contract propose \
	--listing "$LID" --qty 300 --incoterm FOB --place Ningbo --stages 30:signing,70:before_shipment --json
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs the offer" 0 ks sync

# --- S: the question whole over two rows; c: the deposit as offered ----------------------
cat >"$T_TMP/s-seller" <<EOF
4
<Enter>
S
:dump $T_TMP/d-ask-sign
n
c
:dump $T_TMP/d-counter
:quit
EOF
ui "$S" 80x24 "$T_TMP/s-seller"
Q=$(tail -n 3 "$T_TMP/d-ask-sign" | head -n 2 | tr '\n' ' ')
t_match "S: the question fills both prompt rows, the title shortened with …" "$Q" \
	'^Sign this offer: 300 pcs × DN50 forged brass ball valve, full [^…]*…, 3,600\.00 USD, FOB Ningbo, you selling to Rotterdam Pumps BV \(0 on hand, 300 short\)\? \(y/n\) $'
t_match "the question's second row ends with its keys" "$(tail -n 2 "$T_TMP/d-ask-sign" | head -n 1)" '\(y/n\)$'
t_match "c: the counter form's deposit is the offer's 30%" "$(cat "$T_TMP/d-counter")" '^  Deposit % +30 +same$'
t_run "contract list: still an offer" 0 ks contract list
t_match "n signed nothing" "$T_OUT" "^$(printf %.8s "$KID") +offer "

# --- stages that are no deposit and the rest: the form shows them, as --stages takes them --
t_run "seller signs the first offer from the shell: the second one waits first" 0 ks contract sign "$KID"
t_run "buyer proposes 50 valves in three stages" 0 kb contract propose --listing "$LID" --qty 50 \
	--incoterm FOB --place Ningbo --stages 30:signing,50:before_shipment,20:delivery --json
t_run "seller syncs the second offer" 0 ks sync
cat >"$T_TMP/s-seller2" <<EOF
4
<Enter>
:dump $T_TMP/d-contract2
c
:dump $T_TMP/d-counter2
:quit
EOF
ui "$S" 80x24 "$T_TMP/s-seller2"
t_match "the offer opened is the three-stage one" "$(cat "$T_TMP/d-contract2")" 'Total: 600\.00 USD'
D=$(cat "$T_TMP/d-counter2")
t_match "c: the form shows the three stages" "$D" '^  Stages +30:signing,50:before_shipment,20:delivery +same$'
t_nomatch "and no deposit of 0" "$D" 'Deposit %'

# --- the buyer's listing view: her other listings, none paused -----------------------------
cat >"$T_TMP/s-buyer" <<EOF
/
gate valve
<Enter>
<Enter>
G
:dump $T_TMP/d-listing
P
5
<Enter>
<Enter>
:dump $T_TMP/d-p-inc
<Enter>
Rotterdam
<Enter>
<Enter>
:dump $T_TMP/d-p-confirm
<Escape>
:quit
EOF
ui "$B" 80x24 "$T_TMP/s-buyer"
D=$(sed -n '/Other listings of this supplier/,$p' "$T_TMP/d-listing")
t_match "the gate valve's view lists her ball valve among her others" "$D" 'DN50 forged brass'
t_match "its long title cut to fit, and marked so" "$D" '^  DN50 forged brass ball valve,… +USD +12\.00 '
t_nomatch "but not her paused check valve" "$D" 'swing check'
t_match "P asks the Incoterm with the listing's first for Enter" "$(cat "$T_TMP/d-p-inc")" \
	"^Incoterm \(Enter: CIF, the listing's\):$"
t_match "Enter takes CIF" "$(tr '\n' ' ' <"$T_TMP/d-p-confirm")" \
	'Propose 5 pieces × DN80 cast iron gate valve at 40\.00 = 200\.00 USD, CIF Rotterdam\?'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
