#!/bin/sh
# Photo search measured (DESIGN §11: recall@1 >= 95% for a 50% resize + JPEG q30; a scan of
# 1,000,000 hashes <= 10 ms). The ground truth is real photographs that Debian's opencv-doc
# ships (the examples' data: 43 photos, one per scene, listed below). Each is resized to 50%
# and 25%, recompressed at JPEG quality 30, both at once, cropped 5% and 10% at the centre,
# mirrored, turned 90°, and given a watermark strip (ImageMagick); each copy is looked up
# among all the originals hidden in 100,000 random hashes. Also: photos of the same thing
# taken twice (stereo pairs, a second shot), a 25% off-centre crop, the false matches between
# unrelated photos, the scan over 1,000,000 hashes and the time to hash a photo.
#   sh tests/bench/photo.sh          (B=build-dir picks the build; KEEP=1 keeps the images)
# Needs ImageMagick (make deps installs it) and `apt-get install opencv-doc` (274 MB, only
# this bench uses it; PHOTO_SRC=dir points at another copy of its examples/ folder).
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${B:-build}
SRC=${PHOTO_SRC:-/usr/share/doc/opencv-doc/examples}
if ! command -v convert >/dev/null 2>&1; then
	echo "photo.sh: needs ImageMagick's convert: make deps" >&2
	exit 2
fi
if [ ! -f "$SRC/data/fruits.jpg" ]; then
	echo "photo.sh: needs the photos of Debian's opencv-doc: apt-get install opencv-doc" >&2
	exit 2
fi
BIN="$B/bench/photo_bench"
make --no-print-directory B="$B" "$BIN" >/dev/null

# One photograph per scene (drawings, renders, maps and synthetic test cards left out; of
# each stereo pair or sequence only the first).
PHOTOS="hfs/data/000.jpg hfs/data/001.jpg hfs/data/002.jpg data/aero1.jpg data/aloeL.jpg
data/apple.jpg data/baboon.jpg data/basketball1.png data/board.jpg data/box_in_scene.png
data/building.jpg data/butterfly.jpg data/chicky_512.png data/ela_original.jpg data/fruits.jpg
data/graf1.png data/home.jpg data/left.jpg data/left01.jpg data/leuvenA.jpg
data/licenseplate_motion.jpg data/messi5.jpg data/orange.jpg alphamat/input_images/plant.jpg
data/rubberwhale1.png text/scenetext01.jpg text/scenetext02.jpg text/scenetext03.jpg
text/scenetext04.jpg text/scenetext05.jpg text/scenetext06.jpg
text/scenetext_segmented_word01.jpg text/scenetext_segmented_word02.jpg
text/scenetext_segmented_word03.jpg text/scenetext_segmented_word04.jpg
text/scenetext_segmented_word05.jpg data/squirrel_cls.jpg data/starry_night.jpg data/stuff.jpg
data/sudoku.png data/text_defocus.jpg reg/home.png dnn_superres/butterfly.png"
# Two photographs of one thing: a stereo pair, a second shot, another viewpoint, the box alone
# and in a scene.
PAIRS="data/aloeL.jpg data/aloeR.jpg
data/basketball1.png data/basketball2.png
data/left01.jpg data/left02.jpg
data/left.jpg data/right.jpg
data/leuvenA.jpg data/leuvenB.jpg
data/rubberwhale1.png data/rubberwhale2.png
data/aero1.jpg data/aero3.jpg
data/graf1.png data/graf3.png
data/box.png data/box_in_scene.png
data/Blender_Suzanne1.jpg data/Blender_Suzanne2.jpg"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/kontor-photo-bench.XXXXXX")
[ -n "$KEEP" ] && echo "images in $DIR" || trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/orig"
TRANSFORMS="r50 r25 q30 r50q30 crop5 crop10 wmark flip rot90 offcrop25"
for t in $TRANSFORMS; do mkdir -p "$DIR/q/$t"; done

echo "== making $(echo $PHOTOS | wc -w) photos' copies with ImageMagick"
for p in $PHOTOS; do
	f="$SRC/$p"
	base=$(basename "$p")
	name=${base%.*}
	# two files share a name (home, butterfly): the second gets its folder in front
	[ -e "$DIR/orig/$name.jpg" ] || [ -e "$DIR/orig/$name.png" ] &&
		name="$(basename "$(dirname "$p")")-$name"
	cp "$f" "$DIR/orig/$name.${base##*.}"
	w=$(identify -format '%w' "$f[0]")
	h=$(identify -format '%h' "$f[0]")
	IM="convert $f -background white -alpha remove -alpha off"
	$IM -resize 50% -quality 90 "$DIR/q/r50/$name.jpg"
	$IM -resize 25% -quality 90 "$DIR/q/r25/$name.jpg"
	$IM -quality 30 "$DIR/q/q30/$name.jpg"
	$IM -resize 50% -quality 30 "$DIR/q/r50q30/$name.jpg"
	# keep the middle 95% (90%) of the width and of the height
	$IM -gravity center -crop 95%x95%+0+0 +repage -quality 90 "$DIR/q/crop5/$name.jpg"
	$IM -gravity center -crop 90%x90%+0+0 +repage -quality 90 "$DIR/q/crop10/$name.jpg"
	# a watermark strip: a translucent white band over a tenth of the height, 80% of the way
	# down, with dark "letters" in it
	y0=$((h * 80 / 100)) y1=$((h * 90 / 100)) lh=$((h * 3 / 100))
	marks=""
	x=$((w / 10))
	while [ $((x + w / 30)) -lt $((w * 9 / 10)) ]; do
		marks="$marks rectangle $x,$((y0 + lh)) $((x + w / 40)),$((y1 - lh))"
		x=$((x + w / 20))
	done
	$IM -fill '#ffffffb0' -draw "rectangle 0,$y0 $w,$y1" -fill '#202020c0' -draw "$marks" \
		-quality 90 "$DIR/q/wmark/$name.jpg"
	$IM -flop -quality 90 "$DIR/q/flip/$name.jpg"
	$IM -rotate 90 -quality 90 "$DIR/q/rot90/$name.jpg"
	# what pHash cannot do: keep the top-left 75% of width and height
	$IM -gravity northwest -crop 75%x75%+0+0 +repage -quality 90 "$DIR/q/offcrop25/$name.jpg"
done

echo "== recall ($B/bench/photo_bench eval)"
"$BIN" eval "$DIR/orig" "$DIR/q" 100000 7 $TRANSFORMS
echo
echo "== two photographs of the same thing"
echo "$PAIRS" | sed "s|^|$SRC/|; s| | $SRC/|" >"$DIR/pairs.txt"
"$BIN" pairs "$DIR/pairs.txt"
echo
echo "== speed"
"$BIN" scan 1000000 200 11
convert "$SRC/data/fruits.jpg" -resize 4000x3000! -quality 90 "$DIR/big.jpg"
"$BIN" hashtime "$DIR/big.jpg" 20
"$BIN" hashtime "$SRC/data/fruits.jpg" 50
convert "$SRC/data/fruits.jpg" "$DIR/fruits.png"
"$BIN" hashtime "$DIR/fruits.png" 50
convert "$SRC/data/fruits.jpg" -quality 90 "$DIR/fruits.webp"
"$BIN" hashtime "$DIR/fruits.webp" 50
