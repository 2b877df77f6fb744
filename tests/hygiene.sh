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
# A control character in a man page or the README (a "\f" a script wrote as a form feed)
# prints as garbage where a font change was meant.
check "no control characters in the man pages or the README (but tab and newline)" \
	"$(grep -nP '[\x00-\x08\x0b-\x1f\x7f]' man/* README.md 2>/dev/null)"
shared='\.\./''shared'
check "nothing in src, tests, scripts or the Makefile reads the sibling folder shared/" \
	"$(grep -rnE "$shared" src include tests scripts Makefile 2>/dev/null)"
# The TUI runs a command with the context's streams pointed at a buffer of its own and reads
# what it did from the command's result: it never moves its own descriptors (issue 12).
check "the TUI never redirects its own stdin, stdout or stderr (dup2, tmpfile, freopen)" \
	"$(grep -nE 'dup2\(|tmpfile\(|freopen\(' src/client/ui/*.c 2>/dev/null)"
# The TUI's files reach each other through the view table (views.c: ops->action, ->free,
# ...), not by calling each other in a circle (issue 12). Which file calls which is read
# from the sources: a name defined (not static) in one file and named in another is a call.
# It prints how many files it read, then the files in a cycle. The files in a cycle are
# listed below (none since the views reach each other through views.c alone); a file that
# joins one, or a new cycle, fails. Shrink the list as cycles are taken apart; never grow it.
ui_cycles() {
	python3 - src/client/ui <<'EOF'
import glob, os, re, sys
files = sorted(glob.glob(sys.argv[1] + '/*.c'))
table = {'views.c', 'keys.c'}  # the view and key tables: pointers, the seam itself
defs, src = {}, {}
for f in files:
    s = open(f).read()
    s = re.sub(r'/\*.*?\*/', ' ', s, flags=re.S)
    s = re.sub(r'"(\\.|[^"\\])*"', '""', s)
    src[f] = s
    for m in re.finditer(r'^(?!static)[a-z][^;{}()=]*?\b([a-z_][a-z0-9_]*)\s*\([^;{]*\)\s*\{', s, re.M):
        defs[m.group(1)] = f
edges = {f: set() for f in files}
for f in files:
    if os.path.basename(f) in table:
        continue
    for w in set(re.findall(r'\b[a-z_][a-z0-9_]*\b', src[f])):
        g = defs.get(w)
        if g and g != f and os.path.basename(g) not in table:
            edges[f].add(g)
def reach(a):
    seen, todo = set(), [a]
    while todo:
        for n in edges[todo.pop()]:
            if n not in seen:
                seen.add(n); todo.append(n)
    return seen
print(len(files))
print(' '.join(sorted(os.path.basename(f) for f in files if f in reach(f))))
EOF
}
cyc_known=""
cyc_out=$(ui_cycles)
cyc_read=$(echo "$cyc_out" | sed -n 1p)
cyc_now=$(echo "$cyc_out" | sed -n 2p)
cyc_new=""
for f in $cyc_now; do
	case " $cyc_known " in *" $f "*) ;; *) cyc_new="$cyc_new $f" ;; esac
done
check "no file in src/client/ui joins a call cycle outside the view table (known:$(echo "$cyc_known" | wc -w | tr -d ' ') files)" \
	"$( [ "${cyc_read:-0}" -gt 10 ] 2>/dev/null || echo "the cycle check read ${cyc_read:-no} files of src/client/ui/*.c (more than 10 expected): $cyc_out"; [ -z "$cyc_new" ] || echo "in a call cycle now:$cyc_new")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
