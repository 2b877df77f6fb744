#!/bin/sh
# The listing view's keys (Search tab, Enter on a result) against a live kontord over TLS,
# driven in tmux: m writes to the supplier (chat send ... --listing), Q asks for a quote for
# at least the MOQ, P proposes a contract (contract propose), a refusal shows the command's
# own words; on your own listing the keys only say so. Each action is checked where it
# lands: the seller's CLI after a sync. Then a listing with variants (a Shopee workbook):
# the summary a sync brought, f fetching the signed listing, and each variant with its
# options, price and SKU, and the stock, in the view and the CLI. Then the seller's import
# from the : prompt: its whole output (the bad row named) over the view until q. Last, P on
# that product: the signed listing fetched, which variant asked first, its price offered.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null
unset NO_COLOR KONTOR_PASSPHRASE
PASS="listing ui passphrase"
ks() { KONTOR_PASSPHRASE="$PASS" "$KONTOR" --home "$S" "$@"; }
kb() { KONTOR_PASSPHRASE="$PASS" "$KONTOR" --home "$B" "$@"; }

UI_TENTHS=600 # ui: up to 60 s for a scripted run
# widest: the widest line of a dump, in characters
widest() { wc -L <"$1"; }

# --- a node, a seller with a listing (MOQ 10), a buyer that synced ----------------------
trade_node "Listing UI Node" "kontord is up"

trade_party seller ks "Ningbo Valve Works" CN supplier --no-passphrase
trade_party buyer kb "Rotterdam Pumps BV" NL buyer --no-passphrase
t_run "seller lists a valve (MOQ 10)" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.00 --currency USD --moq 10 --origin CN --hs-code 848180 --lead-days 10
trade_find ball valve
t_match "the listing id" "$LID" '^L[A-Za-z0-9_-]{22}$'

# --- the buyer, 80x24: hints, m, Q (5 refused, then 20), P by air (refused), P by sea ----
{
	printf '%s\n' / 'ball valve' '<Enter>' ":dump $T_TMP/d-results" '<Enter>' ":dump $T_TMP/d-listing"
	printf '%s\n' m ":dump $T_TMP/d-m-ask" 'Hello, are the valves lead free?' '<Enter>' \
		":dump $T_TMP/d-m-sent"
	settle
	printf '%s\n' ":dump $T_TMP/d-m-settled"
	printf '%s\n' Q ":dump $T_TMP/d-q-ask" 5 '<Enter>' ":dump $T_TMP/d-q-refused" \
		'<C-u>' 20 '<Enter>' ":dump $T_TMP/d-q-confirm" y ":dump $T_TMP/d-q-sent"
	settle
	printf '%s\n' P 100 '<Enter>' ":dump $T_TMP/d-p-price" '<Enter>' ":dump $T_TMP/d-p-incoterm" \
		fob '<Enter>' Ningbo '<Enter>' \
		":dump $T_TMP/d-p-mode" air '<Enter>' ":dump $T_TMP/d-p-air-confirm" y \
		":dump $T_TMP/d-p-air"
	printf '%s\n' P 100 '<Enter>' '<Enter>' XYZ '<Enter>' ":dump $T_TMP/d-p-badrule" '<C-u>' '<Enter>' \
		Ningbo '<Enter>' '<Enter>' ":dump $T_TMP/d-p-confirm" y ":dump $T_TMP/d-p-sent"
	settle
	printf '%s\n' ":dump $T_TMP/d-p-settled" 4 ":dump $T_TMP/d-contracts" 2 \
		":dump $T_TMP/d-chats" :quit
} >"$T_TMP/s-buyer"
ui "$B" 80x24 "$T_TMP/s-buyer" KONTOR_PASSPHRASE="'$PASS'"

t_match "the result row says what the price is per, after the MOQ it counts" \
	"$(cat "$T_TMP/d-results")" 'DN50 brass ball valve +USD 12\.00 +10 pcs +CN '
