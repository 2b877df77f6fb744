# Shared helpers for kontor's shell tests. Source it; call `t_ok NAME`/`t_fail NAME WHY`
# or the assertions, and finish with `t_done` (prints "N passed, N failed", exits non-zero
# when anything failed).
T_PASS=0
T_FAIL=0
T_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T_BUILD=${T_BUILD:-$T_ROOT/build}
KONTOR=${KONTOR:-$T_BUILD/kontor}
KONTORD=${KONTORD:-$T_BUILD/kontord}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kontor-test.XXXXXX")
T_PIDS=""
t_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok - $1"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $1: $2"; }

# t_run NAME EXPECTED_EXIT CMD... : runs CMD, keeps stdout in $T_OUT and stderr in $T_ERR.
t_run() {
	_name=$1 _want=$2
	shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	_rc=$?
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
	if [ "$_rc" -eq "$_want" ]; then
		t_ok "$_name"
	else
		t_fail "$_name" "exit $_rc, wanted $_want; stderr: $(head -c 400 "$T_TMP/err")"
	fi
}
# t_match NAME TEXT REGEX
t_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then t_ok "$1"; else t_fail "$1" "'$3' not in: $(printf '%s' "$2" | head -c 400)"; fi
}
t_nomatch() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then t_fail "$1" "'$3' unexpectedly in: $(printf '%s' "$2" | head -c 400)"; else t_ok "$1"; fi
}
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', wanted '$3'"; fi
}
t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
