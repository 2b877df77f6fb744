#!/bin/sh
# The TUI's config file (kontor.conf(5)) on a real terminal: `bind` changes what a key
# does and `?` shows the bound key; `set theme` loads a shipped theme (mono draws no
# colour, dark draws 256 colours, NO_COLOR wins over it); a bad line stops `kontor tui`
# with exit 1 and FILE:LINE before anything is drawn; a `node` line is noted and ignored.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
WAIT_TENTHS=50 # wait_for: up to 5 s

H="$T_TMP/home"
k() { "$KONTOR" --home "$H" "$@"; }
unset KONTOR_PASSPHRASE NO_COLOR KONTOR_THEMES XDG_CONFIG_HOME
export HOME="$T_TMP" # no user config of the machine leaks in

# sgr_colours: the colour escapes tmux holds for the pane (30-37/40-47, 90-97, 38;5;N ...)
ESC=$(printf '\033')
sgr_colours() { tm capture-pane -p -e | grep -oE "$ESC\\[[0-9;]*m" | grep -cE '(^|[[;])(3[0-7]|4[0-7]|9[0-7]|10[0-7]|[34]8;5;[0-9]+)(;|m)'; }
kcfg() { _cf=$1; shift; env KONTOR_CONFIG="$_cf" "$KONTOR" --home "$H" "$@"; }

k init --name "Config Test" --country DE --no-passphrase >/dev/null 2>&1
for t in "Alpha oak desk" "Beta iron legs" "Gamma linen"; do
	k listing add --title "$t" --price 10 --currency EUR >/dev/null 2>&1
done
t_eq "three listings in the cache" "$(sqlite3 "$H/cache.db" 'SELECT count(*) FROM listings')" 3

# --- a bad line: exit 1, FILE:LINE, nothing drawn ------------------------------------------
BAD="$T_TMP/bad.conf"
printf '# keys\nset theme mono\nbind search J movedown\n' >"$BAD"
t_run "a bad config line stops kontor tui (exit 1)" 1 kcfg "$BAD" tui
t_match "the error names FILE:LINE and the action" "$T_ERR" "^kontor: $BAD:3: unknown action 'movedown'"
tm_start bad 100x30 "KONTOR_CONFIG=$BAD KONTOR_HOME=$H TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'TUI-EXIT' && t_ok "on a terminal too it stops" || t_fail "on a terminal too it stops" "$(cat "$T_TMP/pane")"
S=$(screen)
t_match "it exits 1 on a terminal" "$S" 'TUI-EXIT 1'
t_match "the terminal shows FILE:LINE" "$S" "bad.conf:3: unknown action"
t_nomatch "nothing of the UI was drawn" "$S" 'Search|Shipments|queued'
tm kill-server 2>/dev/null

for line in "set colour red:unknown setting 'colour'" "bind nowhere J move-down:unknown view 'nowhere'" \
	"bind search JJ move-down:unknown key 'JJ'" "color cursor pink blue:unknown colour 'pink'" \
	"color shiny red blue:unknown colour slot 'shiny'" "color cursor red blue sparkly:bad attribute 'sparkly'" \
	"set theme no-such-theme:no theme 'no-such-theme'" "source $T_TMP/nowhere.conf:nowhere.conf"; do
	printf '\n%s\n' "${line%%:*}" >"$BAD"
	t_run "refused: ${line%%:*}" 1 kcfg "$BAD" tui </dev/null
	t_match "  says $BAD:2: ${line#*:}" "$T_ERR" "$BAD:2: .*${line#*:}"
done
t_run "a KONTOR_CONFIG that does not exist is refused" 1 kcfg "$T_TMP/missing.conf" tui </dev/null
t_match "  and named" "$T_ERR" 'missing.conf'

