#!/bin/sh
# The TUI keeps the wallet current through /events: a kontord over real TLS, a seller in the
# TUI inside tmux (sync-interval 0, so only /events and writes start a sync). Money comes in
# two ways while she presses nothing: a deposit by `kontord admin deposit` (another process:
# the serve loop notices it and tells /events), and a buyer's payment into escrow for her
# order (a write of the serving process). Each lands in her cached Wallet without a key
# pressed, and her notify-command (a script appending its argv) runs once for each with the
# summary; quitting the TUI while a notify-command hangs ends it (logged) and leaves at once.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
unset KONTOR_PASSPHRASE NO_COLOR VISUAL KONTOR_NOTIFY_COMMAND KONTOR_NOTIFY_TEXT KONTOR_NOTIFY_TIMEOUT
export XDG_CONFIG_HOME="$T_TMP/xdg"
status_line() { screen | tail -n 1; }

trade_node "Wallet Live Node" "kontord is up"
trade_party_np seller ks "Hoa Phat Iron Art" VN supplier
trade_party_np buyer kb "Berlin Interiors GmbH" DE buyer
SID=$(party_id ks)
BID=$(party_id kb)
t_run "seller lists" 0 ks listing add --sku U720-BK --title "Iron table legs, black, 72 cm" \
	--price 11.50 --currency USD --moq 10 --origin VN
trade_find iron table legs
t_run "buyer proposes 100 legs" 0 kb contract propose --listing "$LID" --qty 100 --incoterm FOB \
	--place "Hai Phong" --json
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "seller signs" 0 ks contract sign "$KID"
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" 2000 USD --db "$DB"
t_run "buyer syncs" 0 kb sync

NOTES="$T_TMP/notify.out"
cat >"$T_TMP/notify.sh" <<EOF
#!/bin/sh
for a in "\$@"; do printf '[%s]' "\$a"; done >>"$NOTES"
echo >>"$NOTES"
EOF
cat >"$T_TMP/s.conf" <<EOF
set sync-interval 0
set notify-command "sh $T_TMP/notify.sh"
EOF
runs() { [ -f "$NOTES" ] && wc -l <"$NOTES" | tr -d ' ' || echo 0; }
usd() { sqlite3 "$S/cache.db" "SELECT coalesce(json_extract(json, '\$.balances.USD'), 0) FROM wallets"; }
escrow_usd() { sqlite3 "$S/cache.db" "SELECT coalesce(json_extract(json, '\$.escrow[0].amount'), 0) FROM wallets"; }
# wait_sql CMD WANT [TENTHS]: until CMD prints WANT
wait_sql() {
	_i=0
	while [ $_i -lt "${3:-150}" ]; do
		[ "$($1)" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

tm_start s 100x30 "KONTOR_CONFIG=$T_TMP/s.conf KONTOR_HOME=$S TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'synced just now' && t_ok "the seller's TUI has synced" || t_fail "the seller's TUI has synced" "$(status_line)"
t_eq "nothing new at the start: no notify-command" "$(runs)" 0

# Another process deposits into her wallet; she presses nothing.
t_run "a deposit to the seller by kontord admin (another process)" 0 \
	"$KONTORD" admin deposit "$SID" 25 USD --db "$DB"
wait_sql usd 2500 && t_ok "the deposit reaches her cached wallet without a key (/events)" ||
	t_fail "the deposit reaches her cached wallet" "USD $(usd); $(status_line)"
i=0
while [ $i -lt 50 ] && [ "$(runs)" -lt 1 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "the notify-command ran once for it" "$(runs)" 1
t_match "with the summary" "$(tail -n 1 "$NOTES")" '^\[1 new: 25.00 USD deposit\]$'

# The buyer pays her order through the serving node.
t_run "buyer pays the order" 0 kb order pay "$ORDER"
wait_sql escrow_usd 115000 && t_ok "the payment into escrow for her order reaches her wallet (/events)" ||
	t_fail "the payment reaches her wallet" "escrow $(escrow_usd); $(status_line)"
i=0
while [ $i -lt 50 ] && [ "$(runs)" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "one more notify run" "$(runs)" 2
t_match "saying the order was paid" "$(tail -n 1 "$NOTES")" '^\[1 new: order [A-Za-z0-9_-]{8}… paid 1,150.00 USD\]$'

# A notify-command that hangs: quitting ends it.
tm send-keys Q
wait_for 'TUI-EXIT 0' 50 && t_ok "Q leaves with status 0" || t_fail "Q leaves with status 0" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null
cat >"$T_TMP/hang.sh" <<EOF
#!/bin/sh
echo \$\$ >"$T_TMP/hang.pid"
exec sleep 300
EOF
printf 'set sync-interval 0\nset notify-command "sh %s"\n' "$T_TMP/hang.sh" >"$T_TMP/s.conf"
tm_start s2 100x30 "KONTOR_CONFIG=$T_TMP/s.conf KONTOR_HOME=$S TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'synced just now' && t_ok "the TUI starts again" || t_fail "the TUI starts again" "$(status_line)"
t_run "another deposit" 0 "$KONTORD" admin deposit "$SID" 5 USD --db "$DB"
i=0
while [ $i -lt 100 ] && [ ! -s "$T_TMP/hang.pid" ]; do sleep 0.1; i=$((i + 1)); done
HP=$(cat "$T_TMP/hang.pid" 2>/dev/null)
[ -n "$HP" ] && kill -0 "$HP" 2>/dev/null && t_ok "the hanging notify-command runs" ||
	t_fail "the hanging notify-command runs" "no pid"
wait_sql usd 3000 && t_ok "while it hangs the sync went through" || t_fail "the sync went through" "USD $(usd)"
tm send-keys Q
wait_for 'TUI-EXIT 0' 50 && t_ok "Q leaves though it hangs" || t_fail "Q leaves though it hangs" "$(tail -n 3 "$T_TMP/pane")"
if [ -n "$HP" ] && ! kill -0 "$HP" 2>/dev/null; then
	t_ok "the hanging command ended with the TUI"
else
	t_fail "the hanging command ended with the TUI" "pid '$HP' still runs"
	[ -n "$HP" ] && kill -9 "$HP" 2>/dev/null
fi
t_match "its end is logged" "$(tail -n 1 "$S/notify.log")" 'notify-command ended as kontor quit \(it had not finished\) \([0-9]+ ms\): 1 new: 5.00 USD deposit$'
tm kill-server 2>/dev/null
t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
