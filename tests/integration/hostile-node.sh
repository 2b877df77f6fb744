#!/bin/sh
# What a hostile node cannot do to the client (issue 16, items 3, 5 and 6; issue 17, trusting
# a node), against a real kontord over TLS and tests/tools/hostile-node.py, a fake node:
# - an impostor at the node's address, its certificate from the same CA, echoing the node's
#   key in its header and session, receives no request at all from a client that pinned the
#   node: the TLS key is checked before a byte is sent (exit 5, the outbox kept); a home
#   from before TLS pins learns the key on its next contact and is then as safe; a key the
#   operator really changed is pinned again with `node add --replace`, the outbox kept;
# - `node add` of a node whose CA is unknown names --ca-file and shows the certificate's
#   SHA-256 fingerprint; --ca-file is copied into the home (0600), so moving it breaks nothing;
# - a node that always says hasMoreChanges stops the pull at a cap from its own stated total;
# - a node that drips a byte every 0.5 s holds neither sync nor search --remote past the
#   sync-timeout;
# - a malformed listing summary among good ones is skipped, counted and named (-v), the good
#   ones are cached, and the next pull is not stopped by it.
# Every wait is bounded (timeout 60 around what a hostile node could hold forever).
. "$(dirname "$0")/../lib.sh"

HOSTILE="$T_ROOT/tests/tools/hostile-node.py"
command -v python3 >/dev/null || { t_fail "python3 is installed" "scripts/deps.sh lists it"; t_done; exit 1; }
t_make_ca "$T_TMP" || { t_fail "test CA" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
# The impostor's certificate: the same CA, another key.
(
	cd "$T_TMP" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
		-keyout imp.key -out imp.csr &&
	openssl x509 -req -in imp.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile node.ext -out imp.pem
) >>"$T_TMP/openssl.log" 2>&1 || { t_fail "impostor certificate" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
# What curl --pinnedpubkey would pin: base64 SHA-256 of the DER SubjectPublicKeyInfo.
spki() { openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64; }
SPKI=$(spki "$T_TMP/node.pem")
SPKI_RE=$(printf '%s' "$SPKI" | sed 's/[+]/[+]/g') # base64 in a regular expression

DB="$T_TMP/node.db"
"$KONTORD" init --db "$DB" --name "Hostile Test Node" >"$T_TMP/init.out" 2>&1
NODEKEY=$(sed -n 's/^Node key id \([A-Za-z0-9_-]*\).*/\1/p' "$T_TMP/init.out")
TLS="--tls-cert $T_TMP/node.pem --tls-key $T_TMP/node.key"
# shellcheck disable=SC2086
t_node_start "$T_TMP/serve.log" $TLS
[ -n "$PORT" ] && t_ok "kontord is up on 127.0.0.1:$PORT" || { t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"; t_done; exit 1; }
URL="https://127.0.0.1:$PORT"
curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor" >"$T_TMP/session.json"
# node_back [CERT KEY]: kontord again on $PORT (after an impostor held it).
node_back() {
	"$KONTORD" serve --db "$DB" --listen "127.0.0.1:$PORT" --tls-cert "${1:-$T_TMP/node.pem}" \
		--tls-key "${2:-$T_TMP/node.key}" 2>>"$T_TMP/serve.log" &
	PID=$!
	T_PIDS="$T_PIDS $PID"
	_i=0
	while [ $_i -lt 100 ] && ! curl -s --max-time 2 --cacert "$T_TMP/ca.pem" "$URL/healthz" >/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
# hn_start MODE LOG LISTEN-PORT CERT-BASE [ARGS...]: the fake node; sets HPID, HPORT.
hn_start() {
	_mode=$1 _hlog=$2 _hport=$3 _cert=$4
	shift 4
	: >"$_hlog"
	python3 "$HOSTILE" --mode "$_mode" --listen "127.0.0.1:$_hport" --cert "$T_TMP/$_cert.pem" \
		--key "$T_TMP/$_cert.key" --log "$_hlog" "$@" 2>"$_hlog.err" &
	HPID=$!
	T_PIDS="$T_PIDS $HPID"
	HPORT=""
	_i=0
	while [ $_i -lt 100 ] && [ -z "$HPORT" ]; do
		HPORT=$(sed -n 's|^hostile-node: listening on https://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$_hlog.err")
		[ -n "$HPORT" ] || sleep 0.1
		_i=$((_i + 1))
	done
	[ -n "$HPORT" ] || t_fail "hostile-node --mode $_mode is up" "$(cat "$_hlog.err")"
}
hn_stop() { kill "$HPID" 2>/dev/null; wait "$HPID" 2>/dev/null; }
requests() { grep -c '"method"' "$1"; }
outbox_n() { "$KONTOR" --home "$1" outbox list --json | grep -c '"seq"'; }
node_count() {
	curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" --compressed -H 'Content-Type: application/json' \
		-d "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[[\"Listing/query\",{\"filter\":{\"sellerId\":\"$1\",\"status\":\"all\"},\"limit\":1,\"calculateTotal\":true},\"q\"]]}" \
		"$URL/api" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'
}
mode_of() { stat -c %a "$1" 2>/dev/null; }

A="$T_TMP/a"
ka() { "$KONTOR" --home "$A" "$@"; }
ka init --name "Alder Trading" --country DE --no-passphrase >/dev/null 2>&1
AID=$(ka id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')

# --- node add: both keys pinned; the CA file copied into the home ------------------------
t_run "node add pins the node" 0 ka node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_match "it pins the node key" "$T_OUT" "pinned node key $NODEKEY"
t_match "it pins the TLS key, the SPKI hash curl --pinnedpubkey takes" "$T_OUT" "pinned TLS key sha256//$SPKI_RE"
t_run "node list --json shows the TLS pin" 0 ka node list --json
t_match "the pin is listed" "$T_OUT" "\"tlsPin\":\"sha256//$SPKI_RE\""
D="$T_TMP/d"
kd() { "$KONTOR" --home "$D" "$@"; }
kd init --name "Dogwood Ltd" --country GB --no-passphrase >/dev/null 2>&1
cp "$T_TMP/ca.pem" "$T_TMP/ca-given.pem"
t_run "node add --ca-file" 0 kd node add main "$URL" --ca-file "$T_TMP/ca-given.pem"
t_match "it says where the CA certificate was copied" "$T_OUT" "CA certificate copied to $D/node-main.ca.pem"
t_eq "the copy is the given file" "$(cmp "$T_TMP/ca-given.pem" "$D/node-main.ca.pem" && echo same)" same
t_eq "the copy is mode 0600" "$(mode_of "$D/node-main.ca.pem")" 600
mv "$T_TMP/ca-given.pem" "$T_TMP/ca-moved.pem"
t_run "the given CA file moved away, sync still works (the copy is used)" 0 kd sync
t_run "node rm forgets the node" 0 kd node rm main
t_eq "and removes the copy of its CA file" "$(ls "$D" | grep -c 'ca.pem')" 0

# --- an unknown CA: the option and the fingerprint are named --------------------------------
C="$T_TMP/c"
"$KONTOR" --home "$C" init --name "Cedar Goods" --country FR --no-passphrase >/dev/null 2>&1
t_run "node add of a node whose CA is unknown fails" 1 "$KONTOR" --home "$C" node add main "$URL"
t_match "the error names --ca-file" "$T_ERR" '--ca-file'
FPR=$(openssl x509 -in "$T_TMP/node.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
t_match "the error shows the certificate's SHA-256 fingerprint" "$T_ERR" "$FPR"
t_run "no node was added" 0 "$KONTOR" --home "$C" node list --json
t_eq "the node list is empty" "$T_OUT" ""
mkdir "$T_TMP/other" && t_make_ca "$T_TMP/other"
t_run "a --ca-file that did not sign it fails" 1 "$KONTOR" --home "$C" node add main "$URL" --ca-file "$T_TMP/other/ca.pem"
t_match "the error says the given CA did not sign it" "$T_ERR" 'did not sign it'
t_eq "the failed add left no CA copy behind" "$(ls "$C" | grep -c 'ca.pem')" 0
t_run "a --ca-file that holds a key is refused" 1 "$KONTOR" --home "$C" node add main "$URL" --ca-file "$T_TMP/node.key"
t_match "it says no certificate is in it" "$T_ERR" 'holds no PEM certificate'

# --- the impostor: same address, same CA, the node's key echoed ---------------------------
t_node_stop
hn_start impostor "$T_TMP/imp.log" "$PORT" imp --session "$T_TMP/session.json" --node-key="$NODEKEY"
t_eq "the impostor holds the node's address" "$HPORT" "$PORT"
t_run "a write while the impostor holds the address is refused (exit 5)" 5 ka listing add \
	--sku IMP-1 --title "Oak veneer panel" --price 30 --currency EUR --moq 10
t_match "it says the node's TLS key changed" "$T_ERR" "the TLS key of the node at 127.0.0.1:$PORT changed"
t_match "it says nothing was sent" "$T_ERR" 'nothing was sent'
t_match "it says how to re-add the node" "$T_ERR" "kontor node add main $URL --replace"
t_run "sync is refused too (exit 5)" 5 ka sync
t_eq "the listing still waits in the outbox" "$(outbox_n "$A")" 1
t_match "the client did reach the impostor (TLS handshakes)" "$(grep -c '"tls": "ok"' "$T_TMP/imp.log")" '^[1-9]'
t_eq "the impostor received no request, no body" "$(requests "$T_TMP/imp.log")" 0
curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor" >/dev/null
t_eq "the impostor does record what reaches it (an unpinned curl)" "$(requests "$T_TMP/imp.log")" 1

# A home from before TLS pins: it learns the key on its next contact, then holds to it.
hn_stop
node_back
B="$T_TMP/b"
kb() { "$KONTOR" --home "$B" "$@"; }
kb init --name "Birch Supply" --country NL --no-passphrase >/dev/null 2>&1
t_run "B adds the node" 0 kb node add main "$URL" --ca-file "$T_TMP/ca.pem"
sqlite3 "$B/cache.db" "UPDATE nodes SET tls_pin = NULL"
t_run "B's home as it was before TLS pins syncs" 0 kb sync
t_eq "it learned the node's TLS key on that contact" "$(sqlite3 "$B/cache.db" "SELECT tls_pin FROM nodes")" "sha256//$SPKI"
t_run "with the real node back, A's sync delivers the queued listing" 0 ka sync
t_eq "the node has A's listing, once" "$(node_count "$AID")" 1
t_node_stop
hn_start impostor "$T_TMP/imp2.log" "$PORT" imp --session "$T_TMP/session.json" --node-key="$NODEKEY"
t_run "the impostor is refused by the home that learned its pin (exit 5)" 5 kb listing add \
	--sku IMP-2 --title "Birch plywood" --price 12 --currency EUR --moq 50
t_eq "the impostor received nothing from it" "$(requests "$T_TMP/imp2.log")" 0
hn_stop

# The operator really changed the key: refused, then pinned again, the outbox kept.
node_back "$T_TMP/imp.pem" "$T_TMP/imp.key"
t_run "after a real key change the write is refused too (exit 5)" 5 kb sync
t_run "node add --replace pins the new key" 0 kb node add main "$URL" --replace
t_match "it says re-pinned" "$T_OUT" "re-pinned node main"
t_match "the new TLS key is pinned" "$T_OUT" "pinned TLS key sha256//$(spki "$T_TMP/imp.pem" | sed 's/[+]/[+]/g')"
t_eq "B's queued listing went out with it" "$(outbox_n "$B")" 0
BID=$(kb id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_eq "the real node has B's listing (the impostor never took it)" "$(node_count "$BID")" 1
t_run "node add --replace of an unknown name is refused" 1 kb node add nowhere "$URL" --replace
t_node_stop
node_back

# --- a node that always has more ----------------------------------------------------------
E="$T_TMP/e"
ke() { "$KONTOR" --home "$E" "$@"; }
ke init --name "Elm Works" --country PL --no-passphrase >/dev/null 2>&1
hn_start endless "$T_TMP/endless.log" 0 node --session "$T_TMP/session.json" --node-key="$NODEKEY"
t_run "E adds the endless node" 0 ke node add main "https://127.0.0.1:$HPORT" --ca-file "$T_TMP/ca.pem"
: >"$T_TMP/endless.log"
t_run "sync against a node that always has more stops (exit 1)" 1 timeout 60 "$KONTOR" --home "$E" sync
t_match "it says the node still had more past its stated total" "$T_ERR" \
	'Account/changes: the node still says it has more after [0-9]+ pages of [0-9]+, more than its stated 3 need; stopped'
N=$(requests "$T_TMP/endless.log")
[ "$N" -gt 1 ] && [ "$N" -le 10 ] && t_ok "the pull stopped after a handful of requests ($N)" ||
	t_fail "the pull stopped after a handful of requests" "$N requests"
t_run "the next sync stops the same way, not stuck on a state" 1 timeout 60 "$KONTOR" --home "$E" sync
hn_stop

# --- a node that drips a byte every 0.5 s ---------------------------------------------------
F="$T_TMP/f"
kf() { "$KONTOR" --home "$F" "$@"; }
kf init --name "Fir Imports" --country IT --no-passphrase >/dev/null 2>&1
hn_start drip "$T_TMP/drip.log" 0 node --session "$T_TMP/session.json" --node-key="$NODEKEY"
t_run "node add of the dripping node: its push ends at the deadline (exit 4, queued)" 4 \
	env KONTOR_SYNC_TIMEOUT=3 timeout 60 "$KONTOR" --home "$F" node add main "https://127.0.0.1:$HPORT" --ca-file "$T_TMP/ca.pem"
t_match "it says the sync-timeout ran out" "$T_ERR" 'stopped: the sync-timeout of 3 s ran out'
t_run "sync against it ends at the sync-timeout (exit 4)" 4 env KONTOR_SYNC_TIMEOUT=3 timeout 60 "$KONTOR" --home "$F" sync
t_match "sync says the sync-timeout ran out" "$T_ERR" 'stopped: the sync-timeout of 3 s ran out'
t_run "sync --timeout takes a deadline of its own (exit 4)" 4 timeout 60 "$KONTOR" --home "$F" sync --timeout 2
t_match "sync --timeout says which" "$T_ERR" 'the sync-timeout of 2 s ran out'
t_run "search --remote against it ends at the sync-timeout" 1 env KONTOR_SYNC_TIMEOUT=3 timeout 60 "$KONTOR" --home "$F" search oak --remote
t_match "search --remote says the sync-timeout ran out" "$T_ERR" 'stopped: the sync-timeout of 3 s ran out'
t_run "a KONTOR_SYNC_TIMEOUT that is not seconds is a usage error" 2 env KONTOR_SYNC_TIMEOUT=soon timeout 60 "$KONTOR" --home "$F" sync
hn_stop

# --- one malformed summary among good ones ---------------------------------------------------
ka listing add --sku GOOD-2 --title "Alder dowels 8 mm" --price 4 --currency EUR --moq 500 >/dev/null 2>&1
ka listing add --sku GOOD-3 --title "Alder edge banding" --price 2 --currency EUR --moq 100 >/dev/null 2>&1
t_eq "A has three listings on the node" "$(node_count "$AID")" 3
G="$T_TMP/g"
kg() { "$KONTOR" --home "$G" "$@"; }
kg init --name "Ginkgo Trade" --country AT --no-passphrase >/dev/null 2>&1
hn_start malformed "$T_TMP/mal.log" 0 node --upstream "$URL" --upstream-ca "$T_TMP/ca.pem"
t_run "G adds the node through the tampering relay" 0 kg node add main "https://127.0.0.1:$HPORT" --ca-file "$T_TMP/ca.pem"
t_run "a pull with one malformed summary completes (exit 0)" 0 kg sync -v
BAD=$(sed -n 's/.*"tampered": "\([^"]*\)".*/\1/p' "$T_TMP/mal.log" | head -n 1)
[ -n "$BAD" ] && t_ok "the relay did drop a sellerId ($BAD)" || t_fail "the relay did drop a sellerId" "$(cat "$T_TMP/mal.log")"
t_match "-v counts it" "$T_OUT" 'skipped 1 malformed object'
t_match "-v names it and why" "$T_OUT" "Listing $BAD: sellerId is missing"
ON_NODE=$(sqlite3 "$DB" "SELECT count(*) FROM listings")
t_eq "every good summary is cached" "$(sqlite3 "$G/cache.db" "SELECT count(*) FROM listings")" "$((ON_NODE - 1))"
t_eq "the malformed one is not in the cache" "$(sqlite3 "$G/cache.db" "SELECT count(*) FROM listings WHERE id = '$BAD'")" 0
t_run "the next pull is not stopped by it" 0 kg sync --json
t_match "--json counts nothing malformed this time" "$T_OUT" '"malformed":0'
hn_stop

t_node_stop
t_done
