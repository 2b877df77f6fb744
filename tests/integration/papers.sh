#!/bin/sh
# Trade papers (issue 14) end to end over a live kontord with real TLS: a Vietnamese seller,
# an Arabic-named buyer in Dubai, a tea set with a Chinese name. The profiles carry postal
# addresses and tax ids, the offer weights, packages, marks, ports and the CIF charges, and
# the signed contract carries them all. `order docs` writes the four papers as UBL 2.1 (each
# well-formed, and valid against the OASIS XSDs when tests/data/ubl-2.1 holds them), PDF (A4
# and Letter pages as pdftoppm renders them, every name and number found by pdftotext, the
# German numbers in German) and text. Bad input: an existing file (exit 1, --force writes
# over it), missing fields (exit 2 with the list and the --set that adds each), a --set that
# would change a signed field (refused), a contract that does not verify (exit 5).
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && command -v xmllint >/dev/null ||
	{ t_fail "poppler-utils and libxml2-utils are installed" "run make deps"; t_done; exit 1; }

trade_node "Papers Test Node"
SELLER="Công ty TNHH Gốm Sứ Bát Tràng"
BUYER="شركة الخليج للتجارة"
trade_party_np seller ks "$SELLER" VN supplier
trade_party_np buyer kb "$BUYER" AE buyer
SID=$(party_id ks)
BID=$(party_id kb)

t_run "seller adds address and tax id to the profile" 0 ks id edit \
	--address "Số 12 Đường Gốm Sứ; Xã Bát Tràng" --city "Hà Nội" --postcode 100000 \
	--tax-id "VAT:0101234567"
t_run "buyer adds address and tax id" 0 kb id edit --address "مبنى ٥، شارع الميناء" \
	--city "دبي" --tax-id "TRN:100123456700003"
t_run "seller lists the tea set" 0 ks listing add --sku TEA-6 --title "青花瓷茶具套装 blue and white tea set" \
	--price 9.80 --currency USD --moq 50 --origin VN --hs-code 691200
t_run "seller syncs" 0 ks sync
trade_find tea set

trade_bind "buyer proposes 500 CIF Jebel Ali with the papers' fields" --qty 500 --incoterm CIF \
	--place "Jebel Ali" --port-loading VNHPH --port-discharge AEJEA --net-kg 1.2 --gross-kg 1.45 \
	--packages 50:CT --marks "GULF/BT/1-50" --charge freight:850.00 --charge insurance:120.50
t_run "the contract shows the buyer's address" 0 env COLUMNS=200 "$KONTOR" --home "$B" contract show "$KID"
t_match "with the buyer's tax id" "$T_OUT" 'TRN 100123456700003'
t_match "the seller's, copied from its profile" "$T_OUT" 'VAT 0101234567'
t_match "the charges billed on the goods" "$T_OUT" 'Charge, freight: 850.00 USD'
t_match "the total includes them" "$T_OUT" 'Total: 5,870.50 USD'
t_match "and the ports" "$T_OUT" 'Loading at VNHPH; discharge at AEJEA'
t_run "the order in the seller's words" 0 ks order show "$ORDER"
t_match "names the charges the total holds" "$T_OUT" '^charges +freight 850\.00 USD, insurance 120\.50 USD$'

OUT="$T_TMP/papers"
mkdir -p "$OUT"
P=$(printf '%.8s' "$ORDER")

# --- UBL -------------------------------------------------------------------------------
t_run "order docs --format ubl writes four documents" 0 ks order docs "$ORDER" --format ubl --dir "$OUT"
for k in invoice proforma packing-list origin; do
	f="$OUT/$P-$k.xml"
	t_run "$k: well-formed XML" 0 xmllint --noout "$f"
