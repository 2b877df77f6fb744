#!/bin/sh
# Her stock follows her sales, over a live kontord with real TLS. A Shopee export's variations
# keep their own stock (40 small baskets, 25 large); a buyer sees each and is told when he asks
# for more than she has; her signature that binds takes the order's quantity from the
# variant's stock and the listing's at once, and the buyer sees the new version; an order the
# buyer binds reaches her stock at her next sync, a cancelled one gives it back, and nothing
# is counted twice: not by a second sync, not by her kontor on a second machine. `listing
# edit --stock` names the variant; orders the node made before her cache kept stock stand. A
# listing, or a variant, sold out while still active waits in her inbox until she says new
# stock or pauses it.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export TZ=UTC0

trade_node "Stock Node"
trade_party seller ks "Sắt Mỹ Thuật Hoà Phát" VN supplier --no-passphrase
trade_party buyer kb "Berlin Interiors GmbH" DE buyer --no-passphrase
vstock() { # vstock HOME-CMD SKU: the variant lines of GIO-TRE as HOME-CMD sees them
	"$1" listing show GIO-TRE | sed -n "s/.*VND 2*[0-9,]*  stock \([0-9]*\) *$2\$/\1/p"
}
lstock() { "$1" listing show GIO-TRE | sed -n 's/^stock: *\([0-9]*\) pieces on hand$/\1/p'; }

# --- a shop's variations keep their own stock --------------------------------------------
t_run "her Shopee export goes in (one row of it is refused)" 3 ks listing import \
	"$T_ROOT/tests/data/import/shopee-sales-info.csv"
t_match "listing show gives each variation its stock, in a column of its own" \
	"$(ks listing show GIO-TRE)" 'Nhỏ  VND 185,000  stock 40  GIO-TRE-S'
t_eq "the listing's stock is their sum" "$(lstock ks)" 65
t_run "the buyer syncs" 0 kb sync
t_run "and fetches the signed listing" 0 kb listing show GIO-TRE
t_eq "he sees 25 large ones" "$(vstock kb GIO-TRE-L)" 25
t_run "he names her listing by one of its variants' SKUs, as listing show prints it" 0 kb listing show gio-tre-l
t_match "and it is the baskets" "$T_OUT" '^Giỏ tre đan tay  \[active\]'

# --- her signature binds: the stock follows at once --------------------------------------
t_run "the buyer asks for 30 large baskets" 0 kb contract propose --listing GIO-TRE \
	--variant lon --qty 30 --incoterm FOB --place "Hai Phong"
t_match "and is told she has 25 of them" "$T_OUT" 'the listing says 25 on hand of that variant: the seller may counter'
t_run "she syncs" 0 ks sync
t_run "her inbox" 0 ks inbox
t_match "the offer says she has 25 of that size, before she signs for 30" "$T_OUT" \
	'^offer .*: 30 pieces × "Giỏ tre đan tay \(Lớn\)" \(25 in stock\), '
t_run "she signs: binding" 0 ks contract sign @berlin
t_match "the signature says what it took, and that she had 5 fewer" "$T_OUT" \
	'GIO-TRE: stock 65 -> 40, 30 sold since you last said it \(Lớn 25 -> 0: 5 more than you had\)'
t_eq "the large ones are gone" "$(vstock ks GIO-TRE-L)" 0
t_run "her inbox" 0 ks inbox
t_match "says the large ones are sold out while buyers can still offer" "$T_OUT" \
	'^stock .* GIO-TRE "Giỏ tre đan tay": sold out of Lớn while buyers can offer: say new stock or pause it$'
t_match "with the command that says the variant's stock" "$T_OUT" '^ +kontor listing edit GIO-TRE-L --stock N$'
t_eq "the listing keeps the small ones" "$(lstock ks)" 40
t_eq "the new version went to the node with the signature" "$(ks outbox list --json | grep -c '"Listing/set"')" 0
t_run "the buyer syncs" 0 kb sync
t_eq "and sees none large left" "$(vstock kb GIO-TRE-L)" 0
t_run "she syncs again" 0 ks sync
t_nomatch "which counts that order no more" "$T_OUT" '^[^ ]+: stock [0-9]'
t_eq "the stock stays" "$(lstock ks)" 40

# --- her kontor on a second machine comes to the same numbers ----------------------------
S2="$T_TMP/seller2"
mkdir -p "$S2"
cp "$S/identity.key" "$S2/"
k2() { "$KONTOR" --home "$S2" "$@"; }
t_run "her second machine adds the node" 0 k2 node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "and syncs the order and the listing" 0 k2 sync
t_nomatch "without counting the order again" "$T_OUT" '^[^ ]+: stock [0-9]'
t_eq "it sees 40" "$(lstock k2)" 40

