#!/bin/sh
# Cancelling after funding (DESIGN §6) over a live kontord with real TLS: once an order is
# funded neither party can cancel alone. The buyer's `order cancel` asks (the node keeps
# the signed section as the order's cancelRequest, the order stays funded, no money moves);
# asking twice is refused; the seller's `order cancel` signs the same section, the node
# appends it with both signatures and refunds the whole escrow to the buyer. The contract
# then verifies offline with the cancelled section last. A request made stale by a later
# step (the seller ships) is refused when the other side signs it. A third account cannot
# ask. The ledger sums to zero after every step.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

trade_node "Cancel Test Node"

trade_party_np seller ks "Ningbo Valve Works" CN supplier
trade_party_np buyer kb "Rotterdam Pumps BV" NL buyer
trade_party_np third kx "Nosy Parker Ltd" GB buyer
BID=$(party_id kb)

t_run "seller lists a valve" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.00 --currency USD --moq 10 --origin CN --hs-code 848180
trade_find ball valve
t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" 5000.00 USD --db "$DB" --reference psp-1

# A binding, funded order of $2 valves: ORDER, its contract KID. (Two offers with the
# same terms on the same day are the same contract: the quantities differ.)
funded_order() {
	t_run "buyer proposes $2 valves ($1)" 0 kb contract propose --listing "$LID" --qty "$2" \
		--incoterm FOB --place Ningbo --json
	KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
	t_run "seller syncs ($1)" 0 ks sync
	t_run "seller signs: binding ($1)" 0 ks contract sign "$KID"
	ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
	t_run "buyer syncs ($1)" 0 kb sync
	t_run "buyer pays ($1)" 0 kb order pay "$ORDER"
	t_eq "the order is funded ($1)" "$(ostate "$ORDER")" funded
	t_run "seller syncs the payment ($1)" 0 ks sync
}

# --- both sign: refunded --------------------------------------------------------------------
funded_order first 100
t_eq "escrow holds the total" "$(bal "escrow:$ORDER")" 120000
t_eq "the buyer's wallet is down by it" "$(bal "wallet:$BID")" 380000
ledger_zero "funded"
t_run "buyer asks to cancel" 0 kb order cancel "$ORDER" --reason "the customer withdrew"
t_match "it says the other party must sign" "$T_OUT" "cancellation asked as buyer; it takes effect when the other party"
t_eq "the order is still funded" "$(ostate "$ORDER")" funded
t_eq "the node keeps the request" "$(sqlite3 "$DB" "SELECT json_extract(json, '\$.cancelRequest.by') FROM orders WHERE id = '$ORDER'")" buyer
t_eq "no money moved" "$(bal "escrow:$ORDER")" 120000
t_run "asking twice is refused (exit 1)" 1 kb order cancel "$ORDER"
t_match "it waits for the seller" "$T_ERR" "waits for the seller to sign"
t_run "a third account cannot ask (exit 1)" 1 kx order cancel "$ORDER"
t_eq "the request is the buyer's still" "$(sqlite3 "$DB" "SELECT json_extract(json, '\$.cancelRequest.by') FROM orders WHERE id = '$ORDER'")" buyer
t_run "seller syncs the request" 0 ks sync
t_run "seller's order show names the request" 0 ks order show "$ORDER" --json
t_match "the cached order carries it" "$T_OUT" '"cancelRequest":\{"at":"[^"]*","by":"buyer"'
t_run "seller signs the cancellation" 0 ks order cancel "$ORDER"
t_match "cancelled by both" "$T_OUT" "cancelled by both; escrow refunded to the buyer"
t_eq "the node's order is cancelled" "$(ostate "$ORDER")" cancelled
t_eq "escrow is empty" "$(bal "escrow:$ORDER")" 0
t_eq "the buyer has every cent back" "$(bal "wallet:$BID")" 500000
ledger_zero "refunded"
t_run "buyer syncs" 0 kb sync
t_run "the contract verifies offline" 0 kb contract show "$KID" --verify
t_run "buyer's order show" 0 kb order show "$ORDER"
t_match "says where escrow's money went, not the rule that would release it" "$T_OUT" \
	'^release +refunded to the buyer on 20[0-9-]+ [0-9:]+ UTC: 1,200\.00 USD$'
t_run "buyer's order show --json" 0 kb order show "$ORDER" --json
t_match "the refund in minor units, and when" "$T_OUT" '"released":0,"refunded":120000,"settledAt":"20[0-9-]+T[0-9:]+Z"'
t_eq "its last section is cancelled with two signatures" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '\$.sections[#-1].kind') || ' ' || json_array_length(json, '\$.sections[#-1].signatures') FROM contracts WHERE id = '$KID'")" "cancelled 2"
t_run "buyer's order list shows it cancelled" 0 kb order list --state cancelled
t_match "listed" "$T_OUT" "^$(printf %.8s "$ORDER") +cancelled "
t_run "cancelling a cancelled order is refused (exit 1)" 1 kb order cancel "$ORDER"

# --- a stale request --------------------------------------------------------------------------
funded_order second 150
t_run "buyer asks to cancel the second" 0 kb order cancel "$ORDER"
t_run "seller ships it anyway" 0 ks order ship "$ORDER" --carrier DHL --tracking 1234567890
t_eq "shipped" "$(ostate "$ORDER")" shipped
t_eq "the shipment made the request stale" "$(sqlite3 "$DB" "SELECT json_type(json, '\$.cancelRequest') IS NULL FROM orders WHERE id = '$ORDER'")" 1
t_run "buyer syncs" 0 kb sync
t_run "buyer asks again on the new chain" 0 kb order cancel "$ORDER" --reason "late"
t_run "seller syncs" 0 ks sync
t_run "seller signs it: shipped orders can be cancelled by both" 0 ks order cancel "$ORDER"
t_eq "cancelled" "$(ostate "$ORDER")" cancelled
t_eq "refunded in full" "$(bal "wallet:$BID")" 500000
ledger_zero "second refund"

# --- cancelled alone before any payment: escrow held nothing, and says so ---------------------
trade_bind "buyer proposes 200 valves (third)" --qty 200 --incoterm FOB --place Ningbo
t_run "buyer syncs (third)" 0 kb sync
t_run "buyer cancels it alone, unpaid" 0 kb order cancel "$ORDER"
t_eq "cancelled" "$(ostate "$ORDER")" cancelled
t_run "buyer's order show" 0 kb order show "$ORDER"
t_match "escrow held nothing, not a release 14 days after a delivery that will not come" "$T_OUT" \
	'^release +held nothing: cancelled before any payment$'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
