#!/bin/sh
# The trade screens of the terminal UI (tabs 3 Orders, 4 Contracts, 5 Shipments) against a
# live kontord over TLS, driven in tmux: the seller sees the buyer's offer, reads it as a
# document, signs it from the UI (once with KONTOR_PASSPHRASE, once answering the
# passphrase prompt); the buyer sees the order awaiting payment with "pay" as its next
# step and only pay and cancel offered, a refused key that says why, and pays from the UI;
# the seller ships from the UI (then e is on the Actions line); the shipment shows in tab 5.
# Below 80x24 no key acts unseen: the keys that sign and pause do nothing, q and Ctrl-C leave.
# Every tab at 80x24 and 120x40.
# Each action is checked where it lands: the CLI and the node's database.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null
export TZ=UTC0 # times are shown in the local zone: this one says "UTC"
unset NO_COLOR KONTOR_PASSPHRASE
PASS="trade ui passphrase"
ks() { KONTOR_PASSPHRASE="$PASS" "$KONTOR" --home "$S" "$@"; }
kb() { KONTOR_PASSPHRASE="$PASS" "$KONTOR" --home "$B" "$@"; }
status() { tail -n 1 "$1"; }

# --- a node, a seller, a buyer, a listing, an offer ------------------------------------
trade_node "Trade UI Node" "kontord is up"

t_run "seller init (with a passphrase)" 0 ks init --name "Ningbo Valve Works" --country CN --role supplier
t_run "buyer init (no passphrase: the seller's runs test the prompt)" 0 kb init --name "Rotterdam Pumps BV" --country NL --role buyer --no-passphrase
BID=$(party_id kb)
t_run "seller node add" 0 ks node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "buyer node add" 0 kb node add main "$URL" --ca-file "$T_TMP/ca.pem"

# --- empty screens say what to do -----------------------------------------------------
cat >"$T_TMP/s-empty" <<EOF
3
:dump $T_TMP/d-empty3
4
:dump $T_TMP/d-empty4
5
:dump $T_TMP/d-empty5
:quit
EOF
ui "$B" 80x24 "$T_TMP/s-empty" KONTOR_PASSPHRASE="'$PASS'"
t_match "no orders: says how to make one" "$(cat "$T_TMP/d-empty3")" 'No orders yet\. Propose a contract with :contract propose'
t_match "no contracts: says how to make one" "$(cat "$T_TMP/d-empty4")" 'No contracts yet'
t_match "no shipments: says where they come from" "$(cat "$T_TMP/d-empty5")" 'No shipments yet'

t_run "seller lists a valve" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.00 --currency USD --moq 10 --origin CN --hs-code 848180 --lead-days 10
trade_find ball valve
t_run "buyer proposes 100 valves FOB Ningbo" 0 kb contract propose --listing "$LID" --qty 100 \
	--incoterm FOB --place Ningbo --auto-release-days 10 --json
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_match "the contract id" "$KID" '^[A-Za-z0-9_-]{43}$'
t_run "seller syncs" 0 ks sync

