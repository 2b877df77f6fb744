#!/bin/sh
# What image hashes add to a pull (DESIGN §11: at most 9 bytes a listing per image hash):
# the first pull of N listing summaries from a seeded node, bytes down as HTTP on the wire
# (gzip'd), once with no image hashes and once after every listing got K hashes, and the
# sync with nothing new after it. The hashes are random 64-bit values with 31 bits set (as
# real photo hashes have), put straight into the node's listing_photos table: what the pull
# carries is the node's imageHashes, and the bench measures bytes, not hashing. Throwaway CA,
# node and clients under a temp dir; stops every process it started.
#   sh tests/bench/photo-pull.sh          N=20000 K=1 B=build
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${B:-build}
N=${N:-20000}
K=${K:-1}
make --no-print-directory -j2 "$B/kontor" "$B/kontord" >/dev/null
KONTOR="$ROOT/$B/kontor"
KONTORD="$ROOT/$B/kontord"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kontor-photo-pull.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
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
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
serve() {
	"$KONTORD" serve --db "$DIR/node.db" --listen 127.0.0.1:0 --tls-cert "$DIR/node.pem" \
		--tls-key "$DIR/node.key" --rate-addr 0 --rate-account 0 2>"$DIR/serve.log" &
	NODE_PID=$!
	PIDS="$PIDS $NODE_PID"
	i=0
	PORT=""
	while [ -z "$PORT" ] && [ $i -lt 300 ]; do
		sleep 0.1
		PORT=$(sed -n 's|.*listening on [a-z:/]*127\.0\.0\.1:\([0-9]*\).*|\1|p' "$DIR/serve.log" | head -n 1)
		i=$((i + 1))
	done
	[ -n "$PORT" ] || { cat "$DIR/serve.log" >&2; exit 1; }
}
pull() { # HOME -> "requests up down" of its first pull, then of a sync with nothing new
	"$KONTOR" --home "$DIR/$1" init --name "Bench $1" --country DE --no-passphrase >/dev/null 2>&1
	"$KONTOR" --home "$DIR/$1" node add main "https://127.0.0.1:$PORT" --ca-file "$DIR/ca.pem" >/dev/null
	"$KONTOR" --home "$DIR/$1" sync --json >"$DIR/$1.json"
	"$KONTOR" --home "$DIR/$1" sync --json >"$DIR/$1.again.json"
}
"$KONTORD" init --db "$DIR/node.db" --name "Bench Node" >/dev/null
"$KONTORD" seed --db "$DIR/node.db" --listings "$N" --accounts $((N / 100 + 10)) --seed 11 >/dev/null
serve
pull plain
kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true
# K random hashes a listing, each with 31 of bits 1..63 set, as pHash gives
python3 - "$DIR/node.db" "$K" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); k = int(sys.argv[2]); rnd = random.Random(15)
rows = []
for (rid,) in db.execute("SELECT rid FROM listings"):
    for i in range(k):
        h = sum(1 << b for b in rnd.sample(range(1, 64), 31))
        if h >= 1 << 63:
            h -= 1 << 64
        rows.append((rid, i, "bench%038d" % (rid * 32 + i), h, rid))
db.executemany("INSERT INTO listing_photos(rid, idx, blob, hash, seq) VALUES(?, ?, ?, ?, ?)", rows)
db.execute("UPDATE states SET seq = seq + 1 WHERE type IN ('*', 'Listing')")
db.commit()
PY
serve
pull hashed
for h in plain hashed; do
	echo "== $h: first pull $(field requests <"$DIR/$h.json") requests," \
		"$(field bytesUp <"$DIR/$h.json") B up, $(field bytesDown <"$DIR/$h.json") B down" \
		"($(( $(field bytesDown <"$DIR/$h.json") / N )) B a listing); nothing new:" \
		"$(field requests <"$DIR/$h.again.json") request," \
		"$(field bytesUp <"$DIR/$h.again.json") B up + $(field bytesDown <"$DIR/$h.again.json") B down"
done
P=$(field bytesDown <"$DIR/plain.json")
H=$(field bytesDown <"$DIR/hashed.json")
echo "== image hashes add $(( (H - P) * 100 / (N * K) / 100 )).$(( (H - P) * 100 / (N * K) % 100 )) B a listing per hash on the wire (budget 9)"
sqlite3 "$DIR/hashed/cache.db" "SELECT count(*) || ' hashes in the client cache' FROM listing_photos"
