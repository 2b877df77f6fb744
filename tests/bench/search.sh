#!/bin/sh
# Local search at scale (DESIGN §11: median <= 5 ms, p99 <= 20 ms at 1,000,000 cached
# listings; RSS <= 30 MiB). Builds search_bench, fills a fresh cache with N deterministic
# listings, then runs Zipf-distributed queries and prints latency, file size and peak RSS.
#   tests/bench/search.sh [N [QUERIES]]     N defaults to 1000000, QUERIES to 20000
# B=build-dir picks the build; KEEP=1 keeps the cache file (its path is printed);
# SEARCH_BENCH_TRACE=1 prints every first-seen query with its time on stderr.
# BEFORE=path/to/search_bench: the same run with that (older) build first, into a cache of
# its own, so before and after are measured side by side on the same machine state.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
N=${1:-1000000}
Q=${2:-20000}
B=${B:-build}
BIN="$B/bench/search_bench"
make --no-print-directory "$BIN" >/dev/null
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kontor-search-bench.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$DIR"' EXIT
# run LABEL BINARY: fills a cache with that build, then queries it.
run() {
	DB="$DIR/cache-$1.db"
	echo "== $1: generate $N listings into $DB ($2)"
	t0=$(date +%s)
	"$2" generate "$DB" "$N" 1
	echo "   filled in $(($(date +%s) - t0)) s"
	echo "== $1: query"
	"$2" query "$DB" "$Q" 2
}
if [ -n "$BEFORE" ]; then
	[ -x "$BEFORE" ] || { echo "search: no search_bench at $BEFORE" >&2; exit 1; }
	run before "$BEFORE"
	[ -n "$KEEP" ] || rm -f "$DIR/cache-before.db"*
	run after "$BIN"
else
	run this "$BIN"
fi
