#!/bin/sh
# kontord's API end to end over real HTTPS: a node made by `kontord init`, a test CA and node
# certificate made here by openssl, kontord serve on a free 127.0.0.1 port (stopped by PID),
# curl --cacert (never -k), and requests signed by tests/tools/ksign with libkontor's own
# Beckn signature. Covers the session, /healthz, /metrics, Account and Listing methods with
# back-references, changes, creation ids, ifInState, a split request, /upload and /download
# with Range, /events, gzip, every 401 (missing, malformed, expired, future, replayed, wrong
# key, digest), forbidden, 413 (size, calls), 429 (account, address) and a restart that
# keeps all data.
. "$(dirname "$0")/../lib.sh"

KSIGN=${KSIGN:-$T_BUILD/tools/ksign}
D="$T_TMP/node"
mkdir -p "$D"
DB="$D/kontord.db"
USING='"using":["urn:ietf:params:jmap:core","urn:kontor:trade"]'

if [ ! -x "$KSIGN" ]; then
	t_fail "ksign is built" "no $KSIGN (make test-build)"
	t_done
	exit 1
fi

# --- a node, keys, a CA -------------------------------------------------------------
t_run "init makes the node" 0 "$KONTORD" init --db "$DB" --name "API Test Node"
NODEKEY=$(printf '%s\n' "$T_OUT" | sed -n 's/^Node key id \([A-Za-z0-9_-]*\)$/\1/p')

"$KSIGN" keygen 0101010101010101010101010101010101010101010101010101010101010101 >"$T_TMP/a.key"
"$KSIGN" keygen 0202020202020202020202020202020202020202020202020202020202020202 >"$T_TMP/b.key"
"$KSIGN" keygen random >"$T_TMP/c.key"
A=$("$KSIGN" id "$T_TMP/a.key")
B=$("$KSIGN" id "$T_TMP/b.key")
t_match "ksign makes account ids" "$A $B" '^[A-Za-z0-9_-]{43} [A-Za-z0-9_-]{43}$'
t_run "ksign refuses bad usage with exit 2" 2 "$KSIGN" keygen nothex

t_make_ca "$T_TMP" && t_ok "openssl made a test CA and node certificate" ||
	t_fail "openssl made a test CA and node certificate" "$(tail -n 3 "$T_TMP/openssl.log")"

# Starts kontord on a port the system picks and waits for its "listening on" line; sets
# PID and PORT (empty when it never came up) and URL.
start_node() {
	t_node_start "$1" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key" --threads 4
	URL="https://127.0.0.1:$PORT"
}

# req PATH [CURL-ARGS...]: one HTTPS request; CODE gets the status, RESP the body (also in
# $T_TMP/resp), HDRS the response headers (CR removed).
req() {
	_path=$1
	shift
	curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" -D "$T_TMP/hdr" -o "$T_TMP/resp" \
		-w '%{http_code}' "$@" "$URL$_path" >"$T_TMP/code" 2>"$T_TMP/curlerr"
	CODE=$(cat "$T_TMP/code")
	RESP=$(cat "$T_TMP/resp")
	HDRS=$(tr -d '\r' <"$T_TMP/hdr")
}

# body CALLS: writes {"using": ..., "methodCalls": [CALLS]} to $T_TMP/body.
body() {
	printf '{%s,"methodCalls":[%s]}' "$USING" "$1" >"$T_TMP/body"
}

# sign KEYFILE [KSIGN-OPTIONS...]: AUTH gets the Authorization value for $T_TMP/body.
sign() {
	_k=$1
	shift
	AUTH=$("$KSIGN" header "$_k" "$T_TMP/body" "$@")
}

# post: POST $T_TMP/body to /api with $AUTH (none when empty); extra curl args after.
post() {
	if [ -n "$AUTH" ]; then
		req /api -H 'Content-Type: application/json' -H "Authorization: $AUTH" \
			--data-binary "@$T_TMP/body" "$@"
	else
		req /api -H 'Content-Type: application/json' --data-binary "@$T_TMP/body" "$@"
	fi
}

