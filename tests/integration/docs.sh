#!/bin/sh
# The commands the documentation shows are the commands kontor has. Every `kontor SUBCOMMAND`
# in a code block of README.md (``` fences) and in a .nf block of man/kontor.1 must be a
# command of the built kontor's `help --json` (a group word such as `listing` alone is not),
# and every --option written after it must be in that command's `kontor help CMD` or in the
# global options of `kontor help`. First the checker is shown to catch a made-up command and
# a made-up option in a sample of its own, so a check that passes has looked.
. "$(dirname "$0")/../lib.sh"

"$KONTOR" help --json >"$T_TMP/cmds.json" 2>"$T_TMP/err" ||
	{ t_fail "kontor help --json" "$(cat "$T_TMP/err")"; t_done; exit 1; }
sed -n 's/.*"command":"\([^"]*\)".*/\1/p' "$T_TMP/cmds.json" >"$T_TMP/cmds"
"$KONTOR" help | sed -n '1,/^ *COMMAND/p' >"$T_TMP/global"
t_match "help --json lists the commands (listing add, wallet withdraw, inbox)" \
	"$(tr '\n' ',' <"$T_TMP/cmds")" 'listing add,.*wallet withdraw,.*inbox,'

# segments FILE: "LINE<TAB>kontor ..." for every kontor command in FILE's code blocks:
# continuation lines joined, comments (a # after a blank) dropped, split at && ; | $( and
# a leading "$ " prompt and VAR=value words taken off.
segments() {
	awk -v man="$(case $1 in *.[0-9]) echo 1 ;; esac)" '
	function emit(s, n,   parts, i, k, seg) {
		sub(/(^|[ \t])#.*$/, "", s)
		k = split(s, parts, /&&|;|\||\$\(/)
		for (i = 1; i <= k; i++) {
			seg = parts[i]
			sub(/^[ \t]*(\$[ \t]+)?/, "", seg)
			while (seg ~ /^[A-Z_][A-Z0-9_]*=[^ \t]*[ \t]+/)
				sub(/^[A-Z_][A-Z0-9_]*=[^ \t]*[ \t]+/, "", seg)
			if (seg ~ /^kontor([ \t]|$)/)
				printf "%d\t%s\n", n, seg
		}
	}
	{
		line = $0
		if (man == 1) {
			if (line ~ /^\.nf/) { inb = 1; next }
			if (line ~ /^\.fi/) { inb = 0; next }
			gsub(/\\-/, "-", line); gsub(/\\e/, "\\", line); gsub(/\\&/, "", line)
			gsub(/\\\(dq/, "\"", line)
		} else if (line ~ /^```/) { inb = !inb; acc = ""; next }
		if (!inb) next
		if (acc == "") start = NR
		if (line ~ /\\$/) { sub(/\\$/, " ", line); acc = acc line; next }
		emit(acc line, start)
		acc = ""
	}' "$1"
}

# check FILE: one line per mistake, "FILE:LINE: why: the command"; none when all is well.
# The number of commands it looked at goes to $T_TMP/n (it runs in a subshell).
check() {
	NCHECKED=0 file=$1
	segments "$file" >"$T_TMP/segs"
	: >"$T_TMP/bad"
	while IFS="	" read -r n seg; do
		NCHECKED=$((NCHECKED + 1))
		set -f
		# shellcheck disable=SC2086 # split into words on purpose
		set -- $seg
		set +f
		shift # kontor
		while [ $# -gt 0 ]; do # global options before the command
			case $1 in
			--home | --node | --passphrase-file) shift 2 ;;
			-*) shift ;;
			*) break ;;
			esac
		done
		w1=${1:-} w2=${2:-}
		case $w1 in '' | [!a-z]*) continue ;; esac # kontor alone: the UI
		if [ -n "$w2" ] && grep -qxF "$w1 $w2" "$T_TMP/cmds"; then
			cmd="$w1 $w2"
			shift 2
		elif grep -qxF "$w1" "$T_TMP/cmds"; then
			cmd=$w1
			shift
		else
			echo "${file##*/}:$n: no such command: $seg" >>"$T_TMP/bad"
			continue
		fi
		help="$T_TMP/help-$(echo "$cmd" | tr ' ' '_')"
		# shellcheck disable=SC2086 # the command's words, one argument each
		[ -f "$help" ] || "$KONTOR" help $cmd >"$help" 2>&1
		for w in "$@"; do
			case $w in --[a-z]*) ;; *) continue ;; esac
			o=${w%%=*}
			if ! grep -qe "$o\([^a-z-]\|$\)" "$help" "$T_TMP/global"; then
				echo "${file##*/}:$n: kontor $cmd has no option $o: $seg" >>"$T_TMP/bad"
			fi
		done
	done <"$T_TMP/segs"
	echo "$NCHECKED" >"$T_TMP/n"
	cat "$T_TMP/bad"
}

# --- the checker catches what it is for ------------------------------------------------------
cat >"$T_TMP/sample.md" <<'EOF'
Text outside a block: kontor nonsense here is prose.

```sh
kontor sync && kontor inbox          # fine: kontor frobnicate in a comment is not a command
kontor listing publish --sku TL-71   # no such command (listing alone is a group)
KONTOR_HOME=/tmp/x kontor wallet withdraw 10 USD --fast \
    --json
$ kontor search table legs --max-price 15
```
EOF
bad=$(check "$T_TMP/sample.md")
t_eq "the sample has five commands in blocks (prose and comments are not)" "$(cat "$T_TMP/n")" 5
t_match "a made-up subcommand is caught" "$bad" ':5: no such command: kontor listing publish'
t_match "a made-up option of a real command is caught, across a continuation line" "$bad" \
	'kontor wallet withdraw has no option --fast'
t_eq "and nothing else: real commands, their options and global options pass" \
	"$(printf '%s\n' "$bad" | grep -c .)" 2

# --- the documentation ------------------------------------------------------------------------
for f in README.md man/kontor.1; do
	bad=$(check "$T_ROOT/$f")
	t_eq "$f: every kontor command in a code block is a real command with real options" "$bad" ""
	NCHECKED=$(cat "$T_TMP/n")
	if [ "$NCHECKED" -ge 20 ]; then
		t_ok "$f: its code blocks were read ($NCHECKED kontor commands)"
	else
		t_fail "$f: its code blocks were read" "only $NCHECKED kontor commands found"
	fi
done
t_done
