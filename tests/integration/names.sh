#!/bin/sh
# Names, not ids (issue 13), over a live kontord with real TLS: a seller in Hai Phong and a
# buyer in Berlin trade without typing a 43-character id. Handles are made from names in any
# script (Vietnamese, Russian, Chinese); the seller proposes by her SKU to the buyer's
# @handle; the buyer signs the contract and pays the order by the start of their ids (the
# order before any pull has brought it); an ambiguous handle, name or prefix exits 2 listing
# the candidates, an unknown one exits 2 saying none matched; whole ids work as before; order
# list, contract list, chat list, rfq list and rfq show print names where they printed ids,
# --json keeps the ids; times are shown in local time (TZ) with the zone, --json in UTC. A
# buyer names a seller's listing by its SKU; two sellers' alike are listed to choose from.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export TZ=UTC0

trade_node "Names Node"
trade_party seller ks "Sắt Mỹ Thuật Hoà Phát" VN supplier --no-passphrase
trade_party buyer kb "Berlin Interiors GmbH" DE buyer --no-passphrase
trade_party third kx "Berlin Steel AG" DE buyer --no-passphrase
t_run "the seller syncs the market: names of accounts she never dealt with" 0 ks node scope main market
SID=$(party_id ks)
BID=$(party_id kb)
XID=$(party_id kx)
pre() { printf "%.${2:-8}s" "$1"; } # the first N (8) characters of an id

# --- handles from names in any script ----------------------------------------------------
t_match "the Vietnamese name makes @sat-my-thuat-hoa-phat" "$(ks id show)" 'handle: +@sat-my-thuat-hoa-phat$'
t_match "the buyer is @berlin-interiors-gmbh" "$(kb id show)" 'handle: +@berlin-interiors-gmbh$'
R="$T_TMP/russian"
C="$T_TMP/chinese"
kr() { "$KONTOR" --home "$R" "$@"; }
kc() { "$KONTOR" --home "$C" "$@"; }
t_run "a Russian name" 0 kr init --name "Шэньчжэнь Айрон" --country RU --no-passphrase
t_match "is transliterated into its handle" "$(kr id show)" 'handle: +@senczen-ajron$'
t_run "a Chinese name" 0 kc init --name "深圳铁艺" --country CN --no-passphrase
t_match "becomes pinyin" "$(kc id show)" 'handle: +@shen-zhen-tie-yi$'

# --- the seller's listings, by SKU -------------------------------------------------------
t_run "seller lists U720-BK" 0 ks listing add --sku U720-BK --title "Iron table legs, black, 72 cm" \
	--price 12.50 --currency USD --moq 10 --origin VN
printf 'sku,title,currency,price\n"MUG #7 blue",Hand-made mug no. 7,USD,9.50\n' >"$T_TMP/mug.csv"
t_run "and imports a mug whose SKU needs mapping" 0 ks listing import "$T_TMP/mug.csv"
t_run "listing show by the SKU as she wrote it" 0 ks listing show "MUG #7 blue"
t_match "is the mug" "$T_OUT" 'Hand-made mug no\. 7'
t_run "listing pause by SKU, any case" 0 ks listing pause u720-bk
t_match "paused" "$(ks listing show U720-BK --json)" '"status":"paused"'
t_run "listing resume by SKU" 0 ks listing resume U720-BK
t_run "a SKU she does not have exits 2" 2 ks listing show NOPE-1
t_match "saying none matched" "$T_ERR" "no listing in the cache matches 'NOPE-1'"
t_run "listing show by the start of her SKU, any case" 0 ks listing show u720
t_match "is the legs" "$T_OUT" '^sku: +U720-BK$'
t_run "and of the SKU as she wrote it" 0 ks listing show "mug #"
t_match "is the mug" "$T_OUT" 'Hand-made mug no\. 7'
# A copy of her home with no node: what she adds there stays there.
S3="$T_TMP/seller-two-legs"
cp -r "$S" "$S3"
t_run "(a copy of her home, without its node)" 0 "$KONTOR" --home "$S3" node rm main
t_run "where she adds white legs (queued, exit 4)" 4 "$KONTOR" --home "$S3" listing add \
	--sku U720-WH --title "Iron table legs, white, 72 cm" --price 12.50 --currency USD
