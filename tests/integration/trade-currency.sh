#!/bin/sh
# A trade in another currency than the listing's, over a live kontord with real TLS: a Hai
# Phong workshop prices in VND, a Berlin buyer asks in EUR. Her inbox offers the quote in his
# currency at a price she names; --currency without --price is refused (kontor converts
# nothing); the offer, its charges and stages, the escrow, the ledger and the papers are in
# EUR; his counter of the quantity keeps the EUR unit price (the listing's VND tiers are not
# read as cents); he may offer in EUR on her VND listing himself.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export TZ=UTC0

trade_node "Currency Test Node"
trade_party_np seller ks "Mây Tre Đan Phú Vinh" VN supplier
trade_party_np buyer kb "Berlin Interiors GmbH" DE buyer
BID=$(party_id kb)

t_run "she lists a rattan lamp in VND" 0 ks listing add --sku DEN-MAY --title "Đèn mây đan tay" \
	--price 1250000 --currency VND --moq 10 --origin VN --hs-code 9405.49.90 \
	--tier 100:1100000
t_run "she syncs" 0 ks sync
t_run "he asks for 200 in EUR, under her HS heading" 0 kb rfq post --title "Rattan pendant lamps" \
	--qty 200 --unit pcs --currency EUR --target-price 34 --incoterm FOB --destination DE \
	--hs-code 940549
RFQ=$(printf '%s\n' "$T_OUT" | sed -n 's/^posted RFQ \([A-Za-z0-9_-]*\).*/\1/p')
t_run "he shows it by its title" 0 kb rfq show "pendant lamps"
t_match "its unit in words" "$T_OUT" '^unit +piece \(C62\)$'
t_match "its Incoterm" "$T_OUT" '^incoterms +FOB$'
t_match "no quote yet, on his own RFQ" "$T_OUT" '^quotes +none in the cache yet'
t_run "she syncs" 0 ks sync
t_run "her inbox" 0 ks inbox
t_match "offers the quote in his currency, at a price she names" "$T_OUT" \
	"kontor contract propose --rfq $(printf %.8s "$RFQ") --listing DEN-MAY --buyer @berlin-interiors-gmbh --qty 200 --incoterm FOB --place PLACE --currency EUR --price PRICE\$"

t_run "--currency EUR without a price is refused (exit 2)" 2 ks contract propose --rfq "$RFQ" \
	--listing DEN-MAY --buyer @berlin-interiors-gmbh --qty 200 --incoterm FOB --place "Hai Phong" \
	--currency EUR
t_match "saying kontor converts nothing" "$T_ERR" \
	'--currency EUR: the listing is priced in VND; an offer in EUR names its unit price \(--price AMOUNT, in EUR\): kontor converts nothing'
t_run "a currency that is none is refused (exit 2)" 2 ks contract propose --listing DEN-MAY \
	--buyer @berlin-interiors-gmbh --qty 200 --incoterm FOB --place "Hai Phong" --currency EUX --price 3
t_eq "nothing queued" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" 0

t_run "she quotes 34.50 EUR, 30% on signing, packing billed" 0 ks contract propose --rfq "$RFQ" \
	--listing DEN-MAY --buyer @berlin-interiors-gmbh --qty 200 --incoterm FOB --place "Hai Phong" \
	--currency eur --price 34.50 --deposit-pct 30 --charge packing:40
KID=$(printf '%s\n' "$T_OUT" | sed -n 's/^proposed contract \([A-Za-z0-9_-]*\).*/\1/p')
t_match "the line in EUR" "$T_OUT" '200 pieces × Đèn mây đan tay, SKU DEN-MAY at 34\.50 EUR|200 pieces × Đèn mây đan tay at 34\.50 EUR'
t_match "the charge in EUR" "$T_OUT" 'charges packing 40\.00 EUR'
t_match "the total and the stages in EUR" "$T_OUT" 'total 6,940\.00 EUR;.*'
t_match "each stage in EUR" "$T_OUT" '30% on signing \(2,082\.00 EUR\), 70% before shipment \(4,858\.00 EUR\)'

