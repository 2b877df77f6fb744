#!/bin/sh
# A command's result is a struct, over a live kontord with real TLS: the CLI prints its
# sentence exactly as before (nothing on a refusal, whose words go to stderr), --json gives the
# command's object, and a refusal under --json says the node's SetError type as a field
# (errorType) beside its error; a command without an object of its own (outbox drop) gets one
# made of the result's fields; batch prints each line's outcome as the line runs; "@-" reads
# standard input. The terminal UI reads the same struct: a payment the node refuses says the
# node's type on the prompt row, from the field, not from words it printed.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
export KONTOR_CONFIG=/dev/null
unset KONTOR_PASSPHRASE NO_COLOR

trade_node "Result Test Node"
trade_party_np seller ks "Ningbo Valve Works" CN supplier
trade_party_np buyer kb "Rotterdam Pumps BV" NL buyer
BID=$(party_id kb)
t_run "seller lists a valve" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.00 --currency USD --moq 10 --origin CN
t_match "listing add: her SKU first, then the listing" "$T_OUT" '^added BV-50 \(listing L[A-Za-z0-9_-]{22}\)$'
trade_find ball valve
trade_bind "buyer proposes 100" --qty 100 --incoterm FOB --place Ningbo
t_run "buyer syncs" 0 kb sync

# --- a refusal: the node's type as a field ---------------------------------------------
t_run "a payment the wallet cannot cover is refused (exit 1)" 1 kb order pay "$ORDER"
t_eq "nothing on stdout for a refusal" "$T_OUT" ""
t_match "the error says it, as before" "$T_ERR" 'the node refused it: insufficientFunds: .*dropped from the outbox'
t_match "its amounts grouped as people read them" "$T_ERR" 'paying needs 1,200\.00 USD in your wallet; it holds 0\.00 USD'
t_run "the same under --json (exit 1)" 1 kb --json order pay "$ORDER"
t_eq "one JSON line" "$(printf '%s\n' "$T_OUT" | grep -c '^{')" 1
t_match "the result names the order and says refused" "$T_OUT" "^\\{\"type\":\"Order\",\"id\":\"$ORDER\",\"status\":\"refused\""
t_match "with the node's SetError type as a field" "$T_OUT" '"errorType":"insufficientFunds"'
t_match "and the error's words beside it" "$T_OUT" '"error":"order [^"]*: pay: the node refused it'
t_eq "the outbox holds nothing of it" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM outbox")" 0

# --- done: the sentence and the object, as before ----------------------------------------
t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" 5000.00 USD --db "$DB" --reference psp-1
t_run "buyer pays" 0 kb order pay "$ORDER"
t_eq "one sentence, the one the CLI always printed" "$T_OUT" \
	"order $ORDER: funded as buyer; paid stage 1 of 1 (100% before shipment): 1,200.00 USD; nothing more to pay"
t_eq "nothing on stderr" "$T_ERR" ""
t_run "seller syncs" 0 ks sync
t_run "seller ships under --json" 0 ks --json order ship "$ORDER" --carrier Maersk --tracking MSKU1234565
t_match "the command's own object" "$T_OUT" "^\\{\"id\":\"$ORDER\",\"contractId\":\"$KID\",\"event\":\"shipped\",\"state\":\"shipped\",\"status\":\"delivered\"\\}$"
t_run "seller ships again -q: refused by the rules, nothing printed" 1 ks -q order ship "$ORDER" --carrier Maersk --tracking X
t_eq "-q: nothing on stdout" "$T_OUT" ""

# --- a command with no object of its own: the result's fields --------------------------
sqlite3 "$S/cache.db" "UPDATE nodes SET url = 'https://127.0.0.1:1' WHERE name = 'main'"
t_run "seller pauses the valve while offline (exit 4)" 4 ks listing pause BV-50
sqlite3 "$S/cache.db" "UPDATE nodes SET url = '$URL' WHERE name = 'main'"
t_run "outbox drop --json" 0 ks --json outbox drop "$(sqlite3 "$S/cache.db" "SELECT max(seq) FROM outbox")"
t_match "an object made of the result" "$T_OUT" '^\{"type":"Outbox","id":"[0-9]+","state":"dropped","message":"dropped outbox entry [0-9]+ \(the local change stays; the node never gets it\)"\}$'
t_run "outbox drop, human" 1 ks outbox drop 999
t_eq "a failed drop prints nothing on stdout" "$T_OUT" ""