# --- an order the buyer binds reaches her stock at her next sync -------------------------
t_run "the buyer asks for 10 small, 30% on signing" 0 kb contract propose --listing GIO-TRE --variant GIO-TRE-S \
	--qty 10 --incoterm FOB --place "Hai Phong" --deposit-pct 30
t_match "saying what each stage will take from him" "$T_OUT" \
	'^  payment into escrow: 30% on signing \(555,000 VND\), 70% before shipment \(1,295,000 VND\)$'
t_nomatch "within what she has: no word of it" "$T_OUT" 'on hand'
t_run "she syncs" 0 ks sync
t_run "she counters with 12" 0 ks contract counter @berlin --qty 12
t_run "the buyer syncs" 0 kb sync
t_run "he signs: binding" 0 kb contract sign @sat
t_match "told what he pays now, and how" "$T_OUT" '^next: pay stage 1 of 2, 30% on signing, 666,000 VND: `kontor order pay [A-Za-z0-9_-]{8}`$'
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_run "her sync brings the order" 0 ks sync
t_match "and takes the 12 from the small ones" "$T_OUT" \
	'GIO-TRE: stock 40 -> 28, 12 sold since you last said it \(Nhỏ 40 -> 28\)'
t_run "sync --json says it too" 0 ks sync --json
t_match "in a stock array (empty now)" "$T_OUT" '"stock":\[\]'
t_run "she shows the order by its product, a counter's order (its id is not the contract's)" 0 ks order show "giỏ tre đan tay (nhỏ)"
t_match "the order his signature on her counter made" "$T_OUT" "^order +$ORDER$"
t_run "and by the variant alone, a word of the product, accents aside" 0 ks order show nho
t_match "the same order" "$T_OUT" "^order +$ORDER$"
t_run "the start of a word inside names nothing (exit 2)" 2 ks order show "nh"
t_run "she shows the order" 0 ks order show "$ORDER"
t_match "it names the variant she is to ship, by its SKU" "$T_OUT" \
	'^goods +12 pieces × Giỏ tre đan tay \(Nhỏ\), SKU GIO-TRE-S at 185,000 VND$'

# --- a cancelled order gives it back ------------------------------------------------------
sleep 1 # times are in seconds: the cancel comes after the second that counted the order, as in life
t_run "the buyer cancels the unpaid order" 0 kb order cancel "$ORDER"
t_run "her sync brings the cancel" 0 ks sync
t_match "and puts the 12 back" "$T_OUT" \
	'GIO-TRE: stock 28 -> 40, 12 back from a cancelled order \(Nhỏ 28 -> 40\)'
t_run "another sync" 0 ks sync
t_nomatch "gives nothing back twice" "$T_OUT" '^[^ ]+: stock [0-9]'
t_run "the second machine syncs" 0 k2 sync
t_eq "and agrees" "$(lstock k2)" 40

# --- she says the stock of one variant ----------------------------------------------------
t_run "the listing's own stock, where the variants keep theirs, is refused" 2 ks listing edit GIO-TRE --stock 70
t_match "naming the variants to choose from" "$T_ERR" 'keeps stock for each variant: name one with --variant \(Nhỏ, Lớn\)'
t_run "--variant names one by its options" 0 ks listing edit GIO-TRE --variant lớn --stock 20
t_match "it says what it changed, before and after" "$T_OUT" '^updated GIO-TRE: stock of GIO-TRE-L 0 -> 20 \(listing L[A-Za-z0-9_-]{22}\)$'
t_eq "its stock is said" "$(vstock ks GIO-TRE-L)" 20
t_run "her inbox" 0 ks inbox --json
t_nomatch "no longer lists the sold-out basket" "$T_OUT" '"kind":"stock"'
t_eq "and the listing's is the sum" "$(lstock ks)" 60
t_run "the variant's SKU names it too" 0 ks listing edit GIO-TRE-S --stock 38
t_eq "the small ones" "$(vstock ks GIO-TRE-S)" 38
t_run "the large ones made to order from now: she says none" 0 ks listing edit GIO-TRE-L --stock none
t_run "the buyer syncs" 0 kb sync
t_run "and fetches it" 0 kb listing show GIO-TRE
t_match "he reads the large ones keep no count" "$T_OUT" 'Lớn  VND 245,000  no count  GIO-TRE-L'
t_nomatch "and no 38 on hand in all: the basket has more than that" "$T_OUT" '^stock:'
t_match "the small ones still 38" "$T_OUT" 'Nhỏ  VND 185,000  stock 38  GIO-TRE-S'
t_run "she counts the large ones again" 0 ks listing edit GIO-TRE-L --stock 20
t_eq "and the listing's is the sum again" "$(lstock ks)" 58
t_run "a variant the listing lacks" 2 ks listing edit GIO-TRE --variant xl --stock 3
t_match "lists those it has" "$T_ERR" "has no variant 'xl' \(Nhỏ, Lớn\)"
t_run "--variant without --stock" 2 ks listing edit GIO-TRE --variant lon --title X
t_match "says what it goes with" "$T_ERR" '--variant names the variant whose --stock or --price you say'