# api KEYFILE|- CALLS: one signed (or anonymous, with -) API request.
api() {
	_k=$1
	body "$2"
	AUTH=""
	[ "$_k" = - ] || sign "$_k"
	post
}

# Value of a top-level string/number field "NAME" the first time it appears in RESP.
field() {
	printf '%s' "$RESP" | grep -o "\"$1\":\"\{0,1\}[^\",}]*" | head -n 1 | sed 's/^"[^"]*":"\{0,1\}//'
}

start_node "$T_TMP/serve.log"
t_match "kontord serves TLS on a free port" "$PORT" '^[0-9]+$'
if [ -z "$PORT" ]; then
	t_fail "kontord came up" "$(tail -n 5 "$T_TMP/serve.log")"
	t_done
	exit 1
fi

# --- session, health ----------------------------------------------------------------
req /.well-known/kontor
t_eq "GET /.well-known/kontor answers 200" "$CODE" 200
t_match "the session carries the node key" "$RESP" "\"nodeKey\":\"$NODEKEY\""
t_match "the session publishes maxSizeRequest" "$RESP" '"maxSizeRequest":4194304'
t_match "the session publishes maxCallsInRequest" "$RESP" '"maxCallsInRequest":64'
t_match "the session publishes maxObjectsInGet" "$RESP" '"maxObjectsInGet":500'
t_match "the session says Foo/changes takes ownSets" "$RESP" '"changesOwnSets":true'
t_match "the session apiUrl is built from the Host" "$RESP" "\"apiUrl\":\"https://127.0.0.1:$PORT/api\""
t_match "every answer names the node key (for the client's pin)" "$HDRS" "^Kontor-Node-Key: $NODEKEY\$"
req /healthz
t_eq "GET /healthz answers 200" "$CODE" 200
t_match "errors and health answers name the node key too" "$HDRS" "^Kontor-Node-Key: $NODEKEY\$"
t_match "/healthz says ok" "$RESP" '^ok'

# --- accounts -------------------------------------------------------------------------
api "$T_TMP/a.key" '["Account/set",{"create":{"me":{"handle":"alice-iron","displayName":"Alice Iron Works","country":"CN","role":"supplier"}}},"0"]'
t_eq "Account/set register answers 200" "$CODE" 200
t_match "the account is created with the signer's id" "$RESP" "\"created\":\\{\"me\":\\{\"id\":\"$A\""
api "$T_TMP/b.key" '["Account/set",{"create":{"me":{"handle":"bob-buys","displayName":"Bob","country":"DE","role":"both"}}},"0"]'
t_match "a second account registers" "$RESP" "\"created\":\\{\"me\":\\{\"id\":\"$B\""
api "$T_TMP/b.key" "[\"Account/set\",{\"create\":{\"x\":{\"id\":\"$A\",\"handle\":\"mallory\",\"displayName\":\"M\",\"country\":\"DE\",\"role\":\"buyer\"}}},\"0\"]"
t_match "registering another's key is forbidden" "$RESP" '"notCreated":\{"x":\{"type":"forbidden"'
api - "[\"Account/get\",{\"ids\":[\"$A\"]},\"0\"]"
t_eq "anonymous Account/get answers 200" "$CODE" 200
t_match "anonymous Account/get returns the profile" "$RESP" '"handle":"alice-iron"'
api - '["Account/query",{"filter":{"handle":"bob-buys"}},"0"]'
t_match "Account/query by handle finds the one account" "$RESP" "\"ids\":\\[\"$B\"\\]"
api - '["Account/query",{"filter":{"handle":"bob"}},"0"]'
t_match "and only by the whole handle" "$RESP" '"ids":\[\]'