# --- the seller, 120x40: the offer, as a document, its diff; S then n does nothing ------
cat >"$T_TMP/s-seller1" <<EOF
4
:dump $T_TMP/d-contracts
<Enter>
:dump $T_TMP/d-contract
G
:dump $T_TMP/d-contract-end
d
:dump $T_TMP/d-diff
d
S
:dump $T_TMP/d-ask-sign
n
:dump $T_TMP/d-said-no
:quit
EOF
ui "$S" 120x40 "$T_TMP/s-seller1" KONTOR_PASSPHRASE="'$PASS'"
D=$(cat "$T_TMP/d-contracts")
t_match "tab 4 lists the offer waiting for the seller" "$D" "^> ${KID%"${KID#??????????}"} +Rotterdam Pumps BV +DN50 brass ball valve +offer waiting for me +1,?200\.00 USD"
t_match "tab 4 has column heads" "$D" 'CONTRACT +COUNTERPARTY +PRODUCT +STATE +TOTAL +UPDATED'
t_match "tab 4's UPDATED column gives the offer's time, not '-'" "$D" \
	"^> ${KID%"${KID#??????????}"} .*USD +20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} "
D=$(cat "$T_TMP/d-contract")
t_match "Enter renders the offer: the total" "$D" 'Total: 1,?200\.00 USD'
t_match "the offer names the Incoterm rule and place" "$D" 'FOB .*Ningbo'
t_match "the offer's item line has the quantity and unit price" "$D" 'DN50 brass ball valve +100 .*12\.00'
t_match "the document is verified and says so" "$D" 'signatures verified'
t_match "the head offers S to sign" "$D" 'S signs'
D=$(cat "$T_TMP/d-contract-end")
t_match "each signature's status: the buyer's verifies" "$D" 'section 0 offer: Rotterdam Pumps BV as buyer — verified'
D=$(cat "$T_TMP/d-diff")
t_match "d shows the diff, or that there is no earlier offer" "$D" 'no earlier offer'
t_match "S asks first, naming the goods, the total and the parties" "$(tr '\n' ' ' <"$T_TMP/d-ask-sign")" 'Sign this offer: [0-9]+ pcs × DN50 brass ball valve, 1,?200\.00 USD, FOB Ningbo, you selling to Rotterdam Pumps BV\? +\(y/n\)'
t_match "n does nothing and says so" "$(cat "$T_TMP/d-said-no")" 'nothing was done'
t_run "contract list: still an offer" 0 ks contract list
t_match "not signed by the seller" "$T_OUT" "^$(printf %.8s "$KID") +offer "
printf '4\n<Enter>\n:dump %s\n:quit\n' "$T_TMP/d-contract80" >"$T_TMP/s-contract80"
ui "$S" 80x24 "$T_TMP/s-contract80" KONTOR_PASSPHRASE="'$PASS'"
t_match "at 80 columns an item's listing line goes on under itself: the hash under 'listing'" \
	"$(cat "$T_TMP/d-contract80")" '^      hash [A-Za-z0-9_-]{43} *$'
t_match "the Items table is laid out for 80 columns: its head on one line" \
	"$(cat "$T_TMP/d-contract80")" '^  # +description +qty +unit +unit price +line total *$'
t_match "the HS code and origin under the row, as contract show puts them" \
	"$(cat "$T_TMP/d-contract80")" '^      HS code 848180, origin CN *$'
t_nomatch "no head wrapped onto a line of its own" "$(cat "$T_TMP/d-contract80")" '^ *origin *$'
t_nomatch "and nothing of it at column 0" "$(cat "$T_TMP/d-contract80")" '^[A-Za-z0-9_-]{43} *$'

# --- below 80x24 the keys do nothing unseen; q, Q and Ctrl-C still leave -------------------
# (the keys that sign the offer and pause the listing at 80x24, typed at 60x20)
tm_start small 60x20 "env KONTOR_PASSPHRASE='$PASS' KONTOR_HOME=$S TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'needs at least 80x24 \(this terminal is 60x20\)' && t_ok "at 60x20 the UI says it needs 80x24" ||
	t_fail "at 60x20 the UI says it needs 80x24" "$(cat "$T_TMP/pane")"
tm send-keys 4 g Enter S y 7 p y
tm resize-window -x 80 -y 24
wait_for 'node main' || t_fail "at 80x24 the UI draws again" "$(cat "$T_TMP/pane")"
S1=$(screen)
t_nomatch "nothing was asked or done while it was too small" "$S1" 'Sign this|sign:|Pause|pause:'
t_match "it is still on the view it opened on" "$S1" '^Inbox \('
t_run "contract list: the offer is not signed" 0 ks contract list
t_match "the keys typed at 60x20 did not sign it" "$T_OUT" "^$(printf %.8s "$KID") +offer "
t_run "listing list: the valve is not paused" 0 ks listing list
t_nomatch "the keys typed at 60x20 did not pause it" "$T_OUT" 'paused'
tm resize-window -x 60 -y 20
wait_for 'needs at least 80x24 \(this terminal is 60x20\)' || t_fail "60x20 again" "$(cat "$T_TMP/pane")"
tm send-keys C-c
wait_for 'Quit kontor\? \(y/n\)' && t_ok "Ctrl-C at 60x20 asks to quit, on the small screen" ||
	t_fail "Ctrl-C at 60x20 asks to quit, on the small screen" "$(cat "$T_TMP/pane")"
tm send-keys n
sleep 0.5
t_nomatch "n keeps it running, the question gone" "$(screen)" 'Quit kontor|TUI-EXIT'
tm send-keys q
wait_for 'TUI-EXIT 0' && t_ok "q at 60x20 leaves, with 0" || t_fail "q at 60x20 leaves, with 0" "$(cat "$T_TMP/pane")"
tm kill-server 2>/dev/null

# --- the passphrase once at start (no KONTOR_PASSPHRASE), then S + y signs ---------------
tm_start sign 120x40 "KONTOR_HOME=$S TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'Passphrase for your kontor identity' && t_ok "the TUI asks for the passphrase once, at start" ||
	t_fail "the TUI asks for the passphrase once, at start" "$(cat "$T_TMP/pane")"
tm send-keys "$PASS" Enter
wait_for 'node main' || t_fail "the seller's UI draws" "$(cat "$T_TMP/pane")"
tm send-keys 4
wait_for 'offer waiting for me' || t_fail "tab 4 shows the offer" "$(cat "$T_TMP/pane")"
tm send-keys Enter
wait_for 'Total: 1,?200\.00 USD' || t_fail "the offer opens" "$(cat "$T_TMP/pane")"
tm send-keys S
wait_for 'Sign this offer' || t_fail "S asks" "$(cat "$T_TMP/pane")"
tm send-keys y
wait_for 'sign: done — the contract is binding' 150 && t_ok "S + y signs with the key unlocked at start: the outcome on the message line" ||
	t_fail "S + y signs: the outcome on the message line" "$(cat "$T_TMP/pane")"
S1=$(screen)
t_match "the contract now reads binding" "$S1" 'binding +with Rotterdam Pumps BV'
t_nomatch "no passphrase prompt is left on the screen" "$S1" 'Passphrase for'
tm send-keys Q
wait_for 'TUI-EXIT 0' && t_ok "the seller's UI leaves with 0" || t_fail "the seller's UI leaves with 0" "$(cat "$T_TMP/pane")"
tm kill-server 2>/dev/null
t_run "contract list (CLI)" 0 ks contract list --json
t_match "the CLI shows the contract binding" "$T_OUT" "\"id\":\"$KID\",\"state\":\"binding\""
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*"orderId":"\([^"]*\)".*/\1/p')
t_match "the order id" "$ORDER" '^[A-Za-z0-9_-]{43}$'
t_eq "the node made the order, awaiting payment" "$(ostate "$ORDER")" awaiting_payment