W=$(widest "$T_TMP/d-results")
[ "$W" -le 80 ] && t_ok "the results fit 80 columns ($W)" || t_fail "the results fit 80 columns" "$W"
D=$(cat "$T_TMP/d-listing")
t_match "Enter opens the listing" "$D" 'DN50 brass ball valve'
t_match "its summary says the price is per piece" "$D" '^  from +10  USD 12\.00 per piece$'
t_match "and the MOQ counts pieces" "$D" '^MOQ 10 pieces +lead time and HS code: in the signed listing'
t_match "the head names the listing's keys" "$D" "^Listing $LID +m message · Q quote · P propose · q back$"
W=$(widest "$T_TMP/d-listing")
[ "$W" -le 80 ] && t_ok "the listing fits 80 columns ($W)" || t_fail "the listing fits 80 columns" "$W"
t_match "the supplier's line goes on under itself to its rating, not cut" \
	"$(tr '\n' ' ' <"$T_TMP/d-listing" | tr -s ' ')" \
	'Supplier Ningbo Valve Works .*CN \(China\) not verified no ratings yet'
t_match "m asks for the message, naming the supplier" "$(cat "$T_TMP/d-m-ask")" '^message to Ningbo Valve Works:$'
t_match "the message goes out (queued for the background sync)" "$(cat "$T_TMP/d-m-sent")" 'message: (queued|sent)|message to Ningbo Valve Works: sent'
t_match "once pushed it says sent" "$(cat "$T_TMP/d-m-settled")" 'message to Ningbo Valve Works: sent'
t_match "Q asks for the quantity with the MOQ" "$(cat "$T_TMP/d-q-ask")" '^quantity \(MOQ 10\):$'
D=$(cat "$T_TMP/d-q-refused")
t_match "5 is refused: below the MOQ" "$D" '5 is below the minimum order quantity \(MOQ 10\)'
t_match "and asked again" "$D" '^quantity \(MOQ 10\): 5'
t_match "Q confirms first" "$(cat "$T_TMP/d-q-confirm")" '^Ask Ningbo Valve Works for a quote for 20\? \(y/n\)'
t_match "y sends the quote request" "$(cat "$T_TMP/d-q-sent")" 'quote request(: queued| to Ningbo Valve Works: sent)'
t_match "P asks the unit price, naming the listing's for that quantity that Enter takes" \
	"$(cat "$T_TMP/d-p-price")" \
	"^unit price \(Enter: 12\.00 USD, the listing's for 100; or AMOUNT CUR, 480 EUR\):$"
t_match "P asks for the Incoterm (Enter: FOB)" "$(cat "$T_TMP/d-p-incoterm")" '^Incoterm \(Enter: FOB\):$'
t_match "then the mode" "$(cat "$T_TMP/d-p-mode")" '^mode \(sea air road rail courier; Enter: sea\):$'
t_match "P confirms with the tier price and total (fob is FOB)" "$(tr '\n' ' ' <"$T_TMP/d-p-air-confirm")" \
	'(^| )Propose 100 pieces × DN50 brass ball valve at 12\.00 = 1,?200\.00 USD, FOB Ningbo\? +\(y/n\)'
D=$(cat "$T_TMP/d-p-air")
t_match "FOB by air is refused with the command's words (FOB is for sea)" "$D" 'error: propose refused: --incoterm: FOB .*sea'
t_match "the unknown rule is refused, naming the 11 rules" "$(cat "$T_TMP/d-p-badrule")" "XYZ.*(Incoterms|EXW)"
t_match "Enter takes FOB and sea" "$(tr '\n' ' ' <"$T_TMP/d-p-confirm")" \
	'(^| )Propose 100 pieces × DN50 brass ball valve at 12\.00 = 1,?200\.00 USD, FOB Ningbo\? +\(y/n\)'
t_match "y proposes" "$(cat "$T_TMP/d-p-sent")" 'propose: (queued|done)'
t_match "once pushed: the contract waits for them" "$(cat "$T_TMP/d-p-settled")" 'propose: done — the contract is waiting for them'
t_match "the Contracts tab lists the offer" "$(cat "$T_TMP/d-contracts")" 'Ningbo Valve Wo.* DN50 brass.* waiting for them +1,?200\.00 USD'
t_match "the Chat tab has the conversation, about the valve by its title" "$(cat "$T_TMP/d-chats")" 'Ningbo Valve Works +[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}  about "DN50 brass ball valve"'
t_nomatch "not by the listing's id" "$(cat "$T_TMP/d-chats")" "listing $LID"

