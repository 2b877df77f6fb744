#!/bin/sh
# Search by photo and seeing the goods (issue 15), over a real kontord with TLS on loopback:
# a seller lists products with photos; a buyer's pull brings the listings' image hashes (not
# the images); the buyer finds a listing with a resized, recompressed copy of its photo in
# the cache, offline, and on the node with --remote, and not with an unrelated photo; files
# that are not images (or truncated, a bomb, unreadable) stop the search with exit 2 before
# anything is sent; `listing show --images` fetches the pictures only then, scaled, into the
# image cache, and says what it cannot draw on a vt100.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../trade-lib.sh"
export KONTOR_PASSPHRASE=photo-test

IMG="$T_TMP/img"
mkdir -p "$IMG"
# photographs of nobody: plasma fractals from fixed seeds, 640×480
for s in 1 2 3 4 5; do
	convert -size 640x480 -seed "$s" plasma:fractal -blur 0x2 -quality 92 "$IMG/p$s.jpg" 2>/dev/null
done
convert "$IMG/p1.jpg" -resize 50% -quality 30 "$IMG/copy.jpg"
convert "$IMG/p2.jpg" -flop -resize 60% "$IMG/mirror.png"
t_eq "fixture photos made (ImageMagick)" "$(ls "$IMG" | wc -l | tr -d ' ')" 7

trade_node "Photo Node"
trade_party_np seller ks "Shenzhen Brackets Ltd" CN supplier
trade_party_np buyer kb "Berlin Interiors GmbH" DE buyer

t_run "seller lists a bracket with its photo" 0 ks listing add --sku BR-1 \
	--title "Steel corner bracket" --price 0.80 --currency USD --moq 500 --origin CN \
	--image "$IMG/p1.jpg"
t_run "seller lists a hinge with two photos" 0 ks listing add --sku HG-2 \
	--title "Brass hinge" --price 1.20 --currency USD --moq 200 --origin CN \
	--image "$IMG/p2.jpg" --image "$IMG/p3.jpg"
t_run "seller lists a lamp without a photo" 0 ks listing add --sku LP-3 \
	--title "Desk lamp" --price 9.00 --currency USD --moq 10 --origin CN
t_eq "the node hashed each uploaded image" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM blobs WHERE phash IS NOT NULL")" 3
t_run "seller signs a factory profile with two photos" 0 ks profile edit \
	--capacity "40,000 brackets a month" --staff 60 --founded 2011 \
	--cert "ISO 9001:2015|SGS|CN11/20931|2027-09-30" --photo "$IMG/p4.jpg" --photo "$IMG/p5.jpg"
t_eq "the factory photos are hashed as they arrive too" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM blobs WHERE phash IS NOT NULL")" 5
t_run "a factory video link that is not https is a usage error" 2 ks profile edit --video http://x.example

# The pull carries hashes, never pictures.
t_run "buyer syncs" 0 kb sync --json
DOWN=$(printf '%s' "$T_OUT" | sed -n 's/.*"bytesDown":\([0-9]*\).*/\1/p')
t_eq "the buyer's cache holds the three image hashes" \
	"$(sqlite3 "$B/cache.db" "SELECT count(*) FROM listing_photos")" 3
t_match "a pull of three listings is kilobytes, not photos" "$DOWN" '^[0-9]{3,5}$'
t_eq "no image was fetched by the sync" "$(ls "$B/images" 2>/dev/null | wc -l | tr -d ' ')" 0
BR=$(kb search bracket --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n 1)
HG=$(kb search hinge --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n 1)

# In the cache.
t_run "search --photo with a resized, recompressed copy" 0 kb search --photo "$IMG/copy.jpg"
t_match "finds the bracket, said in words" "$T_OUT" "^same photo \([0-9]\) .*Steel corner bracket"
t_nomatch "and not the hinge" "$T_OUT" "Brass hinge"
t_run "search --photo --json" 0 kb search --photo "$IMG/copy.jpg" --json
t_match "the JSON has the distance and the match" "$T_OUT" "\"id\":\"$BR\".*\"distance\":[0-4],\"match\":\"same photo\""
t_run "a mirrored copy of the hinge's first photo" 0 kb search --photo "$IMG/mirror.png"
t_match "finds the hinge (asked with the mirror image too)" "$T_OUT" "Brass hinge"
t_run "an unrelated photo" 0 kb search --photo "$IMG/p5.jpg"
t_nomatch "finds no listing" "$T_OUT" "bracket|hinge|lamp"
t_match "and says so" "$T_ERR" "no cached listing has an image within 12"
t_run "photo combined with words" 0 kb search lamp --photo "$IMG/copy.jpg"
t_nomatch "the bracket does not match 'lamp'" "$T_OUT" "bracket"
t_run "photo combined with a filter" 0 kb search --photo "$IMG/copy.jpg" --max-price 0.50 --currency USD
t_nomatch "the bracket costs more than 0.50" "$T_OUT" "bracket"
t_match "and the note says the filters left it out, not the photo" "$T_ERR" \
	"^no cached listing of these words and filters has an image within 12 of the photo$"