# --- the buyer, 80x24: the order awaits payment; only pay and cancel; p + y pays --------
t_run "a deposit of 1,500.00 USD to the buyer" 0 "$KONTORD" admin deposit "$BID" 1500.00 USD --db "$DB" --reference psp-1
t_run "buyer syncs" 0 kb sync
cat >"$T_TMP/s-buyer" <<EOF
3
:dump $T_TMP/d-orders
<Enter>
:dump $T_TMP/d-order
s
:dump $T_TMP/d-refused
c
:dump $T_TMP/d-refused2
p
:dump $T_TMP/d-ask-pay
y
:dump $T_TMP/d-paying
$(settle)
:dump $T_TMP/d-paid
q
:dump $T_TMP/d-orders2
:quit
EOF
ui "$B" 80x24 "$T_TMP/s-buyer" KONTOR_PASSPHRASE="'$PASS'"
D=$(cat "$T_TMP/d-orders")
t_match "tab 3: awaiting payment, buy, the seller, the total, pay next" "$D" '^> awaiting payment +buy +Ningbo Valve[A-Za-z ]*…? +DN50 brass[^0-9]* +1,?200\.00 USD +pay$'
t_match "tab 3 says one waits for you" "$D" 'Orders \(1, 1 waiting for you\)'
D=$(cat "$T_TMP/d-order")
t_match "the detail offers pay and cancel" "$D" 'Actions: p pay +· x cancel'
t_nomatch "the detail offers no ship" "$D" 's ship'
t_nomatch "the detail offers no confirm" "$D" 'c confirm'
t_match "the detail has the order's facts" "$D" 'Total +1,?200\.00 USD +in escrow 0\.00 USD'
t_match "the detail names the goods" "$D" 'Goods +100 pieces × DN50 brass ball valve at 12\.00 USD'
t_match "a refused key says why (ship as buyer)" "$(cat "$T_TMP/d-refused")" 'ship: not now — only the seller ships'
t_match "a refused key says why (confirm before shipping)" "$(cat "$T_TMP/d-refused2")" 'confirm: not now — receipt is confirmed once'
t_match "p asks first, naming the amount" "$(cat "$T_TMP/d-ask-pay")" 'Pay 1,?200\.00 USD into escrow for this order\? \(y/n\)'
t_match "p + y: queued for the background sync at once" "$(cat "$T_TMP/d-paying")" 'pay: (queued|done)'
t_match "p + y pays: the outcome on the message line" "$(cat "$T_TMP/d-paid")" 'pay: done — the order is funded; next: wait for shipment'
t_match "the order detail head shows funded" "$(cat "$T_TMP/d-paid")" 'Order .*  funded  from Ningbo'
t_match "the timeline shows the payment" "$(cat "$T_TMP/d-paid")" 'Paid into escrow by the buyer'

t_match "after paying, dispute is offered and pay is not" "$(cat "$T_TMP/d-paid")" 'Actions: D dispute'
t_match "back in the list the order waits for the seller" "$(cat "$T_TMP/d-orders2")" 'funded +buy +Ningbo Valve[A-Za-z ]*…? +DN50 brass[^0-9]* +1,?200\.00 USD +wait for shipment'
t_eq "the node's order is funded" "$(ostate "$ORDER")" funded
t_eq "escrow holds the total" "$(sqlite3 "$DB" "SELECT balance FROM ledger_accounts WHERE id = 'escrow:$ORDER'")" 120000

