#!/bin/sh
# Makes the image fixtures of tests/unit/test_imagehash.c with ImageMagick (Debian's
# `imagemagick`, in scripts/deps.sh) and, in ref/, ImageMagick's own 32×32 grey of each one
# (orient, flatten onto white, trim, Rec. 601 luma, area average), from which the test computes
# the reference hashes with a DCT of its own. Run from anywhere: sh tests/data/images/make.sh
# The pictures are plasma fractals from fixed seeds: made here, nobody's photographs.
set -e
cd "$(dirname "$0")"
mkdir -p ref
IM="convert -define png:exclude-chunks=date,time -strip"

# the "photo": a smooth plasma, 150×100 (32×32 is not a whole number of its pixels)
$IM -size 150x100 -seed 11 plasma:fractal -blur 0x1.5 -depth 8 photo.png
$IM photo.png -quality 90 photo.jpg
$IM photo.png -quality 90 -interlace JPEG photo_progressive.jpg
$IM photo.png -quality 90 -colorspace CMYK photo_cmyk.jpg
$IM photo.png -colorspace Gray -quality 90 photo_grey.jpg
$IM photo.png -quality 85 photo.webp
$IM photo.png -define webp:lossless=true photo_lossless.webp
$IM photo.png -interlace PNG photo_interlaced.png
$IM photo.png -colors 256 PNG8:photo_palette.png
$IM photo.png -colorspace Gray -depth 16 photo_grey16.png
# with a white frame, which the hash trims off
$IM photo.png -bordercolor white -border 24x16 photo_border.png
# stored turned a quarter anticlockwise: EXIF orientation 6 turns it back
$IM photo.png -rotate -90 -quality 90 photo_ccw.jpg
$IM photo.png -rotate -90 -define webp:lossless=true photo_ccw_lossless.webp
# ... and the same JPEG with that EXIF (an APP1 segment, big-endian TIFF, one IFD entry:
# 0x0112 Orientation, SHORT, 1, value 6) put right after the SOI marker
{
	head -c 2 photo_ccw.jpg
	printf '\377\341\000\042Exif\000\000MM\000\052\000\000\000\010\000\001\001\022\000\003\000\000\000\001\000\006\000\000\000\000\000\000'
	tail -c +3 photo_ccw.jpg
} >photo_exif6.jpg

# alpha: a plasma with a transparent disc (whose hidden colour is black) and a soft edge
$IM -size 150x100 -seed 12 plasma:fractal -blur 0x1.5 -depth 8 \
	\( -size 150x100 xc:white -fill black -draw 'circle 75,50 75,20' -blur 0x2 \) \
	-alpha off -compose CopyOpacity -composite PNG32:alpha.png
$IM alpha.png -define webp:lossless=true alpha.webp
$IM alpha.png -background white -alpha remove -alpha off alpha_on_white.png

# an unrelated picture
$IM -size 150x100 -seed 13 plasma:fractal -blur 0x1.5 -depth 8 other.png
# two frames: an animation, which has no one picture to hash
convert -delay 50 photo.png other.png -loop 0 anim.webp

for f in photo.png photo.jpg photo_progressive.jpg photo_cmyk.jpg photo_grey.jpg photo.webp \
	photo_lossless.webp photo_interlaced.png photo_palette.png photo_grey16.png \
	photo_border.png photo_exif6.jpg alpha.png alpha.webp other.png; do
	convert "$f" -colorspace sRGB -auto-orient -background white -alpha remove -alpha off \
		-trim +repage -grayscale Rec601Luma -scale '32x32!' -depth 16 "ref/${f%.*}.${f##*.}.pgm"
done

# Seeds for the decoders' fuzz targets (tests/fuzz/fuzz_img_*.c): tiny files, one of each kind
# the decoders handle differently.
S=../../fuzz/corpus
mkdir -p $S/img_jpeg $S/img_png $S/img_webp
$IM photo.png -resize 24x16! small.png
$IM small.png -quality 75 $S/img_jpeg/baseline.jpg
$IM small.png -quality 75 -interlace JPEG $S/img_jpeg/progressive.jpg
$IM small.png -colorspace Gray $S/img_jpeg/grey.jpg
$IM small.png -colorspace CMYK $S/img_jpeg/cmyk.jpg
$IM small.png -sampling-factor 1x1 -quality 95 $S/img_jpeg/444.jpg
$IM small.png -define jpeg:restart-interval=1 $S/img_jpeg/restart.jpg
{
	head -c 2 $S/img_jpeg/baseline.jpg
	printf '\377\341\000\042Exif\000\000II\052\000\010\000\000\000\001\000\022\001\003\000\001\000\000\000\010\000\000\000\000\000\000\000'
	tail -c +3 $S/img_jpeg/baseline.jpg
} >$S/img_jpeg/exif8.jpg
$IM small.png PNG24:$S/img_png/rgb.png
$IM small.png -alpha set -channel A -evaluate set 50% +channel PNG32:$S/img_png/rgba.png
$IM small.png -alpha set -channel A -fx 'i<8?0:1' +channel -colors 16 PNG8:$S/img_png/palette_trns.png
$IM small.png -colorspace Gray -depth 1 $S/img_png/grey1.png
$IM small.png -colorspace Gray -depth 16 $S/img_png/grey16.png
$IM small.png -colorspace Gray -alpha set -channel A -evaluate set 70% +channel \
	-define png:color-type=4 $S/img_png/grey_alpha.png
$IM small.png -interlace PNG $S/img_png/interlaced.png
convert $S/img_jpeg/exif8.jpg PNG24:$S/img_png/exif8.png
$IM small.png -depth 16 PNG48:$S/img_png/rgb16.png
$IM small.png -quality 80 $S/img_webp/lossy.webp
$IM small.png -define webp:lossless=true $S/img_webp/lossless.webp
$IM small.png -alpha set -channel A -evaluate set 50% +channel $S/img_webp/alpha.webp
$IM small.png -alpha set -channel A -evaluate set 50% +channel -define webp:lossless=true \
	$S/img_webp/alpha_lossless.webp
convert -delay 50 small.png \( small.png -flop \) -loop 0 $S/img_webp/anim.webp
rm small.png
