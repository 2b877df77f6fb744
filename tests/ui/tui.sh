#!/bin/sh
# The terminal UI on a real terminal: a cache built by the real CLI, then `kontor tui` in a
# private tmux server (send-keys, capture-pane, resize-window) and in script mode
# (KONTOR_UI_SCRIPT with :dump). Proves the first screen, search, a listing, back, CJK
# alignment, escape sequences drawn as harmless text, the honest empty Chat tab, help from
# the key table, the ':' prompt, chat compose, and the size rules (80x24 minimum).
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
# Defaults only: a developer's own ~/.config/kontor/config must not change what is tested.
export KONTOR_CONFIG=/dev/null
WAIT_TENTHS=50 # wait_for: up to 5 s

H="$T_TMP/home"
k() { "$KONTOR" --home "$H" "$@"; }
unset KONTOR_PASSPHRASE NO_COLOR

# --- a cache made by the real CLI (no node: each add exits 4, queued) ----------------
k init --name "Shenzhen Iron Works" --country CN --no-passphrase >/dev/null 2>&1
t_run "listing add (ASCII title) queues" 4 k listing add --sku TL-71 --title "Iron table legs, black, 71 cm" \
	--price 12.50 --currency USD --moq 10 --tier 100:11.00 --origin CN --incoterm FOB \
	--description "Powder-coated steel legs for desks and dining tables. Four per set."
t_run "listing add (CJK title) queues" 4 k listing add --sku TL-CJK --title "铁艺桌腿 黑色" \
	--price 9.80 --currency USD --moq 50 --origin CN
t_run "listing add (third) queues" 4 k listing add --sku HK-1 --title "Steel wall hooks" \
	--price 0.35 --currency USD --moq 1000
EVIL=$(printf 'Evil \033[31mred\033[0m title')
t_run "the CLI refuses a title with an escape sequence" 2 k listing add --sku EVIL --title "$EVIL" \
	--price 1 --currency USD
# The cache can still hold one (an older kontor, a hostile or broken source): plant it,
# so the screen's own sanitising is what is tested.
k listing add --sku EVIL --title "Evil red title" --price 1 --currency USD >/dev/null 2>&1
sqlite3 "$H/cache.db" "UPDATE listings SET title = 'Evil ' || char(27) || '[31mred' || char(27) || '[0m title' WHERE sku = 'EVIL'"
t_match "the planted title holds an ESC byte" "$(sqlite3 "$H/cache.db" "SELECT hex(title) FROM listings WHERE sku = 'EVIL'")" '1B5B33316D'

t_run "tui without a terminal says it needs one" 2 k tui </dev/null
t_match "the refusal names the terminal" "$T_ERR" 'needs a terminal'

# --- interactive, in tmux ------------------------------------------------------------
tm_start s1 100x30 "KONTOR_HOME=$H TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'queued' && t_ok "the first screen draws" || t_fail "the first screen draws" "$(cat "$T_TMP/pane")"
S=$(screen)
t_match "tabs along the top" "$(printf '%s\n' "$S" | head -n 1)" '1 Search +2 Chat +3 Orders +4 Contracts +5 Shipments'
t_match "status line: no node and the queue" "$(printf '%s\n' "$S" | tail -n 1)" 'no node · [0-9]+ queued'
t_match "the query line is there" "$S" '^Search:'
t_match "the filter bar is there" "$S" 'filters: none'
t_match "every cached listing is listed" "$S" 'Steel wall hooks'
t_nomatch "no ESC byte reaches the screen" "$(tm capture-pane -p | od -An -c)" '033'
t_match "the escape-sequence title shows as its words" "$S" 'Evil red title'

# CJK alignment: the (right-aligned) price and MOQ columns end in the same display
# column on a CJK row and an ASCII row (wc -L measures display width, two columns for each
# CJK character). The ASCII row's price is its price at the MOQ "from" its best tier.
col_end() { # REGEX PREFIX -> display column where PREFIX ends on the row matching REGEX
	printf '%s\n' "$S" | grep -E -- "$1" | head -n 1 | sed "s/\($2\).*/\1/" | wc -L | tr -d ' '
}
A=$(col_end 'Iron table legs' '.*from 11\.00')
C=$(col_end '铁艺桌腿' '.*USD 9\.80')
[ -n "$A" ] && [ "$A" = "$C" ] && t_ok "the CJK row's price ends where the ASCII row's does" ||
	t_fail "the CJK row's price ends where the ASCII row's does" "ASCII at $A, CJK at $C"
