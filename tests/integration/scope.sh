#!/bin/sh
# Light sync (issue 13): a node holding other sellers' listings (kontord seed) and a seller
# whose `init --role supplier` put her node in scope `mine`. Her first sync caches only her
# own listings, the RFQs of her listings' category (not another's, not one of a category
# she does not sell in) and the accounts she deals with; the node does the filtering (a
# `filter` on Listing/changes, Rfq/changes and Account/changes). A buyer stays in `market`
# and gets everything. `search` in scope mine says so on stderr and offers --remote.
# Switching to `market` resets the filtered types' sync state and pulls the rest; a
# category scope pulls the listings of that category only (and every RFQ). A no-change sync in each scope
# is one request. The node refuses {"mine": true} unsigned and a filter on a type that
# takes none.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

export KONTOR_PASSPHRASE="scope test passphrase"
t_make_ca "$T_TMP" || { t_fail "test CA" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
DB="$T_TMP/node.db"
"$KONTORD" init --db "$DB" --name "Scope Test Node" >"$T_TMP/init.out" 2>&1
t_run "seed other sellers' catalogue" 0 "$KONTORD" seed --db "$DB" --listings 400 --accounts 12 --seed 7
t_node_start "$T_TMP/serve.log" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key"
[ -n "$PORT" ] && t_ok "kontord is up on 127.0.0.1:$PORT" || { t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"; t_done; exit 1; }
URL="https://127.0.0.1:$PORT"
ON_NODE=$(sqlite3 "$DB" "SELECT count(*) FROM listings")
t_eq "the node holds the seeded listings" "$ON_NODE" 400
CAT="Furniture > Furniture parts"
OTHER_CAT="Food > Coffee"
SEEDED_CAT=$(sqlite3 "$DB" "SELECT count(*) FROM listings WHERE json_extract(json, '$.category') = '$OTHER_CAT'")
[ "${SEEDED_CAT:-0}" -gt 0 ] && t_ok "the seed made $SEEDED_CAT listings in $OTHER_CAT" || t_fail "the seed made listings in $OTHER_CAT" "$SEEDED_CAT"

trade_party_np seller ks "Hoa Phat Iron Art" VN supplier
trade_party_np buyer kb "Berlin Interiors GmbH" DE buyer
t_run "node list" 0 ks node list
t_match "a supplier's node starts in scope mine" "$T_OUT" '^\* main .* mine +'
KEY=$(ks node list --json | sed -n 's/.*"nodeKey":"\([^"]*\)".*/\1/p')
t_match "piped, the columns it always had and the whole key" "$T_OUT" "^\* main {13}https://127\.0\.0\.1:[0-9]+ +[0-9-]+ [0-9:]+ [A-Z+0-9-]+ +mine {6}$KEY\$"
t_run "node list on an 80-column terminal" 0 env COLUMNS=80 "$KONTOR" --home "$S" node list
t_eq "fits 80 columns" "$(( $(printf '%s\n' "$T_OUT" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_match "the name and URL as wide as they are, the key by its first 8 characters" "$T_OUT" \
	"^\* main https://127\.0\.0\.1:[0-9]+ [0-9-]+ [0-9:]+ [A-Z+0-9-]+ +mine {6}$(printf %.8s "$KEY")…\$"
t_match "node list --json names the scope" "$(ks node list --json)" '"scope":"mine"'
t_match "a buyer's stays in market" "$(kb node list --json)" '"scope":"market"'
SID=$(party_id ks)

t_run "seller lists table legs" 0 ks listing add --sku U720-BK --title "Iron table legs, black, 72 cm" \
	--price 12.50 --currency USD --moq 10 --origin VN --category "$CAT"
t_run "and brackets" 0 ks listing add --sku BR-2 --title "Iron shelf brackets" \
	--price 2.10 --currency USD --moq 50 --origin VN --category "$CAT"
t_run "buyer syncs (market)" 0 kb sync
t_run "buyer asks for table legs, her category" 0 kb rfq post --title "Table legs for 60 desks" \
	--qty 240 --category "$CAT" --currency USD --target-price 10
t_run "and for green coffee, not hers" 0 kb rfq post --title "Green coffee, 2 t" --qty 2000 \
	--category "$OTHER_CAT"

# --- scope mine ---------------------------------------------------------------------------
t_run "seller's first sync in scope mine" 0 ks sync --json
t_eq "only her listings are cached" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM listings")" 2
t_eq "none of another seller" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM listings WHERE seller_id != '$SID'")" 0
t_eq "the RFQ of her category arrived, the other did not" \
	"$(sqlite3 "$S/cache.db" "SELECT group_concat(json_extract(json, '$.title'), '|') FROM rfqs")" "Table legs for 60 desks"
BID=$(party_id kb)
t_eq "the buyer who asked is among her accounts" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM accounts WHERE id = '$BID'")" 1
ACC_S=$(sqlite3 "$S/cache.db" "SELECT count(*) FROM accounts")
ACC_N=$(sqlite3 "$DB" "SELECT count(*) FROM accounts")
[ "$ACC_S" -lt "$ACC_N" ] && t_ok "not every account on the node ($ACC_S of $ACC_N)" || t_fail "not every account on the node" "$ACC_S of $ACC_N"
t_run "a no-change sync in scope mine" 0 ks sync --json
t_match "is one request" "$T_OUT" '"requests":1,'
t_run "search in scope mine" 0 ks search iron
t_match "says the cache is not the market, offers --remote" "$T_ERR" "scope mine, not the market: --remote asks the node"
t_match "and names the command that pulls the market" "$T_ERR" '`kontor node scope main market`'
t_run "search --remote finds the market at the node" 0 ks search table --remote --json
t_match "another seller's listing among them" "$T_OUT" '"id":"L'
t_run "the buyer's search says nothing of a scope" 0 kb search iron
t_nomatch "(market)" "$T_ERR" 'not the market'
t_eq "the buyer caches the whole market" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM listings")" $((ON_NODE + 2))
t_eq "and both RFQs" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM rfqs")" 2

# --- a new counterpart's account arrives with what names it -----------------------------------
kx() { "$KONTOR" --home "$X" "$@"; }
trade_party_np third kx "Lyon Bureau SARL" FR buyer
XID=$(party_id kx)
t_run "a third account asks for brackets" 0 kx rfq post --title "Shelf brackets, 500" --qty 500 \
	--category "$CAT"
t_run "seller syncs" 0 ks sync
t_eq "its account came with its RFQ" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM accounts WHERE id = '$XID'")" 1
t_eq "two RFQs of her category now" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM rfqs")" 2

# --- a buyer she has not dealt with, by the @handle he gave her --------------------------------
kd() { "$KONTOR" --home "$T_TMP/fourth" "$@"; }
trade_party_np fourth kd "Dubai Home Trading LLC" AE buyer
DID=$(party_id kd)
t_eq "his account is not in her cache (scope mine)" \
	"$(sqlite3 "$S/cache.db" "SELECT count(*) FROM accounts WHERE id = '$DID'")" 0
t_run "she offers him brackets by his @handle all the same" 0 ks contract propose --listing BR-2 \
	--buyer @dubai-home-trading-llc --qty 500 --incoterm FOB --place "Hai Phong" --json
t_match "the node found him: the offer names him as buyer" \
	"$(sqlite3 "$S/cache.db" "SELECT json FROM contracts ORDER BY rowid DESC LIMIT 1")" "\"buyerId\":\"$DID\""
t_eq "and his account is cached now" \
	"$(sqlite3 "$S/cache.db" "SELECT count(*) FROM accounts WHERE id = '$DID'")" 1
t_run "a handle nobody has (exit 2)" 2 ks chat send @nobody-has-this "xin chào"
t_match "says neither her cache nor the node has it" "$T_ERR" \
	"no account @nobody-has-this in the cache, and node main has no account @nobody-has-this"

# --- switching scopes -------------------------------------------------------------------------
t_run "node scope main market" 0 ks node scope main market
t_match "says the next sync pulls it" "$T_OUT" 'scope market; the next sync pulls'
t_run "seller syncs in market" 0 ks sync
t_eq "switching to market pulled the rest" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM listings")" $((ON_NODE + 2))
t_eq "and every RFQ" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM rfqs")" 3
t_run "a no-change sync in market" 0 ks sync --json
t_match "is one request" "$T_OUT" '"requests":1,'
t_run "search in market says nothing of a scope" 0 ks search iron
t_nomatch "(seller, market)" "$T_ERR" 'not the market'

C="$T_TMP/cat"
kc() { "$KONTOR" --home "$C" "$@"; }
trade_party_np "category client" kc "Kaffee Import KG" DE buyer
t_run "node scope main with a category" 0 kc node scope main "$OTHER_CAT"
t_match "node list shows the category" "$(kc node list)" 'Food > Coffee'
t_run "sync in a category scope" 0 kc sync
t_eq "it caches that category's listings, all of them" "$(sqlite3 "$C/cache.db" "SELECT count(*) FROM listings")" "$SEEDED_CAT"
t_eq "and none of another" "$(sqlite3 "$C/cache.db" "SELECT count(*) FROM listings WHERE category != '$OTHER_CAT'")" 0
t_eq "and every RFQ (a category scope filters listings)" "$(sqlite3 "$C/cache.db" "SELECT count(*) FROM rfqs")" 3
t_run "a no-change sync in a category scope" 0 kc sync --json
t_match "is one request" "$T_OUT" '"requests":1,'
t_run "search in a category scope" 0 kc search coffee
t_match "says it holds a category, not the market" "$T_ERR" "scope Food > Coffee, not the market"

# An account the node's filter does not send (it changed before her last pull and was no
# counterpart then) comes when an object she pulls names it.
t_run "seller back to scope mine" 0 ks node scope main mine
t_run "seller syncs in mine" 0 ks sync
CID=$(party_id kc)
sqlite3 "$S/cache.db" "DELETE FROM accounts WHERE id = '$CID'"
t_run "the category client asks for table legs" 0 kc rfq post --title "Legs for a cafe" --qty 40 \
	--category "$CAT"
t_run "seller syncs" 0 ks sync
t_eq "its RFQ arrived" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM rfqs WHERE json_extract(json, '$.title') = 'Legs for a cafe'")" 1
t_eq "and its older account with it" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM accounts WHERE id = '$CID'")" 1

# --- a seller whose shop export names no category: told why no RFQ comes; given one, the
# RFQs asked before it come too (her pull had passed them) ------------------------------------
F="$T_TMP/fans"
kf() { "$KONTOR" --home "$F" "$@"; }
trade_party_np "fan seller" kf "Mây Tre Hải Phòng" VN supplier
printf 'sku,title,currency,price,stock,variant_of,options\nQUAT,Quạt mây đan tay,VND,45000,,,\nQUAT-S,,,,120,QUAT,Cỡ: Nhỏ\nQUAT-L,,,65000,80,QUAT,Cỡ: Lớn\n' >"$T_TMP/fans.csv"
t_run "she lists fans in two sizes, her export naming no category" 0 kf listing import "$T_TMP/fans.csv"
t_run "a buyer asks for fans" 0 kb rfq post --title "Rattan hand fans, 300" --qty 300 \
	--category "Home & Garden > Fans"
t_run "she syncs in scope mine" 0 kf sync
t_run "her RFQs" 0 kf rfq list
t_match "none in the cache, it says" "$T_OUT" '^no RFQs in the cache'
t_match "and why: her listings name no category, the command that gives one" "$T_ERR" \
	'none of your listings names a category or an HS code, so no buyer.s RFQ reaches your inbox: `kontor listing edit QUAT --category CATEGORY` or `--hs-code CODE`'
t_run "her inbox" 0 kf inbox
t_match "says the same" "$T_ERR" 'none of your listings names a category'
ONE_LINE=$T_ERR
t_run "her inbox on an 80-column terminal" 0 env COLUMNS=80 "$KONTOR" --home "$F" inbox
t_eq "the note in lines no wider than 80" "$(( $(printf '%s\n' "$T_ERR" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_eq "broken at spaces, every word kept" "$(printf '%s\n' "$T_ERR" | tr '\n' ' ' | sed 's/ $//')" "$ONE_LINE"
t_run "she gives her fans a category" 0 kf listing edit QUAT --category "Home & Garden"
t_run "she syncs" 0 kf sync
t_eq "the RFQ asked before it came now" \
	"$(sqlite3 "$F/cache.db" "SELECT group_concat(json_extract(json, '$.title'), '|') FROM rfqs")" "Rattan hand fans, 300"
t_run "her inbox" 0 kf inbox
t_match "offers to quote it with her fans, a size to name" "$T_OUT" 'kontor contract propose --rfq [A-Za-z0-9_-]{8} --listing QUAT --variant VARIANT --buyer '
t_nomatch "and says nothing of categories now" "$T_ERR" 'names a category'
t_run "a no-change sync after it" 0 kf sync --json
t_match "is one request again" "$T_OUT" '"requests":1,'
t_run "the buyer's RFQ list (he has no listings) says nothing of categories" 0 kb rfq list
t_nomatch "(buyer)" "$T_ERR" 'names a category'

# --- an RFQ finds her by what every tariff shares, the HS heading, whatever language its
# category is in; and by naming her listing, with no category at all ----------------------
G="$T_TMP/gates"
kg() { "$KONTOR" --home "$G" "$@"; }
trade_party_np "gate seller" kg "Cổng Sắt Hoà Phát" VN supplier
t_run "she lists a gate under her own word, its HS code as Vietnam's tariff prints it" 0 \
	kg listing add --sku CONG-01 --title "Cổng sắt mỹ thuật 2 cánh" --price 1250 --currency USD \
	--category "Cổng sắt" --hs-code 7308.30.90
t_run "and a railing with no category and no HS code" 0 kg listing add --sku LC-02 \
	--title "Lan can cầu thang" --price 85 --currency USD --unit metre
t_run "the buyer syncs" 0 kb sync
t_run "he asks for gates in German, giving the HS code" 0 kb rfq post --title "Schmiedeeisernes Tor" \
	--qty 4 --category "Tore" --hs-code 7308.30
t_run "and for steel doors, another heading" 0 kb rfq post --title "Stahltüren" --qty 10 \
	--category "Türen" --hs-code 730890
t_run "and for railings, naming her listing alone" 0 kb rfq post --title "Geländer, 40 m" --qty 40 \
	--listing "Lan can"
t_nomatch "which says nothing of reaching no one" "$T_ERR" 'reaches no supplier'
t_run "and for chairs, naming nothing a supplier is found by" 0 kb rfq post --title "Stühle" --qty 6
t_match "which tells him no supplier's inbox will show it" "$T_ERR" \
	'^it names no category and no HS code, so it reaches no supplier.s inbox, only `kontor rfq list`: post it with --category or --hs-code'
t_run "she syncs in scope mine" 0 kg sync
t_eq "the node sent the gate by its heading and the railing by her listing, nothing else" \
	"$(sqlite3 "$G/cache.db" "SELECT group_concat(t, '|') FROM (SELECT json_extract(json, '$.title') AS t FROM rfqs ORDER BY t)")" \
	"Geländer, 40 m|Schmiedeeisernes Tor"
t_run "her inbox" 0 kg inbox
t_match "names the gates to quote, his word beside the HS code that found her" "$T_OUT" 'RFQ from Berlin Interiors GmbH: 4 pieces "Schmiedeeisernes Tor" to quote \(Tore, HS 730830\)$'
t_match "with her gate to quote it with" "$T_OUT" 'kontor contract propose --rfq [A-Za-z0-9_-]{8} --listing CONG-01 --buyer @berlin-interiors-gmbh --qty 4 '
t_match "and the railings, with the listing he named" "$T_OUT" 'kontor contract propose --rfq [A-Za-z0-9_-]{8} --listing LC-02 --buyer @berlin-interiors-gmbh --qty 40 '
t_match "saying it was her listing that found her, in metres as that listing counts" "$T_OUT" \
	'40 metres "Geländer, 40 m" to quote \(your LC-02\)$'
t_nomatch "not the steel doors" "$T_OUT" 'Stahltüren'
t_nomatch "and no word of categories: her gate's HS code finds hers" "$T_ERR" 'names a category'

# --- bad input --------------------------------------------------------------------------------
t_run "mine with a category is a usage error" 2 ks node scope main mine "$CAT"
t_run "a node that does not exist" 1 ks node scope nope mine
t_match "is named" "$T_ERR" "no node named 'nope'"
# --node mistyped: nothing runs, nothing is queued for a node no sync reaches
OUTBOX=$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")
t_run "--node naming no node of hers is a usage error" 2 ks --node nope listing edit U720-BK --stock 9
t_eq "which says so, and where to look" "$T_ERR" "kontor: --node: no node named 'nope' (see \`kontor node list\`)"
t_eq "nothing was queued for it" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" "$OUTBOX"
t_run "a sync with it too" 2 ks --node nope sync
t_run "--node naming hers runs" 0 ks --node main sync
# --- the scope now: asked of a node by name, or of the current one ----------------------------
t_run "node scope NAME without a scope says the node's" 0 ks node scope main
t_eq "in the words it was given" "$T_OUT" "node main: scope mine"
t_run "node scope alone says the current node's" 0 kc node scope
t_eq "the buyer's, set to one category above" "$T_OUT" "node main: scope $OTHER_CAT"
t_run "and --json says it to a script" 0 ks node scope --json
t_eq "as one object" "$T_OUT" '{"node":"main","scope":"mine"}'
t_run "asking changes nothing" 0 ks node list
t_match "the node keeps its scope" "$T_OUT" '^\* main .* mine '
t_run "a node that does not exist, asked" 1 ks node scope nope
t_match "is named" "$T_ERR" "no node named 'nope'"
capi_plain() {
	curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" --compressed -H 'Content-Type: application/json' \
		--data-binary "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[$1]}" "$URL/api"
}
t_match "the node refuses filter.mine unsigned" \
	"$(capi_plain '["Listing/changes",{"sinceState":"0","filter":{"mine":true}},"c"]')" '"forbidden"'
t_match "and a filter on a type that takes none" \
	"$(capi_plain '["Account/changes",{"sinceState":"0","filter":{"categories":["x"]}},"c"]')" '"unsupportedFilter"'
t_match "and an unknown filter property" \
	"$(capi_plain '["Listing/changes",{"sinceState":"0","filter":{"sellerId":"x"}},"c"]')" '"unsupportedFilter"'
t_match "a category filter unsigned answers that category" \
	"$(capi_plain '["Listing/changes",{"sinceState":"0","maxChanges":5,"filter":{"categories":["Food > Coffee"]}},"c"]')" '"created":\["L'
t_match "and an RFQ category filter answers the RFQs of that category" \
	"$(capi_plain '["Rfq/changes",{"sinceState":"0","filter":{"categories":["Food"]}},"c"]')" '"created":\["R[^",]*"\]'
t_done