t_run "a start two of her SKUs share names both (exit 2)" 2 "$KONTOR" --home "$S3" listing show U720
t_match "listing each to choose from" "$T_ERR" "'U720' matches 2 listings: U720-(BK|WH) .*; U720-(WH|BK) .*; say which"
t_run "everyone syncs: seller" 0 ks sync
t_run "buyer" 0 kb sync
t_run "third" 0 kx sync
t_run "seller again (the other accounts' profiles)" 0 ks sync

# --- the seller proposes by SKU to an @handle ---------------------------------------------
t_run "contract propose --listing U720-BK --buyer @berlin-interiors-gmbh" 0 ks contract propose \
	--listing U720-BK --qty 100 --incoterm FOB --place "Hai Phong" --buyer @berlin-interiors-gmbh --json
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_match "a contract" "$KID" '^[A-Za-z0-9_-]{43}$'
t_eq "on the node, to the buyer, for the listing of that SKU" \
	"$(sqlite3 "$DB" "SELECT buyer_id = '$BID' AND seller_id = '$SID' FROM contracts WHERE id = '$KID'")" 1
t_run "--buyer @berlin is ambiguous (exit 2)" 2 ks contract propose --listing U720-BK --qty 100 \
	--incoterm FOB --place "Hai Phong" --buyer @berlin
t_match "listing the candidates: name, handle, short id" "$T_ERR" \
	"'@berlin' matches 2 accounts: .*Berlin Interiors GmbH \\(@berlin-interiors-gmbh, $(pre "$BID")\\)"
t_match "both of them" "$T_ERR" "Berlin Steel AG \\(@berlin-steel-ag, $(pre "$XID")\\)"
t_run "the start of a name that fits both, too (exit 2)" 2 ks contract propose --listing U720-BK \
	--qty 100 --incoterm FOB --place "Hai Phong" --buyer Berlin
t_run "an unknown @handle exits 2" 2 ks contract propose --listing U720-BK --qty 100 \
	--incoterm FOB --place "Hai Phong" --buyer @nobody
t_match "saying neither her cache nor the node has it" "$T_ERR" "no account @nobody in the cache, and node main has no account @nobody"
t_run "a name in Vietnamese that fits nobody exits 2" 2 ks contract propose --listing U720-BK \
	--qty 100 --incoterm FOB --place "Hai Phong" --buyer "Người Lạ"
t_match "quoting it as she typed it" "$T_ERR" "no account in the cache matches 'Người Lạ'"
t_run "one with an escape sequence exits 2" 2 ks contract propose --listing U720-BK \
	--qty 100 --incoterm FOB --place "Hai Phong" --buyer "$(printf 'Lạ\033[2J')"
t_match "quoting it without the escape" "$T_ERR" "no account in the cache matches 'Lạ\?\[2J'"
t_eq "nothing was proposed by the refused ones" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM contracts")" 1

# --- contract list names the counterparty ------------------------------------------------
t_run "seller contract list" 0 ks contract list
t_match "the buyer by name and handle" "$T_OUT" "^$(printf %.8s "$KID") +offer +sell to +1,?250\\.00 USD +Iron table legs, black, 72 cm +Berlin Interiors GmbH @berlin-interiors-gmbh$"
t_nomatch "not by id" "$T_OUT" "$BID"
t_run "contract list --json" 0 ks contract list --json
t_match "keeps the id and adds the name" "$T_OUT" "\"counterparty\":\"$BID\",\"counterpartyName\":\"Berlin Interiors GmbH @berlin-interiors-gmbh\""

