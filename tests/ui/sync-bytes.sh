#!/bin/sh
# The TUI's status line counts a sync's bytes as they pass, not when it ends: against a node
# that answers one byte every half second (tests/tools/hostile-node.py drip), the "used"
# figure grows while the status line says "syncing…" (before, it stood at 0 B until the
# sync-timeout ended the sync).
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
unset KONTOR_PASSPHRASE NO_COLOR
status_line() { screen | tail -n 1; }
HOSTILE="$T_ROOT/tests/tools/hostile-node.py"
command -v python3 >/dev/null || { t_fail "python3 is installed" "scripts/deps.sh lists it"; t_done; exit 1; }

trade_node "Bytes Test Node"
curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor" >"$T_TMP/session.json"
NODEKEY=$(sed -n 's/.*"nodeKey":"\([^"]*\)".*/\1/p' "$T_TMP/session.json")
python3 "$HOSTILE" --mode drip --listen 127.0.0.1:0 --cert "$T_TMP/node.pem" --key "$T_TMP/node.key" \
	--session "$T_TMP/session.json" --node-key="$NODEKEY" --log "$T_TMP/drip.log" 2>"$T_TMP/drip.err" &
HPID=$!
T_PIDS="$T_PIDS $HPID"
i=0
HPORT=""
while [ $i -lt 100 ] && [ -z "$HPORT" ]; do
	HPORT=$(sed -n 's|^hostile-node: listening on https://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$T_TMP/drip.err")
	[ -n "$HPORT" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$HPORT" ] && t_ok "the dripping node is up" || t_fail "the dripping node is up" "$(cat "$T_TMP/drip.err")"
D="$T_TMP/d"
"$KONTOR" --home "$D" init --name "Drip Works" --country VN --no-passphrase >/dev/null 2>&1
t_run "D adds the dripping node (its first push ends at the deadline, queued)" 4 \
	env KONTOR_SYNC_TIMEOUT=2 timeout 60 "$KONTOR" --home "$D" node add main "https://127.0.0.1:$HPORT" --ca-file "$T_TMP/ca.pem"
printf 'set sync-interval 0\nset sync-timeout 60\n' >"$T_TMP/d.conf"
tm_start d 100x30 "KONTOR_CONFIG=$T_TMP/d.conf KONTOR_HOME=$D TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'syncing…' 100 && t_ok "the status line says syncing…" || t_fail "the status line says syncing…" "$(status_line)"
used() { status_line | sed -n 's/.* \([0-9][0-9.]*\) \(B\|KiB\) used.*/\1 \2/p'; }
# bytes as a number of bytes, whatever the unit shown
bytes() { used | awk '{ if ($2 == "KiB") printf "%d\n", $1 * 1024; else print $1 }'; }
A=$(bytes)
sleep 3
B=$(bytes)
t_match "it says how much it used while syncing" "$(status_line)" 'syncing….* used'
[ -n "$A" ] && [ "$A" -gt 0 ] && t_ok "bytes are counted while the sync runs ($A B)" ||
	t_fail "bytes are counted while the sync runs" "$(status_line)"
[ -n "$A" ] && [ -n "$B" ] && [ "$B" -gt "$A" ] && t_ok "and grow as they arrive ($A B, then $B B)" ||
	t_fail "and grow as they arrive" "first '$A', then '$B': $(status_line)"
tm send-keys Q
wait_for 'TUI-EXIT 0' 100 && t_ok "Q leaves during the sync" || t_fail "Q leaves during the sync" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null
kill "$HPID" 2>/dev/null
wait "$HPID" 2>/dev/null
t_node_stop
t_done