A=$(col_end 'Iron table legs' '.*from 11\.00 *10')
C=$(col_end '铁艺桌腿' '.*USD 9\.80 *50')
[ -n "$A" ] && [ "$A" = "$C" ] && t_ok "the CJK row's MOQ ends where the ASCII row's does" ||
	t_fail "the CJK row's MOQ ends where the ASCII row's does" "ASCII at $A, CJK at $C"

tm send-keys / i r o n Enter
wait_for '1 shown of 1' && t_ok "/ + words + Enter searches" || t_fail "/ + words + Enter searches" "$(tail -n 1 "$T_TMP/pane")"
S=$(screen)
t_match "the result is the iron legs" "$S" '^> Iron table legs'
t_nomatch "other listings are gone" "$S" 'Steel wall hooks'
tm send-keys Enter
wait_for '^Price' && t_ok "Enter opens the listing" || t_fail "Enter opens the listing" "$(head -n 5 "$T_TMP/pane")"
S=$(screen)
t_match "the listing shows its price tiers" "$S" 'from +100 +USD 11\.00'
t_match "the listing shows its MOQ" "$S" 'MOQ 10'
t_match "the listing shows Incoterms" "$S" 'Incoterms FOB'
t_match "the listing shows the supplier" "$S" 'Supplier +Shenzhen Iron Works'
t_match "other listings of the supplier are listed" "$S" '铁艺桌腿'
tm send-keys q
wait_for '^filters:' && t_ok "q goes back to the results" || t_fail "q goes back to the results" "$(head -n 5 "$T_TMP/pane")"
tm send-keys / C-u 'iron currency:USD max:20' Enter
wait_for '^filters: currency' || true
t_match "the filter bar lists the filters with no stray separator" "$(screen)" '^filters: currency USD · max 20\.00  ·  sorted by relevance'

tm send-keys 2
wait_for 'no conversations' && t_ok "the Chat tab says there are no conversations" || t_fail "the Chat tab says there are no conversations" "$(head -n 5 "$T_TMP/pane")"
t_nomatch "the Chat tab's status line keeps no count of the Search tab's results" "$(tail -n 1 "$T_TMP/pane")" 'shown of'
tm send-keys 1
wait_for '^ [0-9]+ shown of [0-9]+ ' && t_ok "back on the Search tab, its count is said again" ||
	t_fail "back on the Search tab, its count is said again" "$(tail -n 1 "$T_TMP/pane")"
tm send-keys 2
wait_for 'no conversations' || true
tm send-keys 3
wait_for 'No orders yet\. Propose a contract with :contract propose' && t_ok "the empty Orders tab says what to do" || t_fail "the empty Orders tab says what to do" "$(head -n 5 "$T_TMP/pane")"
t_nomatch "the Orders tab shows no made-up rows" "$(screen | sed -n '5,28p')" '[A-Za-z]'
tm send-keys p
wait_for '^ p: pay, in the order view \(\? lists this view.s keys\)' && t_ok "p on the Orders list says it pays in an order" ||
	t_fail "p on the Orders list says it pays in an order" "$(tail -n 1 "$T_TMP/pane")"
tm send-keys z
wait_for '^ z: no such key here \(\? lists the keys\)' && t_ok "a key bound nowhere says so" ||
	t_fail "a key bound nowhere says so" "$(tail -n 1 "$T_TMP/pane")"

tm send-keys '?'
wait_for 'move-down' && t_ok "? shows help" || t_fail "? shows help" "$(head -n 5 "$T_TMP/pane")"
S=$(screen)
t_match "help names the keys with their actions" "$S" '<PgDn> +page-down'
t_match "help opened on Orders shows the Orders keys first" "$(printf '%s\n' "$S" | sed -n 4,6p)" \
	'^in orders \(this view\):$'
