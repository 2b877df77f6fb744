#!/bin/sh
# The TUI's status line says when the background sync fails, and why, instead of "synced
# just now": a home whose CA file went away (as a home from before `node add` copied it)
# shows "sync failed: CA file ..."; `:sync` says the whole reason. Against a node that
# always has more (tests/tools/hostile-node.py endless) the status line says the pull was
# stopped, and the background sync backs off: with `set sync-interval 1`, eight seconds
# bring a handful of requests, not a sync a second.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
unset KONTOR_PASSPHRASE NO_COLOR
status_line() { screen | tail -n 1; }
HOSTILE="$T_ROOT/tests/tools/hostile-node.py"
command -v python3 >/dev/null || { t_fail "python3 is installed" "scripts/deps.sh lists it"; t_done; exit 1; }

trade_node "Status Test Node"
A="$T_TMP/a"
ka() { "$KONTOR" --home "$A" "$@"; }
ka init --name "Aspen Goods" --country DE --no-passphrase >/dev/null 2>&1
t_run "A adds the node" 0 ka node add main "$URL" --ca-file "$T_TMP/ca.pem"
printf 'set sync-interval 0\n' >"$T_TMP/a.conf"

# --- a CA file that went away ---------------------------------------------------------------
# As a home from before the copy: the path of a file the person has since moved.
sqlite3 "$A/cache.db" "UPDATE nodes SET ca_file = '$T_TMP/moved/ca.pem'"
t_run "the CLI sync says why it fails" 1 ka sync
t_match "the CLI names the CA file" "$T_ERR" "CA file $T_TMP/moved/ca.pem: No such file or directory"
tm_start a 200x30 "KONTOR_CONFIG=$T_TMP/a.conf KONTOR_HOME=$A TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'sync failed: CA file' && t_ok "the status line says the sync failed and why" ||
	t_fail "the status line says the sync failed and why" "$(status_line)"
t_nomatch "it does not say synced" "$(status_line)" 'synced'
tm send-keys : sync Enter
wait_for 'last time: CA file .*No such file or directory' 50 && t_ok ":sync says the whole reason" ||
	t_fail ":sync says the whole reason" "$(status_line)"
tm send-keys q
wait_for 'TUI-EXIT 0' 50 || t_fail "the TUI quits" "$(cat "$T_TMP/pane")"
tm kill-server 2>/dev/null
sqlite3 "$A/cache.db" "UPDATE nodes SET ca_file = 'node-main.ca.pem'"
t_run "with the CA back in place the CLI syncs" 0 ka sync

# --- a node that always has more: stopped, then backed off ----------------------------------
curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor" >"$T_TMP/session.json"
NODEKEY=$(sed -n 's/.*"nodeKey":"\([^"]*\)".*/\1/p' "$T_TMP/session.json")
: >"$T_TMP/endless.log"
python3 "$HOSTILE" --mode endless --listen 127.0.0.1:0 --cert "$T_TMP/node.pem" --key "$T_TMP/node.key" \
	--session "$T_TMP/session.json" --node-key="$NODEKEY" --log "$T_TMP/endless.log" 2>"$T_TMP/endless.err" &
HPID=$!
T_PIDS="$T_PIDS $HPID"
i=0
HPORT=""
while [ $i -lt 100 ] && [ -z "$HPORT" ]; do
	HPORT=$(sed -n 's|^hostile-node: listening on https://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$T_TMP/endless.err")
	[ -n "$HPORT" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$HPORT" ] && t_ok "the endless node is up" || t_fail "the endless node is up" "$(cat "$T_TMP/endless.err")"
E="$T_TMP/e"
"$KONTOR" --home "$E" init --name "Elder Works" --country CZ --no-passphrase >/dev/null 2>&1
t_run "E adds the endless node" 0 "$KONTOR" --home "$E" node add main "https://127.0.0.1:$HPORT" --ca-file "$T_TMP/ca.pem"
printf 'set sync-interval 1\n' >"$T_TMP/e.conf"
: >"$T_TMP/endless.log"
tm_start e 120x30 "KONTOR_CONFIG=$T_TMP/e.conf KONTOR_HOME=$E TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'sync failed: Account/changes: the node' 150 &&
	t_ok "the status line says the pull was stopped" || t_fail "the status line says the pull was stopped" "$(status_line)"
FIRST=$(grep -c '"method": "POST"' "$T_TMP/endless.log")
sleep 8
LATER=$(grep -c '"method": "POST"' "$T_TMP/endless.log")
# One stopped pull is five requests (its cap); with backoff the next 8 s hold at most two
# more such pulls, without it (a sync a second) six or more.
[ "$FIRST" -le 10 ] && t_ok "the first pull stopped after a handful of requests ($FIRST)" ||
	t_fail "the first pull stopped after a handful of requests" "$FIRST requests"
[ $((LATER - FIRST)) -le 20 ] && t_ok "the background sync backs off ($((LATER - FIRST)) requests in the next 8 s)" ||
	t_fail "the background sync backs off" "$((LATER - FIRST)) requests in the next 8 s"
# A person's :sync is not held back: a request comes now, not after the backoff.
tm send-keys : sync Enter
i=0
while [ $i -lt 100 ] && [ "$(grep -c '"method": "POST"' "$T_TMP/endless.log")" -le "$LATER" ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(grep -c '"method": "POST"' "$T_TMP/endless.log")" -gt "$LATER" ] && t_ok ":sync still goes at once" ||
	t_fail ":sync still goes at once" "$(status_line)"
tm send-keys q
wait_for 'TUI-EXIT 0' 50 || t_fail "the TUI quits" "$(cat "$T_TMP/pane")"
kill "$HPID" 2>/dev/null
wait "$HPID" 2>/dev/null
t_node_stop
t_done