# --- the seller ships from the UI ------------------------------------------------------
t_run "seller syncs" 0 ks sync
cat >"$T_TMP/s-ship" <<EOF
3
:dump $T_TMP/d-s-orders
<Enter>
:dump $T_TMP/d-s-order
p
:dump $T_TMP/d-s-refused
s
:dump $T_TMP/d-ask-carrier
<Enter>
:dump $T_TMP/d-ask-empty
Maersk
<Enter>
MSKU1234565
<Enter>
ship
<Enter>
:dump $T_TMP/d-ask-badmode
<C-u>
sea
<Enter>
:dump $T_TMP/d-ask-ship
y
$(settle)
:dump $T_TMP/d-shipped
5
:dump $T_TMP/d-ships
<Enter>
:dump $T_TMP/d-ship
:quit
EOF
ui "$S" 120x40 "$T_TMP/s-ship" KONTOR_PASSPHRASE="'$PASS'"
t_match "the seller's tab 3: funded, ship next (by the contract's day), first" "$(cat "$T_TMP/d-s-orders")" '^> funded +sell +Rotterdam Pumps BV +DN50 brass ball valve +1,?200\.00 USD +ship by [0-9]{4}-[0-9]{2}-[0-9]{2}$'
t_match "the seller's detail offers ship, dispute and cancel (with the buyer) only" "$(cat "$T_TMP/d-s-order")" 'Actions: s ship +· D dispute +· x cancel +q back'
t_match "the seller's p says why not" "$(cat "$T_TMP/d-s-refused")" 'pay: not now — only the buyer pays'
t_match "s asks for the carrier on the prompt row" "$(cat "$T_TMP/d-ask-carrier")" '^carrier:'
t_match "an empty carrier is asked again" "$(cat "$T_TMP/d-ask-empty")" 'this one is needed'
t_match "a bad mode is refused, naming the choices" "$(cat "$T_TMP/d-ask-badmode")" 'mode: one of sea, air, road, rail, courier'
t_match "the confirmation names carrier, tracking and mode" "$(cat "$T_TMP/d-ask-ship")" 'Ship this order with Maersk, tracking MSKU1234565, by sea\? \(y/n\)'
t_match "s + y ships: the outcome on the message line" "$(cat "$T_TMP/d-shipped")" 'ship: done — the order is shipped; next: wait for delivery'
t_match "the shipped order's actions name every key that works there, e too" "$(cat "$T_TMP/d-shipped")" 'Actions: D dispute · x cancel · e event +q back'
t_eq "said once: the status line does not repeat it, cut short, below" \
	"$(grep -c 'ship: done' "$T_TMP/d-shipped")" 1
t_match "the order's timeline shows the shipment in words" "$(cat "$T_TMP/d-shipped")" 'Shipped by the seller with Maersk, tracking MSKU1234565 \(mode: sea\)'
t_match "the timeline shows the payment" "$(cat "$T_TMP/d-shipped")" 'Paid into escrow by the buyer'
t_eq "the node's order is shipped" "$(ostate "$ORDER")" shipped
t_match "tab 5 lists the shipment: carrier, tracking, state, no ETA yet, whom it goes to, what it carries" \
	"$(cat "$T_TMP/d-ships")" '^> Maersk +MSKU1234565 +shipped +- +Rotterdam Pumps BV +DN50 brass'
t_match "at 120 columns the other party has a column" "$(cat "$T_TMP/d-ships")" \
	'^  CARRIER +TRACKING +STATE +ETA +COUNTERPARTY +PRODUCT +LAST EVENT$'
t_match "the shipment's header" "$(cat "$T_TMP/d-ship")" 'Carrier +Maersk'
t_match "the shipment's mode" "$(cat "$T_TMP/d-ship")" 'Mode +sea'

# --- every tab at 80x24 and 120x40, lists and details: no garbage ------------------------
t_run "buyer syncs" 0 kb sync
for size in 80x24 100x30 120x40; do
	cat >"$T_TMP/s-tabs" <<EOF