done
t_match "the invoice is a UBL Invoice of type 380" "$(cat "$OUT/$P-invoice.xml")" '<cbc:InvoiceTypeCode listID="UNCL1001">380</cbc:InvoiceTypeCode>'
t_match "the proforma is an Invoice of type 325" "$(cat "$OUT/$P-proforma.xml")" '>325</cbc:InvoiceTypeCode>'
t_match "the packing list is a PackingList" "$(cat "$OUT/$P-packing-list.xml")" '<PackingList [^>]*xmlns="urn:oasis:names:specification:ubl:schema:xsd:PackingList-2"'
t_match "the origin application sits in a CertificateOfOrigin" "$(cat "$OUT/$P-origin.xml")" '<cac:CertificateOfOriginApplication>'
t_match "the invoice pays the signed total" "$(cat "$OUT/$P-invoice.xml")" '<cbc:PayableAmount currencyID="USD">5870.50</cbc:PayableAmount>'
t_match "freight is an itemised charge" "$(cat "$OUT/$P-invoice.xml")" '<cbc:AllowanceChargeReasonCode>FC</cbc:AllowanceChargeReasonCode>'
t_match "the Chinese name travels as UTF-8" "$(cat "$OUT/$P-invoice.xml")" '青花瓷茶具套装'
t_match "the Arabic name too" "$(cat "$OUT/$P-invoice.xml")" "$BUYER"
t_match "the packing list weighs 725 kg gross" "$(cat "$OUT/$P-packing-list.xml")" '<cbc:GrossWeightMeasure unitCode="KGM">725.000</cbc:GrossWeightMeasure>'
t_match "and carries the marks" "$(cat "$OUT/$P-packing-list.xml")" '<cbc:ShippingMarks>GULF/BT/1-50</cbc:ShippingMarks>'
XSD="$T_ROOT/tests/data/ubl-2.1/maindoc"
if [ -f "$XSD/UBL-Invoice-2.1.xsd" ] && [ -f "$T_ROOT/tests/data/ubl-2.1/common/UBL-CommonAggregateComponents-2.1.xsd" ]; then
	for k in invoice proforma; do
		t_run "$k: valid against UBL-Invoice-2.1.xsd" 0 xmllint --noout --schema "$XSD/UBL-Invoice-2.1.xsd" "$OUT/$P-$k.xml"
	done
	t_run "packing list: valid against UBL-PackingList-2.1.xsd" 0 xmllint --noout --schema "$XSD/UBL-PackingList-2.1.xsd" "$OUT/$P-packing-list.xml"
	t_run "origin: valid against UBL-CertificateOfOrigin-2.1.xsd" 0 xmllint --noout --schema "$XSD/UBL-CertificateOfOrigin-2.1.xsd" "$OUT/$P-origin.xml"
else
	echo "# NOT CHECKED: the OASIS UBL 2.1 XSDs are not vendored under tests/data/ubl-2.1 (see its README)"
fi

# --- PDF -------------------------------------------------------------------------------
t_run "order docs writes four PDFs by default" 0 ks order docs "$ORDER" --dir "$OUT"
t_match "naming each file" "$T_OUT" "wrote $OUT/$P-invoice.pdf"
pdftotext -layout "$OUT/$P-invoice.pdf" "$T_TMP/inv.txt"
INV=$(cat "$T_TMP/inv.txt")
t_match "the PDF invoice says what it is" "$INV" 'Commercial invoice'
t_match "the seller's Vietnamese name" "$INV" "$SELLER"
t_match "the Chinese product name" "$INV" '青花瓷茶具套装'
t_match "the Arabic buyer name (either order of the letters)" "$(tr -d ' ' <"$T_TMP/inv.txt")" "$(printf '%s' "$BUYER" | tr -d ' ')|$(printf '%s' "$BUYER" | tr -d ' ' | rev)"
t_match "the goods: 500 at 9.80" "$INV" '4,900\.00'
t_match "freight 850.00" "$INV" '850\.00'
t_match "the total 5,870.50 USD" "$INV" 'Total: 5,870\.50 USD'
t_match "the HS code" "$INV" '691200'
t_match "the contract hash on the page" "$INV" "$KID"
t_match "and the order id" "$INV" "$ORDER"
pdftoppm -r 72 -png "$OUT/$P-invoice.pdf" "$T_TMP/a4"
t_match "an A4 page renders 595.3 x 841.9 pt: 596 x 842 pixels at 72 dpi" "$(file "$T_TMP"/a4-1.png)" '596 x 842'
t_run "order docs --paper letter --type invoice -o FILE" 0 ks order docs "$ORDER" --type invoice \
	--paper letter -o "$T_TMP/letter.pdf"
