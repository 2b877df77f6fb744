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
# t_has TEXT REGEX: REGEX (grep -E) matches a line of TEXT. A REGEX of several lines matches
# as many lines of TEXT in a row, each its own line of REGEX (grep alone would take the
# lines as alternatives, any one of which passes).
t_has() {
	case $2 in
	*"
"*) ;;
	*)
		printf '%s' "$1" | grep -Eq -- "$2"
		return
		;;
	esac
	printf '%s\n' "$1" >"$T_TMP/has.txt"
	printf '%s\n' "$2" >"$T_TMP/has.re"
	_hn=$(wc -l <"$T_TMP/has.re")
	for _hat in $(grep -En -- "$(head -n 1 "$T_TMP/has.re")" "$T_TMP/has.txt" | cut -d: -f1); do
		_hj=1
		while [ "$_hj" -lt "$_hn" ] &&
			sed -n "$((_hat + _hj))p" "$T_TMP/has.txt" |
			grep -Eq -- "$(sed -n "$((_hj + 1))p" "$T_TMP/has.re")"; do
			_hj=$((_hj + 1))
		done
		[ "$_hj" -ge "$_hn" ] && return 0
	done
	return 1
}
# t_match NAME TEXT REGEX
t_match() {
	if t_has "$2" "$3"; then t_ok "$1"; else t_fail "$1" "'$3' not in: $(printf '%s' "$2" | head -c 400)"; fi
}
t_nomatch() {
	if t_has "$2" "$3"; then t_fail "$1" "'$3' unexpectedly in: $(printf '%s' "$2" | head -c 400)"; else t_ok "$1"; fi
}
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', wanted '$3'"; fi
}
# t_make_ca DIR: a throwaway CA (DIR/ca.pem) and a node certificate for 127.0.0.1
# (DIR/node.pem, DIR/node.key); openssl's output goes to DIR/openssl.log.
t_make_ca() {
	(
		cd "$1" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=kontor test CA" -keyout ca.key -out ca.pem &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=127.0.0.1" -keyout node.key -out node.csr &&
		printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >node.ext &&
		openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-extfile node.ext -out node.pem
	) >"$1/openssl.log" 2>&1
}

# t_node_again LOG [SERVE-ARGS...]: kontord serve --db "$DB" again on the port it had
# (127.0.0.1:$PORT), after t_node_stop; waits up to 10 s for its "listening on" line. Sets
# PID, stopped at exit if the test does not.
t_node_again() {
	_log=$1
	shift
	"$KONTORD" serve --db "$DB" --listen "127.0.0.1:$PORT" "$@" 2>"$_log" &
	PID=$!
	T_PIDS="$T_PIDS $PID"
	_i=0
	while [ $_i -lt 100 ] && ! grep -q 'listening on' "$_log"; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# t_node_start LOG [SERVE-ARGS...]: kontord serve --db "$DB" on a port the system picks
# (127.0.0.1:0); waits up to 10 s for its "listening on" line. Sets PID and PORT (PORT is
# empty when it never came up); the PID is stopped at exit if the test does not.
t_node_start() {
	_log=$1
	shift
	"$KONTORD" serve --db "$DB" --listen 127.0.0.1:0 "$@" 2>"$_log" &
	PID=$!
	T_PIDS="$T_PIDS $PID"
	PORT=""
	_i=0
	while [ $_i -lt 100 ] && [ -z "$PORT" ]; do
		PORT=$(sed -n 's|^kontord: listening on https\{0,1\}://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$_log")
		[ -n "$PORT" ] || sleep 0.1
		_i=$((_i + 1))
	done
}

# t_node_stop: SIGTERM to $PID, then up to 10 s; STOP_RC gets its exit status (124 when it
# would not stop and was killed).
t_node_stop() {
	kill -TERM "$PID" 2>/dev/null
	_i=0
	while kill -0 "$PID" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID" 2>/dev/null
		STOP_RC=124
	else
		wait "$PID"
		STOP_RC=$?
	fi
}

t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
