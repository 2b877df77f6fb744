#!/bin/sh
# kontor over a slow and flaky link: kproxy (tests/tools/kproxy.c), a plain TCP relay that
# TLS passes through untouched, sits between real kontor clients and a live kontord and
# delays, throttles, cuts connections mid-body, refuses them or answers with garbage. A pull
# over 64 kbit/s with 300 ms each way completes and a second one is a single request; a pull
# cut on its first connection retries and completes; one cut on every connection fails with
# exit 4 and leaves nothing half-written; writes made while the link refuses or talks
# garbage wait in the outbox and go out once it forwards again.
. "$(dirname "$0")/../lib.sh"

KPROXY=${KPROXY:-$T_BUILD/tools/kproxy}
export KONTOR_PASSPHRASE="proxy test passphrase"
t_make_ca "$T_TMP" || { t_fail "test CA" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
DB="$T_TMP/node.db"
"$KONTORD" init --db "$DB" --name "Proxy Test Node" >"$T_TMP/init.out" 2>&1
t_run "seed a small catalogue" 0 "$KONTORD" seed --db "$DB" --listings 300 --accounts 10 --seed 5
TLS="--tls-cert $T_TMP/node.pem --tls-key $T_TMP/node.key"
# shellcheck disable=SC2086
t_node_start "$T_TMP/serve.log" $TLS
[ -n "$PORT" ] && t_ok "kontord is up on 127.0.0.1:$PORT" || { t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"; t_done; exit 1; }
NODE_PORT=$PORT

# px_start LOG LISTEN-PORT [KPROXY-ARGS...]: kproxy in front of the node on LISTEN-PORT
# (0: the system picks); waits for its "listening on" line. Sets PXPID and PXPORT.
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
# px_stop: SIGTERM to $PXPID; PX_CONNS, PX_UP, PX_DOWN get its closing counts.
px_stop() {
	kill -TERM "$PXPID" 2>/dev/null
	_i=0
	while kill -0 "$PXPID" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$PXPID" 2>/dev/null
	wait "$PXPID" 2>/dev/null
	_prc=$?
	[ "$_prc" -eq 0 ] || t_fail "kproxy stops cleanly on SIGTERM" "exit $_prc: $(tail -n 5 "$_plog")"
	PX_CONNS=$(sed -n 's/^kproxy: \([0-9]*\) connections, \([0-9]*\) bytes up, \([0-9]*\) bytes down$/\1/p' "$_plog")
	PX_UP=$(sed -n 's/^kproxy: \([0-9]*\) connections, \([0-9]*\) bytes up, \([0-9]*\) bytes down$/\2/p' "$_plog")
	PX_DOWN=$(sed -n 's/^kproxy: \([0-9]*\) connections, \([0-9]*\) bytes up, \([0-9]*\) bytes down$/\3/p' "$_plog")
}
# a client: new_client NAME -> a fresh KONTOR_HOME in $T_TMP/NAME
new_client() {
	"$KONTOR" --home "$T_TMP/$1" init --name "Client $1" --country DE --no-passphrase >"$T_TMP/$1.init" 2>&1 ||
		t_fail "init $1" "$(cat "$T_TMP/$1.init")"
}
cache_n() { sqlite3 "$1/cache.db" "SELECT count(*) FROM listings"; }
outbox_n() { "$KONTOR" --home "$1" outbox list --json | grep -c '"seq"'; }
now_ms() { date +%s%3N; }
ON_NODE=$(sqlite3 "$DB" "SELECT count(*) FROM listings")
t_eq "the node holds the seeded catalogue" "$ON_NODE" 300

# --- the proxy itself --------------------------------------------------------------------
t_run "kproxy refuses to listen beyond loopback" 2 "$KPROXY" --listen 0.0.0.0:0 --to "127.0.0.1:$NODE_PORT"
px_start "$T_TMP/px0.log" 0
t_run "a plain relay passes TLS through untouched (curl verifies the node)" 0 \
	curl -sS --max-time 10 --cacert "$T_TMP/ca.pem" -o /dev/null "https://127.0.0.1:$PXPORT/healthz"
px_stop
t_eq "kproxy counts the connection" "$PX_CONNS" 1
[ "${PX_UP:-0}" -gt 0 ] && [ "${PX_DOWN:-0}" -gt 0 ] && t_ok "kproxy counts bytes each way ($PX_UP up, $PX_DOWN down)" ||
	t_fail "kproxy counts bytes each way" "$(cat "$T_TMP/px0.log")"

# --- 64 kbit/s, 300 ms each way ------------------------------------------------------------
A="$T_TMP/slow"
new_client slow
px_start "$T_TMP/px1.log" 0 --delay-ms 300 --rate 8000
t_run "node add through a slow link" 0 "$KONTOR" --home "$A" node add main "https://127.0.0.1:$PXPORT" --ca-file "$T_TMP/ca.pem"
t0=$(now_ms)
t_run "the first pull over 64 kbit/s, 300 ms completes" 0 "$KONTOR" --home "$A" sync --json
t1=$(now_ms)
SLOW_OUT=$T_OUT
echo "# first pull of $ON_NODE listings over 64 kbit/s + 300 ms each way: $((t1 - t0)) ms wall, $(printf '%s' "$SLOW_OUT" | sed -n 's/.*"requests":\([0-9]*\).*"bytesUp":\([0-9]*\),"bytesDown":\([0-9]*\).*/\1 requests, \2 bytes up, \3 bytes down (HTTP)/p')"
t_eq "it pulled the whole catalogue" "$(cache_n "$A")" "$ON_NODE"
t_run "a second sync over the slow link" 0 "$KONTOR" --home "$A" sync --json
t_match "nothing new is one request" "$T_OUT" '"requests":1,'
px_stop
echo "# slow link: kproxy saw $PX_CONNS connections, $PX_UP bytes up, $PX_DOWN bytes down"

# --- cut mid-body on the first connection only ----------------------------------------------
C="$T_TMP/cut1"
new_client cut1
px_start "$T_TMP/px2.log" 0
t_run "node add (through a clean relay)" 0 "$KONTOR" --home "$C" node add main "https://127.0.0.1:$PXPORT" --ca-file "$T_TMP/ca.pem"
P2=$PXPORT
px_stop
px_start "$T_TMP/px3.log" "$P2" --cut-after 20000 --cut-conns 1
t_run "a pull whose first connection is cut mid-body retries and completes" 0 "$KONTOR" --home "$C" sync --json
px_stop
t_match "kproxy cut the first connection" "$(cat "$T_TMP/px3.log")" 'connection 1 cut after 20000 bytes down'
[ "${PX_CONNS:-0}" -gt 1 ] && t_ok "the client came back on a new connection ($PX_CONNS connections)" ||
	t_fail "the client came back on a new connection" "$(cat "$T_TMP/px3.log")"
t_eq "every listing is in the cache" "$(cache_n "$C")" "$ON_NODE"
t_eq "no listing twice" "$(sqlite3 "$C/cache.db" "SELECT count(DISTINCT id) FROM listings")" "$ON_NODE"

# --- cut on every connection -----------------------------------------------------------------
K="$T_TMP/cutall"
new_client cutall
px_start "$T_TMP/px4.log" "$P2" --cut-after 20000
t_run "node add (the session is short of the cut)" 0 "$KONTOR" --home "$K" node add main "https://127.0.0.1:$PXPORT" --ca-file "$T_TMP/ca.pem"
t0=$(now_ms)
t_run "a pull cut on every connection gives up with exit 4" 4 "$KONTOR" --home "$K" sync --json
t1=$(now_ms)
echo "# pull cut on every connection gave up after $((t1 - t0)) ms"
[ $((t1 - t0)) -lt 60000 ] && t_ok "it gave up in bounded time" || t_fail "it gave up in bounded time" "$((t1 - t0)) ms"
t_match "it says the connection broke" "$T_ERR" 'broke|cut short'
px_stop
echo "# cut on every connection: kproxy saw $PX_CONNS connections, $(grep -c ' cut after ' "$T_TMP/px4.log") cut"
BEFORE=$(cache_n "$K")
echo "# after the failed pull the cache holds $BEFORE listings"
[ "$BEFORE" -lt "$ON_NODE" ] && t_ok "the failed pull did not complete ($BEFORE of $ON_NODE cached)" ||
	t_fail "the failed pull did not complete" "$BEFORE of $ON_NODE cached"
px_start "$T_TMP/px4b.log" "$P2"
t_run "a later sync, once the link forwards cleanly, completes" 0 "$KONTOR" --home "$K" sync --json
px_stop
t_eq "nothing half-written: the cache holds exactly the node's listings" "$(cache_n "$K")" "$ON_NODE"
t_eq "no listing twice after the cuts" "$(sqlite3 "$K/cache.db" "SELECT count(DISTINCT id) FROM listings")" "$ON_NODE"

# --- refused, then garbage; the outbox holds the writes -----------------------------------------
W="$T_TMP/writer"
new_client writer
px_start "$T_TMP/px5.log" "$P2"
t_run "the writer adds the node (clean relay)" 0 "$KONTOR" --home "$W" node add main "https://127.0.0.1:$PXPORT" --ca-file "$T_TMP/ca.pem"
px_stop
px_start "$T_TMP/px6.log" "$P2" --refuse
t0=$(now_ms)
t_run "a write while the link refuses is queued (exit 4)" 4 "$KONTOR" --home "$W" listing add --sku X1 --title "Test" --price 1 --currency EUR
t1=$(now_ms)
echo "# refused: exit after $((t1 - t0)) ms; the client said: $(printf '%s' "$T_ERR" | tr '\n' ' ' | head -c 300)"
t_eq "it waits in the outbox" "$(outbox_n "$W")" 1
px_stop
px_start "$T_TMP/px7.log" "$P2" --garbage
t0=$(now_ms)
t_run "a write while the link answers garbage is queued (exit 4)" 4 "$KONTOR" --home "$W" listing add --sku X2 --title "Test 2" --price 2 --currency EUR
t1=$(now_ms)
echo "# garbage: exit after $((t1 - t0)) ms; the client said: $(printf '%s' "$T_ERR" | tr '\n' ' ' | head -c 300)"
t_match "it names the TLS failure" "$T_ERR" 'TLS'
t_eq "both wait in the outbox" "$(outbox_n "$W")" 2
px_stop
px_start "$T_TMP/px8.log" "$P2"
t_run "once the link forwards again, sync delivers them" 0 "$KONTOR" --home "$W" sync
t_eq "the outbox is empty" "$(outbox_n "$W")" 0
t_eq "the node took both" "$(sqlite3 "$DB" "SELECT count(*) FROM listings")" $((ON_NODE + 2))
px_stop

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