t_run "buyer contract list shows the offer" 0 kb contract list
t_match "buyer: the offer, from Ningbo Valve Works" "$T_OUT" 'offer +buy from +1,?200\.00 USD +DN50 brass ball valve +Ningbo Valve Works @ningbo-valve-works$'
t_run "seller syncs" 0 ks sync
t_run "seller chat list" 0 ks chat list --json
CID=$(printf '%s\n' "$T_OUT" | sed -n 's/.*"id":"\(C[^"]*\)".*/\1/p' | head -n 1)
t_match "the conversation is about the listing" "$T_OUT" "$LID"
t_run "seller reads the conversation" 0 ks chat show "$CID"
t_match "the seller reads the message" "$T_OUT" 'Hello, are the valves lead free\?'
t_match "and the quote request" "$T_OUT" 'Request for quote: 20 piece.? of DN50 brass ball valve \(BV-50\)\. Please quote your best unit price, lead time and Incoterm\.'
t_run "seller contract list" 0 ks contract list
t_match "the seller sees the offer at 100 × 12.00" "$T_OUT" 'offer +sell to +1,?200\.00 USD +DN50 brass ball valve +Rotterdam Pumps BV @rotterdam-pumps-bv$'
t_run "exactly one contract (the refused one never left)" 0 ks contract list --json
N=$(printf '%s\n' "$T_OUT" | grep -o '"id":' | wc -l)
t_eq "one contract" "$N" 1

# --- 120x40: the hints; the seller's own listing: the keys only say so ------------------
printf '%s\n' / 'ball valve' '<Enter>' '<Enter>' ":dump $T_TMP/d-wide" :quit >"$T_TMP/s-wide"
ui "$B" 120x40 "$T_TMP/s-wide" KONTOR_PASSPHRASE="'$PASS'"
t_match "at 120x40 the head names the keys" "$(cat "$T_TMP/d-wide")" "^Listing $LID +m message · Q quote · P propose · q back$"

printf '%s\n' / 'ball valve' '<Enter>' '<Enter>' ":dump $T_TMP/d-own" m ":dump $T_TMP/d-own-m" \
	P ":dump $T_TMP/d-own-p" Q ":dump $T_TMP/d-own-q" :quit >"$T_TMP/s-own"
ui "$S" 80x24 "$T_TMP/s-own" KONTOR_PASSPHRASE="'$PASS'"
t_match "own listing: the head says so" "$(cat "$T_TMP/d-own")" "^Listing $LID +your own listing · q back$"
t_match "own listing: m says so" "$(cat "$T_TMP/d-own-m")" 'message: this is your own listing'
t_match "own listing: P says so" "$(cat "$T_TMP/d-own-p")" 'propose: this is your own listing'
t_nomatch "own listing: nothing is asked" "$(cat "$T_TMP/d-own-q")" 'quantity \(MOQ'
t_match "own listing: Q says so (and does not quit)" "$(cat "$T_TMP/d-own-q")" 'quote: this is your own listing'

# --- variants: a Shopee workbook's products, as the buyer sees them -----------------------
t_run "seller imports her Shopee template (variants)" 0 ks listing import \
	"$T_ROOT/tests/data/import/xlsx/shopee-template.xlsx" --currency VND
t_run "buyer syncs" 0 kb sync
# a sync brings summaries: listing show fetches the signed listing, variants and all, and
# so does f in the listing view
id=$(kb search khay --json | sed -n 's/.*"id":"\(L[^"]*\)".*/\1/p' | head -n 1)
t_run "buyer fetches the signed listing with listing show" 0 kb listing show "$id"
t_match "the buyer's CLI names the variants (in the signed form's order)" "$T_OUT" 'variants:  2, by Cỡ / Màu'
printf '%s\n' / 'gio tre' '<Enter>' '<Enter>' ":dump $T_TMP/d-summary" f ":dump $T_TMP/d-variants" \
	f ":dump $T_TMP/d-again" / '<C-u>khay' '<Enter>' '<Enter>' ":dump $T_TMP/d-variants2" \
	:quit >"$T_TMP/s-variants"
