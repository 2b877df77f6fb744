#!/bin/sh
# Sync on the wire (DESIGN §11): bytes and requests for (a) a sync with nothing new, in each
# scope (market, mine, one category), (b) the first pull of N_PULL listings, (c) pushing
# N_PUSH imported listings, (d) a seller's first sync in scope mine (`init --role supplier`,
# N_OWN listings of her own among the N_PULL), (e) her pull after (c), and the wall time of
# (b), (c) and (e) over a slow link: kproxy (tests/tools/kproxy.c) between client and node,
# throttled to RATE bytes/s each way with DELAY ms added each way. Builds what it needs,
# makes a throwaway CA, node and clients under a temp dir, stops every process it started.
#   sh tests/bench/sync.sh
# N_PULL=100000 N_PUSH=10000 RATE=8000 (64 kbit/s) DELAY=300 SLOW_PULL=1 (0 skips the
# throttled first pull, which takes about half an hour at 64 kbit/s) B=build
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${B:-build}
N_PULL=${N_PULL:-100000}
N_PUSH=${N_PUSH:-10000}
N_OWN=${N_OWN:-20}
RATE=${RATE:-8000}
DELAY=${DELAY:-300}
SLOW_PULL=${SLOW_PULL:-1}
make --no-print-directory -j2 "$B/kontor" "$B/kontord" "$B/tools/kproxy" >/dev/null
KONTOR="$ROOT/$B/kontor"
KONTORD="$ROOT/$B/kontord"
KPROXY="$ROOT/$B/tools/kproxy"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kontor-sync-bench.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export KONTOR_PASSPHRASE=bench

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