1
:dump $T_TMP/t-$size-1
2
:dump $T_TMP/t-$size-2
3
:dump $T_TMP/t-$size-3
<Enter>
:dump $T_TMP/t-$size-3o
4
:dump $T_TMP/t-$size-4
<Enter>
:dump $T_TMP/t-$size-4o
5
:dump $T_TMP/t-$size-5
<Enter>
:dump $T_TMP/t-$size-5o
?
:dump $T_TMP/t-$size-help
<PgDn>
:dump $T_TMP/t-$size-help1
G
:dump $T_TMP/t-$size-help2
:quit
EOF
	ui "$B" "$size" "$T_TMP/s-tabs" KONTOR_PASSPHRASE="'$PASS'"
	bad=""
	for f in "$T_TMP"/t-"$size"-*; do
		rows=$(wc -l <"$f" | tr -d ' ')
		wide=$(wc -L <"$f" | tr -d ' ')
		[ "$rows" = "${size#*x}" ] || bad="$bad $(basename "$f"):rows=$rows"
		[ "$wide" -le "${size%x*}" ] || bad="$bad $(basename "$f"):wide=$wide"
		head -n 1 "$f" | grep -Eq '^ 1 .* 2 .* 3 .* 4 .* 5 ' || bad="$bad $(basename "$f"):tabs"
		tail -n 1 "$f" | grep -q 'node main' || bad="$bad $(basename "$f"):status"
		grep -q "$(printf '\033')" "$f" && bad="$bad $(basename "$f"):ESC"
	done
	t_eq "at $size every tab and detail fits, with tabs and status line" "$bad" ""
	t_match "at $size the shipped order offers confirm, dispute and cancel to the buyer" "$(cat "$T_TMP/t-$size-3o")" 'Actions: c confirm · D dispute · x cancel +q back'
	t_match "at $size the buyer sees the shipment" "$(cat "$T_TMP/t-$size-5")" 'Maersk +MSKU1234565 +shipped'
	t_match "at $size the shipment opens" "$(cat "$T_TMP/t-$size-5o")" 'Timeline, most recent first'
	t_match "at $size the Orders list has a product column, cut to fit" "$(cat "$T_TMP/t-$size-3")" 'PRODUCT.*TOTAL'
	t_match "at $size the order's row names what it buys" "$(cat "$T_TMP/t-$size-3")" ' DN50 brass'
	t_match "at $size the Contracts list has a product column" "$(cat "$T_TMP/t-$size-4")" 'PRODUCT +STATE'
	t_match "at $size the contract's row names what it buys" "$(cat "$T_TMP/t-$size-4")" ' DN50 brass'
	t_match "at $size the contract opens binding" "$(cat "$T_TMP/t-$size-4o")" 'binding +with Ningbo Valve Works'
done
t_match "at 100x30 the contract's row gives the seller's name and the product room, the UPDATED column its date" \
	"$(cat "$T_TMP/t-100x30-4")" '^> [A-Za-z0-9_-]{8}  Ningbo Valve Works.* DN50 brass ball.* binding +[0-9,.]+ USD  20[0-9]{2}-[0-9]{2}-[0-9]{2}$'
H="$(cat "$T_TMP"/t-120x40-help "$T_TMP"/t-120x40-help1 "$T_TMP"/t-120x40-help2)"
t_match "? help lists the order keys" "$H" 'p +pay +pay the stage that is due into escrow'
t_match "? help lists dispute" "$H" 'D +dispute'
t_match "? help lists sign" "$H" 'S +sign +sign the offer when it waits for you'
t_match "? help lists diff" "$H" 'd +diff'

# --- the buyer's contract shows both signatures verified ----------------------------------
cat >"$T_TMP/s-bc" <<EOF
4
<Enter>
S
:dump $T_TMP/d-b-sign
G
:dump $T_TMP/d-b-sigs
:quit
EOF
ui "$B" 120x40 "$T_TMP/s-bc" KONTOR_PASSPHRASE="'$PASS'"
t_match "S on a binding contract does nothing but say why" "$(cat "$T_TMP/d-b-sign")" 'sign: not now — it is binding already'
t_match "both signatures verified" "$(cat "$T_TMP/d-b-sigs")" 'Ningbo Valve Works as seller — verified'
t_match "the buyer's own signature is marked" "$(cat "$T_TMP/d-b-sigs")" 'Rotterdam Pumps BV as buyer — verified \(you\)'