t_run "words that are in no cached title" 0 kb search lanterns of paper
t_match "say the node searches descriptions too" "$T_ERR" \
	'^no listings match in the cache \(`kontor search WORDS --remote` asks the node, which searches descriptions and tags too\)$'
t_run "--sort with --photo is a usage error" 2 kb search --photo "$IMG/copy.jpg" --sort price

# On the node: 16 bytes of hashes go up, never the photo.
LINES_BEFORE=$(wc -l <"$T_TMP/serve.log")
t_run "search --photo --remote" 0 kb search --photo "$IMG/copy.jpg" --remote --json
t_match "the node finds the bracket" "$T_OUT" "\"id\":\"$BR\".*\"match\":\"same photo\""
t_run "search --remote with an unrelated photo" 0 kb search --photo "$IMG/p5.jpg" --remote
t_nomatch "the node finds nothing" "$T_OUT" "bracket|hinge"

# Bad input: a clear error naming the file, exit 2, nothing sent.
printf 'not an image\n' >"$IMG/notes.txt"
head -c 3000 "$IMG/p1.jpg" >"$IMG/cut.jpg"
# a PNG whose header states 60000×60000: refused before anything is decoded
python3 - "$IMG/bomb.png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                              chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
PY
LINES_BAD=$(wc -l <"$T_TMP/serve.log")
t_run "a text file" 2 kb search --photo "$IMG/notes.txt" --remote
t_match "names the file and the reason" "$T_ERR" "notes.txt: not a JPEG, PNG or WebP image"
t_run "a truncated JPEG" 2 kb search --photo "$IMG/cut.jpg" --remote
t_match "says it is truncated" "$T_ERR" "cut.jpg: the JPEG is truncated"
t_run "a decompression bomb" 2 kb search --photo "$IMG/bomb.png" --remote
t_match "says it is over the pixel limit" "$T_ERR" "bomb.png: 60000.60000 is over the 50-megapixel limit"
t_run "a file that is not there" 2 kb search --photo "$IMG/none.jpg" --remote
t_match "names it" "$T_ERR" "none.jpg"
t_run "a directory" 2 kb search --photo "$IMG" --remote
t_match "names it" "$T_ERR" "$IMG"
t_eq "none of them sent a request" "$(wc -l <"$T_TMP/serve.log")" "$LINES_BAD"
t_match "(while the good remote searches did)" "$LINES_BAD" "^[0-9]+$"
[ "$LINES_BAD" -gt "$LINES_BEFORE" ] && t_ok "the remote searches reached the node" ||
	t_fail "the remote searches reached the node" "log lines $LINES_BEFORE then $LINES_BAD"

# Seeing the goods: fetched now, scaled, kept; a vt100 is told what it cannot do.
COLUMNS=80 LINES=24 TERM=xterm-256color t_run "listing show --images" 0 kb listing show "$HG" --images
t_match "draws the pictures in 256 colours" "$T_OUT" "$(printf '\033')\[38;5;[0-9]+;48;5;[0-9]+m"
t_match "says which image and its size as drawn" "$T_OUT" "image 2/2 of Brass hinge · [0-9]+×[0-9]+ as drawn \(JPEG original 640×480\)"
t_match "and the bytes it took" "$T_ERR" "KiB fetched for these images"
t_eq "two scaled images in the image cache" "$(ls "$B/images" | grep -c -- '-w640$')" 2
COLUMNS=80 LINES=24 TERM=xterm-256color t_run "shown again" 0 kb listing show "$HG" --images
t_match "comes from the image cache" "$T_ERR" "0 B fetched for these images"
TERM=vt100 t_run "on a vt100" 0 kb listing show "$BR" --images
t_match "says it cannot show them" "$T_OUT" "This terminal cannot show images \(TERM=vt100 has no colours or graphics\): not fetched"
t_match "gives the size and a download command" "$T_OUT" "image 1/1: [0-9.]+ KiB; fetch it with:"
t_match "(the command)" "$T_OUT" "curl -o image1 https://127.0.0.1:$PORT/download/"
t_eq "and fetched nothing" "$(ls "$B/images" | grep -c -- '-w')" 2

# The image cache limit holds whatever is fetched.
mkdir -p "$T_TMP/cfg"
printf 'set image-cache-mb 1\n' >"$T_TMP/cfg/config"
big="$T_TMP/cfg/big"
head -c 1500000 /dev/zero >"$big"
cp "$big" "$B/images/$(printf 'A%.0s' $(seq 1 43))-w1"
KONTOR_CONFIG="$T_TMP/cfg/config" COLUMNS=80 LINES=24 TERM=xterm-256color t_run \
	"a fetch into a full 1 MiB cache" 0 kb listing show "$BR" --images
USED=$(du -cb "$B/images" | tail -n 1 | cut -f1)
[ "$USED" -le $((1048576 + 4096)) ] && t_ok "the image cache stays within 1 MiB ($USED B)" ||
	t_fail "the image cache stays within 1 MiB" "$USED bytes"