# --- bind, a theme, ? --------------------------------------------------------------------
CONF="$T_TMP/kontor.conf"
cat >"$CONF" <<'EOF'
# a user's config
set theme mono
bind search J move-down
bind any <C-x> help   # a control key
node main https://node.example.com:8443 ca=/etc/ca.pem
EOF
tm_start bind 100x50 "KONTOR_CONFIG=$CONF KONTOR_HOME=$H TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'queued' && t_ok "the UI draws with the config" || t_fail "the UI draws with the config" "$(cat "$T_TMP/pane")"
S=$(screen)
first=$(printf '%s\n' "$S" | grep -E '^> ' | sed 's/  .*//')
t_match "the cursor starts on a row" "$first" '^> [A-Z]'
t_match "the node line is noted in the status line" "$S" 'kontor.conf:5: node line ignored'
t_eq "mono draws no colour" "$(sgr_colours)" 0
tm send-keys J
sleep 0.3
wait_for '^> ' || true
second=$(screen | grep -E '^> ' | sed 's/  .*//')
[ -n "$second" ] && [ "$second" != "$first" ] && t_ok "J (bound to move-down) moves the cursor" ||
	t_fail "J (bound to move-down) moves the cursor" "before '$first', after '$second'"
tm send-keys k
sleep 0.3
t_eq "k still moves back up" "$(screen | grep -E '^> ' | sed 's/  .*//')" "$first"
tm send-keys C-x
wait_for 'in search \(this view\):' && t_ok "C-x (bound to help) opens the help, the Search keys first" || t_fail "C-x (bound to help) opens the help, the Search keys first" "$(head -n 5 "$T_TMP/pane")"
S=$(screen)
t_match "help shows J under search" "$(printf '%s\n' "$S" | sed -n '/^in search (this view):$/,/^$/p')" '^  J +move-down +next row'
t_match "help shows <C-x> with help" "$S" '^  <C-x> +help +this list of keys'
tm send-keys q
tm send-keys 2
wait_for 'no conversations' && t_ok "q closes the help and 2 shows the Chat tab" || t_fail "q closes the help and 2 shows the Chat tab" "$(head -n 5 "$T_TMP/pane")"
tm send-keys Q
wait_for 'TUI-EXIT 0' && t_ok "Q leaves with 0" || t_fail "Q leaves with 0" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null

# --- colour: the built-in look, a 256-colour theme, NO_COLOR, KONTOR_THEMES --------------
colours_of() { # NAME CONFIG-TEXT [ENV...]: starts the UI, counts colour escapes
	_n=$1 _c=$2
	shift 2
	printf '%s\n' "$_c" >"$T_TMP/$_n.conf"
	tm_start "$_n" 100x30 "env $* KONTOR_CONFIG=$T_TMP/$_n.conf KONTOR_HOME=$H TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
	wait_for 'queued' || t_fail "$_n draws" "$(cat "$T_TMP/pane")"
	N=$(sgr_colours)
	tm send-keys Q
	wait_for 'TUI-EXIT' || true
	tm kill-server 2>/dev/null
}
colours_of plain "# nothing"
[ "$N" -gt 0 ] && t_ok "the built-in theme draws colour ($N escapes)" || t_fail "the built-in theme draws colour" "$N"
colours_of dark "set theme dark"
[ "$N" -gt 0 ] && t_ok "set theme dark draws colour" || t_fail "set theme dark draws colour" "$N"
colours_of nocolor "set theme dark" NO_COLOR=1
t_eq "NO_COLOR wins over the dark theme" "$N" 0
mkdir -p "$T_TMP/mythemes"
printf 'color status red green bold\n' >"$T_TMP/mythemes/ugly"
colours_of mine "set theme ugly" KONTOR_THEMES="$T_TMP/nowhere:$T_TMP/mythemes"
[ "$N" -gt 0 ] && t_ok "a theme is found in KONTOR_THEMES" || t_fail "a theme is found in KONTOR_THEMES" "$N"
printf 'bind any J move-down\n' >"$T_TMP/mythemes/notatheme"
printf 'set theme notatheme\n' >"$BAD"
t_run "a theme with a bind line is refused" 1 env KONTOR_THEMES="$T_TMP/mythemes" KONTOR_CONFIG="$BAD" "$KONTOR" --home "$H" tui </dev/null
t_match "  naming the theme's own line" "$T_ERR" "mythemes/notatheme:1: a theme holds only color lines, not 'bind' \\(from $BAD:1\\)"

t_done
