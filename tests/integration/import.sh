#!/bin/sh
# listing import end to end on real files: each format from tests/data/import (bad rows named
# FILE:LINE and exit 3), re-import changes nothing, an edited file updates exactly the edited
# rows, --dry-run writes nothing, --format auto detects each format, and what went in is
# found by listing show and search.
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
t_match "kontor CSV: summary" "$T_OUT" 'import .*kontor\.csv: 3 created, 0 updated, 0 unchanged, 2 failed'
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
t_match "re-import changes nothing" "$T_OUT" '0 created, 0 updated, 3 unchanged, 2 failed'
t_eq "re-import queues nothing" "$(outbox_n)" "$n1"

created=$(k listing show TL-71 --json | sed -n 's/.*"created":"\([^"]*\)".*/\1/p')
sed 's/;12\.50;/;12.75;/' "$D/kontor.csv" >"$T_TMP/data/kontor.csv"
t_run "edited file" 3 k listing import "$T_TMP/data/kontor.csv" -v
t_match "edited file updates exactly the edited row" "$T_OUT" '0 created, 1 updated, 2 unchanged, 2 failed'
t_match "-v names the updated row" "$T_OUT" 'kontor\.csv:2: updated TL-71'
t_eq "one outbox entry for the edit" "$(outbox_n)" "$((n1 + 1))"
t_match "the new price is in the cache" "$(k listing show TL-71)" 'USD 12\.75 / piece  from 10'
t_eq "the update keeps created" "$(k listing show TL-71 --json | sed -n 's/.*"created":"\([^"]*\)".*/\1/p')" "$created"

sed 's/;12\.50;/;13.00;/' "$D/kontor.csv" >"$T_TMP/data/kontor.csv"
n2=$(outbox_n)
t_run "--dry-run" 3 k listing import "$T_TMP/data/kontor.csv" --dry-run --json
t_match "--dry-run reports what it would do" "$T_OUT" '"created":0,"updated":1,"unchanged":2,"failed":2,"dryRun":true'
t_eq "--dry-run queues nothing" "$(outbox_n)" "$n2"
t_match "--dry-run leaves the cache alone" "$(k listing show TL-71)" 'USD 12\.75 / piece  from 10'

# --- Shopify ----------------------------------------------------------------------------------
t_run "Shopify without --currency is a usage error" 2 k listing import "$D/shopify.csv"
t_match "the message names --currency" "$T_ERR" '--currency'
t_run "Shopify import" 3 k listing import "$D/shopify.csv" --currency USD --json
t_match "Shopify detected" "$T_OUT" '"format":"shopify"'
t_match "Shopify counts" "$T_OUT" '"created":3,"updated":0,"unchanged":0,"failed":2'
t_match "Shopify bad price on its line" "$T_ERR" 'shopify\.csv:8: product .bad-price.: Variant Price: 12\.345'
t_match "Shopify http image refused on its line" "$T_ERR" 'shopify\.csv:9: images: http://insecure\.example\.com/a\.jpg: only https'
t_run "Shopify product shows" 0 k listing show iron-table-legs --json
t_match "three variants" "$T_OUT" '"variants":\[\{"sku":"TL-71-BK".*\{"sku":"TL-71-WH".*\{"sku":"TL-40-BK"'
t_match "lowest variant price is the price" "$T_OUT" '"priceTiers":\[\{"minQty":1,"unitPrice":990\}\]'
t_match "HTML body became text" "$T_OUT" '"description":"Powder-coated steel legs\.\\n\\nHeight 71 cm\\nLoad 150 kg & more"'
t_run "Shopify re-import" 3 k listing import "$D/shopify.csv" --currency USD
t_match "Shopify re-import changes nothing" "$T_OUT" '0 created, 0 updated, 3 unchanged'

# --- WooCommerce ------------------------------------------------------------------------------
t_run "WooCommerce import" 3 k listing import "$D/woocommerce.csv" --currency EUR --json
t_match "WooCommerce detected" "$T_OUT" '"format":"woocommerce"'
t_match "WooCommerce counts" "$T_OUT" '"created":3,"updated":0,"unchanged":0,"failed":2'
t_match "WooCommerce missing price on its line" "$T_ERR" 'woocommerce\.csv:7: Regular price: empty'
t_match "WooCommerce orphan variation on its line" "$T_ERR" "woocommerce\.csv:8: Parent: 'NOPARENT'"
t_match "variable product with its variations" "$(k listing show HOODIE --json)" '"variants":\[\{"sku":"HOODIE-BLUE-S"'
t_run "product without SKU keyed woo-ID" 0 k listing show woo-16

# --- Etsy -------------------------------------------------------------------------------------
t_run "Etsy import" 3 k listing import "$D/etsy.csv" --json
t_match "Etsy detected" "$T_OUT" '"format":"etsy"'
t_match "Etsy counts" "$T_OUT" '"created":2,"updated":0,"unchanged":0,"failed":2'
t_match "Etsy bad price on its line" "$T_ERR" 'etsy\.csv:7: PRICE: abc'
t_match "Etsy bad currency on its line" "$T_ERR" 'etsy\.csv:8: CURRENCY_CODE'
t_match "multi-line description kept" "$(k listing show MUG-01)" 'Dishwasher safe\.'
t_run "search finds the Etsy napkins" 0 k search linen napkins
t_match "napkins found" "$T_OUT" 'Linen napkins'
t_run "Etsy re-import" 3 k listing import "$D/etsy.csv"
t_match "Etsy re-import (derived key is stable)" "$T_OUT" '0 created, 0 updated, 2 unchanged'

# --- JSON Lines, from stdin ------------------------------------------------------------------
t_run "JSON Lines import from stdin" 3 k listing import - --json <"$D/listings.jsonl"
t_match "JSON Lines detected" "$T_OUT" '"format":"jsonl"'
t_match "JSON Lines counts" "$T_OUT" '"created":2,"updated":0,"unchanged":0,"failed":2'
t_match "broken JSON on its line" "$T_ERR" 'stdin:4: JSON: .*unterminated'
t_match "bad sku on its line" "$T_ERR" 'stdin:5: sku'

# --- our own export reads back unchanged; a clean import is queued (exit 4) -----------------
k listing export >"$T_TMP/export.csv"
t_run "own CSV export re-imports with nothing to do (exit 0)" 0 k listing import "$T_TMP/export.csv"
t_match "all unchanged" "$T_OUT" ' 0 created, 0 updated, [0-9]+ unchanged, 0 failed'
k listing export --format jsonl >"$T_TMP/export.jsonl"
t_run "own JSONL export re-imports with nothing to do" 0 k listing import "$T_TMP/export.jsonl" --format jsonl
printf 'sku,title,currency,price\nNEW-1,A new thing,USD,4.00\n' >"$T_TMP/new.csv"
t_run "a clean import is queued (exit 4)" 4 k listing import "$T_TMP/new.csv"
t_match "queued message" "$T_ERR" 'queued'

# --- a SKU twice in one file: the second row is refused, so a re-run stays a no-op ----------
printf 'sku,title,currency,price\nDUP-1,First,USD,1.00\nDUP-2,Other,USD,2.00\nDUP-1,Second,USD,3.00\n' >"$T_TMP/dup.csv"
t_run "a repeated SKU fails its second row" 3 k listing import "$T_TMP/dup.csv"
t_match "the repeat names the first line" "$T_ERR" "dup\.csv:4: sku: 'DUP-1' is already on line 2"
t_match "the first row went in" "$(k listing show DUP-1)" 'First'
t_run "a re-run of it" 3 k listing import "$T_TMP/dup.csv"
t_match "changes nothing" "$T_OUT" '0 created, 0 updated, 2 unchanged, 1 failed'

# --- refusals -----------------------------------------------------------------------------------
t_run "unknown --format is a usage error" 2 k listing import "$D/etsy.csv" --format excel
t_run "a missing file fails" 1 k listing import "$T_TMP/nope.csv"
printf 'a,b\n1,2\n' >"$T_TMP/odd.csv"
t_run "an unknown layout asks for --format" 1 k listing import "$T_TMP/odd.csv"
t_match "the message says --format" "$T_ERR" '--format'
n3=$(outbox_n)
t_run "a wrong passphrase imports nothing" 1 env KONTOR_PASSPHRASE=wrong "$KONTOR" --home "$H" listing import "$T_TMP/new.csv"
t_eq "nothing queued after the refusals" "$(outbox_n)" "$n3"

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
t_run "Shopify import with bad rows still pushes the good ones (exit 3)" 3 k2 listing import "$D/shopify.csv" --currency USD
t_eq "the outbox is empty" "$("$KONTOR" --home "$H2" outbox list --json | grep -c '"method"')" "0"
t_node_stop

t_done
