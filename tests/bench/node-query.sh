#!/bin/sh
# kontord Listing/query under load (DESIGN §11: >= 3,000 req/s, p99 <= 50 ms at 1,000,000
# listings, 2 cores, keep-alive). Builds kontord, makes a throwaway CA and node certificate,
# seeds N listings, serves them over TLS on 127.0.0.1, and drives anonymous Listing/query
# calls at /api with wrk (tests/bench/node-query.lua: 1-3 words + 2 filters, Zipf s = 1 over
# 10,000 distinct queries, Accept-Encoding: gzip). kontord runs on CPU 0 and wrk on CPU 1
# when there are two cores. Prints req/s, p50/p99 latency, status counts and kontord's peak
# RSS, then stops kontord by PID.
#   tests/bench/node-query.sh [N]          N defaults to 1000000 (seeding it takes minutes)
# KEEP_DB=path    use (or seed once, then keep) the node database at path; seeded only when
#                 it does not exist yet, so a second run skips the seed
# DURATION=30s CONNECTIONS=32 WRK_THREADS=1 THREADS=(kontord --threads; its default if unset)
# WARMUP=60s      a first wrk run of the same stream before the measured one, so the node's
#                 query cache holds what a node in service would (the stream's popular
#                 queries); its figures are printed too, as the cold start. WARMUP=0 skips it.
# WRITES=N       a writer beside wrk posts N signed Listing/set writes a second (new listings
#                 and edits of them, by one registered seller, signed by tests/tools/ksign)
#                 during the warm-up and the measure, as a node in service takes them; the
#                 writes done and refused are printed. 0 (the default) writes nothing.
# B=build-dir picks the build (default build); KONTORD=path runs that kontord instead
# (another version, side by side: its database must be one it can open).
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
N=${1:-1000000}
B=${B:-build}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-60s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
WRITES=${WRITES:-0}
KSIGN="$ROOT/$B/tools/ksign"
LUA="$ROOT/tests/bench/node-query.lua"

