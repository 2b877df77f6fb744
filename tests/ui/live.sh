#!/bin/sh
# The TUI kept live: a kontord over real TLS, two identities (A in the TUI inside tmux, B on
# the CLI). B's message shows in A's open conversation without a key pressed (/events); the
# status line says synced, then `offline · 1 queued` with the node gone, then synced again
# once it is back and the queued message went out; the UI answers keys while the node is
# SIGSTOPped mid-sync and quits at once even then; $EDITOR compose sends the scripted text
# (its temporary file gone after); `t` shows translations from tests/tools/ktranslate under
# the originals, and a second `t` costs no request (the cache); without translate-url `t`
# says so. sync-interval is 0 here, so only /events and writes start a sync.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
KTRANSLATE=${KTRANSLATE:-$T_BUILD/tools/ktranslate}
unset KONTOR_PASSPHRASE NO_COLOR VISUAL
export KONTOR_CONFIG=/dev/null
A="$T_TMP/a"
B="$T_TMP/b"
ka() { "$KONTOR" --home "$A" "$@"; }
kb() { "$KONTOR" --home "$B" "$@"; }
status_line() { screen | tail -n 1; }

# --- a node, a translation service, two identities -------------------------------------
trade_node "Live Test Node" "kontord is up"
"$KTRANSLATE" 2>"$T_TMP/kt.log" &
KT=$!
T_PIDS="$T_PIDS $KT"
i=0
while [ $i -lt 50 ] && ! grep -q listening "$T_TMP/kt.log"; do sleep 0.1; i=$((i + 1)); done
TPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T_TMP/kt.log")
[ -n "$TPORT" ] && t_ok "ktranslate is up" || t_fail "ktranslate is up" "$(cat "$T_TMP/kt.log")"
tcount() { curl -s "http://127.0.0.1:$TPORT/count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p'; }

ka init --name "Alice Imports" --country DE --no-passphrase >/dev/null 2>&1
kb init --name "Bo Hardware" --country CN --no-passphrase >/dev/null 2>&1
t_run "A adds the node" 0 ka node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "B adds the node" 0 kb node add main "$URL" --ca-file "$T_TMP/ca.pem"
AID=$(party_id ka)
t_run "B pulls A's profile" 0 kb sync
t_run "B writes to A" 0 kb chat send "$AID" "你好"
t_run "A pulls the conversation" 0 ka sync
CID=$(ka chat list --json | sed -n 's/.*"id":"\(C[^"]*\)".*/\1/p' | head -n 1)
[ -n "$CID" ] && t_ok "A has the conversation" || t_fail "A has the conversation" "$(ka chat list)"

# --- an encrypted key: asked once at start, then the TUI syncs; declined, the cache ------
C="$T_TMP/c"
env KONTOR_PASSPHRASE='carrot-garden-42' "$KONTOR" --home "$C" init --name "Cara Tools" --country PL >/dev/null 2>&1
t_run "C (encrypted key) adds the node" 0 env KONTOR_PASSPHRASE='carrot-garden-42' "$KONTOR" --home "$C" node add main "$URL" --ca-file "$T_TMP/ca.pem"
for size in 80x24 100x30; do
	tm_start "pass-$size" "$size" "KONTOR_HOME=$C TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
	wait_for 'assphrase' && t_ok "at $size the TUI asks for the passphrase before it starts" || t_fail "at $size the TUI asks for the passphrase" "$(cat "$T_TMP/pane")"
	tm send-keys -l 'carrot-garden-42'
	tm send-keys Enter
	wait_for 'node main · synced' 150 && t_ok "at $size with the passphrase given once, the TUI syncs" ||
		t_fail "at $size the TUI syncs after the passphrase" "$(cat "$T_TMP/pane")"
	t_nomatch "at $size: not locked" "$(screen)" 'key locked'
	tm send-keys Q
	wait_for 'TUI-EXIT 0' || t_fail "at $size Q leaves" "$(cat "$T_TMP/pane")"
	tm kill-server 2>/dev/null
done
tm_start pass-no 80x24 "KONTOR_HOME=$C TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'assphrase' || t_fail "the TUI asks for the passphrase" "$(cat "$T_TMP/pane")"
for _t in 1 2 3; do tm send-keys Enter; sleep 0.5; done
wait_for 'key locked' 100 && t_ok "declined: the TUI opens on the cache, saying the key is locked" ||
	t_fail "declined: the TUI opens on the cache" "$(cat "$T_TMP/pane")"
t_match "declined: the tabs are drawn" "$(screen | head -n 1)" '^ 1 '
t_nomatch "declined: it does not sync" "$(screen | tail -n 1)" 'synced'
tm send-keys Q
wait_for 'TUI-EXIT 0' || t_fail "declined: Q leaves" "$(cat "$T_TMP/pane")"
tm kill-server 2>/dev/null

# --- config: the new settings are checked -----------------------------------------------
printf 'set translate-url http://example.com\n' >"$T_TMP/bad.conf"
t_run "translate-url over http:// to another host is refused" 1 env KONTOR_CONFIG="$T_TMP/bad.conf" "$KONTOR" --home "$A" tui </dev/null
t_match "the refusal says why" "$T_ERR" 'http:// only for 127\.0\.0\.1 or localhost'
printf 'set sync-interval soon\n' >"$T_TMP/bad2.conf"
t_run "sync-interval must be seconds" 1 env KONTOR_CONFIG="$T_TMP/bad2.conf" "$KONTOR" --home "$A" tui </dev/null
t_match "the refusal names the setting" "$T_ERR" 'bad2.conf:1: sync-interval needs whole seconds'

cat >"$T_TMP/a.conf" <<EOF
set sync-interval 0
set translate-url http://127.0.0.1:$TPORT
set translate-lang en
EOF
mkdir -p "$T_TMP/tmp"
cat >"$T_TMP/ed.sh" <<'EOF'
#!/bin/sh
# The "editor": records its file's mode, writes the message, as a person would.
stat -c %a "$1" >"$(dirname "$1")/../ed-mode"
printf '\n  Guten Morgen, wir liefern am Montag.  \n\n' >"$1"
EOF
chmod +x "$T_TMP/ed.sh"

# --- A's TUI -------------------------------------------------------------------------------
tm_start a 100x30 "KONTOR_CONFIG=$T_TMP/a.conf EDITOR=$T_TMP/ed.sh TMPDIR=$T_TMP/tmp KONTOR_HOME=$A TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'synced just now' && t_ok "the status line says synced" || t_fail "the status line says synced" "$(status_line)"
t_match "the status line names the node and the bytes used" "$(status_line)" 'node main · synced just now · 0 queued · [0-9.]+ (B|KiB) used'
tm send-keys 2 Enter
wait_for '你好' && t_ok "the conversation opens" || t_fail "the conversation opens" "$(cat "$T_TMP/pane")"

# B writes; A presses nothing.
kb chat send "$CID" "Hallo Welt" >/dev/null 2>&1
wait_for 'Hallo Welt' 100 && t_ok "B's message shows in A's open chat without a key (/events)" ||
	t_fail "B's message shows without a key" "$(cat "$T_TMP/pane")"

# --- translations --------------------------------------------------------------------------
t_eq "no translation asked for yet" "$(tcount)" 0
tm send-keys t
wait_for '» \[de→en\] Hello world' && t_ok "t shows the translation under the original" ||
	t_fail "t shows the translation" "$(cat "$T_TMP/pane")"
wait_for '» \[zh→en\] Hello$' && t_ok "the CJK message is translated too" || t_fail "the CJK message is translated" "$(cat "$T_TMP/pane")"
S=$(screen)
t_match "the original stays above its translation" "$(printf '%s\n' "$S" | grep -A1 'Hallo Welt' | tr '\n' '|')" 'Hallo Welt\|.*Hello world'
N1=$(tcount)
t_eq "two texts, two requests" "$N1" 2
tm send-keys t
wait_for 'translations hidden' && t_ok "t again hides them" || t_fail "t again hides them" "$(cat "$T_TMP/pane")"
t_nomatch "no translation line is left" "$(screen)" '»'
tm send-keys t
wait_for 'Hello world' && t_ok "t once more shows them" || t_fail "t once more shows them" "$(cat "$T_TMP/pane")"
t_eq "from the cache: no new request" "$(tcount)" "$N1"

# --- $EDITOR compose -----------------------------------------------------------------------
tm send-keys E
wait_for 'Guten Morgen, wir liefern am Montag\.' && t_ok "E sends the text written in \$EDITOR" ||
	t_fail "E sends the editor's text" "$(cat "$T_TMP/pane")"
t_eq "the editor's file was private (0600)" "$(cat "$T_TMP/ed-mode" 2>/dev/null)" 600
t_eq "the temporary file is gone" "$(ls "$T_TMP/tmp" | wc -l)" 0
wait_for 'Good morning, we deliver on Monday' && t_ok "and it is translated as it arrives" || t_fail "the sent text is translated" "$(cat "$T_TMP/pane")"
wait_for 'synced just now' 100
kb sync >/dev/null 2>&1
t_run "B reads the conversation" 0 kb chat show "$CID"
t_eq "B got the editor's text, trimmed" "$(printf '%s\n' "$T_OUT" | grep -c '^  Guten Morgen, wir liefern am Montag\.$')" 1

# --- a stuck node never holds the screen ----------------------------------------------------
kill -STOP "$PID"
tm send-keys : sync Enter
wait_for 'syncing…' 30 && t_ok "a sync runs against the stopped node" || t_fail "a sync runs against the stopped node" "$(status_line)"
tm send-keys '?'
wait_for 'Keys \(from the key table' 10 && t_ok "a key is answered within 1 s while the sync hangs" ||
	t_fail "a key is answered while the sync hangs" "$(cat "$T_TMP/pane")"
screen >"$T_TMP/help"
for _p in 1 2 3 4 5; do tm send-keys PgDn; sleep 0.2; screen >>"$T_TMP/help"; done
t_match "help lists the editor key" "$(cat "$T_TMP/help")" 'E +compose-editor'
t_match "help lists the translate key" "$(cat "$T_TMP/help")" 't +translate'
t_match "the sync is still pending" "$(status_line)" 'syncing…'
tm send-keys q
kill -CONT "$PID"
wait_for 'synced just now' 150 && t_ok "after SIGCONT the status returns to synced" || t_fail "synced after SIGCONT" "$(status_line)"

# --- the node goes away, the message waits, the node comes back ---------------------------
t_node_stop
tm send-keys i 'sent while offline' Enter
wait_for 'offline · 1 queued' 100 && t_ok "status: offline · 1 queued" || t_fail "status: offline · 1 queued" "$(status_line)"
# issue 17: a message written offline is not shown as sent
wait_for 'you  … pending \(not on the node yet\)' 50 && t_ok "the message written offline is marked pending" ||
	t_fail "the message written offline is marked pending" "$(cat "$T_TMP/pane")"
t_match "the mark is on the message written offline" "$(grep -A1 'pending (not on the node yet)' "$T_TMP/pane")" 'sent while offline'
# shellcheck disable=SC2086
"$KONTORD" serve --db "$DB" --listen "127.0.0.1:$PORT" $TLS 2>"$T_TMP/serve2.log" &
PID=$!
T_PIDS="$T_PIDS $PID"
wait_for 'node main · synced just now' 150 && t_ok "with the node back, the status returns to synced" ||
	t_fail "synced after the restart" "$(status_line)"
t_match "nothing is queued any more" "$(status_line)" 'synced just now · 0 queued'
_i=0
while [ $_i -lt 100 ] && screen | grep -q 'pending (not on the node yet)'; do sleep 0.1; _i=$((_i + 1)); done
t_nomatch "once the node has it, the pending mark is gone" "$(screen)" 'pending \(not on the node yet\)'
t_match "and the message is still there" "$(screen)" 'sent while offline'
kb sync >/dev/null 2>&1
t_run "B reads the conversation again" 0 kb chat show "$CID"
t_match "the queued message went out" "$T_OUT" 'sent while offline'
# and B's answer arrives live after the restart (the stream reconnected)
kb chat send "$CID" "Der Preis ist zu hoch" >/dev/null 2>&1
wait_for 'Der Preis ist zu hoch' 100 && t_ok "after the restart /events works again" || t_fail "/events after the restart" "$(cat "$T_TMP/pane")"

t0=$(date +%s)
tm send-keys Q
wait_for 'TUI-EXIT 0' 50 && t_ok "Q leaves with status 0" || t_fail "Q leaves with status 0" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null

# --- the Chat tab keeps its cursor on its conversation when a sync reorders the rows -------
kc() { env KONTOR_PASSPHRASE='carrot-garden-42' "$KONTOR" --home "$C" "$@"; }
t_run "C pulls A's profile" 0 kc sync
t_run "C writes to A" 0 kc chat send "$AID" "Dzień dobry"
t_run "A pulls it before the TUI starts" 0 ka sync
tm_start keep 100x30 "KONTOR_HOME=$A TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'synced' && t_ok "A's TUI starts" || t_fail "A's TUI starts" "$(status_line)"
tm send-keys 2
wait_for '^> Cara Tools .*Dzień dobry' && t_ok "the Chat tab: C's conversation, the newest, on top under the cursor" ||
	t_fail "C's conversation on top under the cursor" "$(cat "$T_TMP/pane")"
sleep 1.1 # activity is dated to the second: B's message comes a second after C's
kb chat send "$CID" "Noch eine Frage" >/dev/null 2>&1
wait_for 'Noch eine Frage' 100 && t_ok "B's new message reaches the Chat tab without a key" ||
	t_fail "B's new message reaches the Chat tab" "$(cat "$T_TMP/pane")"
S=$(screen)
t_match "B's conversation moved to the top" "$(printf '%s\n' "$S" | sed -n 3p)" '^  Bo Hardware .*Noch eine Frage'
t_match "the cursor stayed on C's, now under it" "$(printf '%s\n' "$S" | sed -n 4p)" '^> Cara Tools .*Dzień dobry'
tm send-keys Q
wait_for 'TUI-EXIT 0' 50 || t_fail "Q leaves" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null

# --- without translate-url; quitting while the node hangs -------------------------------
tm_start b 100x30 "KONTOR_HOME=$A TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'synced' && t_ok "a second TUI starts" || t_fail "a second TUI starts" "$(status_line)"
tm send-keys 2 Enter t
wait_for 'no translate-url set \(see kontor\.conf\(5\)\)' && t_ok "t without translate-url says so" ||
	t_fail "t without translate-url says so" "$(cat "$T_TMP/pane")"
kill -STOP "$PID"
tm send-keys : sync Enter
wait_for 'syncing…' 30
t0=$(date +%s)
tm send-keys Q
wait_for 'TUI-EXIT 0' 40 && t_ok "Q leaves within 4 s while a sync hangs on the stopped node" ||
	t_fail "Q leaves while a sync hangs" "$(tail -n 3 "$T_TMP/pane")"
kill -CONT "$PID"
tm kill-server 2>/dev/null
t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0

t_done