# --- the buyer signs and pays by prefixes ------------------------------------------------
t_run "buyer syncs" 0 kb sync
t_run "contract show by a unique prefix" 0 kb contract show "$(pre "$KID")" --verify
t_match "verifies the whole contract" "$T_OUT" '^verified: 1 section'
# One id in 64 begins with '-': a prefix of one is a prefix, not an unknown option.
t_run "a prefix that begins with '-' is looked up, not taken for an option" 2 kb contract show -AbC1
t_match "saying no contract matches it" "$T_ERR" "no contract in the cache matches '-AbC1'"
t_run "a short one is an unknown option" 2 kb contract show -ab
t_match "whose message says where such an id goes" "$T_ERR" "unknown option '-ab' .*an id that begins with '-' goes after --"
t_run "after --, even a short one is looked up" 2 kb contract show -- -ab
t_match "as a prefix too short to name one" "$T_ERR" "'-ab'"
t_run "contract sign by a unique prefix" 0 kb contract sign "$(pre "$KID")"
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_match "binding, naming the whole contract id and the order" "$T_OUT" "signed contract $KID as buyer: binding, order [A-Za-z0-9_-]{43}"
t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" 2000.00 USD --db "$DB" --reference psp-1
t_eq "the order the signature made is in the buyer's cache at once" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM orders")" 1
# A prefix resolves through the binding contract too, when the order is not cached (the
# fetch after signing failed): taken out of the cache to prove it.
sqlite3 "$B/cache.db" "DELETE FROM orders"
t_run "by the seller's @handle too: track finds the order, not yet cached (exit 1)" 1 kb track @sat-my-thuat-hoa-phat
t_match "through its contract: the whole order id" "$T_ERR" "no order $ORDER in the cache"
t_run "order pay by the first 6 characters, the order not cached" 0 kb order pay "$(pre "$ORDER" 6)"
t_match "paid the whole order" "$T_OUT" "order $ORDER: funded as buyer"
t_eq "the node holds it in escrow" "$(ostate "$ORDER")" funded

# --- the seller ships by prefix; times in local time -------------------------------------
t_run "seller syncs" 0 ks sync
t_run "order ship by prefix" 0 ks order ship "$(pre "$ORDER")" --carrier Maersk --tracking MAEU1234567
t_run "order event by prefix" 0 ks order event "$(pre "$ORDER")" --code LOAD --location VNHPH \
	--at 2026-11-25T09:12:00Z
t_run "buyer syncs" 0 kb sync
t_run "track by prefix in Hai Phong (TZ=Asia/Ho_Chi_Minh)" 0 env TZ=Asia/Ho_Chi_Minh "$KONTOR" --home "$B" track "$(pre "$ORDER")"
t_match "the loading at 16:12 local, with the zone" "$T_OUT" '^2026-11-25 16:12 \+07  Loaded'
t_nomatch "no UTC" "$T_OUT" ' UTC'
t_run "the same in Berlin (TZ=Europe/Berlin)" 0 env TZ=Europe/Berlin "$KONTOR" --home "$B" track "$(pre "$ORDER")"
t_match "10:12 CET" "$T_OUT" '^2026-11-25 10:12 CET  Loaded'
t_run "track --json under TZ=Asia/Ho_Chi_Minh" 0 env TZ=Asia/Ho_Chi_Minh "$KONTOR" --home "$B" track "$ORDER" --json
t_match "keeps UTC" "$T_OUT" '"at":"2026-11-25T09:12:00Z"'
CREATED=$(sqlite3 "$B/cache.db" "SELECT json_extract(json, '$.created') FROM orders WHERE id = '$ORDER'")
t_run "order show under TZ=Asia/Ho_Chi_Minh" 0 env TZ=Asia/Ho_Chi_Minh "$KONTOR" --home "$B" order show "$(pre "$ORDER")"
t_match "created in Hai Phong's time, as date(1) has it" "$T_OUT" \
	"^created +$(TZ=Asia/Ho_Chi_Minh date -d "$CREATED" '+%Y-%m-%d %H:%M') \\+07\$"
t_match "the parties by name with their ids" "$T_OUT" "seller +Sắt Mỹ Thuật Hoà Phát @sat-my-thuat-hoa-phat \\($SID\\)"
t_run "the buyer names her by the words her firm is known by: order show 'Hoa Phat'" 0 kb order show "Hoa Phat"
t_match "her order" "$T_OUT" "^order +$ORDER"
t_run "with her accents too: track 'Hoà Phát'" 0 kb track "Hoà Phát"
t_run "words from the middle of her name name her in an offer too" 0 kb contract show "thuat hoa"
t_match "the contract with her" "$T_OUT" '^verified: '
t_run "the start of a word inside her name is not a name (exit 2)" 2 kb order show "Hoa Ph"
t_match "saying none matched" "$T_ERR" "no order in the cache matches 'Hoa Ph'"

# --- order list prints names -------------------------------------------------------------
t_run "buyer order list" 0 kb order list
t_match "the seller by name and handle" "$T_OUT" "^$(printf %.8s "$ORDER") +shipped +buy from +1,?250\\.00 USD +Iron table legs, black, 72 cm +Sắt Mỹ Thuật Hoà Phát @sat-my-thuat-hoa-phat$"
t_nomatch "not by id" "$T_OUT" "$SID"
t_run "seller order list" 0 ks order list
t_match "the buyer by name and handle" "$T_OUT" "sell to .* USD +Iron table legs, black, 72 cm +Berlin Interiors GmbH @berlin-interiors-gmbh$"
t_run "order list --json" 0 kb order list --json
t_match "keeps the ids" "$T_OUT" "\"sellerId\":\"$SID\""