pdftoppm -r 72 -png "$T_TMP/letter.pdf" "$T_TMP/letter"
t_match "a Letter page renders 612 x 792" "$(file "$T_TMP"/letter-1.png)" '612 x 792'
pdftotext "$OUT/$P-packing-list.pdf" - >"$T_TMP/pl.txt"
t_match "the packing list counts 50 cartons" "$(cat "$T_TMP/pl.txt")" '50 cartons'
t_match "and weighs 600 kg net" "$(cat "$T_TMP/pl.txt")" '600\.000'
t_run "German papers" 0 ks order docs "$ORDER" --type invoice --lang de -o "$T_TMP/de.pdf"
t_match "German numbers: 5.870,50" "$(pdftotext "$T_TMP/de.pdf" -)" 'Gesamtbetrag: 5\.870,50 USD'
t_run "a --dir that does not exist is refused (exit 2)" 2 ks order docs "$ORDER" --dir "$T_TMP/no-such-dir"
t_eq "naming it, not a temporary file" "$T_ERR" "kontor: --dir $T_TMP/no-such-dir: no such directory"
: >"$T_TMP/a-file"
t_run "a --dir that is a file is refused (exit 2)" 2 ks order docs "$ORDER" --dir "$T_TMP/a-file"
t_eq "saying so" "$T_ERR" "kontor: --dir $T_TMP/a-file: not a directory"
t_run "-o into a directory that does not exist fails (exit 1)" 1 ks order docs "$ORDER" --type invoice -o "$T_TMP/no-such-dir/x.pdf"
t_match "naming the file asked for" "$T_ERR" "^kontor: $T_TMP/no-such-dir/x\.pdf: cannot write it: No such file or directory$"
t_run "German invoice as text" 0 ks order docs "$ORDER" --type invoice --lang de --format text -o "$T_TMP/de.txt"
DE=$(cat "$T_TMP/de.txt")
t_run "-o - writes the one paper to standard output, as curl and tar take it" 0 sh -c \
	"cd '$T_TMP' && '$KONTOR' --home '$S' order docs '$ORDER' --type invoice --lang de --format text -o -"
t_eq "the same invoice, on standard output" "$T_OUT" "$DE"
t_eq "and no file named '-'" "$(ls -A "$T_TMP" | grep -c '^-$')" 0
t_match "the mode in German" "$DE" '^Beförderung: (Seefracht|Luftfracht|Straßentransport|Bahntransport|Kurierdienst)$'
t_match "the quantity's unit in German" "$DE" 'Menge: [0-9.]+ (Stück|Sätze|Kartons) '
t_match "the payment terms in German, stage by stage" "$DE" '^Zahlung: 100% vor Versand; auf ein Treuhandkonto, freigegeben [0-9]+ Tage nach Lieferung$'
t_match "the reason for export in German" "$DE" '^Ausfuhrgrund: Verkauf$'
t_match "her VAT id as German papers name it" "$DE" '^  Steuernummer USt-IdNr\.: 0101234567$'
t_nomatch "no English word of the contract left in it" "$DE" ': (sea|air|road)$|piece|before shipment|into escrow|: sale$'
t_run "Vietnamese papers" 0 ks order docs "$ORDER" --type invoice --lang vi -o "$T_TMP/vi.pdf"
VI=$(pdftotext "$T_TMP/vi.pdf" -)
t_match "Vietnamese title" "$VI" 'Hóa đơn thương mại'
t_match "Vietnamese numbers: 5.870,50" "$VI" 'Tổng cộng: 5\.870,50 USD'
t_match "her VAT id as Vietnamese papers name it (mã số thuế)" "$VI" 'MST 0101234567'
t_match "Vietnamese declaration" "$VI" 'Chúng tôi cam đoan'
t_match "the countries by their Vietnamese names" "$VI" 'Việt Nam'
t_match "the payment terms in Vietnamese" "$VI" 'trước khi giao hàng; vào tài khoản ký quỹ'
t_run "Vietnamese packing list as text" 0 ks order docs "$ORDER" --type packing-list --lang vi --format text -o "$T_TMP/vi.txt"
t_match "its marks" "$(cat "$T_TMP/vi.txt")" 'Ký mã hiệu: GULF/BT/1-50'
t_run "an unknown language is refused (exit 2)" 2 ks order docs "$ORDER" --type invoice --lang ja -o "$T_TMP/ja.pdf"
t_match "naming the ones there are" "$T_ERR" "--lang 'ja' is not en, de, es, fr, zh or vi"
t_run "Chinese papers" 0 ks order docs "$ORDER" --type invoice --lang zh -o "$T_TMP/zh.pdf"
t_match "Chinese labels" "$(pdftotext "$T_TMP/zh.pdf" -)" '商业发票'
t_run "text papers" 0 ks order docs "$ORDER" --type packing-list --format text -o "$T_TMP/pl.txt2"
t_match "the text packing list names the marks" "$(cat "$T_TMP/pl.txt2")" 'Marks and numbers: GULF/BT/1-50'