# --- a listing without variants, and orders from before her cache kept stock --------------
t_run "she lists legs with 100 on hand" 0 ks listing add --sku TL-71 --title "Iron table legs" \
	--price 12.50 --currency USD --stock 100
t_run "the buyer syncs" 0 kb sync
t_run "and asks for 150" 0 kb contract propose --listing TL-71 --qty 150 --incoterm FOB --place "Hai Phong"
t_match "told she has 100" "$T_OUT" 'the listing says 100 on hand: the seller may counter'
t_run "she syncs" 0 ks sync
t_run "her inbox" 0 ks inbox
t_match "the offer for 150 says she has 100" "$T_OUT" '^offer .*: 150 pieces × "Iron table legs" \(100 in stock\), '
sqlite3 "$S/cache.db" "UPDATE meta SET value = '2999-01-01T00:00:00Z' WHERE key = 'stock-since'"
t_run "she signs it with a cache that keeps stock only from later on" 0 ks contract sign @berlin
t_nomatch "that order is not counted" "$T_OUT" '^[^ ]+: stock [0-9]'
sqlite3 "$S/cache.db" "UPDATE meta SET value = '2000-01-01T00:00:00Z' WHERE key = 'stock-since'"
t_run "with it kept from before, her sync counts it" 0 ks sync
t_match "100 less 150 is none, 50 beyond" "$T_OUT" 'TL-71: stock 100 -> 0, 150 sold since you last said it, 50 more than you had$'
t_run "her inbox --json" 0 ks inbox --json
t_match "lists the legs sold out" "$T_OUT" '"kind":"stock".*"command":"kontor listing edit TL-71 --stock N"'
t_run "she pauses them" 0 ks listing pause TL-71
t_run "her inbox --json" 0 ks inbox --json
t_nomatch "a paused listing waits for nothing" "$T_OUT" '"kind":"stock"'

# --- her own offer beyond what she has ---------------------------------------------------------
t_run "she offers 30 large baskets, of the 20 she has, to the buyer" 0 ks contract propose \
	--listing GIO-TRE-L --buyer @berlin --qty 30 --incoterm FOB --place "Hai Phong"
t_match "told before he signs that the order takes 10 more than she has" "$T_OUT" \
	'^  you have 20 on hand of that variant: the order takes 30, 10 more than you have$'
t_run "within what she has" 0 ks contract propose --listing GIO-TRE-L --buyer @berlin --qty 5 \
	--incoterm FOB --place "Hai Phong"
t_nomatch "no word of it" "$T_OUT" 'on hand'

# --- a variant's own price, named by its SKU or --variant ------------------------------------
BASE=$(ks listing show GIO-TRE | sed -n 's/^price: *//p')
t_run "she raises the large basket's price by its SKU" 0 ks listing edit GIO-TRE-L --price 250000
t_match "it says the price it was and is" "$T_OUT" '^updated GIO-TRE: price of GIO-TRE-L 245,000 -> 250,000 VND \(listing '
t_match "the large one's price is new" "$(ks listing show GIO-TRE)" 'Lớn +VND 250,000 '
t_eq "the listing's own price, the small one's, stays" "$(ks listing show GIO-TRE | sed -n 's/^price: *//p')" "$BASE"
t_run "and the small one's by --variant, accents aside" 0 ks listing edit GIO-TRE --variant nho --price 190000
t_match "the small one's price is new" "$(ks listing show GIO-TRE)" 'Nhỏ +VND 190,000 '
t_match "and so is the price search shows, the lowest a variant sells at" "$(ks listing show GIO-TRE)" '^price: +VND 190,000'
t_run "the buyer syncs" 0 kb sync
t_match "his search says it, not a price nothing sells at" "$(kb search gio tre --json)" '"price":190000[,}]'
t_run "a quantity break for a variant is refused (exit 2)" 2 ks listing edit GIO-TRE-L --price 240000 --tier 100:230000
t_match "saying whose breaks they are" "$T_ERR" '--tier: a variant has one price; quantity breaks are the listing'
t_match "and nothing changed" "$(ks listing show GIO-TRE)" 'Lớn +VND 250,000 '
t_run "a variant's price of nothing is refused (exit 2)" 2 ks listing edit GIO-TRE-L --price 0
t_match "saying it gives the goods away" "$T_ERR" '^kontor: --price: 0 VND gives the goods away'
t_match "and its price stays" "$(ks listing show GIO-TRE)" 'Lớn +VND 250,000 '

t_done