t_run "wallet under TZ=Asia/Ho_Chi_Minh" 0 env TZ=Asia/Ho_Chi_Minh "$KONTOR" --home "$B" wallet
t_match "its history in local time" "$T_OUT" '^  20[0-9-]+ [0-9:]+ \+07  '
t_nomatch "none in UTC" "$T_OUT" ' UTC'

# --- an ambiguous and an unknown order prefix ----------------------------------------------
FAKE="$(pre "$ORDER" 6)ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
sqlite3 "$B/cache.db" "INSERT INTO orders(id, json, contract_id, buyer_id, seller_id, state, updated)
	VALUES('$FAKE', '{\"id\":\"$FAKE\",\"buyerId\":\"$BID\",\"sellerId\":\"$XID\",\"state\":\"cancelled\"}',
	NULL, '$BID', '$XID', 'cancelled', '2026-01-01T00:00:00Z')"
t_run "an order prefix two orders share exits 2" 2 kb order show "$(pre "$ORDER" 6)"
t_match "listing both with their state and counterparty" "$T_ERR" \
	"'$(pre "$ORDER" 6)' matches 2 orders: .*shipped, with Sắt Mỹ Thuật Hoà Phát @sat-my-thuat-hoa-phat"
t_match "and the other" "$T_ERR" "cancelled, with Berlin Steel AG @berlin-steel-ag"
t_run "a longer prefix is unique again" 0 kb order show "$(pre "$ORDER" 12)"
sqlite3 "$B/cache.db" "DELETE FROM orders WHERE id = '$FAKE'"
t_run "an unknown order prefix exits 2" 2 kb order show ZZZZZZ
t_match "saying none matched" "$T_ERR" "no order in the cache matches 'ZZZZZZ'"
t_run "three characters are no prefix (exit 2)" 2 kb order show "$(pre "$ORDER" 3)"
t_run "the whole id works as it always did" 0 kb order show "$ORDER"
t_run "a whole id not in the cache: the old message (exit 1)" 1 kb track AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
t_match "says to sync" "$T_ERR" 'no order AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA in the cache'

# --- the seller's profile and the papers, by names ----------------------------------------
t_run "supplier show by the start of her handle" 0 kb supplier show @sat-my
t_match "is the seller" "$T_OUT" 'Sắt Mỹ Thuật Hoà Phát'
t_run "she lists a stool with 'sắt' in its title" 0 ks listing add --sku GHE-SAT --title "Ghế đẩu sắt" --price 9 --currency USD
t_run "seller syncs" 0 ks sync
t_run "buyer syncs" 0 kb sync
t_eq "the buyer's search finds it by 'sat'" "$(kb search ghe sat --json | grep -c '"title":"Ghế đẩu sắt"')" 1
t_run "yet @sat names a handle, not a title with sắt in it" 0 kb supplier show @sat
t_match "her" "$T_OUT" '^Sắt Mỹ Thuật Hoà Phát  @sat-my-thuat-hoa-phat'
t_run "nor the product of an order" 0 kb order show @sat
t_match "the order with her" "$T_OUT" 'Sắt Mỹ Thuật Hoà Phát'
# (the papers want addresses this contract lacks: what matters here is which order it is)
t_run "order docs by prefix" 2 ks order docs "$(pre "$ORDER")" --type invoice --format text -o "$T_TMP/inv.txt"
t_match "finds that order and asks for what its papers lack" "$T_ERR" "the signed contract of order $(pre "$ORDER") lacks what the papers need"
t_match "and how later offers carry the parties' addresses" "$T_ERR" "^Later offers carry each party's address and tax id once its profile says them: .kontor id edit --address 'LINE; LINE' --city C --tax-id SCHEME:ID.\.$"
t_run "order docs of an unknown order exits 2" 2 ks order docs ZZZZZZ --format text -o "$T_TMP/x.txt"
t_match "saying none matched" "$T_ERR" "no order in the cache matches 'ZZZZZZ'"