# --- bad input ------------------------------------------------------------------------
t_run "an existing file is refused (exit 1)" 1 ks order docs "$ORDER" --dir "$OUT"
t_match "naming it" "$T_ERR" "$OUT/$P-invoice.pdf exists"
t_run "--force writes over it" 0 ks order docs "$ORDER" --dir "$OUT" --force
t_run "buyer syncs" 0 kb sync
t_run "the buyer writes the papers from its own copy" 0 kb order docs "$ORDER" --type invoice -o "$T_TMP/buyer.pdf"
t_run "a --set on a signed field is refused" 1 ks order docs "$ORDER" --set portOfLoading=VNSGN --dir "$T_TMP"
t_match "saying a change needs a new offer" "$T_ERR" 'portOfLoading: the signed contract says it already'
t_run "the buyer cannot keep the seller's amendment" 1 kb order docs "$ORDER" --set exportReason=gift

# A second order made without the papers' fields: what is missing, and --set to add it.
t_run "seller lists a second product" 0 ks listing add --sku VASE-1 --title "Bình gốm men lam" \
	--price 25 --currency USD --moq 1 --origin VN
t_run "seller syncs" 0 ks sync
trade_find gốm men lam
trade_bind "buyer proposes FOB without weights or ports" --qty 10 --incoterm FOB --place "Hai Phong"
t_run "the packing list lacks fields (exit 2)" 2 ks order docs "$ORDER" --type packing-list --dir "$T_TMP"
t_match "it lists the port of discharge" "$T_ERR" 'port of discharge +--set portOfDischarge='
t_nomatch "not the port of loading: FOB Hai Phong, signed, names it" "$T_ERR" 'port of loading'
t_match "and the weights" "$T_ERR" 'line 1 gross weight +--set items\.1\.grossKg='
t_match "and how an offer says them next time" "$T_ERR" '^An offer says the ports, weights and packages with --port-loading, --port-discharge, --net-kg, --gross-kg and --packages\.$'
t_match "and how her listing says the weights once for every offer" "$T_ERR" '^Later offers carry a line.s weights and packages once its listing says one unit.s: `kontor listing edit SKU --net-kg KG --gross-kg KG --per-package N:CODE`\.$'
t_match "naming the order by the start of its id" "$T_ERR" "the signed contract of order $(printf '%.8s' "$ORDER") lacks what the papers need; the seller adds it with .kontor order docs $(printf '%.8s' "$ORDER") --set"
t_eq "and writes nothing" "$(ls "$T_TMP"/*-packing-list.pdf 2>/dev/null | wc -l)" 0
t_run "the seller adds them as an unsigned amendment" 0 ks order docs "$ORDER" --type packing-list \
	--dir "$T_TMP" --set portOfDischarge="Jebel Ali" \
	--set items.1.netKg=2 --set items.1.grossKg=2.6 --set items.1.packages=2:CS
t_match "marked as added after signing" "$(pdftotext "$T_TMP/$(printf '%.8s' "$ORDER")-packing-list.pdf" -)" 'added by the seller after signing'
t_run "the packing list as text, after the amendment" 0 ks order docs "$ORDER" --type packing-list --format text -o -
t_match "the signed description carries no mark" "$T_OUT" "^1\. Bình gốm men lam$"
t_match "the port of loading is FOB's named place, signed, so unmarked" "$T_OUT" \
	'^Port / place of loading: Hai Phong$'
t_match "the port of discharge, added after signing, marked" "$T_OUT" \
	'^Port / place of discharge: Jebel Ali \*$'