ui "$B" 80x24 "$T_TMP/s-variants" KONTOR_PASSPHRASE="'$PASS'"
D=$(cat "$T_TMP/d-summary")
t_match "a summary says which key fetches the signed listing" "$D" '^summary — f fetches the signed listing: variants, stock, lead time$'
t_nomatch "and shows no variants yet" "$D" 'Variants'
t_match "f fetches it and says so" "$(cat "$T_TMP/d-variants")" 'fetch: the signed listing is here, and its signature checks out'
t_match "f again: it is here already" "$(cat "$T_TMP/d-again")" 'fetch: the signed listing is here already'
D=$(cat "$T_TMP/d-variants")
t_match "the listing names its variants by their option" "$D" '^Variants, by Kích thước$'
t_match "each variant with its price, stock and SKU, aligned" "$D" '^  Nhỏ  VND 185,000  stock 40  GIO-TRE-S$'
t_match "the dearer one too" "$D" '^  Lớn  VND 245,000  stock 25  GIO-TRE-L$'
t_match "and the stock on hand beside the MOQ" "$D" 'MOQ 1 .*stock 65 on hand'
t_match "two options joined, prices right-aligned" "$(cat "$T_TMP/d-variants2")" '^  30cm / Nâu  VND  95,000  stock 12  KHAY-1$'
t_run "listing show in the CLI" 0 ks listing show GIO-TRE
t_match "says the same: how many, by what" "$T_OUT" 'variants:  2, by Kích thước'
t_match "and each, under its values" "$T_OUT" '           Lớn  VND 245,000  stock 25  GIO-TRE-L'

# --- a `:` command's whole output: her import from the TUI names its bad row --------------
printf '%s\n' ":listing import $T_ROOT/tests/data/import/xlsx/shopee-sales-info.xlsx --currency VND<Enter>" \
	":dump $T_TMP/d-out" q ":dump $T_TMP/d-closed" :quit >"$T_TMP/s-out"
ui "$S" 80x24 "$T_TMP/s-out" KONTOR_PASSPHRASE="'$PASS'"
D=$(cat "$T_TMP/d-out")
J=$(tr -s '\n' ' ' <"$T_TMP/d-out") # the lines joined: wrapped where the path's length puts it
t_match "the output lies over the view, the command line its title" "$D" '^:listing import '
t_match "the bad row, named by its row, as the CLI says it" "$J" "shopee-sales-info\.xlsx:12: product 'Thảm cói': et_title_variation_price"
t_match "the summary line" "$J" 'shopee-sales-info\.xlsx: [0-9] created, [0-9] updated, 0 unchanged, 0 merged, 1 failed \(6 rows\)'
t_match "and the command's error last" "$J" 'error: .*shopee-sales-info\.xlsx: 1 row failed \(each named above\); the others went in'
t_match "the tab line says q closes it" "$D" 'output — q closes|q closes'
t_nomatch "q closes it" "$(cat "$T_TMP/d-closed")" "shopee-sales-info\.xlsx:12:"
t_nomatch "and the view is back: nothing says q closes" "$(cat "$T_TMP/d-closed")" 'q closes'

# --- P on a product in variants: which one is asked first, and its price is the offer's --
t_run "the seller's updated baskets reach the node" 0 ks sync
t_run "buyer syncs: the basket is a summary again" 0 kb sync
printf '%s\n' / 'gio tre' '<Enter>' '<Enter>' ":dump $T_TMP/d-v-summary" P ":dump $T_TMP/d-v-ask" 'XL<Enter>' ":dump $T_TMP/d-v-bad" \
	'<C-u>lon<Enter>' ":dump $T_TMP/d-v-qty" '40<Enter>' ":dump $T_TMP/d-v-price" '<Enter>' '<Enter>' 'Hai Phong<Enter>' '<Enter>' \
	":dump $T_TMP/d-v-confirm" y ":dump $T_TMP/d-v-sent" :quit >"$T_TMP/s-v"
