#!/bin/sh
# Runs every test suite against one build dir and closes with "N passed, N failed".
# Unit tests are cmocka binaries, run one after another; integration and UI tests are
# shell scripts that end with their own "N passed, N failed" line, run TEST_JOBS at a time
# (default 3: they mostly wait on a node, a pty or tmux, so three keep two cores busy).
# Each suite's output is printed whole as it ends; the counts are added up at the end.
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
export T_BUILD="$ROOT/$B"
export CMOCKA_MESSAGE_OUTPUT=stdout
JOBS=${TEST_JOBS:-3}
case $JOBS in '' | *[!0-9]* | 0) echo "tests/run.sh: TEST_JOBS must be a number of 1 or more" >&2; exit 2 ;; esac
pass=0 fail=0 broken=""
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
sh tests/hygiene.sh >"$work/log" 2>&1
cat "$work/log"
count "$work/log"
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	"$t" >"$work/log" 2>&1
	rc=$?
	cat "$work/log"
	count "$work/log"
	if [ $rc -ne 0 ] && ! grep -qE '^\[  FAILED  \] [0-9]+ test' "$work/log"; then
		fail=$((fail + 1)); broken="$broken $t"
	fi
done
# The shell suites: each writes its log and exit status under $work/N; printed whole (under a
# lock, so two never interleave) the moment it ends.
i=0
for t in tests/integration/*.sh tests/ui/*.sh; do
	[ -f "$t" ] || continue
	i=$((i + 1))
	printf '%s %s\n' "$i" "$t"
done >"$work/list"
export RUN_WORK="$work"
# shellcheck disable=SC2016 # expanded by the inner sh
xargs -P "$JOBS" -L 1 sh -c '
	sh "$2" >"$RUN_WORK/$1.log" 2>&1
	echo $? >"$RUN_WORK/$1.rc"
	flock "$RUN_WORK/print.lock" sh -c "echo \"== \$1\"; cat \"\$2\"" sh "$2" "$RUN_WORK/$1.log"
' sh <"$work/list"
while read -r n t; do
	count "$work/$n.log"
	rc=$(cat "$work/$n.rc" 2>/dev/null || echo 1)
	if [ "$rc" -ne 0 ] && ! grep -qE '^[0-9]+ passed, [1-9][0-9]* failed' "$work/$n.log"; then
		fail=$((fail + 1)); broken="$broken $t"
	fi
done <"$work/list"
[ -n "$broken" ] && echo "suites that stopped without a summary:$broken"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