# --- listings -------------------------------------------------------------------------
LJ1=$("$KSIGN" listing "$T_TMP/a.key" TL-100 '铁艺桌腿' 1250 USD --moq 50)
LJ2=$("$KSIGN" listing "$T_TMP/a.key" OAK-7 'Solid oak dining table' 48000 EUR)
L1=$(printf '%s' "$LJ1" | sed 's/^{"id":"\([^"]*\)".*/\1/')
L2=$(printf '%s' "$LJ2" | sed 's/^{"id":"\([^"]*\)".*/\1/')
t_match "ksign makes signed listings" "$L1 $L2" '^L[A-Za-z0-9_-]{22} L[A-Za-z0-9_-]{22}$'
api - '["Listing/get",{"ids":[]},"0"]'
S0=$(field state)
t_match "Listing/get tells the state" "$S0" '^[0-9]+$'
api "$T_TMP/a.key" "[\"Listing/set\",{\"create\":{\"l1\":$LJ1,\"l2\":$LJ2}},\"0\"]"
t_eq "Listing/set create answers 200" "$CODE" 200
t_match "the signed listing is created" "$RESP" "\"l1\":\\{\"id\":\"$L1\""
t_match "the second listing is created" "$RESP" "\"l2\":\\{\"id\":\"$L2\""
t_match "nothing failed in the create" "$RESP" '"notCreated":null'
api - "[\"Listing/get\",{\"ids\":[\"$L1\",\"nope\"]},\"0\"]"
t_match "Listing/get returns the listing" "$RESP" "\"id\":\"$L1\".*\"title\":\"铁艺桌腿\""
t_match "Listing/get keeps the seller's signature" "$RESP" '"sig":"[A-Za-z0-9+/=]{80,}"'
t_match "Listing/get names the unknown id" "$RESP" '"notFound":\["nope"\]'
api - '["Listing/query",{"filter":{"text":"oak"}},"0"]'
t_match "Listing/query finds a word" "$RESP" "\"ids\":\\[\"$L2\"\\]"
api - '["Listing/query",{"filter":{"text":"桌腿"},"calculateTotal":true},"0"]'
t_match "Listing/query finds 铁艺桌腿 by 桌腿" "$RESP" "\"ids\":\\[\"$L1\"\\]"
t_match "calculateTotal counts it" "$RESP" '"total":1'
api - '["Listing/query",{"filter":{"text":"桌腿"}},"q"],["Listing/get",{"#ids":{"resultOf":"q","name":"Listing/query","path":"/ids"},"properties":["title"]},"g"]'
t_match "a back-reference chains query into get" "$RESP" '\["Listing/get",\{[^]]*"list":\[\{[^]]*"title":"铁艺桌腿"'
api - "[\"Listing/changes\",{\"sinceState\":\"$S0\"},\"0\"]"
t_match "Listing/changes from the old state lists the created" "$RESP" "\"created\":\\[(\"$L1\",\"$L2\"|\"$L2\",\"$L1\")\\]"
t_match "Listing/changes has a newer state" "$RESP" '"newState":"[0-9]+"'
SN=$(printf '%s' "$RESP" | sed -n 's/.*"newState":"\([0-9]*\)".*/\1/p')
api - "[\"Listing/changes\",{\"sinceState\":\"$S0\",\"ownSets\":[{\"oldState\":\"$S0\",\"newState\":\"$SN\"}]},\"0\"]"
t_match "ownSets: the caller's own writes are left out" "$RESP" '"created":\[\],"updated":\[\]'
t_match "and the state still moves past them" "$RESP" "\"newState\":\"$SN\""
api - "[\"Listing/changes\",{\"sinceState\":\"$S0\",\"ownSets\":[{\"oldState\":\"$SN\",\"newState\":\"$S0\"}]},\"0\"]"
t_match "ownSets with the old after the new is refused" "$RESP" '\["error",\{"type":"invalidArguments","description":"ownSets\[0\]: '
api - '["Listing/changes",{"sinceState":"0","ownSets":{"oldState":"1"}},"0"]'
t_match "ownSets that is no list is refused" "$RESP" '"type":"invalidArguments","description":"ownSets: a list of at most 64'