t_run "he syncs" 0 kb sync
t_run "his inbox" 0 kb inbox
t_match "the offer says which RFQ of his it answers" "$T_OUT" \
	'offer [A-Za-z0-9_-]{8}… from Mây Tre Đan Phú Vinh for your RFQ "Rattan pendant lamps": 200 pieces × "Đèn mây đan tay", 6,940\.00 EUR FOB Hai Phong, waiting for your signature'
t_run "his RFQ with her quote" 0 kb rfq show "Rattan pendant lamps"
t_match "the quote beside it: her, 200 at 34.50 EUR, the total, the terms, its state" "$T_OUT" \
	"^quotes +$(printf %.8s "$KID")  Mây Tre Đan Phú Vinh @[a-z-]+: 200 pieces at 34\\.50 EUR, 6,940\\.00 EUR; FOB Hai Phong by sea; .*; offer\$"
t_run "and as JSON" 0 kb rfq show "$RFQ" --json
t_match "a quotes array with the unit price in minor units" "$T_OUT" \
	"\"quotes\":\\[\\{\"id\":\"$KID\",\"state\":\"offer\".*\"unitPrice\":3450,\"total\":694000,\"currency\":\"EUR\"\\}\\]"
t_run "he counters 250: the unit price stays 34.50 EUR" 0 kb contract counter "$KID" --qty 250
t_match "the total moves with the quantity alone" "$T_OUT" 'total: 6,940\.00 EUR -> 8,665\.00 EUR'
t_match "the counter's line: 250 at 34.50 EUR, no VND tier read as cents" \
	"$(kb contract show "$KID")" ' 250 +piece +34\.50 EUR +8,625\.00 EUR'
t_run "she syncs" 0 ks sync
t_run "she signs" 0 ks contract sign "$KID"
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_eq "the node's order is in EUR" "$(sqlite3 "$DB" "SELECT json_extract(json, '$.currency') || ' ' || json_extract(json, '$.total') FROM orders WHERE id = '$ORDER'")" "EUR 866500"
t_run "a EUR deposit to him" 0 "$KONTORD" admin deposit "$BID" 9000 EUR --db "$DB"
t_run "he syncs" 0 kb sync
t_run "he pays the deposit from his EUR" 0 kb order pay "$ORDER"
t_match "2,599.50 EUR, 30% of 8,665.00" "$T_OUT" 'paid stage 1 of 2 \(30% on signing\): 2,599\.50 EUR'
t_run "and the rest" 0 kb order pay "$ORDER"
ledger_zero "paid in EUR"
t_eq "escrow holds EUR" "$(sqlite3 "$DB" "SELECT currency || ' ' || sum(amount) FROM ledger_entries WHERE account = 'escrow:$ORDER' GROUP BY currency")" "EUR 866500"
t_run "she syncs" 0 ks sync
t_run "her wallet" 0 ks wallet
t_match "says what escrow holds for her, in EUR" "$T_OUT" "order $(printf %.8s "$ORDER") +as seller +8,665\\.00 EUR"
t_run "the invoice as text" 0 ks order docs "$ORDER" --type invoice --format text -o - \
	--set seller.address="Phú Vinh" --set seller.city="Hà Nội" --set seller.country=VN \
	--set seller.taxId=VAT:0101234567 --set buyer.address="Torstraße 5" --set buyer.city=Berlin \
	--set buyer.country=DE --set buyer.taxId=VAT:DE123456789 --set portOfLoading=VNHPH \
	--set portOfDischarge=DEHAM --set items.1.netKg=1.2 --set items.1.grossKg=1.6 \
	--set items.1.packages=25:CT
t_match "is in EUR" "$T_OUT" 'Currency: EUR'
t_match "its total the contract's" "$T_OUT" '8,665\.00 EUR'
t_run "the contract verifies offline" 0 kb contract show "$KID" --verify

# The buyer offers in his currency on her VND listing himself.
t_run "he offers 120 at 33 EUR" 0 kb contract propose --listing DEN-MAY --qty 120 --incoterm FOB \
	--place "Hai Phong" --currency EUR --price 33
t_match "in EUR" "$T_OUT" 'total 3,960\.00 EUR'
t_run "a price in VND for an offer in EUR is refused as the currency's (exit 2)" 2 kb contract propose \
	--listing DEN-MAY --qty 120 --incoterm FOB --place "Hai Phong" --currency EUR --price "900000 ₫"
t_match "naming both" "$T_ERR" 'is in VND, not EUR'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
