# Shared helpers for the UI tests that drive `kontor tui` inside tmux. Source it after
# tests/lib.sh. It lives beside lib.sh, not in tests/ui, so tests/run.sh does not take it
# for a test. Without tmux the test fails at once. Sets LANG and LC_ALL to C.UTF-8.
if ! command -v tmux >/dev/null 2>&1; then
	t_fail "tmux is installed" "the UI tests drive kontor tui inside tmux"
	t_done
	exit 1
fi
export LANG=C.UTF-8 LC_ALL=C.UTF-8

# One tmux server per session (kill-server is asynchronous: reusing a socket races it);
# each is killed by its -L name as the session ends, and all of them at exit.
SOCKS=""
export TMUX_TMPDIR="$T_TMP" # the sockets go with the test's files
tm() { tmux -L "$SOCK" "$@"; }
tm_start() { # NAME COLSxROWS COMMAND: a session on server kontor-TEST-PID-NAME
	SOCK="kontor-$(basename "$0" .sh)-$$-$1"
	SOCKS="$SOCKS $SOCK"
	tmux -L "$SOCK" new-session -d -x "${2%x*}" -y "${2#*x}" "$3"
}
# shellcheck disable=SC2154 # s is the trap's own loop variable
trap 'for s in $SOCKS; do tmux -L "$s" kill-server 2>/dev/null; done; t_cleanup' EXIT

# screen: the pane as text. wait_for REGEX [TENTHS]: up to TENTHS/10 s (default
# $WAIT_TENTHS, else 10 s) for the pane to show it; the last pane is left in $T_TMP/pane.
screen() { tm capture-pane -p; }
wait_for() {
	_i=0
	while [ $_i -lt "${2:-${WAIT_TENTHS:-100}}" ]; do
		screen >"$T_TMP/pane"
		grep -Eq -- "$1" "$T_TMP/pane" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# ui HOME SIZE SCRIPT-FILE [ENV...]: a scripted run of kontor tui in tmux at SIZE; waits
# (up to $UI_TENTHS/10 s, default 30 s) for its end. The script's :dump lines leave the
# screens in files.
RUN=0
ui() {
	RUN=$((RUN + 1))
	_home=$1 _size=$2 _script=$3
	shift 3
	tm_start "run$RUN" "$_size" "env $* KONTOR_HOME=$_home KONTOR_UI_SCRIPT=$_script TERM=screen-256color $KONTOR tui; echo SCRIPT-EXIT \$?; sleep 60"
	wait_for 'SCRIPT-EXIT' "${UI_TENTHS:-300}" || t_fail "scripted run $RUN ends" "$(cat "$T_TMP/pane")"
	grep -q 'SCRIPT-EXIT 0' "$T_TMP/pane" || t_fail "scripted run $RUN exits 0" "$(cat "$T_TMP/pane")"
	tm kill-server 2>/dev/null
}
# settle: script lines that give the background sync time to push, pull and redraw (a
# key between the sleeps, <Resize>, which only redraws, lets the main loop take the sync's
# news; a letter bound to nothing would say so on the status line)
settle() { for _s in 1 2 3 4 5 6 7 8 9 10; do printf ':sleep 500\n<Resize>\n'; done; }
# downs FROM TO: script lines that move the cursor from screen line FROM down to line TO (a
# row found in a :dump by grep -n)
downs() { _k=$1; while [ "$_k" -lt "${2:-0}" ]; do echo '<Down>'; _k=$((_k + 1)); done; }