# A retried create: the same creation id, a fresh signature, nothing made twice.
LJ3=$("$KSIGN" listing "$T_TMP/a.key" RETRY-1 'Cast iron bench leg' 900 USD)
L3=$(printf '%s' "$LJ3" | sed 's/^{"id":"\([^"]*\)".*/\1/')
api "$T_TMP/a.key" "[\"Listing/set\",{\"create\":{\"retry\":$LJ3}},\"0\"]"
t_match "the first create makes the listing" "$RESP" "\"retry\":\\{\"id\":\"$L3\""
SR=$(field newState)
sleep 1
api "$T_TMP/a.key" "[\"Listing/set\",{\"create\":{\"retry\":$LJ3}},\"0\"]"
t_eq "the retried create answers 200" "$CODE" 200
t_match "the retry answers with the same id" "$RESP" "\"retry\":\\{\"id\":\"$L3\""
t_eq "the retry changes no state" "$(field oldState)/$(field newState)" "$SR/$SR"
api - "[\"Listing/query\",{\"filter\":{\"sellerId\":\"$A\"},\"calculateTotal\":true},\"0\"]"
t_match "the seller has three listings, not four" "$RESP" '"total":3'

# ifInState
api "$T_TMP/a.key" "[\"Listing/set\",{\"ifInState\":\"999999\",\"destroy\":[\"$L3\"]},\"0\"]"
t_match "ifInState mismatch fails with stateMismatch" "$RESP" '\["error",\{"type":"stateMismatch"'
api - "[\"Listing/get\",{\"ids\":[\"$L3\"]},\"0\"]"
t_match "the guarded destroy did not happen" "$RESP" "\"id\":\"$L3\""
api "$T_TMP/a.key" "[\"Listing/set\",{\"ifInState\":\"$SR\",\"destroy\":[\"$L3\"]},\"0\"]"
t_match "ifInState at the right state destroys" "$RESP" "\"destroyed\":\\[\"$L3\"\\]"

# A request split across many calls: the bad one fails alone.
api - "[\"Core/echo\",{\"hello\":1},\"a\"],[\"Listing/get\",{\"ids\":\"$L1\"},\"b\"],[\"Listing/query\",{\"filter\":{\"text\":\"oak\"}},\"c\"],[\"Nope/nothing\",{},\"d\"],[\"Account/get\",{\"ids\":[\"$B\"]},\"e\"]"
t_eq "a request with bad calls still answers 200" "$CODE" 200
t_match "the good first call runs" "$RESP" '\["Core/echo",\{"hello":1\},"a"\]'
t_match "the malformed call fails alone" "$RESP" '\["error",\{"type":"invalidArguments"[^]]*"b"\]'
t_match "the call after it runs" "$RESP" "\\[\"Listing/query\",\\{[^]]*\"ids\":\\[\"$L2\"\\][^]]*\\},\"c\"\\]"
t_match "an unknown method fails alone" "$RESP" '\["error",\{"type":"unknownMethod"[^]]*"d"\]'
t_match "the last call runs" "$RESP" '\["Account/get",\{.*"handle":"bob-buys".*"e"\]\]'

# --- forbidden ------------------------------------------------------------------------
LJB=$("$KSIGN" listing "$T_TMP/b.key" TL-100 'Hijacked table leg' 1 USD)
api "$T_TMP/b.key" "[\"Listing/set\",{\"update\":{\"$L1\":$LJB}},\"0\"]"
t_match "B editing A's listing is forbidden" "$RESP" "\"notUpdated\":\\{\"$L1\":\\{\"type\":\"forbidden\""
api "$T_TMP/b.key" "[\"Listing/set\",{\"destroy\":[\"$L1\"]},\"0\"]"
t_match "B destroying A's listing is forbidden" "$RESP" "\"notDestroyed\":\\{\"$L1\":\\{\"type\":\"forbidden\""
api "$T_TMP/b.key" "[\"Listing/set\",{\"create\":{\"x\":$LJ2}},\"0\"]"
t_match "B creating a listing signed as A is forbidden" "$RESP" '"notCreated":\{"x":\{"type":"forbidden"'
api "$T_TMP/b.key" "[\"Account/set\",{\"update\":{\"$A\":{\"displayName\":\"pwned\"}}},\"0\"]"
t_match "B editing A's profile is forbidden" "$RESP" "\"notUpdated\":\\{\"$A\":\\{\"type\":\"forbidden\""
api - "[\"Listing/get\",{\"ids\":[\"$L1\"]},\"0\"]"
t_match "A's listing is untouched" "$RESP" '"title":"铁艺桌腿"'