tm send-keys PgDn
wait_for ': +prompt' && t_ok "help shows the : prompt, a page down" || t_fail "help shows the : prompt, a page down" "$(cat "$T_TMP/pane")"
tm send-keys g
wait_gone() { # REGEX: up to 10 s for the pane to stop showing it
	_i=0
	while [ $_i -lt 100 ]; do
		screen >"$T_TMP/pane"
		grep -Eq -- "$1" "$T_TMP/pane" || return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
tm send-keys q 1 : 'listing list' Enter
wait_for '\[4 lines\]' && t_ok ": runs listing list and reports in the status line" || t_fail ": runs listing list and reports in the status line" "$(tail -n 1 "$T_TMP/pane")"
S=$(screen)
t_match "its lines lie over the view, the command line their title" "$(printf '%s\n' "$S" | sed -n 2p)" '^:listing list$'
t_match "drawn as the UI draws them, a listing a row" "$(printf '%s\n' "$S" | sed -n '3,6p')" '^HK-1 +Steel wall hooks +USD +0\.35 +moq 1,000 pcs +stock -( |$)'
t_eq "each row fits the 100 columns: four rows, none run onto the next line" \
	"$(printf '%s\n' "$S" | sed -n '3,6p' | grep -cE '^(TL-71|TL-CJK|HK-1|EVIL) ')" 4
tm send-keys q
wait_gone '^:listing list$' && t_ok "q closes the output" || t_fail "q closes the output" "$(head -n 3 "$T_TMP/pane")"
t_nomatch "and nothing of it is left on the screen" "$(screen | sed -n '5,28p')" 'moq'
tm send-keys : 'frobnicate' Enter
wait_for "error: unknown command 'frobnicate'" && t_ok ": reports a bad command" || t_fail ": reports a bad command" "$(tail -n 1 "$T_TMP/pane")"
tm send-keys : 'frobnicate-a-command-whose-name-is-far-too-long-for-the-status-line-of-a-terminal' Enter
wait_for "error: unknown command 'frobnicate-a" && t_ok ": reports a long bad command" || t_fail ": reports a long bad command" "$(tail -n 1 "$T_TMP/pane")"
t_match "a message cut short never runs on into the status on its right" "$(tail -n 1 "$T_TMP/pane")" '[^ ]  +no node · [0-9]+ queued'

tm resize-window -x 60 -y 20
wait_for 'needs at least 80x24 \(this terminal is 60x20\)' && t_ok "a 60x20 terminal gets the size message" || t_fail "a 60x20 terminal gets the size message" "$(cat "$T_TMP/pane")"
t_nomatch "the small screen draws nothing else" "$(screen)" 'Search'
tm resize-window -x 100 -y 30
wait_for '1 Search' && t_ok "back at 100x30 it draws again" || t_fail "back at 100x30 it draws again" "$(cat "$T_TMP/pane")"
for size in 80x24 120x40; do
	tm resize-window -x "${size%x*}" -y "${size#*x}"
	sleep 0.3
	wait_for 'queued *$' || true
	S=$(screen)
	rows=$(printf '%s\n' "$S" | wc -l)
	wide=$(printf '%s\n' "$S" | wc -L | tr -d ' ')
	t_eq "at $size the screen has ${size#*x} rows" "$rows" "${size#*x}"
	[ "$wide" -le "${size%x*}" ] && t_ok "at $size no row is wider than ${size%x*}" || t_fail "at $size no row is wider than ${size%x*}" "$wide columns"
	t_match "at $size the tabs and the status line are there" "$(printf '%s\n' "$S" | head -n 1)$(printf '%s\n' "$S" | tail -n 1)" '(Shipments| 5 ).*queued'
	# the price column is as wide as the prices shown: at 80 the title keeps the rest, and
	# a title that is still too long says so with its last column
	case $size in
	80x24) t_match "at 80x24 the title has the room its price leaves, its cut marked" "$S" \
		'^> Iron table legs, black, 71… +USD 12\.50 from 11\.00 +10 ' ;;
	*) t_match "at $size the whole title" "$S" '^> Iron table legs, black, 71 cm +USD 12\.50 from' ;;
	esac
done
tm send-keys Q
wait_for 'TUI-EXIT 0' && t_ok "Q leaves with status 0" || t_fail "Q leaves with status 0" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null

# --- kontor with no command: the UI on a terminal, the usage (exit 2) without one --------
tm_start s1b 100x30 "KONTOR_HOME=$H TERM=screen-256color $KONTOR; echo TUI-EXIT \$?; sleep 60"
wait_for 'queued' && t_ok "kontor alone on a terminal opens the UI" || t_fail "kontor alone on a terminal opens the UI" "$(cat "$T_TMP/pane")"
t_match "kontor alone: the tabs are drawn" "$(screen | head -n 1)" '1 Search +2 Chat'
tm send-keys Q
wait_for 'TUI-EXIT 0' && t_ok "kontor alone: Q leaves with status 0" || t_fail "kontor alone: Q leaves with status 0" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null
t_run "kontor alone without a terminal exits 2" 2 env KONTOR_HOME="$H" "$KONTOR" </dev/null
t_match "kontor alone without a terminal prints the usage" "$T_ERR" '^usage: kontor'