# --- RFQs: rfq show and rfq list print the buyer's name ---------------------------------
t_run "buyer posts an RFQ, the unit and HS code as people write them" 0 kb rfq post \
	--title "Iron table legs, 71 cm" --qty 500 --unit pcs --hs-code 9403.20 \
	--currency USD --target-price 11 --json
RID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "rfq show by prefix" 0 env TZ=Asia/Ho_Chi_Minh "$KONTOR" --home "$S" rfq show "$(pre "$RID")"
t_match "the buyer by name, handle and id" "$T_OUT" "^buyer +Berlin Interiors GmbH @berlin-interiors-gmbh \\($BID\\)\$"
t_nomatch "no buyerId line" "$T_OUT" 'buyerId'
t_match "the quantity with its unit in words" "$T_OUT" '^qty +500 pieces$'
RCREATED=$(sqlite3 "$S/cache.db" "SELECT created FROM rfqs WHERE id = '$RID'")
t_match "created in local time with the zone" "$T_OUT" \
	"^created +$(TZ=Asia/Ho_Chi_Minh date -d "$RCREATED" '+%Y-%m-%d %H:%M') \\+07\$"
t_run "rfq show on an 80-column terminal" 0 env COLUMNS=80 "$KONTOR" --home "$S" rfq show "$(pre "$RID")"
t_eq "fits 80 columns" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_match "the buyer's id goes under his name" "$T_OUT" "^buyer +Berlin Interiors GmbH @berlin-interiors-gmbh\$
^ {13}\\($BID\\)\$"
t_run "rfq show --json" 0 ks rfq show "$(pre "$RID")" --json
t_match "keeps the buyer's id and UTC" "$T_OUT" "\"buyerId\":\"$BID\".*\"created\":\"20[0-9-]+T[0-9:]+Z\""
t_match "with his name beside it, as the man page says" "$T_OUT" '"counterpartyName":"Berlin Interiors GmbH @berlin-interiors-gmbh"'
t_match "pcs signed as the code for pieces, the HS code as its digits" "$T_OUT" '"hsCode":"940320".*"unit":"C62"'
t_run "rfq list --json" 0 ks rfq list --json
t_match "names him too" "$T_OUT" "\"buyerId\":\"$BID\".*\"counterpartyName\":\"Berlin Interiors GmbH @berlin-interiors-gmbh\""
t_run "his own rfq list --json" 0 kb rfq list --json
t_nomatch "names no counterparty on his own RFQ" "$T_OUT" 'counterpartyName'
t_run "rfq list" 0 ks rfq list
t_match "names the buyer, the RFQ by its id's start and the quantity with its unit" "$T_OUT" "^$(printf %.8s "$RID")  Iron table legs, 71 cm +500 pieces +open +20[0-9-]+ [0-9:]+ UTC +Berlin Interiors GmbH @berlin-interiors-gmbh$"
t_run "contract propose --rfq by prefix" 0 ks contract propose --listing U720-BK --qty 500 \
	--incoterm FOB --place "Hai Phong" --buyer "berlin int" --rfq "$(pre "$RID")" --json
K2=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_eq "answers that RFQ, to the buyer named by the start of her name" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.rfqId') = '$RID' AND buyer_id = '$BID' FROM contracts WHERE id = '$K2'")" 1

# --- orders and contracts by the other party ----------------------------------------------
t_run "order show by the buyer's @handle: her one order with him" 0 ks order show @berlin-interiors-gmbh
t_match "is that order" "$T_OUT" "^order +$ORDER\$"
t_run "order show --json" 0 ks order show @berlin-interiors-gmbh --json
t_match "says her side and his name, as order list --json does" "$T_OUT" '"role":"seller","counterpartyName":"Berlin Interiors GmbH @berlin-interiors-gmbh"'
t_run "order event by his @handle, as the README shows (--dry-run)" 0 ks order event @berlin-interiors-gmbh --code ARRI --location DEHAM --dry-run
t_match "is an event for that order" "$T_OUT" "^order $ORDER: 1 event would be added"
t_run "by the start of his name" 0 ks order show "berlin int"
t_match "the same order" "$T_OUT" "^order +$ORDER\$"
t_run "'berlin' fits two accounts, but only one has an order with her" 0 ks order show berlin
t_match "so it is that order" "$T_OUT" "^order +$ORDER\$"
t_run "the buyer finds it by the seller's handle too" 0 kb order show @sat-my
t_match "his order with her" "$T_OUT" "^order +$ORDER\$"
t_run "contract show by @handle with two contracts between them exits 2" 2 ks contract show @berlin-interiors-gmbh
t_match "listing both with their states and what each is for, naming him once" "$T_ERR" \
	"'@berlin-interiors-gmbh' matches 2 contracts with Berlin Interiors GmbH @berlin-interiors-gmbh: .*(binding, 100 pieces × Iron table legs, black…, 1,250.00 USD.*offer, 500 pieces ×|offer, 500 pieces × .*binding, 100 pieces ×)"