# wait_port LOG: the port from a "listening on ...127.0.0.1:PORT" line
wait_port() {
	i=0
	while [ $i -lt 300 ]; do
		p=$(sed -n 's|.*listening on [a-z:/]*127\.0\.0\.1:\([0-9]*\).*|\1|p' "$1" | head -n 1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	cat "$1" >&2
	return 1
}
node_start() {
	"$KONTORD" serve --db "$DIR/node.db" --listen "127.0.0.1:${1:-0}" --tls-cert "$DIR/node.pem" \
		--tls-key "$DIR/node.key" --rate-addr 0 --rate-account 0 2>"$DIR/serve.log" &
	NODE_PID=$!
	PIDS="$PIDS $NODE_PID"
	NODE_PORT=$(wait_port "$DIR/serve.log")
}
proxy_start() {
	"$KPROXY" --listen 127.0.0.1:0 --to "127.0.0.1:$NODE_PORT" --rate "$RATE" --delay-ms "$DELAY" \
		2>"$DIR/proxy.log" &
	PROXY_PID=$!
	PIDS="$PIDS $PROXY_PID"
	PROXY_PORT=$(wait_port "$DIR/proxy.log")
}
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
now_ms() { date +%s%3N; }

echo "== node with $N_PULL listings"
"$KONTORD" init --db "$DIR/node.db" --name "Bench Node" >/dev/null
t0=$(now_ms)
"$KONTORD" seed --db "$DIR/node.db" --listings "$N_PULL" --accounts $((N_PULL / 100 + 10)) --seed 11 >/dev/null
echo "   seeded in $(( ($(now_ms) - t0) / 1000 )) s"
node_start
proxy_start

# (b) the first pull, direct and over the slow link
"$KONTOR" --home "$DIR/fast" init --name "Fast Buyer" --country DE --no-passphrase >/dev/null 2>&1
"$KONTOR" --home "$DIR/fast" node add main "https://127.0.0.1:$NODE_PORT" --ca-file "$DIR/ca.pem" >/dev/null
t0=$(now_ms)
"$KONTOR" --home "$DIR/fast" sync --json >"$DIR/pull.json"
PULL_MS=$(( $(now_ms) - t0 ))
PULL_DOWN=$(field bytesDown <"$DIR/pull.json")
PULL_UP=$(field bytesUp <"$DIR/pull.json")
PULL_REQ=$(field requests <"$DIR/pull.json")
echo "   (b) first pull, direct: $PULL_REQ requests, $PULL_UP B up, $PULL_DOWN B down," \
	"$((PULL_DOWN / N_PULL)) B/listing (budget 150), ${PULL_MS} ms"

# (a) nothing new
"$KONTOR" --home "$DIR/fast" sync --json >"$DIR/nothing.json"
echo "   (a) nothing new: $(field requests <"$DIR/nothing.json") request(s)," \
	"$(field bytesUp <"$DIR/nothing.json") B up + $(field bytesDown <"$DIR/nothing.json") B down (budget 1 request, 1536 B)"

# (d) a seller's first sync in scope mine: her own listings (imported and pushed first), the
# RFQs of her category and the accounts she deals with, none of the N_PULL others'
CAT="Furniture > Furniture parts"
"$KONTOR" --home "$DIR/mine" init --name "Mine Seller" --country VN --role supplier --no-passphrase >/dev/null 2>&1
"$KONTOR" --home "$DIR/mine" node add main "https://127.0.0.1:$NODE_PORT" --ca-file "$DIR/ca.pem" >/dev/null
awk -v n="$N_OWN" -v cat="$CAT" 'BEGIN {
	print "sku,title,category,currency,price,moq"
	for (i = 0; i < n; i++)
		printf "TL-%04d,Iron table legs no. %d,%s,USD,%d.50,10\n", i, i, cat, 10 + i % 20
}' >"$DIR/own.csv"
"$KONTOR" --home "$DIR/mine" listing import "$DIR/own.csv" >/dev/null 2>&1
"$KONTOR" --home "$DIR/mine" node list | grep -q ' mine ' || { echo "the seller's node is not in scope mine" >&2; exit 1; }
t0=$(now_ms)
"$KONTOR" --home "$DIR/mine" sync --json >"$DIR/mine.json"
MINE_MS=$(( $(now_ms) - t0 ))
MINE_UP=$(field bytesUp <"$DIR/mine.json")
MINE_DOWN=$(field bytesDown <"$DIR/mine.json")
echo "   (d) seller's first sync in scope mine ($N_OWN own of $((N_PULL + N_OWN)) listings):" \
	"$(field requests <"$DIR/mine.json") requests, $MINE_UP B up + $MINE_DOWN B down =" \
	"$((MINE_UP + MINE_DOWN)) B (budget 50,000 B), ${MINE_MS} ms;" \
	"$(sqlite3 "$DIR/mine/cache.db" "SELECT count(*) FROM listings") listings cached"
"$KONTOR" --home "$DIR/mine" sync --json >"$DIR/mine0.json"
echo "   (a) nothing new in scope mine: $(field requests <"$DIR/mine0.json") request(s)," \
	"$(field bytesUp <"$DIR/mine0.json") B up + $(field bytesDown <"$DIR/mine0.json") B down (budget 1 request, 1536 B)"
"$KONTOR" --home "$DIR/mine" node scope main "$CAT" >/dev/null
t0=$(now_ms)
"$KONTOR" --home "$DIR/mine" sync --json >"$DIR/cat.json"
echo "   first pull in scope \"$CAT\": $(field requests <"$DIR/cat.json") requests," \
	"$(field bytesDown <"$DIR/cat.json") B down, $(( $(now_ms) - t0 )) ms;" \
	"$(sqlite3 "$DIR/mine/cache.db" "SELECT count(*) FROM listings") listings cached"
"$KONTOR" --home "$DIR/mine" sync --json >"$DIR/cat0.json"
echo "   (a) nothing new in a category scope: $(field requests <"$DIR/cat0.json") request(s)," \
	"$(field bytesUp <"$DIR/cat0.json") B up + $(field bytesDown <"$DIR/cat0.json") B down (budget 1 request, 1536 B)"

