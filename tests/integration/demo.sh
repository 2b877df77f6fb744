#!/bin/sh
# `make demo` without the TUI (scripts/demo.sh --no-tui): it sets up a seeded node, three
# suppliers and a buyer, prints a summary naming the demo home and the node's PID, exits 0
# and leaves no process behind; with DEMO_KEEP=1 the buyer's cache can be checked after.
. "$(dirname "$0")/../lib.sh"

if ! command -v openssl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	t_fail "openssl and sqlite3 are installed" "the demo needs openssl; this test reads the cache with sqlite3"
	t_done
	exit 1
fi

export TMPDIR="$T_TMP" # the demo home goes with the test's files
t_run "demo --no-tui sets up and exits 0" 0 env DEMO_KEEP=1 KONTOR="$KONTOR" KONTORD="$KONTORD" \
	sh "$T_ROOT/scripts/demo.sh" --no-tui
H=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *demo home *//p' | head -n 1)
NPID=$(printf '%s\n' "$T_OUT" | sed -n 's/^ *node *kontord pid \([0-9]*\) on .*/\1/p' | head -n 1)
[ -n "$H" ] && [ -d "$H" ] && t_ok "the summary names the demo home ($H)" ||
	t_fail "the summary names the demo home" "$(printf '%s' "$T_OUT" | head -c 600)"
case $H in "$T_TMP"/*) t_ok "the demo home is a fresh temporary directory" ;;
*) t_fail "the demo home is a fresh temporary directory" "$H" ;; esac
t_match "the summary says the node's URL" "$T_OUT" 'on https://127\.0\.0\.1:[0-9]+'
t_match "the summary is honest about what is not built" "$T_OUT" 'the demo makes no contracts or orders'
t_match "it says the node was stopped" "$T_OUT" "node stopped \\(pid $NPID\\)"
if [ -n "$NPID" ] && ! kill -0 "$NPID" 2>/dev/null; then
	t_ok "the node (pid $NPID) is gone after exit"
else
	t_fail "the node is gone after exit" "pid '$NPID' still runs"
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
fi
left=$(ps -eo pid=,args= | grep -F "$H" | grep -v grep | wc -l)
t_eq "no process of the demo is left" "$left" 0

BUYER="$H/buyer"
n=$(sqlite3 "$BUYER/cache.db" "SELECT count(*) FROM listings" 2>/dev/null)
[ "${n:-0}" -ge 20000 ] && t_ok "the buyer's cache holds $n listings after its sync" ||
	t_fail "the buyer's cache holds at least 20,000 listings" "${n:-none}"
t_run "chat list" 0 "$KONTOR" --home "$BUYER" chat list --json
unread=$(printf '%s\n' "$T_OUT" | grep -c '"unread":[1-9]')
[ "$unread" -ge 2 ] && t_ok "$unread conversations have unread messages" ||
	t_fail "at least 2 conversations have unread messages" "$T_OUT"
t_run "rfq list" 0 "$KONTOR" --home "$BUYER" rfq list
t_match "the buyer's RFQ is there" "$T_OUT" 'Oak desks'
t_run "search in the kept home" 0 "$KONTOR" --home "$BUYER" search oak desk
t_match "search finds a supplier's listing" "$T_OUT" 'Solid oak desk top'
t_run "search finds seeded listings too" 0 "$KONTOR" --home "$BUYER" search --json
t_match "seeded listings are searchable" "$T_OUT" '"id":"L'

t_run "an unknown argument is a usage error" 2 sh "$T_ROOT/scripts/demo.sh" --frobnicate
t_done