t_run "an account with no contract with her exits 2" 2 ks contract show @berlin-steel-ag
t_match "saying none matched and what else to give" "$T_ERR" \
	"no contract in the cache matches '@berlin-steel-ag' \\(give the other party's @handle or the start or words of their name"

# --- a command that acts takes, of the other party's, the one it can act on ---------------
# Between them now: the binding contract (its order shipped) and her offer answering his RFQ.
t_run "her sign by his @handle: neither waits for her, so both are listed (exit 2)" 2 \
	ks contract sign @berlin-interiors-gmbh
t_match "the offer she signed and the binding one, neither hers to sign" "$T_ERR" \
	"'@berlin-interiors-gmbh' matches 2 contracts with Berlin Interiors GmbH @berlin-interiors-gmbh, none of which you can sign now: .*(offer.*binding|binding.*offer)"
t_run "buyer syncs" 0 kb sync
t_run "his sign by her @handle takes the one offer that waits for him" 0 kb contract sign @sat-my
t_match "her offer answering his RFQ, now binding" "$T_OUT" "signed contract $K2 as buyer: binding, order [A-Za-z0-9_-]{43}"
ORDER2=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_run "seller syncs" 0 ks sync
t_run "order event by his @handle takes the shipped order, not the one awaiting payment" 0 \
	ks order event @berlin-interiors-gmbh --code ARRI --location DEHAM --dry-run
t_match "the first order" "$T_OUT" "^order $ORDER: 1 event would be added"
t_run "a deposit for the second order" 0 "$KONTORD" admin deposit "$BID" 7000.00 USD --db "$DB" --reference psp-2
t_run "his order pay by her @handle takes the order awaiting payment" 0 kb order pay @sat-my
t_match "the second order, funded" "$T_OUT" "^order $ORDER2: funded as buyer"
t_eq "the first is still shipped" "$(ostate "$ORDER")" shipped
t_run "seller syncs" 0 ks sync
t_run "order show by his @handle names both: reading is not narrowed (exit 2)" 2 ks order show @berlin-interiors-gmbh
t_match "listing both orders with their states, products and totals" "$T_ERR" \
	"'@berlin-interiors-gmbh' matches 2 orders with Berlin Interiors GmbH @berlin-interiors-gmbh: .*(shipped, \"Iron table legs, black, 72 cm\", 1,250.00 USD.*funded, \"Iron table legs, black, 72 cm\", 6,250.00 USD|funded, \"Iron table legs, black, 72 cm\", 6,250.00 USD.*shipped, \"Iron table legs, black, 72 cm\", 1,250.00 USD)"
t_run "order show by her SKU, any case, names both too (exit 2)" 2 ks order show u720-bk
t_match "the two orders of her table legs" "$T_ERR" "^kontor: 'u720-bk' matches 2 orders with Berlin Interiors GmbH"
t_run "order event by her SKU takes the shipped one of the two" 0 \
	ks order event U720-BK --code ARRI --location DEHAM --dry-run
t_match "the first order" "$T_OUT" "^order $ORDER: 1 event would be added"
t_run "her order ship by his @handle takes the funded one" 0 ks order ship @berlin-interiors-gmbh \
	--carrier Maersk --tracking MAEU7654321
t_match "the second order, shipped" "$T_OUT" "^order $ORDER2: shipped as seller"
t_eq "on the node too" "$(ostate "$ORDER2")" shipped
t_run "with both shipped, ship by his @handle fits neither: both listed (exit 2)" 2 \
	ks order ship @berlin-interiors-gmbh --carrier Maersk --tracking MAEU7654321
t_match "never one it cannot act on, and saying so" "$T_ERR" \
	"'@berlin-interiors-gmbh' matches 2 orders with Berlin Interiors GmbH @berlin-interiors-gmbh, none of which you can ship now: .*shipped.*shipped"
