#!/bin/sh
# Progress on a terminal for long runs (issue 13), and a pull cut off mid-way. A real
# kontord behind tests/tools/kproxy throttled to a slow link: a first pull on a pty (script)
# redraws one line in place (\r) with the listings so far of the node's total, the bytes,
# the rate and the time left, and ends with one final line; without a pty stderr gets the
# final line alone, no \r; -q gets nothing. A listing import on a pty draws rows checked /
# signed / written the same way. A pull whose link dies after some pages exits 4 saying
# "pulled N of TOTAL listings; the link failed; `kontor sync` resumes", keeps what came,
# does not count as a sync (node list's lastSync stays, so the TUI's status line cannot say
# "synced just now"), and the next sync finishes the pull.
. "$(dirname "$0")/../lib.sh"

KPROXY=${KPROXY:-$T_BUILD/tools/kproxy}
export KONTOR_PASSPHRASE="progress test passphrase"
t_make_ca "$T_TMP" || { t_fail "test CA" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
DB="$T_TMP/node.db"
N=2000
"$KONTORD" init --db "$DB" --name "Progress Test Node" >"$T_TMP/init.out" 2>&1
t_run "seed $N listings" 0 "$KONTORD" seed --db "$DB" --listings $N --accounts 10 --seed 3
t_node_start "$T_TMP/serve.log" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key"
[ -n "$PORT" ] && t_ok "kontord is up on 127.0.0.1:$PORT" || { t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"; t_done; exit 1; }
NODE_PORT=$PORT
# The node's total is its active listings (Listing/query counts those), with a thousands comma.
ACTIVE=$(sqlite3 "$DB" "SELECT count(*) FROM listings WHERE status = 'active'")
ACTIVE_SHOWN=$(printf '%s' "$ACTIVE" | sed 's/\(.\)\(...\)$/\1,\2/')
[ "$ACTIVE" -gt 1000 ] && t_ok "the node states $ACTIVE_SHOWN active listings" || t_fail "active listings" "$ACTIVE"

# px_start LOG LISTEN-PORT [KPROXY-ARGS...] (as proxy.sh): sets PXPID and PXPORT.
px_start() {
	_plog=$1 _pport=$2
	shift 2
	"$KPROXY" --listen "127.0.0.1:$_pport" --to "127.0.0.1:$NODE_PORT" "$@" 2>"$_plog" &
	PXPID=$!
	T_PIDS="$T_PIDS $PXPID"
	PXPORT=""
	_i=0
	while [ $_i -lt 100 ] && [ -z "$PXPORT" ]; do
		PXPORT=$(sed -n 's|^kproxy: listening on 127\.0\.0\.1:\([0-9]*\)$|\1|p' "$_plog")
		[ -n "$PXPORT" ] || sleep 0.1
		_i=$((_i + 1))
	done
	[ -n "$PXPORT" ] || t_fail "kproxy $* is up" "$(cat "$_plog")"
}
px_stop() {
	kill -TERM "$PXPID" 2>/dev/null
	_i=0
	while kill -0 "$PXPID" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$PXPID" 2>/dev/null
	wait "$PXPID" 2>/dev/null
}
new_client() {
	if "$KONTOR" --home "$T_TMP/$1" init --name "Client $1" --country DE --no-passphrase >"$T_TMP/$1.init" 2>&1 &&
		"$KONTOR" --home "$T_TMP/$1" node add main "https://127.0.0.1:$2" --ca-file "$T_TMP/ca.pem" >>"$T_TMP/$1.init" 2>&1; then
		t_ok "$1: init and node add"
	else
		t_fail "$1: init and node add" "$(cat "$T_TMP/$1.init")"
	fi
}
cache_n() { sqlite3 "$T_TMP/$1/cache.db" "SELECT count(*) FROM listings"; }
CR=$(printf '\r')

# --- a slow first pull on a terminal ------------------------------------------------------------
px_start "$T_TMP/px1.log" 0 --rate 60000
new_client tty "$PXPORT"
new_client pipe "$PXPORT"
new_client quiet "$PXPORT"
script -qec "$KONTOR --home $T_TMP/tty sync >$T_TMP/tty.out; echo \$? >$T_TMP/tty.rc" "$T_TMP/tty.script" >/dev/null </dev/null
t_eq "the pull on a pty exits 0" "$(cat "$T_TMP/tty.rc")" 0
TTY=$(cat "$T_TMP/tty.script")
t_match "it redraws in place with \\r" "$TTY" "$CR"
t_match "listings so far of the node's total, bytes, rate and time left" "$TTY" \
	"sync: [0-9,]+ of $ACTIVE_SHOWN listings, [0-9.]+ [KM]?B, [0-9.]+ [KM]?B/s, [0-9hms]+ left"
t_match "one final line" "$TTY" "sync: pulled 2,0[0-9][0-9] objects, [0-9.]+ [KM]?B down in [0-9.]+ s"
t_eq "the final line once" "$(printf '%s' "$TTY" | tr '\r' '\n' | grep -c 'sync: pulled')" 1
t_eq "the pull on a pty cached everything" "$(cache_n tty)" $N
t_match "stdout keeps the result" "$(cat "$T_TMP/tty.out")" '^sync main: pushed 0, pulled'

t_run "the same pull without a terminal" 0 "$KONTOR" --home "$T_TMP/pipe" sync
t_nomatch "draws no \\r" "$T_ERR" "$CR"
t_nomatch "no progress lines" "$T_ERR" 'listings, '
t_match "only the final line" "$T_ERR" '^sync: pulled 2,0[0-9][0-9] objects, [0-9.]+ [KM]?B down in [0-9.]+ s \([0-9.]+ [KM]?B/s\)$'

script -qec "$KONTOR -q --home $T_TMP/quiet sync >$T_TMP/quiet.out; echo \$? >$T_TMP/quiet.rc" "$T_TMP/quiet.script" >/dev/null </dev/null
t_eq "-q on a pty exits 0" "$(cat "$T_TMP/quiet.rc")" 0
t_nomatch "and is silent" "$(cat "$T_TMP/quiet.script")" 'sync: |listings'
t_eq "having pulled everything" "$(cache_n quiet)" $N

t_run "a no-change sync on a pipe" 0 "$KONTOR" --home "$T_TMP/pipe" sync
t_eq "has no final line" "$T_ERR" ""

# Ctrl-C typed on the terminal mid-pull: the live line is finished with a word, not left
# hanging before the shell's prompt, and what came is kept. (A job started in the background
# by a script has Ctrl-C ignored, and kontor leaves it so: env gives it back, as a terminal's
# shell would.)
new_client intr "$PXPORT"
mkfifo "$T_TMP/keys"
script -qefc "env --default-signal=INT $KONTOR --home $T_TMP/intr sync" "$T_TMP/intr.script" <"$T_TMP/keys" >/dev/null 2>&1 &
SCRIPT_PID=$!
T_PIDS="$T_PIDS $SCRIPT_PID"
exec 3>"$T_TMP/keys"
_i=0
while [ $_i -lt 300 ] && ! grep -q 'listings, ' "$T_TMP/intr.script" 2>/dev/null; do
	sleep 0.1
	_i=$((_i + 1))
done
printf '\003' >&3
wait "$SCRIPT_PID"
exec 3>&-
INTR=$(cat "$T_TMP/intr.script")
t_match "the pull was drawn live before Ctrl-C" "$INTR" "sync: [0-9,]+ (of $ACTIVE_SHOWN )?listings, "
t_match "Ctrl-C ends the line saying what became of the run" "$INTR" \
	"${CR}.*sync: interrupted; what is done is kept: run it again to go on"
t_nomatch "no final line of a finished pull" "$INTR" 'sync: pulled 2,0[0-9][0-9] objects'
t_run "the next sync goes on" 0 "$KONTOR" --home "$T_TMP/intr" sync
t_eq "and has everything" "$(cache_n intr)" $N
px_stop

# --- an import on a terminal ----------------------------------------------------------------------
"$KONTOR" --home "$T_TMP/imp" init --name "Importer" --country VN --no-passphrase >/dev/null 2>&1
awk 'BEGIN { print "sku,title,currency,price"; for (i = 1; i <= 12000; i++) printf "SKU-%d,Iron table leg no. %d,USD,%d.50\n", i, i, 10 + i % 50 }' >"$T_TMP/rows.csv"
script -qec "$KONTOR --home $T_TMP/imp listing import $T_TMP/rows.csv >$T_TMP/imp.out; echo \$? >$T_TMP/imp.rc" "$T_TMP/imp.script" >/dev/null </dev/null
IMP=$(cat "$T_TMP/imp.script")
t_eq "the import (no node yet: queued) exits 4" "$(cat "$T_TMP/imp.rc")" 4
t_match "draws rows checked, signed and written in place" "$IMP" \
	"${CR}import: [0-9,]+ rows checked, [0-9,]+/s \([0-9,]+ signed, [0-9,]+ written\)"
t_match "ends with one final line" "$IMP" 'import: 12,000 rows checked, 12,000 signed, 12,000 written in [0-9.]+ s'
t_match "stdout keeps the summary, its counts grouped" "$(cat "$T_TMP/imp.out")" '12,000 created.*\(12,000 rows\)'

# --- a pull cut off mid-way -----------------------------------------------------------------------
px_start "$T_TMP/px2.log" 0 --rate 40000
P2=$PXPORT
new_client cut "$PXPORT"
LAST0=$("$KONTOR" --home "$T_TMP/cut" node list --json | sed -n 's/.*"lastSync":"\([^"]*\)".*/\1/p')
sleep 1
KONTOR_SYNC_TIMEOUT=60 "$KONTOR" --home "$T_TMP/cut" sync >"$T_TMP/cut.out" 2>"$T_TMP/cut.err" &
SYNC_PID=$!
T_PIDS="$T_PIDS $SYNC_PID"
_i=0
while [ $_i -lt 300 ] && [ "$(cache_n cut 2>/dev/null || echo 0)" -lt 1000 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
GOT=$(cache_n cut)
[ "$GOT" -ge 1000 ] && [ "$GOT" -lt $N ] && t_ok "some pages came before the link dies ($GOT)" ||
	t_fail "some pages came before the link dies" "$GOT of $N"
px_stop
wait "$SYNC_PID"
CUT_RC=$?
t_eq "a pull cut off mid-way exits 4" "$CUT_RC" 4
CUT_ERR=$(cat "$T_TMP/cut.err")
t_match "it says how far it got, of the node's total, and that sync resumes" "$CUT_ERR" \
	"pulled [0-9],[0-9]{3} of $ACTIVE_SHOWN listings; the link failed; \`kontor sync\` resumes"
t_match "the final progress line says it is incomplete" "$CUT_ERR" 'sync: pulled .*; incomplete'
KEPT=$(cache_n cut)
[ "$KEPT" -ge "$GOT" ] && t_ok "what came is kept ($KEPT)" || t_fail "what came is kept" "$KEPT < $GOT"
LAST1=$("$KONTOR" --home "$T_TMP/cut" node list --json | sed -n 's/.*"lastSync":"\([^"]*\)".*/\1/p')
t_eq "a cut-off pull is not recorded as a sync (lastSync stays)" "$LAST1" "$LAST0"
px_start "$T_TMP/px3.log" "$P2"
t_run "the next sync resumes" 0 "$KONTOR" --home "$T_TMP/cut" sync --json
t_eq "and finishes the pull" "$(cache_n cut)" $N
LAST2=$("$KONTOR" --home "$T_TMP/cut" node list --json | sed -n 's/.*"lastSync":"\([^"]*\)".*/\1/p')
[ -n "$LAST2" ] && [ "$LAST2" != "$LAST0" ] && t_ok "a whole sync is recorded ($LAST2)" || t_fail "a whole sync is recorded" "'$LAST2' after '$LAST0'"
px_stop
t_done