t_match "each weight added after signing is marked where it stands" "$T_OUT" '^   Net kg: [0-9.]+ \*   Gross kg: [0-9.]+ \*$'
t_match "so are the packages" "$T_OUT" '^   Packages: 2 .*\(CS\) \*$'
t_match "the HS code, signed empty and not amended, carries none" "$T_OUT" '^   HS code: -   Origin: VN$'
t_run "the HS code added after signing" 0 ks order docs "$ORDER" --type invoice --format text -o - --set items.1.hsCode=691390
t_match "is marked beside the code" "$T_OUT" '^   HS code: 691390 \*   Origin: VN$'
t_run "the HS code as the tariff prints it, with a dot" 0 ks order docs "$ORDER" --type invoice --format text -o - --set items.1.hsCode=6913.90
t_match "is the same six digits" "$T_OUT" '^   HS code: 691390 \*   Origin: VN$'
t_run "an HS code of four digits is refused (exit 2)" 2 ks order docs "$ORDER" --type invoice --format text -o - --set items.1.hsCode=6913
t_match "saying what one is" "$T_ERR" "--set items.1.hsCode: an HS code is 6 to 10 digits, like 7308.30.90 \\(got '6913'\\)"
t_run "an impossible --date is refused (exit 2)" 2 ks order docs "$ORDER" --type invoice --format text -o - --date 2026-02-30
t_match "saying the calendar has no such day" "$T_ERR" "--date '2026-02-30' is not a date YYYY-MM-DD that the calendar has"
t_run "29 February of a leap year is a date" 0 ks order docs "$ORDER" --type invoice --format ubl -o - --date 2028-02-29
t_match "and is the invoice's date" "$T_OUT" '<cbc:IssueDate>2028-02-29</cbc:IssueDate>'
# Without --date the papers carry her local date: far east and far west of UTC, one of the two
# is always another day than UTC's.
for tz in Etc/GMT-14 Etc/GMT+12; do
	t_run "papers made in $tz" 0 env TZ=$tz "$KONTOR" --home "$S" order docs "$ORDER" --type invoice --format ubl -o -
	t_match "are dated that zone's today" "$T_OUT" "<cbc:IssueDate>$(TZ=$tz date +%Y-%m-%d)</cbc:IssueDate>"
done
t_run "freight under FOB is refused in an offer (exit 2)" 2 kb contract propose --listing "$LID" --qty 10 \
	--incoterm FOB --place "Hai Phong" --charge freight:100
t_match "naming the Incoterm's rule" "$T_ERR" 'under FOB the buyer pays the main carriage'

# A contract that does not verify: exit 5.
tamper="UPDATE contracts SET json = replace(json, '\\\"qty\\\":10,', '\\\"qty\\\":11,') WHERE id = '$KID'"
sqlite3 "$S/cache.db" "$tamper"
t_eq "the cached contract now says 11" "$(sqlite3 "$S/cache.db" "SELECT instr(json, '\\\"qty\\\":11,') > 0 FROM contracts WHERE id = '$KID'")" 1
t_run "a contract that does not verify: refused (exit 5)" 5 ks order docs "$ORDER" --type invoice -o "$T_TMP/x.pdf"
t_match "saying so" "$T_ERR" 'does not verify'
t_eq "nothing written" "$(ls "$T_TMP/x.pdf" 2>/dev/null | wc -l)" 0

t_run "an offer of 50 vases at 25.00 with charges, in words" 0 kb contract propose --listing "$LID" --qty 50 \
	--incoterm CIF --place "Jebel Ali" --charge freight:100 --charge packing:5.50
t_eq "names them, then the total that holds them" \
	"$(printf '%s\n' "$T_OUT" | grep -A1 '^  charges' | cut -d';' -f1)" \
	"$(printf '  charges freight 100.00 USD, packing 5.50 USD\n  total 1,355.50 USD')"

# A cancelled order ships nothing: no invoice or packing list says it does.
trade_bind "buyer proposes 2 vases" --qty 2 --incoterm FOB --place "Hai Phong" --port-loading VNHPH \
	--port-discharge AEJEA --net-kg 2 --gross-kg 2.5 --packages 1:CT
t_run "the papers of the order before it is cancelled" 0 ks order docs "$ORDER" --type invoice --format text -o - --set items.1.hsCode=691390
t_run "buyer syncs" 0 kb sync
t_run "the buyer cancels it before paying" 0 kb order cancel "$ORDER"
t_run "seller syncs" 0 ks sync
t_run "papers of a cancelled order are refused (exit 1)" 1 ks order docs "$ORDER" --type invoice --format text -o -
t_match "saying why" "$T_ERR" 'the order is cancelled: papers are written for goods that ship'
t_eq "and writing nothing" "$T_OUT" ""
t_run "track of the cancelled order" 0 ks track "$ORDER"
t_eq "says it was never shipped, not that it will be" "$T_OUT" "order $ORDER is cancelled: it was never shipped"

# --- her listing says what one vase weighs and how they are packed: every offer carries it
t_run "she says the vase's weights and packing on her listing" 0 ks listing edit "$LID" \
	--net-kg 1.2 --gross-kg 1,6 --per-package 6:CT
