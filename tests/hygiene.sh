#!/bin/sh
# Checks of the tree itself that no compiler makes: a test assertion that cannot fail, and a
# file that reads outside the repository (a person who clones kontor has only the clone).
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
check() { # name, offending lines (empty = pass)
	if [ -z "$2" ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); echo "FAIL - $1"; echo "$2" | sed 's/^/    /'
	fi
}
# The patterns are spelled in pieces so this file does not match itself.
or1='|| ''1)'
true1='assert_true(''1)'
check "no test asserts a condition that cannot fail ($or1, $true1)" \
	"$(grep -rnF -e "$or1" -e "$true1" tests src --include='*.c' --include='*.h' 2>/dev/null)"
shared='\.\./''shared'
check "nothing in src, tests, scripts or the Makefile reads the sibling folder shared/" \
	"$(grep -rnE "$shared" src include tests scripts Makefile 2>/dev/null)"
# The TUI runs a command with the context's streams pointed at a buffer of its own and reads
# what it did from the command's result: it never moves its own descriptors (issue 12).
check "the TUI never redirects its own stdin, stdout or stderr (dup2, tmpfile, freopen)" \
	"$(grep -nE 'dup2\(|tmpfile\(|freopen\(' src/client/ui/*.c 2>/dev/null)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