command -v wrk >/dev/null || { echo "node-query: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "node-query: openssl is missing" >&2; exit 1; }

if [ -n "$KONTORD" ]; then
	[ -x "$KONTORD" ] || { echo "node-query: no kontord at $KONTORD" >&2; exit 1; }
else
	KONTORD="$ROOT/$B/kontord"
	make --no-print-directory -j2 "$B/kontord" >/dev/null
fi
[ "$WRITES" = 0 ] || [ -x "$KSIGN" ] || make --no-print-directory -j2 "$B/tools/ksign" >/dev/null

DIR=$(mktemp -d "${TMPDIR:-/tmp}/kontor-node-bench.XXXXXX")
PID=""
WPID=""
cleanup() {
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		sleep 1
		kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a throwaway CA and a node certificate for 127.0.0.1 ------------------------------
(
	cd "$DIR" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=kontor bench CA" -keyout ca.key -out ca.pem &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=127.0.0.1" -keyout node.key -out node.csr &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >node.ext &&
	openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile node.ext -out node.pem
) >"$DIR/openssl.log" 2>&1 || { cat "$DIR/openssl.log" >&2; exit 1; }

# --- the database -----------------------------------------------------------------------
if [ -n "$KEEP_DB" ]; then
	DB=$KEEP_DB
else
	DB="$DIR/node.db"
fi
if [ -e "$DB" ]; then
	echo "== reusing $DB (not reseeded; N=$N is what it was seeded with, if you said so)"
else
	"$KONTORD" init --db "$DB" --name "Bench Node" >/dev/null
	echo "== seed $N listings into $DB"
	t0=$(date +%s)
	"$KONTORD" seed --db "$DB" --listings "$N" -q
	echo "   seeded in $(($(date +%s) - t0)) s"
fi
LISTINGS=$(sqlite3 "$DB" "SELECT count(*) FROM listings" 2>/dev/null || echo "?")
echo "   listings in the database: $LISTINGS"

# --- serve ------------------------------------------------------------------------------
PIN_NODE="" PIN_WRK=""
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	PIN_NODE="taskset -c 0" PIN_WRK="taskset -c 1"
fi
set -- serve --db "$DB" --listen 127.0.0.1:0 --tls-cert "$DIR/node.pem" --tls-key "$DIR/node.key" \
	--rate-addr 0
[ -n "$THREADS" ] && set -- "$@" --threads "$THREADS"
# shellcheck disable=SC2086
$PIN_NODE "$KONTORD" "$@" 2>"$DIR/serve.log" &
PID=$!
PORT=""
i=0
while [ $i -lt 300 ] && [ -z "$PORT" ] && kill -0 "$PID" 2>/dev/null; do
	PORT=$(sed -n 's|^kontord: listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$DIR/serve.log")
	[ -n "$PORT" ] || sleep 0.1
	i=$((i + 1))
done
if [ -z "$PORT" ]; then
	echo "node-query: kontord did not start:" >&2
	cat "$DIR/serve.log" >&2
	exit 1
fi
URL="https://127.0.0.1:$PORT"
echo "== kontord pid $PID on $URL (${PIN_NODE:-unpinned}; wrk ${PIN_WRK:-unpinned})"

# One call by curl first: the query answers, with ids, through the real certificate chain.
BODY='{"using":["urn:kontor:trade"],"methodCalls":[["Listing/query",{"filter":{"text":"table legs","country":"CN"},"limit":20,"calculateTotal":true},"q"]]}'
curl -sS --max-time 30 --cacert "$DIR/ca.pem" -H 'Content-Type: application/json' \
	--compressed -o "$DIR/probe.json" -w '%{http_code}' -d "$BODY" "$URL/api" >"$DIR/probe.code"
if [ "$(cat "$DIR/probe.code")" != 200 ] || ! grep -q '"Listing/query"' "$DIR/probe.json"; then
	echo "node-query: the probe query failed (HTTP $(cat "$DIR/probe.code")):" >&2
	head -c 600 "$DIR/probe.json" >&2
	echo >&2
	exit 1
fi
echo "   probe: $(head -c 200 "$DIR/probe.json")..."

# --- the writer -------------------------------------------------------------------------
# post BODYFILE KEYFILE: one signed call; prints the HTTP status and the answer's first bytes.
post() {
	curl -sS --max-time 10 --cacert "$DIR/ca.pem" -H 'Content-Type: application/json' \
		-H "Authorization: $("$KSIGN" header "$2" "$1")" --data-binary "@$1" \
		-w ' %{http_code}' "$URL/api" 2>&1 | tail -c 300
}
# writer SECONDS: WRITES a second for SECONDS (each write in the background, so a slow one
# does not slow the rate); one line a write in $DIR/writes.log.
writer() {
	_n=0
	_total=$(($1 * WRITES))
	_gap=$(awk "BEGIN { printf \"%.4f\", 1 / $WRITES }")
	while [ $_n -lt "$_total" ]; do
		_sku="W-$((_n % 500))" # new listings first, then edits of them
		_price=$((900 + (_n * 37) % 4000))
		_title="Iron table legs writer edition $_n"
		(
			"$KSIGN" listing "$DIR/w.key" "$_sku" "$_title" "$_price" USD --moq 50 >"$DIR/w$_n.json" &&
				printf '{"using":["urn:kontor:trade"],"methodCalls":[["Listing/set",{"create":{"x":%s}},"w"]]}' \
					"$(cat "$DIR/w$_n.json")" >"$DIR/w$_n.body" &&
				echo "$(post "$DIR/w$_n.body" "$DIR/w.key")" >>"$DIR/writes.log"
			rm -f "$DIR/w$_n.json" "$DIR/w$_n.body"
		) &
		_n=$((_n + 1))
		sleep "$_gap"
	done
	wait
}
WRITE_SECS=0
if [ "$WRITES" != 0 ]; then
	"$KSIGN" keygen random >"$DIR/w.key"
	printf '{"using":["urn:kontor:trade"],"methodCalls":[["Account/set",{"create":{"me":{"handle":"bench-writer","displayName":"Bench Writer","country":"CN","role":"supplier"}}},"a"]]}' >"$DIR/acct.body"
	post "$DIR/acct.body" "$DIR/w.key" | grep -q ' 200$' ||
		{ echo "node-query: the writer could not register" >&2; exit 1; }
	secs() { case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac; }
	WRITE_SECS=$(($(secs "$DURATION") + 2))
	[ "$WARMUP" = 0 ] || WRITE_SECS=$((WRITE_SECS + $(secs "$WARMUP")))
	echo "== writer: $WRITES signed Listing/set writes a second for ${WRITE_SECS} s (${PIN_WRK:-unpinned})"
	writer "$WRITE_SECS" &
	WPID=$!
	# On wrk's core: signing and curl's handshakes are the clients' work, not the node's.
	[ -z "$PIN_WRK" ] || taskset -pc 1 "$WPID" >/dev/null
fi

# --- load -------------------------------------------------------------------------------
nqw() { sed -n "s/^nq: $1 //p" "$DIR/warm.out"; }
if [ "$WARMUP" != 0 ]; then
	echo "== warm-up: wrk -t$WRK_THREADS -c$CONNECTIONS -d$WARMUP (cold cache, not the measure)"
	# shellcheck disable=SC2086
	$PIN_WRK wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" --latency -s "$LUA" "$URL/api" \
		>"$DIR/warm.out" 2>&1 || { cat "$DIR/warm.out" >&2; exit 1; }
	echo "   cold start: $(nqw rps) req/s, p50 $(nqw p50_ms) ms, p99 $(nqw p99_ms) ms"
fi
echo "== wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency -s node-query.lua $URL/api"
# shellcheck disable=SC2086
$PIN_WRK wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$URL/api" \
	>"$DIR/wrk.out" 2>&1 || { cat "$DIR/wrk.out" >&2; exit 1; }
grep -v '^nq: ' "$DIR/wrk.out"

if [ -n "$WPID" ]; then
	wait "$WPID" 2>/dev/null || true
	WPID=""
fi
HWM=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$PID/status")
RSS=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$PID/status")

kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$PID" 2>/dev/null && kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
PID=""

nq() { sed -n "s/^nq: $1 //p" "$DIR/wrk.out"; }
echo "== kontord Listing/query, $LISTINGS listings, $CONNECTIONS keep-alive connections, $DURATION"
echo "   req/s           $(nq rps)   (2xx only: $(nq ok_rps); budget >= 3000)"
echo "   latency p50     $(nq p50_ms) ms"
echo "   latency p99     $(nq p99_ms) ms   (budget <= 50)"
echo "   responses       2xx $(nq status_2xx), 429 $(nq status_429), other $(nq status_other) (wrk non-2xx: $(nq non2xx))"
echo "   socket errors   $(nq socket_errors)"
echo "   kontord RSS     peak $((HWM / 1024)) MiB (VmHWM), $((RSS / 1024)) MiB at the end"
echo "   distinct queries $(nq distinct), Zipf s=1"
if [ "$WRITES" != 0 ]; then
	W_OK=$(grep -c '"created":{"x"' "$DIR/writes.log" || true)
	W_ALL=$(wc -l <"$DIR/writes.log")
	echo "   listing writes  $W_ALL in $WRITE_SECS s ($WRITES/s asked), $W_OK taken by the node"
	[ "$W_OK" = "$W_ALL" ] || echo "   NOTE: refused or failed writes: $(grep -v '"created":{"x"' "$DIR/writes.log" | head -n 2)"
fi
if [ "$(nq non2xx)" != 0 ]; then
	echo "   NOTE: $(nq non2xx) responses were not 2xx; 429s come from the per-address rate limit"
	echo "         (node_limits_default rate_addr_per_min), so req/s above is not all real answers."
fi
