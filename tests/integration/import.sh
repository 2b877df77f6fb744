#!/bin/sh
# listing import end to end on real files: each format from tests/data/import (bad rows named
# FILE:LINE and exit 3), re-import changes nothing, an edited file updates exactly the edited
# rows, --dry-run writes nothing, --format auto detects each format, and what went in is
# found by listing show and search. Then files shaped like sellers' real exports: Etsy's
# with one SKU per variation and an Italian header, WooCommerce's with repeated rows and
# grouped products, Excel's Windows-1252 and "sep=;" files with decimal commas, Shopee's
# workbooks (.xlsx) as its seller centre writes them, and a file without a currency column
# taking it from the config or the account's country. A buyer's offer for a Shopee product
# names the variant bought and takes its price, which the seller's copy shows.
. "$(dirname "$0")/../lib.sh"

D="$T_ROOT/tests/data/import"
H="$T_TMP/seller"
k() { "$KONTOR" --home "$H" "$@"; }
outbox_n() { k outbox list --json | grep -c '"method"'; }
export KONTOR_PASSPHRASE="import test passphrase"

t_run "init" 0 k init --name "Import Test Co" --country DE --role supplier

# --- kontor CSV: BOM, CRLF, ';', a quoted newline, a local image, two bad rows ---------
cp -r "$D" "$T_TMP/data"
t_run "kontor CSV: good rows in, bad rows fail (exit 3)" 3 k listing import "$T_TMP/data/kontor.csv"
t_match "kontor CSV: bad price named with its line" "$T_ERR" 'kontor\.csv:5: price: 12\.345: USD has 2 decimal places'
t_match "kontor CSV: empty sku named with its line" "$T_ERR" 'kontor\.csv:7: sku: empty'
t_match "kontor CSV: summary" "$T_OUT" 'import .*kontor\.csv: 3 created, 0 updated, 0 unchanged, 0 merged, 2 failed \(5 rows\)'
n1=$(outbox_n)
t_run "imported listing shows with a valid signature" 0 k listing show TL-71
t_match "tiers came through" "$T_OUT" 'USD 11\.00 / piece  from 100'
t_match "quoted CRLF description came through" "$T_OUT" 'Fits all tables'
t_run "local image became a blob" 0 k listing show LED-5M --json
t_match "blob id in images" "$T_OUT" '"images":\["[A-Za-z0-9_-]{43}"\]'
t_match "image upload queued" "$(k outbox list --json)" 'Blob/upload'
t_run "search finds an imported listing" 0 k search table legs
t_match "search shows the title" "$T_OUT" 'Iron table legs'

t_run "re-import of the same file (bad rows still exit 3)" 3 k listing import "$T_TMP/data/kontor.csv"
t_match "re-import changes nothing" "$T_OUT" '0 created, 0 updated, 3 unchanged, 0 merged, 2 failed'
t_eq "re-import queues nothing" "$(outbox_n)" "$n1"