t_run "she offers him 50 more" 0 ks contract propose --listing U720-BK --qty 50 --incoterm FOB \
	--place "Hai Phong" --buyer @berlin-interiors-gmbh --json
K3=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "buyer syncs" 0 kb sync
t_run "his counter by her @handle takes the one contract still open, beside two binding" 0 \
	kb contract counter @sat-my --qty 60 --json
t_match "that offer, countered" "$T_OUT" "\"id\":\"$K3\""
t_run "an id prefix is never narrowed: the command says why not" 1 ks order ship "$(pre "$ORDER")" \
	--carrier Maersk --tracking MAEU7654321
t_match "the shipped order, refused" "$T_ERR" "order $ORDER .*nothing was sent"

# --- chat by handle and by name ----------------------------------------------------------
t_run "buyer writes to the seller by the start of her handle" 0 kb chat send @sat-my "Can you do 600?"
t_run "seller syncs" 0 ks sync
t_run "chat list" 0 ks chat list
t_match "names the buyer" "$T_OUT" '1 unread +20[0-9-]+ [0-9:]+ UTC +Berlin Interiors GmbH @berlin-interiors-gmbh'
t_nomatch "not by id" "$T_OUT" "$BID"
t_run "chat list --json" 0 ks chat list --json
t_match "names him beside the participants' ids" "$T_OUT" '"counterpartyName":"Berlin Interiors GmbH @berlin-interiors-gmbh"'
t_run "chat show by the start of a name" 0 ks chat show "berlin int"
t_match "the message" "$T_OUT" 'Can you do 600\?'
t_run "chat send to a name two accounts share exits 2" 2 ks chat send Berlin "hello"
t_match "naming both" "$T_ERR" 'matches 2 accounts'
t_run "a word naming her and her stool 'Ghế đẩu sắt': chat send names her" 0 kb chat send "Sắt" "Gates too?"
t_match "to her, about nothing in particular" "$T_OUT" '^sent to Sắt Mỹ Thuật Hoà Phát @sat-my-thuat-hoa-phat in conversation [A-Za-z0-9_-]{8}$'
t_run "and so does supplier show" 0 kb supplier show "Sắt"
t_match "her profile" "$T_OUT" '^Sắt Mỹ Thuật Hoà Phát  @sat-my-thuat-hoa-phat'
t_run "her stool's own words still name it" 0 kb chat send "Ghế đẩu" "In black?"
t_match "to her, about the stool" "$T_OUT" '^sent to Sắt Mỹ Thuật Hoà Phát @sat-my-thuat-hoa-phat about "Ghế đẩu sắt" in conversation'

# --- a buyer names her listing by the SKU listing show prints ----------------------------
t_run "the buyer syncs her listings" 0 kb sync
t_run "listing show by her SKU, from the buyer's chair" 0 kb listing show u720-bk
t_match "her table legs" "$T_OUT" 'Iron table legs, black, 72 cm'
t_run "another seller lists the same SKU" 0 kx listing add --sku U720-BK --title "Steel table legs" \
	--price 10.00 --currency EUR
t_run "the buyer syncs again" 0 kb sync
t_run "the SKU two sellers use is ambiguous (exit 2)" 2 kb listing show U720-BK
t_match "listing both to choose from" "$T_ERR" "'U720-BK' matches 2 listings"
t_match "each with whose it is: hers" "$T_ERR" '"Iron table legs, black, 72 cm" by Sắt Mỹ Thuật Hoà Phát @sat-my-thuat-hoa-phat \('
t_match "and the other seller's" "$T_ERR" '"Steel table legs" by Berlin Steel AG @berlin-steel-ag \('
t_run "her own SKU stays hers alone" 0 ks listing show U720-BK