# --- script mode (KONTOR_UI_SCRIPT) and chat ------------------------------------------
B="$T_TMP/buyer"
"$KONTOR" --home "$B" init --name "Berlin Buyer" --country DE --no-passphrase >/dev/null 2>&1
BID=$("$KONTOR" --home "$B" id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "chat send to the buyer queues" 4 k chat send "$BID" "Price list: 铁艺桌腿 at USD 9.80"
cat >"$T_TMP/script" <<EOF
:dump $T_TMP/d-first
/
hooks
<Enter>
:dump $T_TMP/d-hooks
2
:dump $T_TMP/d-chats
<Enter>
:dump $T_TMP/d-conv
i
Second line from the TUI
<Enter>
:dump $T_TMP/d-sent
?
:dump $T_TMP/d-help
<PgDn>
:dump $T_TMP/d-help1
G
:dump $T_TMP/d-help2
:quit
EOF
tm_start s2 100x30 "KONTOR_HOME=$H KONTOR_UI_SCRIPT=$T_TMP/script $KONTOR tui; echo SCRIPT-EXIT \$?; sleep 60"
wait_for 'SCRIPT-EXIT' && t_ok "a scripted run ends by itself" || t_fail "a scripted run ends by itself" "$(cat "$T_TMP/pane")"
t_match "the scripted run exits 0" "$(cat "$T_TMP/pane")" 'SCRIPT-EXIT 0'
t_match "dump: the first screen has the tabs" "$(head -n 1 "$T_TMP/d-first")" '1 Search +2 Chat'
t_eq "dump: one line per row" "$(wc -l <"$T_TMP/d-first" | tr -d ' ')" "30"
t_match "dump: CJK text is written as text" "$(cat "$T_TMP/d-first")" '铁艺桌腿 黑色'
t_match "dump: the search found the hooks" "$(cat "$T_TMP/d-hooks")" '^> Steel wall hooks'
t_nomatch "dump: only the hooks" "$(cat "$T_TMP/d-hooks")" 'Iron table legs'
t_match "dump: the conversation is listed by the other party (not cached: its id's start)" "$(cat "$T_TMP/d-chats")" "^[> ] $(printf '%.12s' "$BID")…"
t_match "dump: the list's row ends in the last message, yours" "$(cat "$T_TMP/d-chats")" \
	"^[> ] $(printf '%.12s' "$BID")….*  you: Price list: 铁艺桌腿 at USD 9\\.80"
t_match "dump: the message is opened with our key" "$(cat "$T_TMP/d-conv")" 'Price list: 铁艺桌腿 at USD 9\.80'
t_match "dump: a sent message shows in the conversation" "$(cat "$T_TMP/d-sent")" 'Second line from the TUI'
t_match "dump: sending reports in the status line" "$(tail -n 1 "$T_TMP/d-sent")" 'sent to .* in conversation [A-Za-z0-9_-]{8}, queued'
t_run "the sent message is in the outbox" 0 k outbox list
t_eq "two messages queued for the node" "$(printf '%s\n' "$T_OUT" | grep -c 'Message/set')" "2"

# --- NO_COLOR and an 8-colour terminal -------------------------------------------------
tm kill-server 2>/dev/null
tm_start s3 100x30 "NO_COLOR=1 TERM=xterm KONTOR_HOME=$H $KONTOR tui; sleep 60"
wait_for 'queued' || true
E=$(tm capture-pane -e -p)
t_nomatch "NO_COLOR: no colour on the screen" "$E" '\[(0;)?[34][0-7]m'
t_match "NO_COLOR: the cursor and the tab are reverse video" "$E" '\[(0;|1;)?7m'
tm kill-server 2>/dev/null
tm_start s4 100x30 "TERM=xterm KONTOR_HOME=$H $KONTOR tui; sleep 60"
wait_for 'queued' || true
E=$(tm capture-pane -e -p)
t_match "8 colours (TERM=xterm): the basic colours are used" "$E" '\[4[0-7]m'
t_match "8 colours: the screen is complete" "$(tm capture-pane -p | tail -n 1)" 'queued'
tm kill-server 2>/dev/null

# --- Ctrl-C is a key: it gives up a line or a question, and on a list asks to quit --------
# (issues 13, 17). This home has actions queued, so the question says why quitting loses.
tm kill-server 2>/dev/null
tm_start s5 80x24 "KONTOR_HOME=$H $KONTOR tui; echo TUI-EXIT \$?; stty -a; sleep 60"
wait_for 'queued' || true
tm send-keys :
tm send-keys -l 'order li'
wait_for '^:order li' || t_fail "the : line shows what is typed" "$(cat "$T_TMP/pane")"
tm send-keys C-c
wait_gone '^:order li' && t_ok "Ctrl-C gives up the : line being typed" || t_fail "Ctrl-C gives up the : line being typed" "$(cat "$T_TMP/pane")"
t_nomatch "Ctrl-C on a line neither quits nor asks" "$(screen)" 'TUI-EXIT|\(y/n\)'
tm send-keys C-c
wait_for '\(y/n\)$' || true
S=$(screen)
t_match "Ctrl-C on a list asks, saying the queued actions wait for a sync, ending with its keys" \
	"$S" '^Quit\? [0-9]+ actions? (is|are) still queued: (it goes|they go) at the next sync\. \(y/n\)$'
t_nomatch "the question fits 80 columns" "$(printf '%s\n' "$S" | awk 'length($0) > 80')" '.'
tm send-keys n
wait_gone '\(y/n\)$' && t_ok "n answers the question" || t_fail "n answers the question" "$(cat "$T_TMP/pane")"
t_match "n keeps the UI" "$(screen)" 'still here'
tm send-keys C-c
wait_for '\(y/n\)$' || t_fail "Ctrl-C asks again" "$(cat "$T_TMP/pane")"
tm send-keys C-c
wait_gone '\(y/n\)$' && t_ok "Ctrl-C on the question gives it up (no)" || t_fail "Ctrl-C on the question gives it up (no)" "$(cat "$T_TMP/pane")"
t_nomatch "and the UI stays" "$(screen)" 'TUI-EXIT'
tm send-keys q
wait_for '^Quit\? .*queued.*\(y/n\)$' && t_ok "q on a list with actions queued asks first, saying why" || t_fail "q on a list with actions queued asks first, saying why" "$(cat "$T_TMP/pane")"
tm send-keys y
wait_for 'TUI-EXIT' && t_ok "y quits" || t_fail "y quits" "$(cat "$T_TMP/pane")"
S=$(screen)
t_match "quitting: exit status 0" "$S" 'TUI-EXIT 0'
t_match "quitting: the terminal is back to canonical mode" "$S" '(^| )icanon'
t_match "quitting: the terminal echoes again" "$S" '(^| )echo '
tm kill-server 2>/dev/null

# --- q on a top-level list: at once, unless it throws work away (the demo, the outbox) ----
Q0="$T_TMP/q0"
"$KONTOR" --home "$Q0" init --name "Quiet Trader" --country DE --no-passphrase >/dev/null 2>&1
for _seq in $("$KONTOR" --home "$Q0" outbox list --json 2>/dev/null | sed -n 's/.*"seq":\([0-9]*\).*/\1/p'); do
	"$KONTOR" --home "$Q0" outbox drop "$_seq" >/dev/null 2>&1
done
t_eq "a home with nothing queued" "$("$KONTOR" --home "$Q0" outbox list --json 2>/dev/null | grep -c '"seq"')" "0"
printf 'q\n:dump %s\n:quit\n' "$T_TMP/d-q-plain" >"$T_TMP/s-q"
ui "$Q0" 80x24 "$T_TMP/s-q"
[ ! -e "$T_TMP/d-q-plain" ] && t_ok "q on a list with nothing queued quits at once" || t_fail "q on a list with nothing queued quits at once" "$(cat "$T_TMP/d-q-plain")"
for size in 80x24 100x30; do
	printf 'q\n:dump %s\nn\n:dump %s\n:quit\n' "$T_TMP/d-q-demo-$size" "$T_TMP/d-q-demo-n-$size" >"$T_TMP/s-qd"
	ui "$Q0" "$size" "$T_TMP/s-qd" KONTOR_DEMO=1
	t_match "in the demo at $size, q asks first, saying the demo's files go, ending with its keys" \
		"$(tail -n 2 "$T_TMP/d-q-demo-$size" | tr '\n' ' ')" 'Quit the demo\? Its node stops and its files go \(DEMO_KEEP=1 keeps them\)\. \(y/n\)'
	t_nomatch "at $size the question fits" "$(awk -v w="${size%x*}" 'length($0) > w' "$T_TMP/d-q-demo-$size")" '.'
	t_nomatch "n keeps the demo's TUI at $size" "$(cat "$T_TMP/d-q-demo-n-$size")" '\(y/n\)'
	t_match "n: still on the list at $size" "$(head -n 1 "$T_TMP/d-q-demo-n-$size")" '1 Search'
done
printf 'q\n:dump %s\n:quit\n' "$T_TMP/d-q-keep" >"$T_TMP/s-qk"
ui "$Q0" 80x24 "$T_TMP/s-qk" KONTOR_DEMO=1 DEMO_KEEP=1
[ ! -e "$T_TMP/d-q-keep" ] && t_ok "in the demo with DEMO_KEEP=1 (nothing lost), q quits at once" || t_fail "with DEMO_KEEP=1 q quits at once" "$(cat "$T_TMP/d-q-keep")"

# --- the tab bar at 80 and 100 columns: every tab's number and name ------------------------
for size in 80x24 100x30; do
	printf '3\n:dump %s\n?\n:dump %s\n:quit\n' "$T_TMP/d-tabs-$size" "$T_TMP/d-tabs-help-$size" >"$T_TMP/s-tabs"
	ui "$Q0" "$size" "$T_TMP/s-tabs"
	T=$(head -n 1 "$T_TMP/d-tabs-$size")
	t_match "at $size the tab bar shows the current tab's name" "$T" ' 3 Orders '
	t_match "at $size the tab bar names every tab, in order" "$T" \
		'^ 1 Search .*2 Chat .*3 Orders .*4 Contracts .*5 Shipments .*6 Inbox .*7 Listings .*8 RFQs'
	[ "${#T}" -le "${size%x*}" ] && t_ok "at $size the tab bar fits" || t_fail "at $size the tab bar fits" "$T"
	# the hint stays on screen: on the tab bar where it fits, else on the status line
	t_match "at $size the screen says ? is help" "$(head -n 1 "$T_TMP/d-tabs-$size"; tail -n 1 "$T_TMP/d-tabs-$size")" '\? help'
	t_match "at $size the help says q closes it" "$(head -n 1 "$T_TMP/d-tabs-help-$size"; tail -n 1 "$T_TMP/d-tabs-help-$size")" 'q closes'
	t_match "at $size the help keeps every tab's name" "$(head -n 1 "$T_TMP/d-tabs-help-$size")" '2 Chat .*8 RFQs'
done

# --- SIGTERM ends the UI and leaves the terminal as it was --------------------------------
tm_start s5b 100x30 "KONTOR_HOME=$H sh -c 'echo \$\$ >$T_TMP/tui.pid; exec $KONTOR tui'; echo TUI-EXIT \$?; stty -a; sleep 60"
wait_for 'queued' || true
kill -TERM "$(cat "$T_TMP/tui.pid")"
wait_for 'TUI-EXIT' && t_ok "SIGTERM ends the UI" || t_fail "SIGTERM ends the UI" "$(cat "$T_TMP/pane")"
S=$(screen)
t_match "SIGTERM: exit status 1, saying why" "$S" 'stopped by signal 15'
t_match "SIGTERM: the terminal is back to canonical mode" "$S" '(^| )icanon'
t_match "SIGTERM: the terminal echoes again" "$S" '(^| )echo '
tm kill-server 2>/dev/null

# --- with a real node: the status line, a summary from a pull, a message from the other side
t_make_ca "$T_TMP" || t_fail "test CA" "$(cat "$T_TMP/openssl.log")"
DB="$T_TMP/node.db"
"$KONTORD" init --db "$DB" --name "UI Test Node" >"$T_TMP/init.out" 2>&1
t_node_start "$T_TMP/serve.log" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key"
[ -n "$PORT" ] && t_ok "kontord is up" || t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"
URL="https://127.0.0.1:$PORT"
S2="$T_TMP/s2" B2="$T_TMP/b2"
"$KONTOR" --home "$S2" init --name "Ningbo Steel" --country CN --role supplier --no-passphrase >/dev/null 2>&1
"$KONTOR" --home "$B2" init --name "Berlin Interiors" --country DE --no-passphrase >/dev/null 2>&1
B2ID=$("$KONTOR" --home "$B2" id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller adds a node" 0 "$KONTOR" --home "$S2" node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "buyer adds a node" 0 "$KONTOR" --home "$B2" node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "seller's listing reaches the node" 0 "$KONTOR" --home "$S2" listing add --sku NB-1 \
	--title "Galvanised steel brackets" --price 0.80 --currency USD --moq 500 --origin CN
t_run "seller writes to the buyer" 0 "$KONTOR" --home "$S2" chat send "$B2ID" "Brackets in stock, 500 minimum"
S3="$T_TMP/rattan"
"$KONTOR" --home "$S3" init --name "Hai Phong Rattan" --country VN --role supplier --no-passphrase >/dev/null 2>&1
t_run "a second seller adds the node" 0 "$KONTOR" --home "$S3" node add main "$URL" --ca-file "$T_TMP/ca.pem"
sleep 1 # a later second: the conversations' order is their last change's
t_run "and writes to the buyer later" 0 "$KONTOR" --home "$S3" chat send "$B2ID" "Rattan baskets, 100 minimum"
t_run "buyer syncs" 0 "$KONTOR" --home "$B2" sync
printf '%s\n' ":dump $T_TMP/n-first" / brackets '<Enter>' '<Enter>' ":dump $T_TMP/n-listing" 2 \
	":dump $T_TMP/n-chats" j '<Enter>' ":dump $T_TMP/n-conv" :quit >"$T_TMP/script2"
tm_start s6 100x30 "KONTOR_HOME=$B2 KONTOR_UI_SCRIPT=$T_TMP/script2 $KONTOR tui; echo SCRIPT-EXIT \$?; sleep 60"
wait_for 'SCRIPT-EXIT' && t_ok "the buyer's scripted run ends" || t_fail "the buyer's scripted run ends" "$(cat "$T_TMP/pane")"
t_match "status line: the node, synced just now, nothing queued" "$(tail -n 1 "$T_TMP/n-first")" 'node main · synced just now · 0 queued · [0-9.]+ (B|KiB) used'
t_match "the pulled listing is found" "$(cat "$T_TMP/n-listing")" 'Galvanised steel brackets'
t_match "a pulled summary says it is one, and which key fetches the rest" "$(cat "$T_TMP/n-listing")" 'summary — f fetches the signed listing: variants, stock, lead time'
t_match "the supplier's profile came with the pull" "$(cat "$T_TMP/n-listing")" 'Supplier +Ningbo Steel'
t_match "the conversation names the seller with one unread" "$(cat "$T_TMP/n-chats")" 'Ningbo Steel +1 unread'
t_match "the newest conversation first, each with its last change's day and time, then its last message" \
	"$(sed -n 3,4p "$T_TMP/n-chats" | tr '\n' '|')" \
	'^> Hai Phong Rattan +1 unread  [0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}  Rattan baskets, 100 minimum *\|  Ningbo Steel +1 unread  [0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}  Brackets in stock, 500 minimum *\|$'
t_match "the seller's message opens with the buyer's key" "$(cat "$T_TMP/n-conv")" 'Brackets in stock, 500 minimum'
t_match "the message names its sender" "$(cat "$T_TMP/n-conv")" '  Ningbo Steel$'
t_match "the head says its keys before the conversation's id, which it gives as commands take it" \
	"$(sed -n 2p "$T_TMP/n-conv")" '^Conversation with Ningbo Steel +i writes · q back +[A-Za-z0-9_-]{8}$'
tm kill-server 2>/dev/null
t_node_stop

# --- a locked key in a scripted run: said in the status line, never a hung prompt --------
L="$T_TMP/locked"
KONTOR_PASSPHRASE="locked test passphrase" "$KONTOR" --home "$L" init --name "Locked Ltd" --country GB >/dev/null 2>&1
printf '%s\n' : 'listing add --sku X-1 --title Widget --price 1 --currency USD' '<Enter>' \
	":dump $T_TMP/l-add" : 'listing list' '<Enter>' ":dump $T_TMP/l-list" :quit >"$T_TMP/script4"
tm_start s8 100x30 "KONTOR_HOME=$L KONTOR_UI_SCRIPT=$T_TMP/script4 $KONTOR tui; echo SCRIPT-EXIT \$?; sleep 60"
wait_for 'SCRIPT-EXIT' && t_ok "a scripted run with a locked key ends" || t_fail "a scripted run with a locked key ends" "$(cat "$T_TMP/pane")"
t_match "a write with a locked key says so" "$(tail -n 1 "$T_TMP/l-add")" 'error: the key is locked'
t_match "a read needs no key" "$(tail -n 1 "$T_TMP/l-list")" 'no listings|done'
tm kill-server 2>/dev/null

# --- results come a page at a time: moving on fetches the next ------------------------
i=1
while [ $i -le 45 ]; do
	echo "listing add --sku BOLT-$i --title \"Hex bolt M8 number $i\" --price 0.$((10 + i)) --currency USD"
	i=$((i + 1))
done >"$T_TMP/bolts"
t_run "45 more listings (one batch)" 4 k batch "$T_TMP/bolts"
printf '%s\n' / bolt '<Enter>' ":dump $T_TMP/p-first" G G ":dump $T_TMP/p-last" :quit >"$T_TMP/script3"
tm_start s7 100x30 "KONTOR_HOME=$H KONTOR_UI_SCRIPT=$T_TMP/script3 $KONTOR tui; echo SCRIPT-EXIT \$?; sleep 60"
wait_for 'SCRIPT-EXIT' && t_ok "the paging run ends" || t_fail "the paging run ends" "$(cat "$T_TMP/pane")"
t_match "the first page is part of the results" "$(tail -n 1 "$T_TMP/p-first")" '[0-9]+ shown of 45'
t_nomatch "the first page is not all of them" "$(tail -n 1 "$T_TMP/p-first")" '45 shown of 45'
t_match "moving to the end fetched the rest" "$(tail -n 1 "$T_TMP/p-last")" '45 shown of 45'
t_match "the cursor is on the last row" "$(cat "$T_TMP/p-last")" '^> Hex bolt M8 number'
tm kill-server 2>/dev/null

# the whole help, opened on Orders at 80 columns, on one tall screen: each view's keys once,
# together; a long description goes on below its key, none is cut
printf '3\n?\n:dump %s\n:quit\n' "$T_TMP/d-help-all" >"$T_TMP/s-help"
tm_start help 80x200 "KONTOR_HOME=$H KONTOR_UI_SCRIPT=$T_TMP/s-help $KONTOR tui; echo SCRIPT-EXIT \$?; sleep 60"
wait_for 'SCRIPT-EXIT 0' || t_fail "the help script runs" "$(cat "$T_TMP/pane")"
HA=$(cat "$T_TMP/d-help-all")
t_match "the help runs to its last line on 200 rows" "$HA" 'Search words may carry filters'
t_eq "its first section is the view it was opened on" "$(printf '%s\n' "$HA" | grep -m 1 '^in ')" 'in orders (this view):'
t_eq "no view's keys are split in two sections" "$(printf '%s\n' "$HA" | grep '^in ' | sort | uniq -d)" ''
t_match "the order's keys stand together, the event key with pay" \
	"$(printf '%s\n' "$HA" | sed -n '/^in order:$/,/^$/p' | tr '\n' ' ')" ' p +pay .* e +event '
t_nomatch "no description is cut" "$HA" '…'
t_match "a long one goes on under it, at its column" "$HA" '^  +q +back +back to the list; on a list, leave kontor \(asked$'
t_match "pay says it pays the stage that is due" "$HA" 'p +pay +pay the stage that is due into escrow'
tm kill-server 2>/dev/null

# help is the key table: every key it lists (top and bottom of the help) is in the man page
cat "$T_TMP/d-help" "$T_TMP/d-help1" "$T_TMP/d-help2" >"$T_TMP/help"
manhas() { grep -qF -- "$1" "$T_ROOT/man/kontor.1" || grep -qF -- "$(printf '%s' "$1" | sed 's/-/\\-/g')" "$T_ROOT/man/kontor.1"; }
t_match "help lists compose (a messages key)" "$(cat "$T_TMP/help")" 'i +compose'
n=0 missing=""
while read -r label name _; do
	n=$((n + 1))
	manhas "$label" && manhas "$name" || missing="$missing $label/$name"
done <<EOF2
$(grep -E '^  [^ ]+ +[a-z]+(-[a-z]+)* +[a-z]' "$T_TMP/help")
EOF2
[ "$n" -ge 25 ] && t_ok "help lists the key table ($n keys)" || t_fail "help lists the key table" "only $n keys"
t_eq "the man page's KEYS list every key of the table" "$missing" ""

t_done