# --- batch: each line's outcome as it runs -----------------------------------------------
printf 'listing resume BV-50\nlisting pause BV-50\nlisting resume BV-50\n' >"$T_TMP/lines"
t_run "a batch of three" 0 ks batch "$T_TMP/lines"
t_eq "three sentences, in order, each saying what it means for search" \
	"$(printf '%s\n' "$T_OUT" | sed 's/(listing L[A-Za-z0-9_-]*)/(listing L)/')" \
	"$(printf 'resumed BV-50: in search again (listing L), queued\npaused BV-50: out of search until resumed (listing L), queued\nresumed BV-50: in search again (listing L), queued')"

printf 'listing show BV-50\nfrobnicate\nlisting pause BV-50\n' >"$T_TMP/jlines"
t_run "a batch of three with --json, one line failing (exit 3)" 3 ks --json batch "$T_TMP/jlines"
t_match "each object says its line: the listing of line 1" "$T_OUT" '^\{"id":"L[A-Za-z0-9_-]+","sellerId":.*"line":1\}$'
t_match "the failure of line 2, on stdout too, with its exit status" "$T_OUT" "^\\{\"error\":\"unknown command 'frobnicate' \\(see \`kontor help\`\\)\",\"exit\":2,\"line\":2\\}$"
t_match "the pause of line 3" "$T_OUT" '^\{"id":"L[A-Za-z0-9_-]+","sku":"BV-50","result":"paused".*"line":3\}$'
t_match "and the summary last, of no line" "$(printf '%s\n' "$T_OUT" | tail -n 1)" '^\{"file":"[^"]*jlines","lines":3,"ok":[0-9],"queued":[0-9],"failed":1,'
t_run "listing resume BV-50" 0 ks listing resume BV-50

# --- "@-" reads standard input ---------------------------------------------------------
t_run "chat send @- reads the message from stdin" 0 sh -c "printf 'From standard input' | \"$KONTOR\" --home \"$B\" chat send @ningbo-valve-works @-"
t_match "sent, to whom, and in which conversation" "$T_OUT" '^sent to Ningbo Valve Works @ningbo-valve-works in conversation C[A-Za-z0-9_-]{7}$'
t_run "seller syncs" 0 ks sync
t_run "seller reads it" 0 ks chat show @rotterdam-pumps-bv
t_match "the text came from stdin" "$T_OUT" 'From standard input'

# --- the TUI reads the same struct --------------------------------------------------------
trade_bind "a second offer, 1,000 pieces (more than the wallet holds)" --qty 1000 --incoterm FOB --place Ningbo
t_run "buyer syncs" 0 kb sync
# With no current node the UI has no background sync, and `--node main` pushes at once: the
# refusal comes back to the command, and the UI reads its type from the result.
sqlite3 "$B/cache.db" "DELETE FROM meta WHERE key = 'node'"
printf '%s\n' 3 '<Enter>' ":dump $T_TMP/d-order" p ":dump $T_TMP/d-ask" y ":dump $T_TMP/d-refused" :quit >"$T_TMP/script"
tm_start r1 100x30 "env KONTOR_HOME=$B KONTOR_UI_SCRIPT=$T_TMP/script TERM=screen-256color $KONTOR --node main tui; echo SCRIPT-EXIT \$?; sleep 60"
wait_for 'SCRIPT-EXIT' 300 || t_fail "the scripted run ends" "$(cat "$T_TMP/pane")"
t_match "the scripted run exits 0" "$(cat "$T_TMP/pane")" 'SCRIPT-EXIT 0'
tm kill-server 2>/dev/null
t_match "the order waits for payment" "$(cat "$T_TMP/d-order")" 'Actions: p pay'
t_match "p asks for 12,000.00 USD" "$(cat "$T_TMP/d-ask")" 'Pay 12,?000\.00 USD into escrow'
D=$(cat "$T_TMP/d-refused")
t_match "the TUI's refusal names the node's type, read from the result" "$D" \
	'error: pay refused \(insufficientFunds\): order [A-Za-z0-9_-]+: pay: the'
t_eq "the refused payment left nothing queued" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM outbox")" 0

t_node_stop
t_done