# --- 401: every bad signature -----------------------------------------------------------
NOW=$(date +%s)
SETCALL="[\"Account/set\",{\"update\":{\"$A\":{\"about\":\"Table legs since 1998\"}}},\"0\"]"
body "$SETCALL"
AUTH=""
post
t_eq "a write without a signature answers 401" "$CODE" 401
t_match "401 carries WWW-Authenticate" "$HDRS" '^WWW-Authenticate: Signature realm="kontor"'
t_match "the 401 is a JSON error" "$RESP" '"type":"[^"]*"'
AUTH='Signature keyId="nonsense",signature=='
post
t_eq "a malformed Authorization answers 401" "$CODE" 401
sign "$T_TMP/a.key" --created $((NOW - 200)) --expires $((NOW - 100))
post
t_eq "an expired signature answers 401" "$CODE" 401
sign "$T_TMP/a.key" --created $((NOW + 120)) --expires $((NOW + 180))
post
t_eq "a future-dated signature answers 401" "$CODE" 401
sign "$T_TMP/a.key" --created "$NOW" --expires $((NOW + 400))
post
t_eq "a lifetime over 300 s answers 401" "$CODE" 401
sign "$T_TMP/a.key" --as "$B"
post
t_eq "a signature by the wrong key answers 401" "$CODE" 401
sign "$T_TMP/a.key"
printf '{%s,"methodCalls":[["Account/set",{"update":{"%s":{"about":"changed after signing"}}},"0"]]}' "$USING" "$A" >"$T_TMP/body"
post
t_eq "a body changed after signing answers 401" "$CODE" 401
body "$SETCALL"
sign "$T_TMP/a.key"
post
t_eq "the same write properly signed answers 200" "$CODE" 200
t_match "the signed write is applied" "$RESP" "\"updated\":\\{\"$A\""
post
t_eq "a replayed signature answers 401" "$CODE" 401
t_match "the replay is said" "$RESP" '[Rr]eplay|already'

# --- 413 ----------------------------------------------------------------------------------
awk -v u="$USING" 'BEGIN { printf "{%s,\"methodCalls\":[[\"Core/echo\",{\"pad\":\"", u;
	s = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	for (i = 0; i < 65537; i++) printf "%s", s; printf "\"},\"0\"]]}" }' >"$T_TMP/body"
AUTH=""
post
t_eq "a body over maxSizeRequest answers 413" "$CODE" 413
calls='["Core/echo",{},"0"]'
i=1
while [ $i -lt 65 ]; do
	calls="$calls,[\"Core/echo\",{},\"$i\"]"
	i=$((i + 1))
done
api - "$calls"
t_eq "65 calls in one request answer 413" "$CODE" 413
t_match "the 413 names maxCallsInRequest" "$RESP" 'maxCallsInRequest'
api - "$(printf '%s' "$calls" | sed 's/,\["Core\/echo",{},"64"\]$//')"
t_eq "64 calls in one request are fine" "$CODE" 200

# --- gzip -----------------------------------------------------------------------------------
AUTH=""
body '["Listing/query",{"filter":{"text":"oak"}},"q"],["Listing/get",{"#ids":{"resultOf":"q","name":"Listing/query","path":"/ids"}},"g"]'
post --compressed
t_eq "a gzip-accepting request answers 200" "$CODE" 200
t_match "the response is gzip'd" "$HDRS" '^Content-Encoding: gzip'
t_match "the gzip'd response inflates to the listing" "$RESP" '"title":"Solid oak dining table"'
req /.well-known/kontor
t_nomatch "without Accept-Encoding nothing is gzip'd" "$HDRS" '^Content-Encoding: gzip'
body '["Core/echo",{"zipped":true},"0"]'
sign "$T_TMP/b.key"
gzip -c "$T_TMP/body" >"$T_TMP/body.gz"
req /api -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
	-H "Authorization: $AUTH" --data-binary "@$T_TMP/body.gz"