# --- shipment events (order event) followed in tab 5 -------------------------------------
{
	t_run "seller: loaded at CNNGB" 0 ks order event "$ORDER" --code LOAD --location CNNGB --at 2026-11-20T08:00:00Z --note "MAERSK ESSEN 123W"
	t_run "seller: departed CNNGB" 0 ks order event "$ORDER" --code DEPA --location CNNGB --at 2026-11-20T20:00:00Z
	t_run "seller: estimated arrival at USLAX" 0 ks order event "$ORDER" --code ARRI --classifier EST --location USLAX --at 2026-12-01T14:00:00Z
	t_run "seller: customs released at USLAX" 0 ks order event "$ORDER" --code CUSR --location USLAX --at 2026-11-25T09:12:00Z
	t_run "buyer syncs the events" 0 kb sync
	cat >"$T_TMP/s-track" <<EOF
5
:dump $T_TMP/d-track-list
<Enter>
:dump $T_TMP/d-track
:quit
EOF
	ui "$B" 80x24 "$T_TMP/s-track" KONTOR_PASSPHRASE="'$PASS'"
	D=$(cat "$T_TMP/d-track-list")
	t_match "tab 5 at 80 columns: the ETA's date, then what the shipment carries" "$D" 'Maersk +MSKU1234565 +shipped +2026-12-01 DN50 brass'
	t_match "tab 5's heading names each column" "$D" '^  CARRIER +TRACKING +STATE +ETA +PRODUCT +LAST EVENT$'
	t_nomatch "at 80 columns the last event keeps the room of the other party" "$D" 'COUNTERPARTY'
	D=$(cat "$T_TMP/d-track")
	t_match "the timeline: customs in words" "$D" '2026-11-25 09:12 UTC +Customs released at USLAX'
	t_match "the timeline: loading in words" "$D" '2026-11-20 08:00 UTC +Loaded'
	t_match "the ETA in the header" "$D" 'ETA +2026-12-01 14:00 UTC'
	t_match "customs status in the header" "$D" 'Customs +released at USLAX'
	t_match "the shipment names whose it is" "$D" 'Order +shipped; you buy from Ningbo Valve Works$'
	t_match "and what it carries, as the order does" "$D" 'Goods +[0-9]+ pieces × DN50 brass ball valve at 1?2\.00 USD$'
	first=$(grep -n 'Customs released' "$T_TMP/d-track" | cut -d: -f1)
	load=$(grep -n 'Loaded' "$T_TMP/d-track" | cut -d: -f1)
	[ -n "$first" ] && [ -n "$load" ] && [ "$first" -lt "$load" ] && t_ok "most recent first" || t_fail "most recent first" "customs at $first, load at $load"
	printf '5\n:dump %s\n:quit\n' "$T_TMP/d-track-wide" >"$T_TMP/s-track-wide"
	ui "$B" 120x40 "$T_TMP/s-track-wide" KONTOR_PASSPHRASE="'$PASS'"
	# Received in the order load, depart, ETA, customs: the last that happened is customs,
	# not the first received (load) nor the estimate (arrival).
	t_match "tab 5: LAST EVENT is the latest that happened" "$(cat "$T_TMP/d-track-wide")" \
		'MSKU1234565 +shipped +2026-12-01 14:00 UTC +DN50 brass[^ ]*( [^ ]+)* +Customs released at USLAX'
	t_nomatch "with an ETA at 120 columns the last event keeps the room of the other party" \
		"$(cat "$T_TMP/d-track-wide")" 'COUNTERPARTY'
	# The same shipment read in Hai Phong: every time in local time, with its zone.
	ui "$B" 100x30 "$T_TMP/s-track" KONTOR_PASSPHRASE="'$PASS'" TZ=Asia/Ho_Chi_Minh
	t_match "TZ=Asia/Ho_Chi_Minh at 100 columns: tab 5's ETA in local time" "$(cat "$T_TMP/d-track-list")" \
		'MSKU1234565 +shipped +2026-12-01 21:00 \+07'
	D=$(cat "$T_TMP/d-track")
	t_match "TZ=Asia/Ho_Chi_Minh: customs at 16:12 local" "$D" '2026-11-25 16:12 \+07 +Customs released at USLAX'
	t_match "TZ=Asia/Ho_Chi_Minh: the loading at 15:00 local" "$D" '2026-11-20 15:00 \+07 +Loaded'
	t_nomatch "TZ=Asia/Ho_Chi_Minh: no time in UTC" "$D" ' UTC'
	# a zone that writes its offset in digits makes the time 22 columns: the words keep a gap
	ui "$B" 80x24 "$T_TMP/s-track" KONTOR_PASSPHRASE="'$PASS'" TZ=Asia/Kathmandu
	t_match "TZ=Asia/Kathmandu: the time, two blanks, then the event's words" "$(cat "$T_TMP/d-track")" \
		'^  2026-11-25 14:57 \+0545  Customs released at USLAX'
}

# --- the buyer confirms receipt and rates the seller from the UI -------------------------
cat >"$T_TMP/s-confirm" <<EOF
3
<Enter>
c
:dump $T_TMP/d-ask-confirm
y
$(settle)
:dump $T_TMP/d-confirmed
r
6
<Enter>
:dump $T_TMP/d-bad-stars
<C-u>
5
<Enter>
Fast shipping, valves as described
<Enter>
:dump $T_TMP/d-ask-rate
y
$(settle)
:dump $T_TMP/d-rated
G
:dump $T_TMP/d-rated-end
q
:dump $T_TMP/d-list-done
:quit
EOF
ui "$B" 80x24 "$T_TMP/s-confirm" KONTOR_PASSPHRASE="'$PASS'"
t_match "c asks first, naming the amount and the seller" "$(cat "$T_TMP/d-ask-confirm")" 'Confirm receipt and release 1,?200\.00 USD to Ningbo Valve Works\? \(y/n\)'
t_match "c + y confirms: completed, rate next" "$(cat "$T_TMP/d-confirmed")" 'confirm: done — the order is completed; next: rate'
t_eq "the node's order is completed" "$(ostate "$ORDER")" completed
t_match "the timeline says escrow went to the seller" "$(cat "$T_TMP/d-confirmed")" 'Receipt confirmed by the buyer'
t_match "the Escrow line says where the money went, not the rule that would move it" \
	"$(cat "$T_TMP/d-confirmed")" '^Escrow +released to the seller on [0-9-]+ [0-9:]+ [^:]+: 1,?200\.00 USD$'
t_match "a timeline line too long for 80 columns goes on under its words, not its time" \
	"$(tr '\n' '~' <"$T_TMP/d-confirmed")" 'tracking MSKU1234565~ {24}\(mode: sea\)~'