created=$(k listing show TL-71 --json | sed -n 's/.*"created":"\([^"]*\)".*/\1/p')
sed 's/;12\.50;/;12.75;/' "$D/kontor.csv" >"$T_TMP/data/kontor.csv"
t_run "edited file" 3 k listing import "$T_TMP/data/kontor.csv" -v
t_match "edited file updates exactly the edited row" "$T_OUT" '0 created, 1 updated, 2 unchanged, 0 merged, 2 failed'
t_match "-v names the updated row" "$T_OUT" 'kontor\.csv:2: updated TL-71'
t_eq "one outbox entry for the edit" "$(outbox_n)" "$((n1 + 1))"
t_match "the new price is in the cache" "$(k listing show TL-71)" 'USD 12\.75 / piece  from 10'
t_eq "the update keeps created" "$(k listing show TL-71 --json | sed -n 's/.*"created":"\([^"]*\)".*/\1/p')" "$created"

sed 's/;12\.50;/;13.00;/' "$D/kontor.csv" >"$T_TMP/data/kontor.csv"
n2=$(outbox_n)
t_run "--dry-run" 3 k listing import "$T_TMP/data/kontor.csv" --dry-run --json
t_match "--dry-run reports what it would do" "$T_OUT" '"created":0,"updated":1,"unchanged":2,"merged":0,"failed":2,"rows":5,"dryRun":true'
t_eq "--dry-run queues nothing" "$(outbox_n)" "$n2"
t_match "and says the good rows would go in, not that they went" "$T_ERR" '2 rows failed \(each named above\); the others would go in$'
t_run "--dry-run on an 80-column terminal" 3 env COLUMNS=80 "$KONTOR" --home "$H" listing import "$T_TMP/data/kontor.csv" --dry-run
t_eq "its summary in lines no wider than 80" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_match "broken at a space, every count in it" "$(printf '%s\n' "$T_OUT" | tr '\n' ' ')" \
	'^import .*/kontor\.csv \(dry run, nothing written\): 0 to create, 1 to update, 2 unchanged, 0 merged, 2 failed \(5 rows\) $'
t_match "--dry-run leaves the cache alone" "$(k listing show TL-71)" 'USD 12\.75 / piece  from 10'

# --- Shopify ----------------------------------------------------------------------------------
n4=$(outbox_n)
t_run "Shopify without --currency (dry run)" 3 k listing import "$D/shopify.csv" --dry-run
t_match "the currency comes from the account's country, and it says so" "$T_ERR" 'shopify\.csv: no currency column: currency EUR from your country DE'
t_match "and its prices are read in it" "$T_ERR" 'shopify\.csv:8: .*12\.345: EUR has 2 decimal places'
t_eq "the dry run queues nothing" "$(outbox_n)" "$n4"
t_run "Shopify import" 3 k listing import "$D/shopify.csv" --currency USD --json
t_match "Shopify detected" "$T_OUT" '"format":"shopify"'
t_match "Shopify counts" "$T_OUT" '"created":4,"updated":0,"unchanged":0,"merged":0,"failed":1,"rows":8'
t_match "Shopify bad price on its line" "$T_ERR" 'shopify\.csv:8: product .bad-price.: Variant Price: 12\.345'
t_match "Shopify http image left out, said on its line" "$T_ERR" 'shopify\.csv:9: warning: http://insecure\.example\.com/a\.jpg: left out \(only https images are taken\)'
t_nomatch "its product goes in without it" "$(k listing show http-image --json)" '"images"'
t_match "Shopify's Variant Grams is what one LED strip ships weighing" "$(k listing show led-strip)" '^packing: +gross 0.2 kg a piece$'
t_nomatch "the legs' variants weigh 2.1 and 1.5 kg: no one weight is the listing's" "$(k listing show iron-table-legs)" '^packing:'
t_nomatch "a weight of 0 g is none" "$(k listing show http-image)" '^packing:'
t_run "Shopify product shows" 0 k listing show iron-table-legs --json
t_match "three variants" "$T_OUT" '"variants":\[\{"sku":"TL-71-BK".*\{"sku":"TL-71-WH".*\{"sku":"TL-40-BK"'
t_match "lowest variant price is the price" "$T_OUT" '"priceTiers":\[\{"minQty":1,"unitPrice":990\}\]'
t_match "HTML body became text" "$T_OUT" '"description":"Powder-coated steel legs\.\\n\\nHeight 71 cm\\nLoad 150 kg & more"'
t_match "stock: the variants' Variant Inventory Qty summed (500 + 300 + 200)" "$T_OUT" '"stock":1000'
t_run "Shopify re-import" 3 k listing import "$D/shopify.csv" --currency USD
t_match "Shopify re-import changes nothing" "$T_OUT" '0 created, 0 updated, 4 unchanged'

# a pause made in kontor outlives a re-import of the shop's export (it knows nothing of it);
# only a kontor CSV's own status column changes it
t_run "pause a Shopify-imported listing in kontor (queued: exit 4)" 4 k listing pause iron-table-legs
t_run "Shopify re-import after the pause" 3 k listing import "$D/shopify.csv" --currency USD
t_match "Shopify re-import leaves the paused listing unchanged" "$T_OUT" '0 created, 0 updated, 4 unchanged'
t_match "the listing is still paused after the shop re-import" "$(k listing show iron-table-legs --json)" '"status":"paused"'
# her trade terms said in kontor (MOQ, tiers, unit, HS code, origin, lead time, Incoterms) outlive a re-import of the shop's export, which has no column for any of them
t_run "trade terms set in kontor on a Shopify-imported listing (queued: exit 4)" 4 k listing edit iron-table-legs \
	--moq 50 --tier 200:9.00 --unit SET --hs-code 940390 --origin CN --lead-days 14 \
	--incoterm FOB,EXW
TERMS_BEFORE=$(k listing show iron-table-legs --json | sed 's/"updated":"[^"]*"//; s/"sig":"[^"]*"//')
t_run "Shopify re-import after the terms were set" 3 k listing import "$D/shopify.csv" --currency USD
t_match "leaves that listing unchanged" "$T_OUT" '0 created, 0 updated, 4 unchanged'
t_eq "every term as she set it" "$(k listing show iron-table-legs --json | sed 's/"updated":"[^"]*"//; s/"sig":"[^"]*"//')" "$TERMS_BEFORE"
sed 's/^iron-table-legs,Iron table legs,/iron-table-legs,Iron table legs (new),/' "$D/shopify.csv" >"$T_TMP/shopify-renamed.csv"
t_run "an edited export" 3 k listing import "$T_TMP/shopify-renamed.csv" --currency USD
t_match "updates the title" "$T_OUT" '0 created, 1 updated, 3 unchanged'
SHOWN=$(k listing show iron-table-legs --json)
t_match "and keeps her quantity break above the file's price at her MOQ" "$SHOWN" '"priceTiers":\[\{"minQty":50,"unitPrice":990\},\{"minQty":200,"unitPrice":900\}\]'
t_match "her MOQ and unit" "$SHOWN" '"unit":"SET","moq":50[,}]'
t_match "her HS code and origin" "$SHOWN" '"hsCode":"940390","originCountry":"CN"'
t_match "her Incoterms" "$SHOWN" '"incoterms":\["FOB","EXW"\]'
t_match "her lead time" "$SHOWN" '"leadTimeDays":14[,}]'
t_run "pause TL-71 in kontor (queued: exit 4)" 4 k listing pause TL-71
printf 'sku,title,currency,price\nTL-71,Iron table legs,USD,12.75\n' >"$T_TMP/nostatus.csv"
t_run "kontor CSV without a status column (queued: exit 4)" 4 k listing import "$T_TMP/nostatus.csv"
t_match "the paused TL-71 is still paused (no status column)" "$(k listing show TL-71 --json)" '"status":"paused"'
t_run "kontor CSV whose status column says active" 3 k listing import "$T_TMP/data/kontor.csv"
t_match "its explicit status resumed TL-71" "$(k listing show TL-71 --json)" '"status":"active"'

# her own spreadsheet writes units as words and HS codes as Vietnam's tariff prints them
cat >"$T_TMP/words.csv" <<'CSV'
sku,title,currency,price,moq,unit,hs_code
LC-02,Lan can cầu thang,USD,85,10,metres,7308.90
CONG-01,Cổng sắt 2 cánh,USD,1250,1,pcs,7308.30.90
GACH-1,Gạch bông,USD,14,20,m2,6907 21 91
CSV
t_run "a CSV with units as words and dotted HS codes (queued: exit 4)" 4 k listing import "$T_TMP/words.csv"
t_match "every row goes in" "$T_OUT" '3 created, 0 updated, 0 unchanged, 0 merged, 0 failed'
t_match "metres are metres, the tariff's dots dropped" "$(k listing show LC-02 --json)" '"hsCode":"730890".*"unit":"MTR"'
t_match "pcs are pieces, 8 digits kept" "$(k listing show CONG-01 --json)" '"hsCode":"73083090".*"unit":"C62"'
t_match "m2 is square metres, spaces dropped" "$(k listing show GACH-1 --json)" '"hsCode":"69072191".*"unit":"MTK"'
t_match "the buyer reads the unit in words" "$(k listing show LC-02)" '^moq: +10 metres$'
printf 'sku,title,currency,price,unit\nFUR-1,Rào,USD,3,furlongs\nHS-1,Rào,USD,3,\n' >"$T_TMP/badunit.csv"
printf 'sku,title,currency,price,hs_code\nHS-2,Rào,USD,3,7308.3\n' >"$T_TMP/badhs.csv"
t_run "a unit no one knows fails its row (exit 3)" 3 k listing import "$T_TMP/badunit.csv"
t_match "naming the whole word, and the words there are" "$T_ERR" "badunit.csv:2: unit: 'furlongs' is not a unit kontor knows \\(piece, set"
t_match "the other row goes in" "$T_OUT" '1 created, 0 updated, 0 unchanged, 0 merged, 1 failed'
t_run "an HS code of five digits fails its row (exit 3)" 3 k listing import "$T_TMP/badhs.csv"
t_match "saying it as written" "$T_ERR" "badhs.csv:2: hsCode: must be 6 to 10 digits \\(got '7308.3'\\)"
t_run "--unit and --hs-code take the same words on the command line" 0 k listing edit GACH-1 --unit "square meters" --hs-code 6907.21.91
t_match "the same unit and code: nothing changed" "$T_ERR" '^GACH-1 is as it was: nothing changed'
t_run "a new HS code, typed as printed (queued: exit 4)" 4 k listing edit GACH-1 --hs-code 6907.22
t_match "the edit says it, from and to, as the listing keeps it" "$T_OUT" '^updated GACH-1: HS code 69072191 -> 690722 '
t_run "--unit furlong is refused (exit 2)" 2 k listing edit GACH-1 --unit furlong
t_match "naming the word in full" "$T_ERR" "--unit: 'furlong' is not a unit kontor knows"

# one unit's weights and packing, for the papers, in her sheet's own columns
printf 'sku,title,currency,price,unit,net_kg,gross_kg,per_package\nGACH-1,Gạch bông,USD,14,m2,"18,5",20,50:PX\n' >"$T_TMP/packing.csv"
t_run "a kontor CSV with weights and packing (queued: exit 4)" 4 k listing import "$T_TMP/packing.csv"
t_match "they are the listing's" "$(k listing show GACH-1)" '^packing: +net 18.5 kg, gross 20 kg a square metre; 50 square metres to a pallet \(PX\)$'
k listing export >"$T_TMP/packing-export.csv"
t_match "its export writes them back" "$(grep '^GACH-1,' "$T_TMP/packing-export.csv" | tr -d '\r')" ',18.5,20,50:PX$'
printf 'sku,title,currency,price,unit\nGACH-1,Gạch bông,USD,14,m2\n' >"$T_TMP/nopacking.csv"
t_run "a kontor CSV with no column for them" 0 k listing import "$T_TMP/nopacking.csv"
t_match "changes nothing: it says nothing of them" "$T_OUT" '0 created, 0 updated, 1 unchanged'
printf 'sku,title,currency,price,unit,net_kg,per_package\nGACH-1,Gạch bông,USD,14,m2,heavy,50:PX\nGACH-2,Gạch,USD,14,m2,1,50 pallets\n' >"$T_TMP/badpacking.csv"
t_run "weights and packing that are not (exit 3)" 3 k listing import "$T_TMP/badpacking.csv"
t_match "the weight, named" "$T_ERR" "badpacking.csv:2: net_kg: 'heavy' is not a weight in kg like 12.5"
t_match "the packing, named" "$T_ERR" "badpacking.csv:3: per_package: '50 pallets' is not COUNT:CODE like 4:CT"

# Shopify's own words for a stock it does not keep: an empty Variant Inventory Tracker (made
# to order), or the policy 'continue' (sold when none is left). Neither says 0 on hand.
cat >"$T_TMP/shopify-tracked.csv" <<'CSV'
Handle,Title,Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Option1 Name,Option1 Value
cong-sat,Cổng sắt làm theo đơn,CS-1,,0,deny,150.00,,
ke-go,Kệ gỗ,KG-1,shopify,0,continue,40.00,,
den-ban,Đèn bàn,DB-S,shopify,7,deny,12.00,Size,S
den-ban,,DB-L,,0,deny,15.00,,L
CSV
t_run "a Shopify export with untracked and oversellable stock" 4 k listing import "$T_TMP/shopify-tracked.csv" --currency USD
t_match "the gate made to order says no stock, not none on hand" "$(k listing show cong-sat --json)" '"status":"active"'
t_nomatch "no stock figure for it" "$(k listing show cong-sat --json)" '"stock":'
t_nomatch "nor for the shelf sold when none is left" "$(k listing show ke-go --json)" '"stock":'
t_match "the lamp: its tracked variant's 7 on hand" "$(k listing show den-ban --json)" '"stock":7[,}]'
t_nomatch "the lamp says no 7 in all: its large one is made to order" "$(k listing show den-ban --json)" '"stock":[0-9]*,"variants"'
t_match "the buyer reads the large lamp keeps no count" "$(k listing show den-ban)" 'L  USD 15.00  no count  DB-L'
t_nomatch "and no stock line for the lamp in all" "$(k listing show den-ban)" '^stock:'
t_match "the tracked one's object holds its stock (so the next check can see one)" "$(k listing show den-ban --json)" '"sku":"DB-[A-Z]*","options":\{[^}]*\}[^}]*"stock":7[,}]'
t_nomatch "the untracked one says none" "$(k listing show den-ban --json)" '"sku":"DB-L","options":\{[^}]*\}[^}]*"stock"'

# --- WooCommerce ------------------------------------------------------------------------------
t_run "WooCommerce import" 3 k listing import "$D/woocommerce.csv" --currency EUR --json
t_match "WooCommerce detected" "$T_OUT" '"format":"woocommerce"'
t_match "WooCommerce counts" "$T_OUT" '"created":3,"updated":0,"unchanged":0,"merged":0,"failed":2,"rows":7'
t_match "WooCommerce missing price on its line" "$T_ERR" 'woocommerce\.csv:7: Regular price: empty'
t_match "WooCommerce orphan variation on its line" "$T_ERR" "woocommerce\.csv:8: Parent: 'NOPARENT'"
t_match "variable product with its variations" "$(k listing show HOODIE --json)" '"variants":\[\{"sku":"HOODIE-BLUE-S"'
t_run "product without SKU keyed woo-ID" 0 k listing show woo-16
t_nomatch "a shop file without a stock column says none" "$(k listing show woo-16 --json)" '"stock"'
printf 'Type,SKU,Name,Regular price,Stock\nsimple,WS-1,Enamel mug,5.00,40\nsimple,WS-2,Tin cup,3.00,-2\nsimple,WS-3,Tin plate,3.00,some\n' >"$T_TMP/woo-stock.csv"
t_run "WooCommerce with a Stock column (a bad one fails its row)" 3 k listing import "$T_TMP/woo-stock.csv" --format woocommerce --currency EUR
t_match "WooCommerce Stock read" "$(k listing show WS-1 --json)" '"stock":40'
t_match "an oversold product (stock below zero) has none on hand" "$(k listing show WS-2 --json)" '"stock":0'
t_match "a Stock that is not a number names its line and column" "$T_ERR" "woo-stock\.csv:4: .*Stock: 'some' is not a whole number"
# WooCommerce's weight column names the shop's unit; a variation's blank one is the product's
cat >"$T_TMP/woo-weight.csv" <<'CSV'
ID,Type,SKU,Name,Published,Regular price,Parent,Attribute 1 name,Attribute 1 value(s),Weight (lbs)
30,simple,LAMP,Brass lamp,1,40.00,,,,2.5
31,variable,RUG,Jute rug,1,,,Size,"S, L",3
32,variation,RUG-S,Jute rug - S,1,20.00,RUG,Size,S,
33,variation,RUG-L,Jute rug - L,1,30.00,RUG,Size,L,3
34,variable,POT,Clay pot,1,,,Size,"S, L",
35,variation,POT-S,Clay pot - S,1,8.00,POT,Size,S,1
36,variation,POT-L,Clay pot - L,1,12.00,POT,Size,L,2
CSV
t_run "a WooCommerce export weighing in pounds (queued: exit 4)" 4 k listing import "$T_TMP/woo-weight.csv" --currency EUR
t_match "2.5 lbs is what one lamp ships weighing, in kg" "$(k listing show LAMP)" '^packing: +gross 1.134 kg a piece$'
t_match "the rug's variations weigh the product's 3 lbs, blank or said" "$(k listing show RUG)" '^packing: +gross 1.361 kg a piece$'
t_nomatch "the pots weigh 1 and 2 lbs: no one weight is the listing's" "$(k listing show POT)" '^packing:'
t_run "WooCommerce variations with their own Stock (two products that cannot stand fail)" 3 \
	k listing import "$D/woocommerce-stock.csv" --currency EUR --json
t_match "five in, two failed, every row counted" "$T_OUT" '"created":5,"updated":0,"unchanged":0,"merged":0,"failed":2,"rows":23'
t_match "each variation's Stock is its variant's" "$(k listing show TEE --json)" \
	'"variants":\[\{"sku":"TEE-S","options":\{[^}]*\}[^}]*"stock":4[,}]'
t_nomatch "the tee says no 4 in all: its large one keeps no count" "$(k listing show TEE --json)" \
	'"stock":[0-9]*,"variants"'
t_match "a variation sold below zero has none on hand" "$(k listing show TEE --json)" '"sku":"TEE-M","options":\{[^}]*\}[^}]*"stock":0[,}]'
t_nomatch "a blank Stock says none, not 0" "$(k listing show TEE --json)" '"sku":"TEE-L","options":\{[^}]*\}[^}]*"stock"'
t_match "stock managed at product level is the listing's" "$(k listing show CAP --json)" '"stock":12[,}]'
t_nomatch "and its variations keep none of their own" "$(k listing show CAP --json)" '"sku":"CAP-[A-Z]*","options":\{[^}]*\}[^}]*"stock"'
t_match "where every variation keeps its own count, the product's row's is ignored, as WooCommerce does" \
	"$(k listing show BAG --json)" '"stock":25[,}]'
t_match "one variation sharing the product's count has it as its own" "$(k listing show APRON --json)" \
	'"sku":"APRON-BLACK","options":\{[^}]*\}[^}]*"stock":20[,}]'
t_match "beside one with its own 8: 28 in all" "$(k listing show APRON --json)" '"stock":28,"variants"'
t_match "two sharing one count beside one with its own fail: a listing cannot split it" "$T_ERR" \
	"woocommerce-stock\.csv:21: Stock: 2 variations \(from line 23\) share the product's 30 .*while line 22 keeps its own"
t_match "a bad variation Stock names the variation's line" "$T_ERR" "woocommerce-stock\.csv:16: Stock: 'six' is not a whole number"
printf 'Type,SKU,Name,Regular price,Images\nsimple,WI-1,Clay pot,8.00,"https://shop.example.com/pot.jpg, HTTP://old.example.com/pot-side.jpg, https://shop.example.com/pot-top.jpg"\nsimple,WI-2,Clay jug,9.00,"https://shop.example.com/jug.jpg, no-such-file.jpg"\n' >"$T_TMP/woo-images.csv"
t_run "an older shop's images, http among https (a missing file still fails its row)" 3 \
	k -q listing import "$T_TMP/woo-images.csv" --currency EUR
t_match "the http one is left out, said with its line even under -q" "$T_ERR" \
	'woo-images\.csv:2: warning: HTTP://old\.example\.com/pot-side\.jpg: left out \(only https images are taken\)'
t_match "the product goes in with its other images" "$(k listing show WI-1 --json)" \
	'"images":\["https://shop\.example\.com/pot\.jpg","https://shop\.example\.com/pot-top\.jpg"\]'
t_match "a missing local file still fails its row" "$T_ERR" 'woo-images\.csv:3: images: .*no-such-file\.jpg'
t_eq "one warning, for the one http image" "$(printf '%s\n' "$T_ERR" | grep -c 'warning:')" "1"
printf 'Type,SKU,Name,Regular price\nsimple,WP-1,Oak board,"1,234.00"\nsimple,WP-2,Oak plank,"1,23.00"\n' >"$T_TMP/woo-prices.csv"
t_run "prices as Excel writes them in a USD shop, 1,234.00 (a badly grouped one fails)" 3 \
	k listing import "$T_TMP/woo-prices.csv" --currency USD
t_match "1,234.00 is 1234.00" "$(k listing show WP-1 --json)" '"unitPrice":123400[,}]'
t_match "1,23.00 is refused, saying how to write it" "$T_ERR" \
	"woo-prices\.csv:3: Regular price: '1,23\.00' is not an amount with commas grouping thousands \(write it like 1,234\.50 or 1234\.50\)"

# --- Etsy -------------------------------------------------------------------------------------
t_run "Etsy import" 3 k listing import "$D/etsy.csv" --json
t_match "Etsy detected" "$T_OUT" '"format":"etsy"'
t_match "Etsy counts" "$T_OUT" '"created":2,"updated":0,"unchanged":0,"merged":0,"failed":2,"rows":4'
t_match "Etsy bad price on its line" "$T_ERR" 'etsy\.csv:7: PRICE: abc'
t_match "Etsy bad currency on its line" "$T_ERR" 'etsy\.csv:8: CURRENCY_CODE'
t_match "multi-line description kept" "$(k listing show MUG-01)" 'Dishwasher safe\.'
t_match "stock from Etsy's QUANTITY" "$(k listing show MUG-01)" '^stock: +12 pieces on hand$'
t_run "search finds the Etsy napkins" 0 k search linen napkins
t_match "napkins found" "$T_OUT" 'Linen napkins'
t_run "Etsy re-import" 3 k listing import "$D/etsy.csv"
t_match "Etsy re-import (derived key is stable)" "$T_OUT" '0 created, 0 updated, 2 unchanged'

# --- JSON Lines, from stdin ------------------------------------------------------------------
t_run "JSON Lines import from stdin" 3 k listing import - --json <"$D/listings.jsonl"
t_match "JSON Lines detected" "$T_OUT" '"format":"jsonl"'
t_match "JSON Lines counts" "$T_OUT" '"created":2,"updated":0,"unchanged":0,"merged":0,"failed":2,"rows":4'
t_match "broken JSON on its line" "$T_ERR" 'stdin:4: JSON: .*unterminated'
t_match "bad sku on its line" "$T_ERR" 'stdin:5: sku'

# --- our own export reads back unchanged; a clean import is queued (exit 4) -----------------
k listing export >"$T_TMP/export.csv"
t_run "own CSV export re-imports with nothing to do (exit 0)" 0 k listing import "$T_TMP/export.csv"
t_match "all unchanged" "$T_OUT" ' 0 created, 0 updated, [0-9]+ unchanged, 0 merged, 0 failed'
k listing export --format jsonl >"$T_TMP/export.jsonl"
t_run "own JSONL export re-imports with nothing to do" 0 k listing import "$T_TMP/export.jsonl" --format jsonl
t_match "the CSV export has a stock column, then the variants'" "$(head -n 1 "$T_TMP/export.csv" | tr -d '\r')" ',status,stock,variant_of,options,net_kg,gross_kg,per_package$'
t_match "holding the stock where it was said (Etsy's mug: 12)" "$(tr -d '\r' <"$T_TMP/export.csv")" ',active,12,,,,,$'
printf 'sku,title,currency,price,stock\nST-1,Stocked thing,USD,1.00,25\nST-2,Oversold thing,USD,1.00,-3\n' >"$T_TMP/stock.csv"
t_run "kontor CSV with a stock column (below zero fails its row)" 3 k listing import "$T_TMP/stock.csv"
t_match "stock read" "$(k listing show ST-1 --json)" '"stock":25'
t_match "stock below zero refused in kontor's own CSV, on its line" "$T_ERR" 'stock\.csv:3: stock: -3 is out of range'
t_run "listing list shows the stock" 0 k listing list
t_match "in its own column" "$T_OUT" '^ST-1 .* moq 1 pcs +stock 25 +active '
t_match "a dash where none was said" "$T_OUT" '^NEW-1 .* moq 1 pcs +stock - +active |^TL-71 .* stock - '
t_run "listing edit --stock 0" 4 k listing edit ST-1 --stock 0
t_match "sold out: 0 on hand" "$(k listing show ST-1)" '^stock: +0 pieces on hand$'
t_run "listing edit --stock none" 4 k listing edit ST-1 --stock none
t_nomatch "no longer said" "$(k listing show ST-1 --json)" '"stock"'
t_run "listing edit --stock with a word is a usage error (exit 2)" 2 k listing edit ST-1 --stock lots
t_match "saying what it takes" "$T_ERR" "--stock: a whole number of units, 0 or more, or none \(got 'lots'\)"
printf 'sku,title,currency,price\nNEW-1,A new thing,USD,4.00\n' >"$T_TMP/new.csv"
t_run "a clean import is queued (exit 4)" 4 k listing import "$T_TMP/new.csv"
t_match "queued message" "$T_ERR" 'queued'

# --- a SKU twice in one file: the second row is refused, so a re-run stays a no-op ----------
printf 'sku,title,currency,price\nDUP-1,First,USD,1.00\nDUP-2,Other,USD,2.00\nDUP-1,Second,USD,3.00\n' >"$T_TMP/dup.csv"
t_run "a repeated SKU fails its second row" 3 k listing import "$T_TMP/dup.csv"
t_match "the repeat names the first line" "$T_ERR" "dup\.csv:4: sku: 'DUP-1' is already on line 2"
t_match "the first row went in" "$(k listing show DUP-1)" 'First'
t_run "a re-run of it" 3 k listing import "$T_TMP/dup.csv"
t_match "changes nothing" "$T_OUT" '0 created, 0 updated, 2 unchanged, 0 merged, 1 failed'

# --- Etsy: one SKU per variation, SKUs with '#' and spaces ----------------------------------
t_run "Etsy export with a SKU per variation" 3 k listing import "$D/etsy-variants.csv" --json
t_match "all but the mismatched row go in" "$T_OUT" '"created":5,"updated":0,"unchanged":0,"merged":0,"failed":1,"rows":6'
t_match "three SKUs for two variations named on its line" "$T_ERR" 'etsy-variants\.csv:6: SKU: 3 SKUs for 2 variations'
t_run "the T-shirt is found by its first variation's SKU" 0 k listing show 66F927A9CDAD6_5436 --json
t_match "each variation has its own SKU, in the order of the values" "$T_OUT" '"variants":\[\{"sku":"66F927A9CDAD6_5436","options":\{"Size":"S","Colour":"Black"\}\},\{"sku":"66F927A9CDAD6_5437","options":\{"Size":"S","Colour":"White"\}\},\{"sku":"66F927A9CDAD6_5438","options":\{"Size":"M","Colour":"Black"\}\}'
t_match "its signature checks out" "$(k listing show 66F927A9CDAD6_5436)" 'signature: valid'
k listing export --format jsonl >"$T_TMP/etsy.jsonl"
t_match "the seller's SKU is kept as written beside its key" "$(cat "$T_TMP/etsy.jsonl")" '"sku":"MUG-7-blue-[0-9a-f]{12}","sellerSku":"MUG #7 blue"'
t_match "and on variants" "$(cat "$T_TMP/etsy.jsonl")" '"sku":"EAR-2-[0-9a-f]{12}","options":\{"Metal":"Silver"\},"sellerSku":"EAR #2"'
k listing export >"$T_TMP/export2.csv"
t_run "our CSV export of mapped SKUs re-imports with nothing to do" 0 k listing import "$T_TMP/export2.csv"
t_match "every listing unchanged: the SKUs as written are kept" "$T_OUT" ' 0 created, 0 updated, [0-9]+ unchanged, 0 merged, 0 failed'
t_run "Etsy re-import" 3 k listing import "$D/etsy-variants.csv"
t_match "re-import finds every derived key again" "$T_OUT" '0 created, 0 updated, 5 unchanged, 0 merged, 1 failed \(6 rows\)'
t_run "the Italian export" 3 k listing import "$D/etsy-it.csv" --json
t_match "Italian header detected as Etsy" "$T_OUT" '"format":"etsy"'
t_match "Italian rows in" "$T_OUT" '"created":3,"updated":0,"unchanged":0,"merged":0,"failed":1,"rows":4'
t_match "the row without a title named on its line" "$T_ERR" 'etsy-it\.csv:5: TITLE: empty'
t_match "Italian listing with its variant SKUs" "$(k listing show TZ-BLU --json)" '"title":"Tazza in ceramica fatta a mano".*"sku":"TZ-VERDE","options":\{"Colore":"Verde"\}'

# --- WooCommerce: repeated rows merged or refused, grouped products ---------------------------
t_run "WooCommerce export with repeated rows" 3 k listing import "$D/woocommerce-repeats.csv" --currency EUR
t_match "every row accounted for" "$T_OUT" '4 created, 0 updated, 0 unchanged, 2 merged, 4 failed \(14 rows\)'
t_match "identical repeats merged with one warning naming them" "$T_ERR" 'woocommerce-repeats\.csv: warning: 2 rows repeated an earlier one exactly and were merged into it: line 5 \(= line 3\), line 9 \(= line 6\)'
t_eq "one warning" "$(printf '%s\n' "$T_ERR" | grep -c warning)" "1"
t_match "conflicting repeats fail naming both lines" "$T_ERR" "woocommerce-repeats\.csv:10: ID '40' is on line 11 too, with another Regular price"
t_match "the other one too" "$T_ERR" "woocommerce-repeats\.csv:11: ID '40' is on line 10 too"
t_match "a repeated variation SKU fails its product" "$T_ERR" "woocommerce-repeats\.csv:14: SKU 'APRON-ONE' is on line 15 too, with another Regular price"
t_match "a grouped product with a missing child, once, with the reason" "$T_ERR" "woocommerce-repeats\.csv:12: Grouped products: 'id:99' is no simple product in this file"
t_eq "reported once" "$(printf '%s\n' "$T_ERR" | grep -c 'woocommerce-repeats.csv:12:')" "1"
t_match "the merged variation is not a second variant" "$(k listing show SHIRT --json)" '"variants":\[\{"sku":"SHIRT-S","options":\{"Size":"S"\},"unitPrice":3000\},\{"sku":"SHIRT-M","options":\{"Size":"M"\},"unitPrice":3200\}\]'
t_match "the grouped product lists its children" "$(k listing show TEA-SET --json)" '"variants":\[\{"sku":"TEA-GREEN","options":\{"Product":"Green tea 100 g"\},"unitPrice":650\},\{"sku":"TEA-BLACK","options":\{"Product":"Black tea 100 g"\},"unitPrice":590\}\]'
t_run "WooCommerce repeats re-imported" 3 k listing import "$D/woocommerce-repeats.csv" --currency EUR
t_match "changes nothing" "$T_OUT" '0 created, 0 updated, 4 unchanged, 2 merged, 4 failed'

# --- Excel: Windows-1252, "sep=;" and decimal commas --------------------------------------------
n5=$(outbox_n)
t_run "a Windows-1252 file is refused" 1 k listing import "$D/woocommerce-1252.csv" --currency EUR
t_match "once, naming --encoding with the line as it reads in it" "$T_ERR" 'woocommerce-1252\.csv: line 2: not UTF-8; read as WINDOWS-1252 \(what Excel saves CSV in on a Western European or American Windows\) it says "60,simple,CAFE-MUG,Café crème mug,1,,.*give --encoding WINDOWS-1252'
t_eq "not row by row" "$(printf '%s\n' "$T_ERR" | wc -l)" "1"
t_eq "and nothing queued" "$(outbox_n)" "$n5"
t_run "with --encoding it goes in (queued: no node here)" 4 k listing import "$D/woocommerce-1252.csv" --currency EUR --encoding WINDOWS-1252 --json
t_match "both products" "$T_OUT" '"created":2,"updated":0,"unchanged":0,"merged":0,"failed":0,"rows":4'
t_match "accents and the euro sign come through" "$(k listing show CAFE-MUG --json)" '"title":"Café crème mug".*Preis in €'
t_run "an unknown encoding is a usage error" 2 k listing import "$D/woocommerce-1252.csv" --currency EUR --encoding KLINGON-8
t_run "Excel's sep=; file with decimal commas" 3 k listing import "$D/kontor-excel-de.csv"
t_match "its rows and failures" "$T_OUT" '4 created, 0 updated, 0 unchanged, 0 merged, 2 failed \(6 rows\)'
t_match "12,50 is twelve fifty" "$(k listing show KL-71)" 'EUR 12\.50 / piece  from 10'
t_match "1.234,50 is the thousands written out" "$(k listing show LED-10M --json)" '"unitPrice":123450'
t_match "with decimal commas 1.500 groups thousands: 1500" "$(k listing show DOT-GRP --json)" '"unitPrice":150000'
t_match "a comma after a badly grouped number is refused, saying how to write it" "$T_ERR" "kontor-excel-de\.csv:8: price: '12\.34,50' is not an amount with a decimal comma \(write it like 1234,50, 1\.234,50 or 1\.234\.567\)"
printf 'sku,title,currency,price\nDC-1,Decimal comma,EUR,"7,25"\n' >"$T_TMP/dc.csv"
t_run "a comma file whose prices write a decimal comma beyond doubt goes in as it is" 4 k listing import "$T_TMP/dc.csv"
t_match "saying how it read them" "$T_ERR" 'dc\.csv: prices written with a decimal comma \("7,25"\): read so, as --decimal-comma reads them'
t_match "7,25" "$(k listing show DC-1)" 'EUR 7\.25'
printf 'sku,title,currency,price\nDC-2,Decimal comma or thousands,KWD,"7,250"\n' >"$T_TMP/dc2.csv"
t_run "7,250 may be thousands: refused" 3 k listing import "$T_TMP/dc2.csv"
t_match "naming the option that reads it as a decimal comma" "$T_ERR" "dc2\.csv:2: price: 7,250: .*; --decimal-comma reads it as 7\.250$"
t_run "--decimal-comma reads it" 4 k listing import "$T_TMP/dc2.csv" --decimal-comma
t_match "7,250" "$(k listing show DC-2)" 'KWD 7\.250'
printf 'sku|title|currency|price\nPIPE-1|Pipes, two|EUR|3.10\n' >"$T_TMP/pipe.csv"
t_run "--delimiter '|'" 4 k listing import "$T_TMP/pipe.csv" --delimiter '|'
t_match "read with it" "$(k listing show PIPE-1)" 'Pipes, two'
t_run "--delimiter must be one of the four" 2 k listing import "$T_TMP/pipe.csv" --delimiter '::'

# --- the currency of a file without one: --currency, `set currency`, the country -------------
printf 'set currency GBP\n' >"$T_TMP/config"
t_run "from the config's set currency" 3 env KONTOR_CONFIG="$T_TMP/config" "$KONTOR" --home "$H" listing import "$D/woocommerce.csv" --dry-run --json
t_match "said in --json" "$T_OUT" '"currency":"GBP","currencyFrom":"`set currency` in your config"'
t_run "--currency wins over the config" 3 env KONTOR_CONFIG="$T_TMP/config" "$KONTOR" --home "$H" listing import "$D/woocommerce.csv" --dry-run --currency EUR
t_nomatch "and then nothing is said about it" "$T_ERR" 'no currency column'
printf 'set currency euro\n' >"$T_TMP/badconfig"
t_run "a bad config line stops it rather than guessing" 1 env KONTOR_CONFIG="$T_TMP/badconfig" "$KONTOR" --home "$H" listing import "$D/woocommerce.csv" --dry-run
t_match "naming the line" "$T_ERR" 'badconfig:1: currency needs an ISO 4217 code'

# --- Shopee's workbooks (.xlsx): the Mass Update export and the mass-upload template --------
H3="$T_TMP/hoa"
k3() { "$KONTOR" --home "$H3" "$@"; }
X="$D/xlsx"
t_run "a seller in Hai Phong" 0 k3 init --name "Mây Tre Hải Phòng" --country VN --role supplier
t_run "Shopee's export as it downloads (one bad row: exit 3)" 3 k3 listing import "$X/shopee-sales-info.xlsx" --json
t_match "read as Shopee from its one sheet" "$T_OUT" '"format":"shopee","sheet":"Sheet1"'
t_match "Shopee's notes rows are no rows of hers; one product failed" "$T_OUT" '"created":3,"updated":0,"unchanged":0,"merged":0,"failed":1,"rows":6'
t_match "the bad row named by its row in the sheet" "$T_ERR" "shopee-sales-info\.xlsx:12: product 'Thảm cói': et_title_variation_price"
t_match "the prices are in her country's currency, said" "$T_OUT" '"currency":"VND","currencyFrom":"your country VN"'
t_match "and her products ship from her country, said" "$T_OUT" '"shipsFrom":"VN","shipsFromFrom":"your country VN"'
t_run "a Shopee product with two variations shows" 0 k3 listing show GIO-TRE --json
t_match "each variation with its SKU, name, price and stock" "$T_OUT" '"variants":\[\{"sku":"GIO-TRE-S","options":\{"Variation":"Nhỏ"\},"unitPrice":185000,"stock":40\},\{"sku":"GIO-TRE-L","options":\{"Variation":"Lớn"\},"unitPrice":245000,"stock":25\}\]'
t_match "the lowest price is the listing's and the stock is summed" "$T_OUT" '"priceTiers":\[\{"minQty":1,"unitPrice":185000\}\].*"stock":65'
t_match "a product without a parent SKU is keyed by its Shopee id, shown whole" "$(k3 listing list)" 'shopee-22345678903  Khay mây đan'
t_run "the SKU the list shows names the listing" 0 k3 listing show shopee-22345678903
t_run "a listing with a SKU of 43 characters" 4 k3 listing add --sku ABCDEFGHIJ-ABCDEFGHIJ-ABCDEFGHIJ-ABCDEFGHIJ --title "Long SKU" --price 1000 --currency VND
t_match "the list cuts it at 32 columns and says so" "$(k3 listing list)" 'ABCDEFGHIJ-ABCDEFGHIJ-ABCDEFGHI…  Long SKU'
t_match "and the other rows line up with it" "$(k3 listing list)" 'NON-LA                            Nón lá Huế'
t_run "the same export again" 3 k3 listing import "$X/shopee-sales-info.xlsx"
t_match "changes nothing" "$T_OUT" '0 created, 0 updated, 3 unchanged, 0 merged, 1 failed \(6 rows\)'
t_run "the template: its product sheet found behind the guidance sheet" 4 k3 listing import "$X/shopee-template.xlsx" -v
t_match "which sheet was read is said" "$T_ERR" "shopee-template\.xlsx: sheet 'Bản đăng tải' \(2 of 2; --sheet chooses another\)"
t_match "rows named as the sheet numbers them, past a line break in a cell" "$T_OUT" 'shopee-template\.xlsx:10: created KHAY'
t_match "the template's description keeps its line break" "$(k3 listing show GIO-TRE --json)" '"description":"Giỏ tre đan tay\\nLàng nghề Phú Vinh"'
t_match "the template's options by their names" "$(k3 listing show KHAY --json)" '"options":\{"Màu":"Nâu","Cỡ":"40cm"\}'
t_match "its ps_weight in kg is what one hat ships weighing" "$(k3 listing show NON-LA)" '^packing: +gross 0.2 kg a piece$'
t_nomatch "the baskets weigh 0.4 and 0.6 kg: no one weight is the listing's" "$(k3 listing show GIO-TRE)" '^packing:'
t_run "--sheet by its number" 0 k3 listing import "$X/shopee-template.xlsx" --sheet 2
t_match "reads the same sheet: nothing changed" "$T_OUT" '0 created, 0 updated, 3 unchanged'
t_run "--sheet by its name without its accents: the guidance sheet has no product header" 1 k3 listing import "$X/shopee-template.xlsx" --sheet "huong dan"
t_match "and says it is not a format kontor knows" "$T_ERR" 'not a format kontor knows'
# Her own spreadsheet, from no shop kontor reads: the error shows its header and the names
# to give the columns; renamed so, it goes in.
printf 'Tên sản phẩm,Mã SKU,Giá,Kho hàng\nGhế đẩu sắt,GHE-DAU,450000,20\n' >"$T_TMP/own.csv"
t_run "a header kontor does not know fails (exit 1)" 1 k3 listing import "$T_TMP/own.csv" --currency VND
t_match "quoting her header" "$T_ERR" 'not a format kontor knows .*it reads "Tên sản phẩm,Mã SKU,Giá,Kho hàng"'
t_match "and the names a kontor CSV gives the columns" "$T_ERR" 'name the columns as a kontor CSV does \(sku, title, price; currency, stock, moq'
printf 'title,sku,price,stock\nGhế đẩu sắt,GHE-DAU,450000,20\n' >"$T_TMP/own.csv"
t_run "renamed so, it is a kontor CSV" 0 k3 listing import "$T_TMP/own.csv" --currency VND --dry-run
t_match "its row would go in" "$T_OUT" '1 to create'
t_run "--sheet naming no sheet is a usage error" 2 k3 listing import "$X/shopee-template.xlsx" --sheet Products
t_match "listing the workbook's sheets" "$T_ERR" "no sheet 'Products' \(its sheets: 'Hướng dẫn', 'Bản đăng tải'\)"
t_run "--sheet on a CSV file is a usage error" 2 k3 listing import "$D/shopee-sales-info.csv" --sheet 1

# --- a Vietnamese seller's files as she keeps them -------------------------------------------
t_run "her Shopee export as she edited it in Excel" 4 k3 listing import "$X/shopee-vn.xlsx"
t_match "every product in, the rows of blank cells below them no rows at all" "$T_OUT" '1 created, 0 updated, 0 unchanged, 0 merged, 0 failed \(2 rows\)'
t_match "1.250.000 is a million and a quarter đồng, 12.0 in stock is 12" "$(k3 listing show DEN-MAY --json)" '"variants":\[\{"sku":"DEN-MAY-S","options":\{"Variation":"Nhỏ"\},"unitPrice":1250000,"stock":12\},\{"sku":"DEN-MAY-L","options":\{"Variation":"Lớn"\},"unitPrice":1450000,"stock":3\}\]'
t_match "the line break in her title (Alt+Enter) is a space" "$(k3 listing show DEN-MAY --json)" '"title":"Đèn mây đan tay"'
printf '%s\n' 'Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty' \
	'non-la-hue,"Nón lá' 'Huế",<p>N&oacute;n l&aacute; &ndash; l&agrave;ng Chu&ocirc;ng&hellip; &copy; 2024</p>,Title,Default Title,NL-HUE,1.250.000,5' \
	',,,,,,,' 'quat-nan,Quạt nan,,Cỡ,Nhỏ,QN-S,"250.000 ₫",3' 'quat-nan,,,,Lớn,QN-L,1.450.000đ,2' ',,,,,,,' ' , ,,,,,,' >"$T_TMP/vn-shopify.csv"
t_run "her Shopify export with dot-grouped prices and Excel's empty rows" 4 k3 listing import "$T_TMP/vn-shopify.csv"
t_match "both products in, no row failed" "$T_OUT" '2 created, 0 updated, 0 unchanged, 0 merged, 0 failed \(3 rows\)'
t_nomatch "nothing said of the empty rows" "$T_ERR" 'empty'
t_match "1.250.000 read as 1250000" "$(k3 listing show non-la-hue --json)" '"priceTiers":\[\{"minQty":1,"unitPrice":1250000\}\]'
t_match "the title's line break folded" "$(k3 listing show non-la-hue --json)" '"title":"Nón lá Huế"'
t_match "HTML's named entities decoded: her letters and the typographic ones" "$(k3 listing show non-la-hue --json)" '"description":"Nón lá – làng Chuông… © 2024"'
t_match "250.000 ₫ and 1.450.000đ" "$(k3 listing show quat-nan --json)" '"unitPrice":250000.*"unitPrice":1450000'
printf 'Handle;Title;Variant SKU;Variant Price\nden-tre-2;Đèn tre;DT-2;1.250.000\n;;;\n;;;\n' >"$T_TMP/vn-semi.csv"
t_run "a ';' file: its dots group thousands" 4 k3 listing import "$T_TMP/vn-semi.csv"
t_match "read so, its empty rows skipped" "$T_OUT" '1 created, 0 updated, 0 unchanged, 0 merged, 0 failed \(1 row\)'
t_match "1250000" "$(k3 listing show den-tre-2 --json)" '"unitPrice":1250000'
printf 'Handle;Title;Variant SKU;Variant Price\nden-tre-3;Đèn tre 3;DT-3;1.25.000\n' >"$T_TMP/vn-semi-bad.csv"
t_run "a badly grouped price in a ';' file is refused" 3 k3 listing import "$T_TMP/vn-semi-bad.csv"
t_match "saying how to write it, never that separators are not allowed" "$T_ERR" "vn-semi-bad\.csv:2: product 'den-tre-3': Variant Price: '1\.25\.000' is not an amount with a decimal comma \(write it like 1234,50, 1\.234,50 or 1\.234\.567\)"
printf '%s\n' 'ID,Type,SKU,Name,Published,Short description,Description,Regular price,Stock,Tags' \
	"1,simple,'@NL-1,Nón lá Woo,1,,Dòng 1\\nDòng 2\\n\\nĐoạn 2,90000,'-3,'=tre" ',,,,,,,,,' >"$T_TMP/vn-woo.csv"
t_run "her WooCommerce export, escaped against spreadsheet formulas" 4 k3 listing import "$T_TMP/vn-woo.csv" --currency VND
t_match "one product, the empty row skipped" "$T_OUT" '1 created, 0 updated, 0 unchanged, 0 merged, 0 failed \(1 row\)'
k3 listing export --format jsonl >"$T_TMP/vn-woo.jsonl"
t_match "the apostrophe before @ taken out of the SKU, and before = of the tag" "$(grep 'Nón lá Woo' "$T_TMP/vn-woo.jsonl")" '"sellerSku":"@NL-1".*"tags":\["=tre"\]'
t_match "its backslash-n are line breaks" "$(grep 'Nón lá Woo' "$T_TMP/vn-woo.jsonl")" '"description":"Dòng 1\\nDòng 2\\n\\nĐoạn 2"'
t_match "and a Stock of '-3 is -3: none on hand" "$(grep 'Nón lá Woo' "$T_TMP/vn-woo.jsonl")" '"stock":0'
printf '\320\317\021\340\241\261\032\341\076\000\003\000\376\377\011\000' >"$T_TMP/old.xls"
t_run "an old Excel .xls (or an .xlsx with a password to open) is refused" 1 k3 listing import "$T_TMP/old.xls"
t_match "saying what it is and how to save it" "$T_ERR" 'old\.xls: an encrypted workbook or an old Excel \(\.xls\) file: save it again as an Excel workbook \(\.xlsx\) without a password'
t_nomatch "not that it is not UTF-8" "$T_ERR" 'UTF-8'
t_run "with --encoding too" 1 k3 listing import "$T_TMP/old.xls" --encoding WINDOWS-1258
t_match "the same" "$T_ERR" 'an encrypted workbook or an old Excel \(\.xls\) file'
t_run "the help says which formats merge repeated rows" 0 k3 help listing import
t_match "WooCommerce's exact repeats merged" "$T_OUT" 'WooCommerce file, a row that repeats an earlier one exactly is merged into it'
t_match "in the others failed" "$T_OUT" 'in the other formats such a row fails'
t_nomatch "never that every format merges them" "$T_OUT" 'rows that repeat an earlier one exactly are merged with a warning'

outbox_n3() { k3 outbox list --json | grep -c '"method"'; }
nq3=$(outbox_n3)
t_run "her shop's CSV as Excel saves it on a Vietnamese Windows is refused" 1 k3 listing import "$D/shopify-vi-1258.csv"
t_match "naming her Excel's character set, with the line as it reads in it" "$T_ERR" 'shopify-vi-1258\.csv: line 2: not UTF-8; read as WINDOWS-1258 \(what Excel saves CSV in on a Vietnamese Windows\) it says "quat-may,Quạt mây đan tay,.*give --encoding WINDOWS-1258,'
t_nomatch "never the Western one" "$T_ERR" '1252'
t_nomatch "and nothing of its columns first" "$T_ERR" 'no currency column'
t_eq "nothing queued" "$(outbox_n3)" "$nq3"
t_run "with --encoding WINDOWS-1258 it goes in" 4 k3 listing import "$D/shopify-vi-1258.csv" --encoding WINDOWS-1258
t_match "both products" "$T_OUT" '2 created, 0 updated, 0 unchanged, 0 merged, 0 failed \(3 rows\)'
t_match "her titles and options with every tone mark" "$(k3 listing show quat-may --json)" '"title":"Quạt mây đan tay".*"options":\{"Cỡ":"Lớn"\}'
t_match "and the last field of the file whole" "$(k3 listing show den-tre --json)" '"tags":\["tre"\]'
t_match "her prices, which Shopify writes with two decimals, read as whole đồng" "$(k3 listing show quat-may --json)" '"sku":"QUAT-L".*"unitPrice":65000[,}]'
t_match "they ship from her country, said once" "$T_ERR" 'shopify-vi-1258\.csv: ships from VN, your country, for 2 listings that do not say \(--ships-from to choose another\)'
t_match "as the listing says" "$(k3 listing show quat-may --json)" '"shipsFrom":"VN"'
t_run "she ships the lamp from a warehouse in Thailand" 4 k3 listing edit den-tre --ships-from TH
t_run "the same file again" 0 k3 listing import "$D/shopify-vi-1258.csv" --encoding WINDOWS-1258 --dry-run
t_match "changes nothing: what she set is kept where the file does not say" "$T_OUT" '0 to create, 0 to update, 2 unchanged'
t_nomatch "and nothing is said of a default" "$T_ERR" 'ships from'
t_run "--ships-from names another country for every row that does not say" 0 k3 listing import "$D/shopify-vi-1258.csv" --encoding WINDOWS-1258 --ships-from cn --dry-run --json
t_match "her own word over what was set before" "$T_OUT" '"created":0,"updated":2,"unchanged":0'
t_run "--ships-from with a country that is none is a usage error" 2 k3 listing import "$D/shopify-vi-1258.csv" --encoding WINDOWS-1258 --ships-from XX
t_match "naming it" "$T_ERR" "--ships-from: unknown country 'XX'"
# her shop's stock in a spreadsheet: the export writes each variant on a row of its own under
# its listing, and reads back as it is
k3 listing export | tr -d '\r' >"$T_TMP/hers.csv"
t_eq "the export writes each variant on its own row, under its listing" "$(grep -A2 '^quat-may,' "$T_TMP/hers.csv" | tail -n 2)" "QUAT-S,,,,,,45000,,,,,,,,,,,120,quat-may,Cỡ: Nhỏ,,,
QUAT-L,,,,,,65000,,,,,,,,,,,80,quat-may,Cỡ: Lớn,,,"
t_match "the listing's own stock blank: it is theirs" "$(grep '^quat-may,' "$T_TMP/hers.csv")" ',active,,,,,,$'
t_run "the export reads back with nothing to do" 0 k3 listing import "$T_TMP/hers.csv"
t_match "every listing unchanged" "$T_OUT" '0 created, 0 updated, [0-9]+ unchanged, 0 merged, 0 failed'
sed -e 's/^QUAT-S,\(.*\),120,/QUAT-S,\1,90,/' \
	-e 's/^QUAT-L,.*/&\nQUAT-M,,,,,,55000,,,,,,,,,,,30,quat-may,Cỡ: Vừa/' "$T_TMP/hers.csv" >"$T_TMP/hers2.csv"
t_run "she counts the small fans and adds a middle size" 4 k3 listing import "$T_TMP/hers2.csv"
t_match "one listing updated" "$T_OUT" '0 created, 1 updated, [0-9]+ unchanged, 0 merged, 0 failed'
k3 listing show quat-may >"$T_TMP/fan.txt"
t_match "the small fans as her row says" "$(cat "$T_TMP/fan.txt")" '^ +Nhỏ +VND 45,000 +stock 90 +QUAT-S$'
t_match "the large ones as they were" "$(cat "$T_TMP/fan.txt")" '^ +Lớn +VND 65,000 +stock 80 +QUAT-L$'
t_match "the middle size added" "$(cat "$T_TMP/fan.txt")" '^ +Vừa +VND 55,000 +stock 30 +QUAT-M$'
t_match "the listing's stock their sum" "$(k3 listing show quat-may)" '^stock: +200 pieces on hand$'
printf 'sku,title,currency,price,stock\nQUAT-S,Quạt mây nhỏ,VND,45000,100\n' >"$T_TMP/variant-alone.csv"
t_run "a variant's SKU on a row of its own fails (exit 3)" 3 k3 listing import "$T_TMP/variant-alone.csv"
t_match "saying whose variant it is and where its row goes" "$T_ERR" "variant-alone\.csv:2: sku: 'QUAT-S' is a variant of your listing quat-may \"Quạt mây đan tay\": its row goes under that listing's, with variant_of quat-may, as listing export writes it \(or: kontor listing edit QUAT-S --stock N\)"
t_nomatch "so the fan is never listed twice" "$(k3 listing list)" '^QUAT-S '
t_run "--encoding on a workbook is a usage error" 2 k3 listing import "$X/shopee-template.xlsx" --encoding WINDOWS-1252
t_match "saying why" "$T_ERR" '--encoding: .*shopee-template\.xlsx is an Excel workbook \(\.xlsx\); the option is for CSV files'
t_run "--delimiter on a workbook too" 2 k3 listing import "$X/shopee-template.xlsx" --delimiter ';'
t_match "the same words" "$T_ERR" '--delimiter: .*shopee-template\.xlsx is an Excel workbook \(\.xlsx\); the option is for CSV files'
python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("notes.txt","hello"); z.close()' "$T_TMP/notes.xlsx"
t_run "a zip that is no workbook fails" 1 k3 listing import "$T_TMP/notes.xlsx"
t_match "saying it is no Excel workbook" "$T_ERR" 'notes\.xlsx: not an Excel workbook'
python3 - "$T_ROOT/tests/tools" "$T_TMP/mixed.xlsx" <<'PY'
import sys, zipfile
sys.path.insert(0, sys.argv[1])
from csv2xlsx import workbook
out = sys.argv[2]
workbook(out + ".tmp", [("Notes", [["sku", "title"], ["A-1", "x"]]), ("Broken", [["x"]])])
with zipfile.ZipFile(out + ".tmp") as src, zipfile.ZipFile(out, "w") as dst:
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename == "xl/worksheets/sheet2.xml":
            data = b"<worksheet><sheetData><row>"  # damaged: never closed
        dst.writestr(item, data)
PY
t_run "a workbook whose other sheet is damaged: its first sheet is read" 1 k3 listing import "$T_TMP/mixed.xlsx" --format kontor --currency VND
t_match "as it is (not as an empty file)" "$T_ERR" "mixed\.xlsx: line 1: no 'price' column"
head -c 1000 "$X/shopee-sales-info.xlsx" >"$T_TMP/cut.xlsx"
t_run "a workbook cut short fails" 1 k3 listing import "$T_TMP/cut.xlsx"
t_match "with a message naming it" "$T_ERR" 'cut\.xlsx: '

# --- refusals -----------------------------------------------------------------------------------
t_run "unknown --format is a usage error" 2 k listing import "$D/etsy.csv" --format excel
t_run "a missing file fails" 1 k listing import "$T_TMP/nope.csv"
printf 'a,b\n1,2\n' >"$T_TMP/odd.csv"
t_run "an unknown layout asks for --format" 1 k listing import "$T_TMP/odd.csv"
t_match "the message says --format" "$T_ERR" '--format'
n3=$(outbox_n)
t_run "a wrong passphrase imports nothing" 1 env KONTOR_PASSPHRASE=wrong "$KONTOR" --home "$H" listing import "$T_TMP/new.csv"
t_eq "nothing queued after the refusals" "$(outbox_n)" "$n3"

# --- prices as a shop writes them, with the currency's sign ----------------------------------
printf 'Handle,Title,Variant SKU,Variant Price,Variant Inventory Qty\ngio,Giỏ tre,GIO-1,185000 ₫,5\nnon,Nón lá,NON-1,120000đ,5\nusd,Legs,LEG-1,$12.50,5\n' >"$T_TMP/signs.csv"
t_run "a Vietnamese export with the dong sign beside its prices (one in dollars: exit 3)" 3 \
	k3 listing import "$T_TMP/signs.csv" --dry-run --json
t_match "the dong prices go in: the sign is the currency's own" "$T_OUT" '"created":2,.*"failed":1'
t_match "the dollar price is refused, naming both currencies" "$T_ERR" \
	"signs\.csv:4: product 'usd': Variant Price: \\\$12\.50 is in USD, not VND: write the amount in VND"

# --- with a node: what an import queued is pushed at once -------------------------------
t_make_ca "$T_TMP" || { t_fail "test CA" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
DB="$T_TMP/node.db"
"$KONTORD" init --db "$DB" --name "Import Test Node" >"$T_TMP/init.out" 2>&1
t_node_start "$T_TMP/serve.log" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key"
[ -n "$PORT" ] && t_ok "kontord is up" || { t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"; t_done; exit 1; }
H2="$T_TMP/seller2"
k2() { "$KONTOR" --home "$H2" "$@"; }
t_run "second seller init" 0 k2 init --name "Online Shop" --country PT --role supplier
t_run "node add" 0 k2 node add main "https://127.0.0.1:$PORT" --ca-file "$T_TMP/ca.pem"
printf 'sku,title,currency,price,images\nPT-1,Cork coasters,EUR,6.50,https://img.example.com/cork.jpg\nPT-2,Azulejo tile,EUR,12.00,\n' >"$T_TMP/clean.csv"
t_run "import with a node reachable is delivered (exit 0)" 0 k2 listing import "$T_TMP/clean.csv"
t_match "it says so" "$T_OUT" '2 created'
t_run "a re-run with the node up does nothing (exit 0)" 0 k2 listing import "$T_TMP/clean.csv"
printf 'sku,title,currency,price\nPT-3,Cork place mat,EUR,4.50\n' >"$T_TMP/later.csv"
t_run "an import while the node is out of reach (a proxy nobody answers) queues it (exit 4)" 4 \
	env -u no_proxy -u NO_PROXY https_proxy=http://127.0.0.1:1 "$KONTOR" --home "$H2" listing import "$T_TMP/later.csv"
t_eq "its listing waits in the outbox" "$(k2 outbox list --json | grep -c '"method"')" "1"
t_run "a re-run in reach finds the row unchanged, and pushes what waits (exit 0)" 0 k2 listing import "$T_TMP/later.csv"
t_match "the row is unchanged" "$T_OUT" '0 created, 0 updated, 1 unchanged'
t_eq "the outbox is empty" "$(k2 outbox list --json | grep -c '"method"')" "0"
t_run "the node has the listing" 0 k2 search "cork place mat" --remote
t_match "found there" "$T_OUT" 'Cork place mat'
t_run "a search the node finds nothing for" 0 k2 search "zqxwv" --remote
t_eq "prints no table head over no rows" "$T_OUT" ""
t_eq "and says so" "$T_ERR" "no listings on the node match"
t_run "Shopify import with bad rows still pushes the good ones (exit 3)" 3 k2 listing import "$D/shopify.csv" --currency USD
t_eq "the outbox is empty" "$("$KONTOR" --home "$H2" outbox list --json | grep -c '"method"')" "0"
t_run "Hoa adds the node" 0 k3 node add main "https://127.0.0.1:$PORT" --ca-file "$T_TMP/ca.pem"
t_run "her Shopee listings go to the node with the first sync" 0 k3 sync
t_eq "her outbox is empty" "$(k3 outbox list --json | grep -c '"method"')" "0"
t_run "another account finds her basket on the node" 0 k2 search "giỏ tre" --remote
t_match "by its Vietnamese title" "$T_OUT" 'Giỏ tre đan tay'
t_run "a buyer looking for products from Vietnam finds hers" 0 k2 search --country VN --remote
t_match "her basket among them, with her country" "$T_OUT" 'Giỏ tre đan tay .* VN '

# --- a buyer's offer names the variant bought, and takes its price ----------------------
t_run "the buyer syncs" 0 k2 sync
t_run "an offer for a product in two sizes that names neither: refused (exit 2)" 2 \
	k2 contract propose --listing GIO-TRE --qty 40 --incoterm FOB --place "Hai Phong"
t_match "the listing as he knows it, the choices named, and how to name one" "$T_ERR" '"Giỏ tre đan tay" \(GIO-TRE\) comes in 2 variants: name one \(Nhỏ, Lớn\) with --variant'
t_run "one that names no variant: refused too" 2 \
	k2 contract propose --listing GIO-TRE --variant XL --qty 40 --incoterm FOB --place "Hai Phong"
t_match "saying so" "$T_ERR" "--variant: \"Giỏ tre đan tay\" \\(GIO-TRE\\) has no variant 'XL' \\(Nhỏ, Lớn\\)"
t_eq "nothing was proposed" "$(k2 contract list --json | grep -c '"id"')" "0"
t_run "the large one, named without its accents" 0 \
	k2 contract propose --listing GIO-TRE --variant lon --qty 40 --incoterm FOB --place "Hai Phong" --json
t_match "at the large one's price, not the small one's" "$T_OUT" '"unitPrice":245000,"total":9800000,"currency":"VND"'
cid=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "Hoa syncs" 0 k3 sync
t_run "and reads the offer" 0 k3 contract show "$cid"
t_match "its line says which basket" "$T_OUT" 'Giỏ tre đan tay \(Kích thước: Lớn\) +40 +piece +245,000 VND +9,800,000 VND'
t_match "and its SKU, for her picking" "$T_OUT" '^      variant SKU GIO-TRE-L$'
t_run "she offers him the large one by its SKU alone" 0 k3 contract propose --listing gio-tre-l \
	--buyer @online-shop --qty 10 --incoterm FOB --place "Hai Phong" --json
t_match "the variant's SKU named the listing and the variant" "$T_OUT" '"unitPrice":245000,"total":2450000'
t_run "she counters a larger quantity" 0 k3 contract counter "$cid" --qty 50
t_match "the price stays the large one's" "$T_OUT" 'items\[0\]\.qty: 40 -> 50'
t_nomatch "no other price is taken" "$T_OUT" 'unit price'
t_run "the countered contract verifies" 0 k3 contract show "$cid" --verify
t_match "at 50 large baskets" "$(k3 contract show "$cid")" 'Total: 12,250,000 VND'
t_run "a counter for a variant there is not: refused (exit 2)" 2 k3 contract counter "$cid" --variant XL
t_match "naming those there are" "$T_ERR" "--variant: \"Giỏ tre đan tay\" \\(GIO-TRE\\) has no variant 'XL' \\(Nhỏ, Lớn\\)"
t_run "he syncs her counter" 0 k2 sync
t_run "he counters: the small ones instead" 0 k2 contract counter "$cid" --variant nho
t_match "the variant changed" "$T_OUT" 'items\[0\]\.variant: GIO-TRE-L -> GIO-TRE-S'
t_match "and with it the line and the price" "$T_OUT" 'items\[0\]\.unit price: 245,000 VND -> 185,000 VND'
t_match "at 50 small baskets" "$(k2 contract show "$cid")" 'Giỏ tre đan tay \(Kích thước: Nhỏ\) +50 +piece +185,000 VND +9,250,000 VND'
t_node_stop

t_done