t_eq "a gzip'd signed request answers 200" "$CODE" 200
t_match "the gzip'd request is read inflated" "$RESP" '"zipped":true'
req /api -H 'Content-Type: application/json' -H 'Content-Encoding: br' --data-binary "@$T_TMP/body"
t_eq "an unknown Content-Encoding answers 415" "$CODE" 415
head -c 5000000 /dev/zero | gzip -c >"$T_TMP/bomb.gz"
req /api -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary "@$T_TMP/bomb.gz"
t_eq "a gzip'd body inflating past maxSizeRequest answers 413" "$CODE" 413

# --- other statuses -------------------------------------------------------------------------
req /api
t_eq "GET /api answers 405" "$CODE" 405
req /no-such-endpoint
t_eq "an unknown path answers 404" "$CODE" 404
api - '["Listing/changes",{"sinceState":"banana"},"0"]'
t_match "changes from a state never given out is cannotCalculateChanges" "$RESP" '\["error",\{"type":"cannotCalculateChanges"'
printf '{"using":[],"methodCalls":' >"$T_TMP/body"
AUTH=""
post
t_eq "a body that is not JSON answers 400" "$CODE" 400
t_match "the 400 is notRequest" "$RESP" 'notRequest'

# --- upload and download ----------------------------------------------------------------
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%c", 65 + i % 26 }' >"$T_TMP/blob"
"$KSIGN" header "$T_TMP/a.key" "$T_TMP/blob" >"$T_TMP/blob.auth"
req /upload -H 'Content-Type: image/png' -H "Authorization: $(cat "$T_TMP/blob.auth")" \
	--data-binary "@$T_TMP/blob"
t_eq "POST /upload answers 201" "$CODE" 201
BLOB=$(field blobId)
t_match "the upload returns a blobId" "$BLOB" '^[A-Za-z0-9_-]{43}$'
t_match "the upload returns the size" "$RESP" '"size":2000'
req /upload -H 'Content-Type: image/png' --data-binary "@$T_TMP/blob"
t_eq "an unsigned upload answers 401" "$CODE" 401
req "/download/$BLOB"
t_eq "GET /download answers 200" "$CODE" 200
cmp -s "$T_TMP/resp" "$T_TMP/blob" && t_ok "the download is the uploaded bytes" ||
	t_fail "the download is the uploaded bytes" "differs"
t_match "the download is immutable" "$HDRS" '^Cache-Control: .*immutable'
req "/download/$BLOB" -H 'Range: bytes=100-109'
t_eq "a Range download answers 206" "$CODE" 206
t_eq "the range is the right bytes" "$RESP" "WXYZABCDEF"
t_match "206 carries Content-Range" "$HDRS" '^Content-Range: bytes 100-109/2000'
req "/download/$BLOB" -H 'Range: bytes=5000-6000'
t_eq "a range outside the blob answers 416" "$CODE" 416
req /download/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
t_eq "an unknown blob answers 404" "$CODE" 404
req "/download/$BLOB" -H "If-None-Match: \"$BLOB\""
t_eq "a matching If-None-Match answers 304" "$CODE" 304
head -c $((10 * 1024 * 1024 + 1)) /dev/zero >"$T_TMP/big"
"$KSIGN" header "$T_TMP/a.key" "$T_TMP/big" >"$T_TMP/big.auth"
req /upload -H 'Content-Type: application/octet-stream' -H "Authorization: $(cat "$T_TMP/big.auth")" \
	--data-binary "@$T_TMP/big"
t_eq "an upload over maxSizeUpload answers 413" "$CODE" 413

# --- /events --------------------------------------------------------------------------------
curl -sS -N --max-time 20 --cacert "$T_TMP/ca.pem" "$URL/events?closeafter=state" \
	>"$T_TMP/events" 2>"$T_TMP/events.err" &
EVPID=$!
T_PIDS="$T_PIDS $EVPID"
i=0
while [ $i -lt 50 ] && ! [ -s "$T_TMP/events" ]; do
	sleep 0.1
	i=$((i + 1))