t_match "stars out of range are asked again" "$(cat "$T_TMP/d-bad-stars")" 'stars: a whole number from 1 to 5'
t_match "r asks first, naming the seller and the stars" "$(cat "$T_TMP/d-ask-rate")" 'Rate Ningbo Valve Works 5/5 with your words\? \(y/n\)'
t_match "r + y rates: the outcome on the message line" "$(cat "$T_TMP/d-rated")" 'rate: done'
t_match "the rating shows on the order" "$(cat "$T_TMP/d-rated-end")" 'The buyer rated the seller 5/5 ★★★★★: Fast shipping'
t_match "a rated order offers no more actions" "$(cat "$T_TMP/d-rated")" 'Actions: none for you now \(done \(rated\)\)'
t_match "at 80 columns the state and next columns are as wide as their words, the rest goes to the seller and the product" \
	"$(cat "$T_TMP/d-list-done")" '^> completed buy  Ningbo Valve Wor… +DN50 brass ball… +1,?200\.00 USD  done \(rated\)$'

# --- a counter-offer: waiting for the buyer, first in the list; d shows what changed ---------
t_run "buyer proposes again" 0 kb contract propose --listing "$LID" --qty 100 --incoterm FOB --place Ningbo --json
KID2=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "seller counters with 200 valves" 0 ks contract counter "$KID2" --qty 200
t_run "buyer syncs" 0 kb sync
cat >"$T_TMP/s-counter" <<EOF
4
:dump $T_TMP/d-c-list
<Enter>
d
:dump $T_TMP/d-c-diff
:quit
EOF
ui "$B" 120x40 "$T_TMP/s-counter" KONTOR_PASSPHRASE="'$PASS'"
t_match "the counter-offer waits for the buyer, first" "$(cat "$T_TMP/d-c-list")" "^> ${KID2%"${KID2#??????????}"} +Ningbo Valve Works +DN50 brass ball valve +offer waiting for me +2,?400\.00 USD"
t_match "the binding one is listed after it" "$(cat "$T_TMP/d-c-list")" '^  [A-Za-z0-9_-]{10} +Ningbo Valve Works +DN50 brass ball valve +binding'
t_match "d shows the changed quantity" "$(cat "$T_TMP/d-c-diff")" 'items\[0\]\.qty: 100 -> 200'
t_match "d shows the changed total" "$(cat "$T_TMP/d-c-diff")" 'total: 1,?200\.00 USD -> 2,?400\.00 USD|total: .*1,?200.*2,?400'

# funded WHAT DEPOSIT REF PROPOSE-ARGS...: the buyer proposes WHAT, the seller signs (CLI), a
# deposit of DEPOSIT USD reaches the buyer and he pays; the order's id in $FUNDED.
funded() {
	what=$1 dep=$2 ref=$3
	shift 3
	t_run "buyer proposes $what" 0 kb contract propose --listing "$LID" "$@" --json
	k=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
	t_run "seller syncs the offer for $what" 0 ks sync
	t_run "seller signs it (CLI)" 0 ks contract sign "$k"
	FUNDED=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
	t_run "a deposit of $dep USD to the buyer" 0 "$KONTORD" admin deposit "$BID" "$dep" USD \
		--db "$DB" --reference "$ref"
	t_run "buyer syncs" 0 kb sync
	t_run "buyer pays for $what (CLI)" 0 kb order pay "$FUNDED"
}

# --- cancelling a funded order takes both: the buyer asks (CLI), the seller signs (UI) -------
funded "300 valves" 4000.00 psp-2 --qty 300 --incoterm FOB --place Ningbo
O3=$FUNDED
t_run "buyer asks to cancel (CLI)" 0 kb order cancel "$O3" --reason "changed plans"
t_eq "still funded on the node" "$(ostate "$O3")" funded
t_run "seller syncs the request" 0 ks sync
cat >"$T_TMP/s-cancel" <<EOF
3
:dump $T_TMP/d-cx-list
<Enter>
:dump $T_TMP/d-cx-detail
x
<Enter>
:dump $T_TMP/d-cx-ask
y
$(settle)
:dump $T_TMP/d-cx-done
:quit
EOF
ui "$S" 80x24 "$T_TMP/s-cancel" KONTOR_PASSPHRASE="'$PASS'"
t_match "the seller's tab 3: sign the cancellation, first" "$(cat "$T_TMP/d-cx-list")" '^> funded +sell +Rotterdam P.*sign the cancel'
t_match "the detail says who asked" "$(cat "$T_TMP/d-cx-detail")" 'Cancel +asked by the buyer on'
t_match "x asks to sign the buyer's cancellation" "$(cat "$T_TMP/d-cx-ask")" "Sign the buyer's cancellation: 3,?600\.00 USD goes back"
t_eq "both signed: the node's order is cancelled" "$(ostate "$O3")" cancelled
t_eq "escrow refunded" "$(sqlite3 "$DB" "SELECT coalesce((SELECT balance FROM ledger_accounts WHERE id = 'escrow:$O3' AND currency = 'USD'), 0)")" 0

# --- a counterparty name with an escape sequence is drawn as its words ------------------------
SID=$(party_id ks)
sqlite3 "$B/cache.db" "UPDATE accounts SET json = json_set(json, '\$.displayName', 'Evil ' || char(27) || '[31mred' || char(27) || '[0m Works') WHERE id = '$SID'"
t_eq "the planted name holds an ESC byte" "$(sqlite3 "$B/cache.db" "SELECT instr(json_extract(json, '\$.displayName'), char(27)) > 0 FROM accounts WHERE id = '$SID'")" 1
for tab in 3 4 5; do
	tm_start "evil$tab" 100x30 "NO_COLOR=1 KONTOR_HOME=$B KONTOR_PASSPHRASE='$PASS' TERM=screen-256color $KONTOR tui; sleep 60"
	wait_for 'node main' || true
	tm send-keys "$tab"
	sleep 0.3
	tm send-keys Enter
	sleep 0.5
	E=$(tm capture-pane -e -p)
	t_nomatch "tab $tab and its detail (NO_COLOR): no colour was injected" "$E" '\[(0;)?31m'
	tm kill-server 2>/dev/null
done
tm_start evil 100x30 "KONTOR_HOME=$B KONTOR_PASSPHRASE='$PASS' TERM=screen-256color $KONTOR tui; sleep 60"
wait_for 'node main' || true
tm send-keys 3
# the cache refuses the bad profile (the short id shows) or the screen cleans it (its words)
wait_for 'completed +buy +(Evil red Works|[A-Za-z0-9_-]{10}…)' && t_ok "the name shows as its words or the short id" ||
	t_fail "the name shows as its words or the short id" "$(cat "$T_TMP/pane")"
tm kill-server 2>/dev/null

# --- s ships by the contract's mode: Enter takes air where the offer said air ------------
funded "100 valves by air" 1200.00 psp-4 --qty 100 --incoterm FCA --place "Ningbo airport" \
	--mode air
O4=$FUNDED
t_run "seller syncs the payment" 0 ks sync
cat >"$T_TMP/s-air" <<EOF
3
<Enter>
:dump $T_TMP/d-a-order
s
DHL
<Enter>
JD014600006281230
<Enter>
:dump $T_TMP/d-a-mode
<Enter>
:dump $T_TMP/d-a-ask
y
$(settle)
:quit
EOF
ui "$S" 100x30 "$T_TMP/s-air" KONTOR_PASSPHRASE="'$PASS'"
t_match "the order to ship opens first" "$(sed -n 2p "$T_TMP/d-a-order")" "^Order $(printf %.12s "$O4")… +funded"
t_match "s asks the mode with the contract's for Enter" "$(cat "$T_TMP/d-a-mode")" \
	"^mode \(sea air road rail courier; Enter: air, the contract's\):$"
t_match "Enter takes air" "$(cat "$T_TMP/d-a-ask")" \
	'Ship this order with DHL, tracking JD014600006281230, by air\? \(y/n\)'
t_run "her track of it" 0 ks track "$O4"
t_match "shipped by air, as the contract says" "$T_OUT" '^mode +air$'

# --- chat list: the last message under each conversation, when the key opens unasked ------
t_run "buyer asks the seller a question" 0 kb chat send "$(party_id ks)" "Is the valve lead-free?
It goes into drinking water."
t_run "seller syncs" 0 ks sync
t_run "her chat list, the passphrase given" 0 ks chat list
t_match "his last message under the conversation, on one line" "$T_OUT" \
	'^          Is the valve lead-free\? It goes into drinking water\.$'
t_run "her chat list with her key locked and no terminal to ask on" 0 \
	"$KONTOR" --home "$S" chat list </dev/null
t_match "still lists the conversation" "$T_OUT" 'Rotterdam Pumps BV'
t_nomatch "without the message: nothing opens it" "$T_OUT" 'lead-free'
t_nomatch "and asks for nothing" "$T_ERR" '.'
printf '2\n:dump %s\n:quit\n' "$T_TMP/d-chat-last" >"$T_TMP/s-chat-last"
ui "$S" 80x24 "$T_TMP/s-chat-last" KONTOR_PASSPHRASE="'$PASS'"
t_match "the Chat tab's row ends in it, cut to fit 80 columns with …" "$(cat "$T_TMP/d-chat-last")" \
	'^> Rotterdam Pumps BV +1 unread +[0-9-]+ [0-9:]+  Is the valve lead-free\? It goes[^…]*…$'

# KEEP=DIR keeps the dumps and homes for a look after the run
[ -n "$KEEP" ] && cp -r "$T_TMP" "$KEEP"
t_node_stop
t_done
