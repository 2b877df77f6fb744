#!/bin/sh
# Runs every test suite against one build dir and closes with "N passed, N failed".
# Unit tests are cmocka binaries; integration and UI tests are shell scripts that end with
# their own "N passed, N failed" line.
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
export T_BUILD="$ROOT/$B"
export CMOCKA_MESSAGE_OUTPUT=stdout
pass=0 fail=0 broken=""
log=$(mktemp)
count() { # file -> adds its counts
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$1" | awk '{s+=$4} END {print s+0}')
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$1" | awk '{s+=$4} END {print s+0}')
	sp=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -n "$sp" ]; then
		p=$((p + $(echo "$sp" | awk '{print $1}')))
		f=$((f + $(echo "$sp" | awk '{print $3}')))
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}
echo "== tests/hygiene.sh"
sh tests/hygiene.sh >"$log" 2>&1
cat "$log"
count "$log"
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$log"
	if [ $rc -ne 0 ] && ! grep -qE '^\[  FAILED  \] [0-9]+ test' "$log"; then
		fail=$((fail + 1)); broken="$broken $t"
	fi
done
for t in tests/integration/*.sh tests/ui/*.sh; do
	[ -f "$t" ] || continue
	echo "== $t"
	sh "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$log"
	if [ $rc -ne 0 ] && ! grep -qE '^[0-9]+ passed, [1-9][0-9]* failed' "$log"; then
		fail=$((fail + 1)); broken="$broken $t"
	fi
done
rm -f "$log"
[ -n "$broken" ] && echo "suites that stopped without a summary:$broken"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
