#!/bin/sh
# Seeing the goods in the terminal UI, in tmux against a live kontord over TLS: the `/` line
# takes photo:PATH and finds the listing by a recompressed copy of its photo; `i` on the
# listing fetches its picture then and draws it as colour cells through curses at 100×30 (the
# cells change, the pane title does not); `s` shows the supplier's factory profile, `i` there
# its factory photos; under TERM=vt100 the image view says what it cannot do and fetches
# nothing.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null KONTOR_PASSPHRASE=photo-ui
unset NO_COLOR

IMG="$T_TMP/img"
mkdir -p "$IMG"
convert -size 640x480 -seed 7 plasma:fractal -blur 0x2 -quality 92 "$IMG/bracket.jpg" 2>/dev/null
convert -size 640x480 -seed 8 plasma:fractal -blur 0x2 -quality 92 "$IMG/floor.jpg" 2>/dev/null
convert "$IMG/bracket.jpg" -resize 40% -quality 35 "$IMG/copy.jpg" 2>/dev/null
t_eq "fixture photos made (ImageMagick)" "$(ls "$IMG" | wc -l | tr -d ' ')" 3

trade_node "Photo UI Node"
trade_party_np seller ks "Foshan Hardware Co" CN supplier
trade_party_np buyer kb "Lyon Menuiserie SARL" FR buyer
t_run "seller lists a bracket with its photo" 0 ks listing add --sku BR-9 \
	--title "Galvanised shelf bracket" --price 0.40 --currency USD --moq 1000 --image "$IMG/bracket.jpg"
t_run "seller signs a factory profile with a photo of the floor" 0 ks profile edit \
	--capacity "2 million brackets a month" --staff 85 --founded 2004 \
	--cert "ISO 9001:2015|SGS|CN12/30433|2027-03-01" --photo "$IMG/floor.jpg"
t_run "buyer syncs" 0 kb sync

# tui NAME TERM: the buyer's UI at 100×30, interactive (keys sent with send-keys)
tui() {
	tm_start "$1" 100x30 "env KONTOR_HOME=$B KONTOR_CONFIG=/dev/null TERM=$2 $KONTOR tui; sleep 60"
	wait_for '1 Search' || t_fail "the UI comes up ($1)" "$(cat "$T_TMP/pane")"
}
keys() { tm send-keys "$@"; }

tui main screen-256color
keys / 'photo:'"$IMG/copy.jpg" Enter
wait_for 'same photo \([0-9]\) · Galvanised shelf bracket' &&
	t_ok "photo:PATH on the / line finds the bracket, said in words" ||
	t_fail "photo:PATH on the / line finds the bracket" "$(cat "$T_TMP/pane")"
t_match "the filter bar says it is a photo search, by distance" "$(cat "$T_TMP/pane")" \
	'like the photo .*copy\.jpg .*sorted by distance'
keys Enter
wait_for '^Listing L' || t_fail "Enter opens the listing" "$(cat "$T_TMP/pane")"
t_eq "no image fetched before i" "$(ls "$B/images" 2>/dev/null | wc -l | tr -d ' ')" 0
TITLE0=$(tm display -p '#{pane_title}')
tm capture-pane -e -p >"$T_TMP/before"
keys i
wait_for '^Image 1/1 of Galvanised shelf bracket' && t_ok "i opens the image view" ||
	t_fail "i opens the image view" "$(cat "$T_TMP/pane")"
wait_for '640×480 JPEG · [0-9.]+ (B|KiB) fetched · .*[0-9.]+ (B|KiB|MiB) used' || t_fail "the picture arrives" "$(cat "$T_TMP/pane")"
tm capture-pane -e -p >"$T_TMP/after"
CELLS=$(grep -o "$(printf '\033')\[[0-9;]*38;5;[0-9]*" "$T_TMP/after" | sort -u | wc -l)
[ "$CELLS" -ge 8 ] && t_ok "the picture is drawn as cells of many colours ($CELLS)" ||
	t_fail "the picture is drawn in colour cells" "$CELLS colours"
cmp -s "$T_TMP/before" "$T_TMP/after" && t_fail "the cells change" "the pane is the same" ||
	t_ok "the cells change"
t_eq "the pane title does not" "$(tm display -p '#{pane_title}')" "$TITLE0"
t_match "the status line counts the bytes" "$(tail -n 1 "$T_TMP/pane")" '640×480 JPEG · [0-9.]+ (B|KiB) fetched · .*[0-9.]+ (B|KiB|MiB) used'
t_eq "the image cache holds the scaled picture" "$(ls "$B/images" | grep -c -- '-w800$')" 1
keys q
wait_for '^Listing L' && t_ok "q goes back to the listing" || t_fail "q goes back" "$(cat "$T_TMP/pane")"
wait_for 'images: [0-9.]+ (B|KiB) fetched' &&
	t_ok "and says what the view fetched" || t_fail "and says what the view fetched" "$(cat "$T_TMP/pane")"
t_nomatch "the listing is the signed one now (fetched whole for its images)" "$(cat "$T_TMP/pane")" '^summary —'

keys s
wait_for 'factory +profile signed by the account' && t_ok "s shows the supplier's factory profile" ||
	t_fail "s shows the supplier's factory profile" "$(cat "$T_TMP/pane")"
D=$(cat "$T_TMP/pane")
t_match "with its capacity" "$D" 'capacity +2 million brackets a month'
t_match "and its certification" "$D" 'ISO 9001:2015 · SGS · no\. CN12/30433 · until 2027-03-01'
t_match "beside the node's word (no attestation here)" "$D" 'verified +no: the node has not checked'
keys i
wait_for "^Image 1/1 of Foshan Hardware Co's factory" && t_ok "i there shows the factory photo" ||
	t_fail "i there shows the factory photo" "$(cat "$T_TMP/pane")"
keys q
wait_for '^Supplier Foshan' || t_fail "q back to the supplier" "$(cat "$T_TMP/pane")"
keys q
wait_for '^Listing L' || t_fail "q back to the listing" "$(cat "$T_TMP/pane")"
keys Q
tm kill-server 2>/dev/null

# A terminal without colours: said, and nothing fetched.
rm -rf "$B/images"
tui vt vt100
keys / 'shelf bracket' Enter
wait_for 'Galvanised shelf bracket' || t_fail "the search finds the bracket (vt100)" "$(cat "$T_TMP/pane")"
keys Enter
wait_for '^Listing L' || t_fail "Enter opens the listing (vt100)" "$(cat "$T_TMP/pane")"
keys i
wait_for 'This terminal cannot show images \(TERM=vt100 has no colours or graphics\)' &&
	t_ok "under TERM=vt100 the image view says what it cannot do" ||
	t_fail "under TERM=vt100 the image view says what it cannot do" "$(cat "$T_TMP/pane")"
t_match "with the image's size" "$(cat "$T_TMP/pane")" 'image 1/1: [0-9.]+ KiB'
t_match "and a command to fetch it" "$(cat "$T_TMP/pane")" 'curl -o image1 https://127\.0\.0\.1:'
t_eq "and fetched nothing" "$(ls "$B/images" 2>/dev/null | wc -l | tr -d ' ')" 0
keys q Q
tm kill-server 2>/dev/null
t_done