# The supplier's factory, beside the node's word; its photos only when asked.
SID=$(ks id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
N0=$(ls "$B/images" | wc -l)
t_run "supplier show" 0 kb supplier show "$BR"
t_match "the factory profile, checked against the account" "$T_OUT" 'factory +profile signed by the account'
t_match "its capacity and certification" "$T_OUT" 'ISO 9001:2015 · SGS · no\. CN11/20931 · until 2027-09-30'
t_match "the node's attestation beside it (none here)" "$T_OUT" 'verified +no: the node has not checked'
t_eq "no factory photo fetched" "$(ls "$B/images" | wc -l)" "$N0"
COLUMNS=80 LINES=24 TERM=xterm-256color t_run "supplier show --photos" 0 kb supplier show "$SID" --photos
t_match "draws the factory photos" "$T_OUT" "image 2/2 of Shenzhen Brackets Ltd's factory"
# A profile the node changed (or forged) does not verify: the buyer is told, not shown it.
sqlite3 "$B/cache.db" "UPDATE accounts SET json = replace(json, '\"staff\":60', '\"staff\":6000') WHERE id = '$SID'"
t_run "supplier show of a tampered profile" 0 kb supplier show "$SID"
t_match "says its signature does not verify" "$T_OUT" 'factory +not shown: factory: its signature does not verify'
t_nomatch "and shows none of it" "$T_OUT" 'staff +6000'

# A hostile node's pictures (tests/tools/hostile-node.py relays to the real node and answers
# every download itself): a PNG stating 60000×60000, a JPEG cut short, then a real picture
# bigger than the whole image cache. Nothing crashes, nothing bad is drawn or kept, and the
# cache stays within its limit.
t_run "seller lists a shelf with three photos" 0 ks listing add --sku SH-4 --title "Wall shelf" \
	--price 4.00 --currency USD --moq 50 --image "$IMG/p1.jpg" --image "$IMG/p2.jpg" --image "$IMG/p3.jpg"
t_run "buyer syncs it" 0 kb sync
SH=$(kb search shelf --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n 1)
convert -size 1400x1400 xc: +noise Random -quality 100 "$IMG/huge.jpg" 2>/dev/null
HUGE=$(wc -c <"$IMG/huge.jpg")
[ "$HUGE" -gt 1048576 ] && t_ok "the hostile node's real picture is over 1 MiB ($HUGE B)" ||
	t_fail "the hostile picture is over 1 MiB" "$HUGE"
python3 "$T_ROOT/tests/tools/hostile-node.py" --mode pictures --listen 127.0.0.1:0 \
	--cert "$T_TMP/node.pem" --key "$T_TMP/node.key" --log "$T_TMP/hn.log" --upstream "$URL" \
	--upstream-ca "$T_TMP/ca.pem" --picture "$IMG/huge.jpg" 2>"$T_TMP/hn.err" &
HPID=$!
T_PIDS="$T_PIDS $HPID"
HPORT=""
i=0
while [ $i -lt 100 ] && [ -z "$HPORT" ]; do
	HPORT=$(sed -n 's|^hostile-node: listening on https://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$T_TMP/hn.err")
	[ -n "$HPORT" ] || sleep 0.1
	i=$((i + 1))
done
t_run "the buyer adds the hostile relay as a node" 0 kb node add evil "https://127.0.0.1:$HPORT" --ca-file "$T_TMP/ca.pem"
rm -rf "$B/images"
KONTOR_CONFIG="$T_TMP/cfg/config" COLUMNS=80 LINES=24 TERM=xterm-256color t_run \
	"listing show --images from the hostile node fails cleanly (exit 1)" 1 kb --node evil listing show "$SH" --images
t_match "the bomb is refused by its stated size" "$T_OUT" "image 1/3 of Wall shelf: not shown: the image from the node: 60000.60000 is over the 50-megapixel limit"
t_match "the cut JPEG is refused" "$T_OUT" "image 2/3 of Wall shelf: not shown: the image from the node: the JPEG is truncated"
t_match "the real picture is drawn" "$T_OUT" "image 3/3 of Wall shelf · [0-9]+×[0-9]+ as drawn \(JPEG original 1400×1400\)"
# at 80 columns the note wraps at spaces: read as one line
t_match "but not kept: it is bigger than the whole cache" "$(printf '%s\n' "$T_ERR" | tr '\n' ' ')" \
	"more than the whole image cache .*\(shown, not kept\)"
t_match "the refusal names what failed" "$T_ERR" "2 images of Wall shelf could not be shown"
t_eq "three downloads reached the hostile node" "$(grep -c '"/download/' "$T_TMP/hn.log")" 3
t_eq "nothing it sent was kept" "$(ls "$B/images" 2>/dev/null | wc -l | tr -d ' ')" 0
kill "$HPID" 2>/dev/null
wait "$HPID" 2>/dev/null

# Offline: the node is gone, the cache still answers.
t_node_stop
t_run "search --photo offline" 0 kb search --photo "$IMG/copy.jpg"
t_match "still finds the bracket" "$T_OUT" "Steel corner bracket"
t_done