done
t_match "/events opens with a comment" "$(cat "$T_TMP/events")" '^:'
LJ4=$("$KSIGN" listing "$T_TMP/a.key" LED-5M 'LED strip 5 m warm white' 350 USD)
api "$T_TMP/a.key" "[\"Listing/set\",{\"create\":{\"led\":$LJ4}},\"0\"]"
t_match "a listing is written while /events listens" "$RESP" '"created":\{"led"'
i=0
while [ $i -lt 100 ] && kill -0 "$EVPID" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$EVPID" 2>/dev/null; then
	t_fail "closeafter=state ends the stream after the change" "still open after 10 s"
	kill "$EVPID" 2>/dev/null
else
	wait "$EVPID"
	t_eq "closeafter=state ends the stream after the change" "$?" 0
fi
EV=$(cat "$T_TMP/events")
t_match "/events sends a state event" "$EV" '^event: state'
t_match "the event is a StateChange naming Listing" "$EV" 'data: \{"@type":"StateChange","changed":\{.*"Listing":"[0-9]+"'

# --- /metrics ---------------------------------------------------------------------------------
req /metrics
t_eq "GET /metrics answers 200" "$CODE" 200
t_match "metrics count api requests by status" "$RESP" 'kontord_requests_total\{route="api",status="200"\} [1-9]'
t_match "metrics count 401s" "$RESP" 'kontord_requests_total\{route="api",status="401"\} [1-9]'
t_match "metrics have a latency histogram" "$RESP" 'kontord_request_duration_seconds_bucket\{route="api",le="\+Inf"\} [1-9]'
t_match "metrics have the latency count" "$RESP" 'kontord_request_duration_seconds_count\{route="api"\}'
t_match "metrics count bytes received" "$RESP" 'kontord_bytes_received_total [1-9]'
t_match "metrics count bytes sent" "$RESP" 'kontord_bytes_sent_total [1-9]'
t_match "metrics show active connections" "$RESP" 'kontord_active_connections [0-9]'
t_match "metrics show the database size" "$RESP" 'kontord_db_size_bytes [1-9]'
t_match "metrics count query cache misses" "$RESP" 'kontord_query_cache_misses_total [1-9]'
t_match "metrics count query cache hits" "$RESP" 'kontord_query_cache_hits_total [0-9]'

# --- 429: the per-account rate (600/min), then the per-address rate (3000/min) ---------------
# 700 distinctly signed requests from one account over one keep-alive connection.
: >"$T_TMP/rate.cfg"
i=0
while [ $i -lt 700 ]; do
	printf '{%s,"methodCalls":[["Core/echo",{"n":%d},"0"]]}' "$USING" $i >"$T_TMP/r$i"
	# The longest TTL the node takes: signing 700 requests may take a minute on a busy
	# machine (or under the sanitizers), and an expired one would be a 401, not a 429.
	h=$("$KSIGN" header "$T_TMP/c.key" "$T_TMP/r$i" --expires $(($(date +%s) + 290)) | sed 's/"/\\"/g')
	printf 'url = "%s/api"\ncacert = "%s"\ndata-binary = "@%s"\nheader = "Content-Type: application/json"\nheader = "Authorization: %s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
		"$URL" "$T_TMP/ca.pem" "$T_TMP/r$i" "$h" >>"$T_TMP/rate.cfg"
	[ $i -lt 590 ] || printf 'dump-header = "%s"\n' "$T_TMP/rate.hdr.$i" >>"$T_TMP/rate.cfg"
	printf 'next\n' >>"$T_TMP/rate.cfg"
	i=$((i + 1))