# --- a buyer names a listing by its title, as search shows it ----------------------------
t_run "listing show by the whole title, case and accents aside" 0 kb listing show "steel TABLE legs"
t_match "is the steel legs" "$T_OUT" 'Steel table legs'
t_run "by the start of a title" 0 kb listing show "Iron table"
t_match "is her legs" "$T_OUT" 'Iron table legs, black, 72 cm'
t_run "whole words from inside a title name it: black, 72 cm" 0 kb listing show "black, 72 cm"
t_match "is her legs" "$T_OUT" 'Iron table legs, black, 72 cm'
t_run "words inside two titles are ambiguous (exit 2)" 2 kb listing show "table legs"
t_match "listing both" "$T_ERR" "'table legs' matches 2 listings"
t_run "the start of a word inside a title names nothing (exit 2)" 2 kb listing show "table le"
t_match "saying none matched" "$T_ERR" "no listing in the cache matches 'table le'"
t_run "the seller's mug by a start in her words" 0 ks listing show "hand-made MUG"
t_match "is the mug" "$T_OUT" 'Hand-made mug no\. 7'
t_run "she pauses it by its title" 0 ks listing pause "Hand-made mug"
t_run "and resumes it by its title, paused as it is" 0 ks listing resume "Hand-made mug"
t_run "the buyer offers for a listing named by its title" 0 kb contract propose --listing "Iron table legs" \
	--qty 10 --incoterm FOB --place "Hai Phong"
t_match "saying what it offers, in the words order show uses" "$T_OUT" '^  10 pieces × Iron table legs, black, 72 cm at 12\.50 USD$'
t_match "with the total and the terms" "$T_OUT" '^  total 125\.00 USD; FOB Hai Phong by sea; ship by 20[0-9-]+, deliver by 20[0-9-]+$'
t_match "and when he pays it" "$T_OUT" '^  payment into escrow: 100% before shipment \(125\.00 USD\)$'
t_match "for her legs" "$(kb contract list)" 'offer +buy from +125.00 USD +Iron table legs, black, 72 cm'
t_run "another seller lists white ones" 0 kx listing add --sku IRON-W --title "Iron table legs, white" \
	--price 11.00 --currency EUR
t_run "the buyer syncs" 0 kb sync
t_run "a start two titles share is ambiguous (exit 2)" 2 kb listing show "iron table legs"
t_match "listing both to choose from: hers" "$T_ERR" "'iron table legs' matches 2 listings: .*\"Iron table legs, black, 72 cm\""
t_match "and the white ones" "$T_ERR" "'iron table legs' matches 2 listings: .*\"Iron table legs, white\""
t_run "more of the title names one" 0 kb listing show "Iron table legs, white"
t_run "a product several of his contracts trade is ambiguous (exit 2)" 2 kb contract show "iron table legs"
t_match "listing them with their states and parties" "$T_ERR" "'iron table legs' matches [0-9]+ contracts with Sắt Mỹ Thuật Hoà Phát @sat-my-thuat-hoa-phat: "
t_run "a title nobody has exits 2" 2 kb listing show "Giỏ tre đan"
t_match "saying what else it takes" "$T_ERR" "no listing in the cache matches 'Giỏ tre đan' \(give one of your SKUs or its start, a title, its start or words of it,"

# --- outbox drop by what the entry is about ----------------------------------------------
t_run "a listing with no node: queued (exit 4)" 4 kc listing add --sku TL-1 --title "Table legs" --price 3 --currency CNY
LQ=$(sqlite3 "$C/cache.db" "SELECT object_id FROM outbox WHERE method = 'Listing/set'")
t_run "outbox drop by the start of the listing's id" 0 kc outbox drop "$(pre "$LQ")"
t_eq "that entry is gone, the account's stays" "$(sqlite3 "$C/cache.db" "SELECT method FROM outbox")" Account/set
t_run "outbox drop of nothing it knows exits 2" 2 kc outbox drop ZZZZZZZZ

# --- an RFQ's description of two lines: the second under the first ---------------------------
t_run "buyer asks with a description of two lines" 0 kb rfq post --title "Iron bench legs" --qty 80 \
	--description "Powder-coated black, 40 cm high.
Delivered to our warehouse in Hamburg before the spring collection goes into the shops" --json
RID2=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs it" 0 ks sync
t_run "rfq show, piped" 0 ks rfq show "$(pre "$RID2")"
t_match "its second line under its first, whole" "$T_OUT" '^description  Powder-coated black, 40 cm high\.$
^ {13}Delivered to our warehouse in Hamburg before the spring collection goes into the shops$'
t_run "on an 80-column terminal" 0 env COLUMNS=80 "$KONTOR" --home "$S" rfq show "$(pre "$RID2")"
t_match "the long line wrapped under itself" "$T_OUT" '^description  Powder-coated black, 40 cm high\.$
^ {13}Delivered to our warehouse in Hamburg before the spring collection
^ {13}goes into the shops$'

t_done