if [ "$SLOW_PULL" = 1 ]; then
	"$KONTOR" --home "$DIR/slow" init --name "Slow Buyer" --country KE --no-passphrase >/dev/null 2>&1
	"$KONTOR" --home "$DIR/slow" node add main "https://127.0.0.1:$PROXY_PORT" --ca-file "$DIR/ca.pem" >/dev/null
	t0=$(now_ms)
	"$KONTOR" --home "$DIR/slow" sync --json >"$DIR/slowpull.json"
	echo "   (b) first pull over $((RATE * 8 / 1000)) kbit/s + ${DELAY} ms each way:" \
		"$(( ($(now_ms) - t0) / 1000 )) s, $(field requests <"$DIR/slowpull.json") requests"
fi

# (c) pushing imported listings, queued while the node is away, then one sync over the slow link
"$KONTOR" --home "$DIR/seller" init --name "Bench Seller" --country VN --role supplier --no-passphrase >/dev/null 2>&1
"$KONTOR" --home "$DIR/seller" node add main "https://127.0.0.1:$PROXY_PORT" --ca-file "$DIR/ca.pem" >/dev/null
kill "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null || true
awk -v n="$N_PUSH" 'BEGIN {
	print "sku,title,description,category,tags,currency,price,tiers,moq,unit,hs_code,origin,ships_from,lead_days,incoterms,images,status"
	for (i = 0; i < n; i++)
		printf "BN-%06d,Bamboo cutting board %d x %d cm,Solid bamboo with juice groove. Food safe oil finish.,Home > Kitchen,bamboo|kitchen,USD,%d.%02d,500:%d.%02d,100,C62,441919,VN,VN,21,FOB|EXW,,active\n", i, 20 + i % 30, 30 + i % 20, 3 + i % 9, i % 100, 2 + i % 9, i % 100
}' >"$DIR/push.csv"
t0=$(now_ms)
"$KONTOR" --home "$DIR/seller" listing import "$DIR/push.csv" >/dev/null 2>&1 || true
echo "   import of $N_PUSH rows (queued, node unreachable): $(( $(now_ms) - t0 )) ms"
proxy_start_same() {
	"$KPROXY" --listen "127.0.0.1:$PROXY_PORT" --to "127.0.0.1:$NODE_PORT" --rate "$RATE" \
		--delay-ms "$DELAY" 2>"$DIR/proxy2.log" &
	PROXY_PID=$!
	PIDS="$PIDS $PROXY_PID"
	wait_port "$DIR/proxy2.log" >/dev/null
}
proxy_start_same
t0=$(now_ms)
"$KONTOR" --home "$DIR/seller" sync --push-only --json >"$DIR/push.json"
echo "   (c) push of $N_PUSH listings over $((RATE * 8 / 1000)) kbit/s + ${DELAY} ms each way:" \
	"$(( ($(now_ms) - t0) / 1000 )) s, $(field requests <"$DIR/push.json") requests," \
	"$(field bytesUp <"$DIR/push.json") B up, $(field bytesDown <"$DIR/push.json") B down," \
	"pushed $(field pushed <"$DIR/push.json")"

# (e) her next pull after that push: her own listings stay up (ownSets), so it brings none of
# them back, over the slow link
t0=$(now_ms)
"$KONTOR" --home "$DIR/seller" sync --pull-only --json >"$DIR/after.json"
echo "   (e) her pull after that push over $((RATE * 8 / 1000)) kbit/s + ${DELAY} ms each way:" \
	"$(( ($(now_ms) - t0) / 1000 )) s, $(field requests <"$DIR/after.json") requests," \
	"$(field bytesUp <"$DIR/after.json") B up, $(field bytesDown <"$DIR/after.json") B down," \
	"$(sed -n 's/.*"pulled":{[^}]*"Listing":\([0-9]*\).*/\1/p' "$DIR/after.json") listings pulled"