done
curl -sS --max-time 120 -K "$T_TMP/rate.cfg" >"$T_TMP/rate.codes" 2>"$T_TMP/rate.err"
N200=$(grep -c '^200$' "$T_TMP/rate.codes")
N429=$(grep -c '^429$' "$T_TMP/rate.codes")
t_match "an account gets its 600 requests" "$N200" '^6[0-9][0-9]$'
t_match "past its rate an account gets 429" "$N429" '^[1-9][0-9]*$'
H429=$(grep -l '^HTTP/[0-9.]* 429' "$T_TMP"/rate.hdr.* | head -n 1)
t_match "the account's 429 carries Retry-After" "$(tr -d '\r' <"${H429:-/dev/null}")" '^Retry-After: [1-9][0-9]*'
api "$T_TMP/b.key" '["Core/echo",{"other":1},"0"]'
t_eq "another account is not limited" "$CODE" 200

# A signature accepted now, to be replayed after the restart (still unexpired then).
body '["Core/echo",{"before":"restart"},"0"]'
sign "$T_TMP/a.key" --expires $(($(date +%s) + 280))
post
t_eq "a signed request before the restart answers 200" "$CODE" 200
cp "$T_TMP/body" "$T_TMP/body.before"
AUTH_BEFORE=$AUTH

# The address: 3000 a minute, refilled at 50 a second; 4000 quick requests exceed it.
curl -sS --max-time 180 --cacert "$T_TMP/ca.pem" -o /dev/null -D "$T_TMP/addr.hdr" \
	-w '%{http_code}\n' "$URL/.well-known/kontor?n=[1-4000]" >"$T_TMP/addr.codes" 2>"$T_TMP/addr.err"
t_match "past its rate an address gets 429" "$(grep -c '^429$' "$T_TMP/addr.codes")" '^[1-9][0-9]*$'
t_match "the address's 429 carries Retry-After" \
	"$(tr -d '\r' <"$T_TMP/addr.hdr" | grep -A 12 '^HTTP/[0-9.]* 429' | grep '^Retry-After:' | head -n 1)" \
	'^Retry-After: [1-9][0-9]*$'
req /healthz
t_eq "/healthz is not rate limited" "$CODE" 200

# --- restart: everything is kept ---------------------------------------------------------
t_node_stop
t_eq "kontord stops on SIGTERM with exit 0" "$STOP_RC" 0
t_match "one log line per API request names the methods" "$(cat "$T_TMP/serve.log")" 'POST /api Listing/query,Listing/get 200 in=[0-9]+ out=[0-9]+ [0-9.]+ms'
start_node "$T_TMP/serve2.log"
t_match "kontord starts again on the same database" "$PORT" '^[0-9]+$'
api - "[\"Listing/get\",{\"ids\":[\"$L1\",\"$L2\",\"$L3\"]},\"0\"]"
t_eq "after the restart the node answers" "$CODE" 200
t_match "the listing survives the restart" "$RESP" "\"id\":\"$L1\".*\"title\":\"铁艺桌腿\""
t_match "the other listing survives" "$RESP" "\"id\":\"$L2\""
t_match "the destroyed listing stays destroyed" "$RESP" "\"notFound\":\\[\"$L3\"\\]"
api - '["Listing/query",{"filter":{"text":"桌腿"}},"0"]'
t_match "the search index survives" "$RESP" "\"ids\":\\[\"$L1\"\\]"
api - "[\"Account/get\",{\"ids\":[\"$A\"]},\"0\"]"
t_match "the account and its update survive" "$RESP" '"about":"Table legs since 1998"'
api - "[\"Listing/changes\",{\"sinceState\":\"$S0\"},\"0\"]"
t_match "the change log survives" "$RESP" "\"$L1\""
cp "$T_TMP/body.before" "$T_TMP/body"
AUTH=$AUTH_BEFORE
post
t_eq "a signature used before the restart is still a replay after it" "$CODE" 401
req "/download/$BLOB"
cmp -s "$T_TMP/resp" "$T_TMP/blob" && t_ok "the blob survives the restart" ||
	t_fail "the blob survives the restart" "code $CODE"
api "$T_TMP/a.key" "[\"Listing/set\",{\"create\":{\"retry\":$LJ3}},\"0\"]"
t_match "creation ids survive the restart" "$RESP" "\"retry\":\\{\"id\":\"$L3\""
t_node_stop
t_eq "the restarted kontord stops with exit 0" "$STOP_RC" 0

t_done
