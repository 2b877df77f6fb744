#!/bin/sh
# Runs each libFuzzer target for a few seconds from its seed corpus (tests/fuzz/corpus/NAME).
secs=$1
shift
st=0
for bin in "$@"; do
	name=$(basename "$bin")
	seeds="tests/fuzz/corpus/${name#fuzz_}"
	work=$(mktemp -d)
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null
	echo "== $name (${secs}s)"
	if "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 "$work" 2>"$work.log"; then
		tail -n 1 "$work.log"
	else
		tail -n 40 "$work.log"; st=1
	fi
	rm -rf "$work" "$work.log"
done
exit $st