t_match "the edit names them" "$T_OUT" 'packing - -> net 1.2 kg, gross 1.6 kg a piece; 6 pieces to a carton \(CT\)'
t_match "listing show says them" "$(ks listing show "$LID")" '^packing: +net 1.2 kg, gross 1.6 kg a piece; 6 pieces to a carton \(CT\)$'
t_run "packed lighter than bare is refused (exit 2)" 2 ks listing edit "$LID" --gross-kg 1
t_match "saying so in kg" "$T_ERR" '^kontor: --gross-kg: 1 kg packed is less than the 1.2 kg net of one unit$'
t_run "bare heavier than packed is refused too (exit 2)" 2 ks listing edit "$LID" --net-kg 2
t_match "naming the flag she gave" "$T_ERR" '^kontor: --net-kg: 2 kg bare is more than the 1.6 kg gross of one unit packed \(--gross-kg says that\)$'
t_run "a unit of 150 t is refused in kg, not grams (exit 2)" 2 ks listing edit "$LID" --net-kg 150000
t_match "saying the limit" "$T_ERR" "^kontor: --net-kg: '150000' is not a weight in kg like 12.5 \\(at most 3 decimals: 1 g to 100 t\\)$"
t_run "a package kind that is none is refused (exit 2)" 2 ks listing edit "$LID" --per-package 6:ZZ
t_match "naming the codes" "$T_ERR" "^kontor: --per-package: '6:ZZ' is not COUNT:CODE like 20:CT \\(UN/ECE Rec 21 codes: CT carton"
t_run "buyer syncs" 0 kb sync
trade_bind "buyer proposes 13 vases, saying nothing of weights" --qty 13 --incoterm FOB \
	--place "Hai Phong" --port-loading VNHPH --port-discharge AEJEA
t_run "the packing list, with nothing added after signing" 0 ks order docs "$ORDER" --type packing-list --format text -o -
t_match "13 vases' weights from her listing's, signed and unstarred" "$T_OUT" '^   Net kg: 15.600   Gross kg: 20.800$'
t_match "13 vases in 3 cartons of 6" "$T_OUT" '^   Packages: 3 cartons \(CT\)$'
t_run "she unsays the packing" 0 ks listing edit "$LID" --net-kg none --gross-kg none --per-package none
t_nomatch "listing show says none" "$(ks listing show "$LID")" '^packing:'
t_run "her export" 0 ks listing export
t_match "has the three columns last" "$(printf '%s\n' "$T_OUT" | head -n 1 | tr -d '\r')" ',options,net_kg,gross_kg,per_package$'

# --- a buyer who never synced and whose profile says no address: his offer still carries
# hers (fetched with the listing); she adds his after signing, and the PDF stars the party's
# heading, as the text papers do, not a line of its own
trade_party_np "a buyer without an address" kx "Hanoi Gift Shop" VN buyer
t_run "he proposes 6 vases" 0 kx contract propose --listing "$LID" --qty 6 --incoterm FOB \
	--place "Hai Phong" --port-loading VNHPH --port-discharge VNHAN --net-kg 1.2 --gross-kg 1.6 \
	--packages 1:CT --json
K3=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_match "he never synced, yet his offer carries her address from her profile on the node" \
	"$(env COLUMNS=200 "$KONTOR" --home "$X" contract show "$K3")" 'Xã Bát Tràng'
t_run "seller syncs" 0 ks sync
t_run "seller signs" 0 ks contract sign "$K3"
O3=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_run "she adds his address and tax id to the invoice" 0 ks order docs "$O3" --type invoice \
	-o "$T_TMP/addr.pdf" --set buyer.address="12 Hàng Gai" --set buyer.city="Hà Nội" \
	--set buyer.country=VN --set buyer.taxId=VAT:0101234567 --set items.1.hsCode=691390
pdftotext -layout "$T_TMP/addr.pdf" "$T_TMP/addr.txt"
t_match "the buyer's heading is starred" "$(cat "$T_TMP/addr.txt")" 'Buyer / consignee \*'
t_nomatch "the seller's, signed, is not" "$(cat "$T_TMP/addr.txt")" 'Seller / exporter \*'
t_eq "no line is a star alone" "$(grep -c '^ *\* *$' "$T_TMP/addr.txt")" 0
t_match "the tax id he lacked is starred beside it" "$(cat "$T_TMP/addr.txt")" 'VAT 0101234567 \*'

t_done
