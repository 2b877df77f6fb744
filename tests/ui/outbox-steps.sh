#!/bin/sh
# A seller's steps taken while her link is down, against a live kontord over TLS, the TUI
# in tmux at 100x30: she ships two paid orders and signs an offer with the node unreachable
# (queued, exit 4); her inbox does not ask her to ship them again but says each waits in
# the outbox, with `kontor sync` to send it, and so does the offer she signed; the TUI's
# Orders list says "ship: in the outbox". The node comes back; the buyer disputes the second
# order before her step arrives; her sync delivers the first and her signature (gone from
# her inbox) and the node refuses the second: her inbox says so with the node's reason and
# `kontor outbox`, the Orders list says "ship: refused, outbox", and once she drops it the
# buyer's dispute waits for her answer.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null TZ=UTC
unset NO_COLOR KONTOR_PASSPHRASE

trade_node "Outbox Steps Node" "kontord is up"
trade_party_np seller ks "Hoa Phat Iron Art" VN supplier
trade_party_np buyer kb "Berlin Interiors GmbH" DE buyer
BID=$(party_id kb)
t_run "seller lists railings" 0 ks listing add --sku RAIL-01 \
	--title "Wrought iron balcony railing" --price 48.00 --currency USD --moq 5 --origin VN
trade_find balcony railing
trade_bind "buyer proposes 10" --qty 10 --incoterm FOB --place "Hai Phong"
O1=$ORDER
trade_bind "buyer proposes 20 more" --qty 20 --incoterm FOB --place "Hai Phong"
O2=$ORDER
t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" 2000.00 USD --db "$DB"
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the first" 0 kb order pay "$O1"
t_run "and the second" 0 kb order pay "$O2"
t_run "buyer offers to buy 5 more" 0 kb contract propose --listing "$LID" --qty 5 \
	--incoterm FOB --place "Hai Phong" --json
K3=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
S1=$(printf %.8s "$O1")
S2=$(printf %.8s "$O2")

# --- her link goes down -------------------------------------------------------------------
t_node_stop
t_run "she ships the first, the node unreachable: queued (exit 4)" 4 ks order ship "$O1" \
	--carrier "Vietnam Post EMS" --tracking EE123456789VN
t_run "and the second" 4 ks order ship "$O2" --carrier Maersk --tracking MAEU1234567
t_run "she signs his offer for 5 (queued, exit 4)" 4 ks contract sign "$K3"
t_run "her inbox" 0 ks inbox
t_match "the first is not asked of her again: it waits in the outbox" "$T_OUT" \
	"^order .*$S1… \"Wrought iron balcony railing\" for Berlin Interiors GmbH: your \`kontor order ship\` is not at the node yet \(in the outbox since 20[0-9-]+ [0-9:]+ UTC\)$"
t_match "so is the second" "$T_OUT" "$S2… .*your \`kontor order ship\` is not at the node yet"
t_nomatch "neither says ship it" "$T_OUT" 'ship it'
t_match "the offer she signed says her signature waits in the outbox" "$T_OUT" \
	"^offer .*contract $(printf %.8s "$K3")… \"Wrought iron balcony railing\" with Berlin Interiors GmbH: your \`kontor contract sign\` is not at the node yet \(in the outbox since [^)]*\)$"
t_eq "each with the command that sends it" "$(printf '%s\n' "$T_OUT" | grep -c '^ *kontor sync$')" 3
printf '3\n:dump %s\n:quit\n' "$T_TMP/d-down" >"$T_TMP/s-down"
ui "$S" 100x30 "$T_TMP/s-down"
t_eq "the Orders list says both ships are in the outbox" \
	"$(grep -cE 'funded +sell +Berlin Interiors.* +Wrought iron[^0-9]* +[0-9]+\.00 USD +ship: in the outbox$' "$T_TMP/d-down")" 2
t_match "and that nothing waits for her" "$(cat "$T_TMP/d-down")" 'Orders \(2, 0 waiting for you\)'

# --- the node is back; the buyer disputes the second before her ship arrives ---------------
# shellcheck disable=SC2086
t_node_again "$T_TMP/serve2.log" $TLS
t_run "buyer syncs" 0 kb sync
t_run "buyer disputes the second" 0 kb order dispute "$O2" --reason "too late for our site"
t_run "her sync: the first goes, the second is refused (exit 3)" 3 ks sync
t_eq "the node has the first shipped" "$(ostate "$O1")" shipped
t_eq "and the second disputed" "$(ostate "$O2")" disputed
t_run "her inbox" 0 ks inbox
t_nomatch "the first is done: nothing of it waits" "$T_OUT" "$S1"
t_nomatch "nor of her signature, now at the node" "$T_OUT" "$(printf %.8s "$K3")"
t_match "the second says the node refused her step, and why" "$T_OUT" \
	"^order .*$S2… \"Wrought iron balcony railing\" for Berlin Interiors GmbH: the node refused your \`kontor order ship\`: [a-zA-Z]+: .+$"
t_match "with the command that shows what she can do" "$T_OUT" '^ +kontor outbox$'
printf '3\n:dump %s\n:quit\n' "$T_TMP/d-refused" >"$T_TMP/s-refused"
ui "$S" 100x30 "$T_TMP/s-refused"
t_match "the Orders list says the ship was refused, first" "$(cat "$T_TMP/d-refused")" \
	'^> disputed +sell +Berlin Interiors.* +Wrought iron[^0-9]* +960\.00 USD +ship: refused, outbox$'
SEQ=$(sqlite3 "$S/cache.db" "SELECT seq FROM outbox LIMIT 1")
t_run "she lets the refused step go" 0 ks outbox drop "$SEQ"
t_run "her inbox" 0 ks inbox
t_match "the buyer's dispute waits for her answer" "$T_OUT" \
	"^dispute .*$S2… \"Wrought iron balcony railing\" \(960\.00 USD\) disputed by Berlin Interiors GmbH: \"too late for our site\"; give your side"
t_nomatch "nothing is said refused any more" "$T_OUT" 'refused'
ledger_zero "at the end"
t_node_stop
t_done
