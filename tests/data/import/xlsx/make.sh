#!/bin/sh
# Rebuilds each fixture NAME.xlsx here from the XML tree in NAME/ (an .xlsx is a zip of
# such a tree). Run by hand after editing a tree: sh tests/data/import/xlsx/make.sh
# make check reads the committed .xlsx files and never needs zip.
# -X leaves out extra file attributes, -D directory entries; [Content_Types].xml goes first,
# as Excel writes it.
set -e
cd "$(dirname "$0")"
for dir in */; do
	name=${dir%/}
	[ -f "$name/[Content_Types].xml" ] || continue
	rm -f "$name.xlsx"
	(cd "$name" && zip -q -X -D -r "../$name.xlsx" '[Content_Types].xml' _rels xl)
	echo "$name.xlsx"
done
# Shopee's workbooks are made from the CSV files one folder up, as Shopee lays them out.
python3 shopee.py && echo "shopee-sales-info.xlsx shopee-template.xlsx shopee-vn.xlsx"
