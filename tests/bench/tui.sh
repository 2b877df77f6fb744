#!/bin/sh
# The terminal UI at scale (DESIGN §11: start to first drawn screen <= 50 ms at 1,000,000
# cached listings; <= 200 bytes written to the terminal per scroll keystroke). Fills a
# cache the way tests/bench/search.sh does (search_bench generate), gives it an identity,
# then runs `kontor tui` in script mode (KONTOR_UI_SCRIPT) on a 100x30 pty made by script(1):
#   - start to first screen: from exec to the first :dump written (median of 7 runs);
#   - bytes per keystroke: what the UI wrote for a script of K keys, minus the same script
#     without them, divided by K (j inside a page; j across 200 rows, scrolling included;
#     PgDn).
#   tests/bench/tui.sh [N]        N defaults to 1000000 listings
# B=build-dir picks the build; KEEP_DB=FILE reuses (or keeps) a generated cache.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
N=${1:-1000000}
B=${B:-build}
make --no-print-directory B="$B" "$B/bench/search_bench" "$B/kontor" >/dev/null
KONTOR="$ROOT/$B/kontor"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/kontor-tui-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
HOME_DIR="$DIR/home"
"$KONTOR" --home "$HOME_DIR" init --name "Bench Buyer" --country DE --no-passphrase >/dev/null 2>&1
SELF=$(sqlite3 "$HOME_DIR/cache.db" "SELECT value FROM meta WHERE key = 'self.id'")
rm -f "$HOME_DIR"/cache.db*
if [ -n "$KEEP_DB" ] && [ -f "$KEEP_DB" ]; then
	echo "== reusing $KEEP_DB"
	cp "$KEEP_DB" "$HOME_DIR/cache.db"
else
	echo "== generate $N listings"
	"$B/bench/search_bench" generate "$HOME_DIR/cache.db" "$N" 1
	[ -z "$KEEP_DB" ] || cp "$HOME_DIR/cache.db" "$KEEP_DB"
fi
sqlite3 "$HOME_DIR/cache.db" "INSERT OR REPLACE INTO meta VALUES ('self.id', '$SELF')"
echo "== $(sqlite3 "$HOME_DIR/cache.db" 'SELECT count(*) FROM listings') listings in the cache"

# run_ui SCRIPT-LINES... : runs the UI on a 100x30 pty with those script lines; sets BYTES
# to what it wrote to the terminal. $DIR/t0 gets the time just before kontor is exec'd,
# $DIR/rss its peak RSS in KiB.
run_ui() {
	printf '%s\n' "$@" >"$DIR/script"
	script -q -e -c "stty cols 100 rows 30; date +%s.%N >$DIR/t0; exec env KONTOR_HOME=$HOME_DIR KONTOR_UI_SCRIPT=$DIR/script TERM=xterm-256color /usr/bin/time -f %M -o $DIR/rss $KONTOR tui" "$DIR/typescript" >/dev/null </dev/null
	# script(1) frames the typescript with a start and an end line
	BYTES=$(sed '1d;$d' "$DIR/typescript" | wc -c)
}

echo "== start to first drawn screen (9 runs; exec of kontor to its first :dump written)"
times=""
for i in 1 2 3 4 5 6 7 8 9; do
	rm -f "$DIR/first"
	run_ui ":dump $DIR/first" ":quit"
	times="$times $(echo "$(stat -c %.9Y "$DIR/first") - $(cat "$DIR/t0")" | bc -l)"
done
printf '%s\n' $times | sort -n | awk '{ t[NR] = $1 * 1000 } END {
	printf "first screen: median %.1f ms, min %.1f ms, max %.1f ms\n", t[int((NR + 1) / 2)], t[1], t[NR] }'
echo "peak RSS of kontor tui: $(tail -n 1 "$DIR/rss") KiB"

keys() { # KEY COUNT -> COUNT lines of KEY
	_i=0
	while [ $_i -lt "$2" ]; do echo "$1"; _i=$((_i + 1)); done
}
run_ui ":sleep 1" ":quit"
base=$BYTES
# shellcheck disable=SC2046
run_ui ":sleep 1" $(keys j 20) ":quit"
echo "j inside one page: $(( (BYTES - base) / 20 )) bytes per keystroke"
# shellcheck disable=SC2046
run_ui ":sleep 1" $(keys j 199) ":quit"
echo "j across 200 rows (scrolling included): $(( (BYTES - base) / 199 )) bytes per keystroke"
# shellcheck disable=SC2046
run_ui ":sleep 1" $(keys '<PgDn>' 7) ":quit"
echo "PgDn (a whole page of new rows): $(( (BYTES - base) / 7 )) bytes per keystroke"