ui "$B" 100x30 "$T_TMP/s-v" KONTOR_PASSPHRASE="'$PASS'"
t_match "the basket's new version came as a summary" "$(cat "$T_TMP/d-v-summary")" '^summary — f fetches'
D=$(cat "$T_TMP/d-v-ask")
t_match "P fetched the signed listing first: its variants are listed" "$D" '^  Lớn  VND 245,000  stock 25  GIO-TRE-L$'
t_match "and asks which variant, naming each" "$D" '^variant \(Nhỏ, Lớn\):$'
D=$(cat "$T_TMP/d-v-bad")
t_match "XL names none: refused with the choices" "$D" "has no variant 'XL' \(Nhỏ, Lớn\)"
t_match "and asked again" "$D" '^variant \(Nhỏ, Lớn\): XL'
t_match "lon (no accents) is the large one: the quantity is asked next" "$(cat "$T_TMP/d-v-qty")" '^quantity \(MOQ 1\):$'
t_match "the price prompt names the large basket's price, which Enter takes" "$(cat "$T_TMP/d-v-price")" \
	"^unit price \(Enter: 245,000 VND, the listing's for 40; or AMOUNT CUR, 480 EUR\):$"
t_match "the confirmation names the variant at its own price" "$(cat "$T_TMP/d-v-confirm")" \
	'^Propose 40 pieces × Giỏ tre đan tay \(Lớn\) at 245,000 = 9,800,000 VND, FOB Hai Phong\? \(y/n\)'
t_match "y proposes" "$(cat "$T_TMP/d-v-sent")" 'propose: (queued|done)'
t_run "the buyer's offer" 0 kb contract list
t_match "is for 9,800,000 VND: 40 large baskets" "$T_OUT" 'offer +buy from +9,800,000 VND'

# --- P in the buyer's own money: his wallet holds EUR, her trays are priced in VND --------
printf '%s\n' / 'khay' '<Enter>' '<Enter>' P 'KHAY-NAU-30<Enter>' '10<Enter>' '4.5 EURO<Enter>' \
	":dump $T_TMP/d-c-bad" '<C-u>eur 4.5<Enter>' '<Enter>' 'Hai Phong<Enter>' '<Enter>' \
	":dump $T_TMP/d-c-confirm" y ":dump $T_TMP/d-c-sent" :quit >"$T_TMP/s-c"
ui "$B" 100x30 "$T_TMP/s-c" KONTOR_PASSPHRASE="'$PASS'"
t_match "a currency that is no ISO code is refused, saying what it takes" "$(cat "$T_TMP/d-c-bad")" \
	'price: the currency is a three-letter ISO 4217 code'
t_match "the confirmation says his price in his currency" "$(cat "$T_TMP/d-c-confirm")" \
	'^Propose 10 pieces × .* at 4\.50 = 45\.00 EUR, FOB Hai Phong\? \(y/n\)'
t_match "y proposes" "$(cat "$T_TMP/d-c-sent")" 'propose: (queued|done)'
t_run "the buyer's offers" 0 kb contract list
t_match "one is for 45.00 EUR: 10 trays at his price" "$T_OUT" 'offer +buy from +45\.00 EUR'

# --- a line longer than 80 columns goes on below, never cut --------------------------------
t_run "seller lists table legs by the carton, under a deep category" 0 ks listing add --sku TL-CT \
	--title "Chân bàn sắt sơn tĩnh điện" --price 95000 --currency VND --moq 1000 --unit carton \
	--stock 250000 --category "Home & Garden > Furniture > Furniture Parts > Table Legs"
t_run "buyer syncs" 0 kb sync
printf '%s\n' / 'chan ban' '<Enter>' '<Enter>' f ":dump $T_TMP/d-long" :quit >"$T_TMP/s-long"
ui "$B" 80x24 "$T_TMP/s-long" KONTOR_PASSPHRASE="'$PASS'"
D=$(tr '\n' ' ' <"$T_TMP/d-long" | tr -s ' ')
t_match "the MOQ, lead time and stock whole, grouped as amounts are" "$D" \
	'MOQ 1,000 cartons lead time not said stock 250,000 on hand'
t_match "and the price's quantity" "$D" 'Price from 1,000 VND 95,000 per carton'
t_match "the category whole" "$D" 'category Home & Garden > Furniture > Furniture Parts > Table Legs'
t_nomatch "nothing in the view cut with …" "$(sed '1,2d;$d' "$T_TMP/d-long")" '…'
t_done
