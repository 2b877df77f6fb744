#!/bin/sh
# Ratings (DESIGN §6) over a live kontord with real TLS: after an order is completed the
# buyer rates the seller (5 stars, with text) and the seller rates the buyer (4); each may
# rate once; a rating before completion is refused naming the state; a third account's
# rating is refused; a rating whose stars were changed after signing is refused (its
# signature no longer verifies); the buyer's search and the listing's supplier profile show
# the seller's rating as average and count after a sync.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export TZ=UTC0 # times are shown in the local zone: this one says "UTC"

KSIGN=${KSIGN:-$T_BUILD/tools/ksign}
trade_node "Rate Test Node"

trade_party_np seller ks "Izmir Towel Mill" TR supplier
trade_party_np buyer kb "Lyon Linen SARL" FR buyer
trade_party_np third kx "Nosy Parker Ltd" GB buyer
SID=$(party_id ks)
BID=$(party_id kb)

# --- an order, up to shipped ---------------------------------------------------------------
t_run "seller lists towels" 0 ks listing add --sku TW-70 --title "Cotton bath towel 70x140" \
	--price 4.00 --currency EUR --moq 100 --origin TR --hs-code 630260 --lead-days 15
trade_find towel
t_nomatch "no rating yet" "$T_OUT" '"rating"'
trade_bind "buyer proposes 500 towels" --qty 500 --incoterm FOB --place Izmir
trade_pay 5000.00 EUR
t_run "seller ships" 0 ks order ship "$ORDER" --carrier DHL --tracking 1234567890 --mode road
t_run "buyer syncs" 0 kb sync

# --- too early ---------------------------------------------------------------------------------
t_run "rating a shipped order is refused (exit 1)" 1 kb order rate "$ORDER" --stars 5
t_match "naming the state" "$T_ERR" "order $ORDER is shipped: rating needs completed or resolved"
t_eq "nothing queued" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM outbox")" 0
t_run "--stars 6 is a usage error (exit 2)" 2 kb order rate "$ORDER" --stars 6
t_run "--stars is needed (exit 2)" 2 kb order rate "$ORDER"
t_run "--quality 0 is a usage error (exit 2)" 2 kb order rate "$ORDER" --stars 5 --quality 0

t_run "buyer confirms" 0 kb order confirm "$ORDER"
t_eq "the node's order is completed" "$(ostate "$ORDER")" completed
t_run "seller syncs" 0 ks sync
SHORT=$(printf '%.8s' "$ORDER")
t_run "her inbox" 0 ks inbox
t_match "asks her to rate the completed trade" "$T_OUT" \
	"^rate .*order $SHORT… \"Cotton bath towel 70x140\" with Lyon Linen SARL \(2,000\.00 EUR\) completed; rate the trade"
t_match "with the command that does it" "$T_OUT" "^ +kontor order rate $SHORT --stars N$"
t_run "his inbox (json)" 0 kb inbox --json
t_match "asks him too, kind rate" "$T_OUT" "\"kind\":\"rate\",\"key\":\"rate:$ORDER\""
# A trade that completed over 30 days ago asks no more (`order rate` still takes it): her
# cache copied, the order's time set back and its contract left out (so the order's own
# time is the one read).
cp -R "$S" "$T_TMP/old"
sqlite3 "$T_TMP/old/cache.db" "DELETE FROM contracts; UPDATE orders SET updated = '2001-01-01T00:00:00Z'"
t_run "her inbox as it would be, the trade long done" 0 "$KONTOR" --home "$T_TMP/old" inbox
t_nomatch "asks for no rating" "$T_OUT" 'rate the trade'

# --- a rating changed after signing --------------------------------------------------------------
# The buyer's node address points nowhere for one command: the rating stays in the outbox
# (exit 4), where its stars are changed before the next sync.
sqlite3 "$B/cache.db" "UPDATE nodes SET url = 'https://127.0.0.1:1' WHERE name = 'main'"
t_run "a rating while the node cannot be reached is queued (exit 4)" 4 kb order rate "$ORDER" --stars 2
sqlite3 "$B/cache.db" "UPDATE nodes SET url = '$URL' WHERE name = 'main'"
t_match "the queued payload carries the signed stars" \
	"$(sqlite3 "$B/cache.db" "SELECT payload FROM outbox WHERE method = 'Order/set'")" '"rate":\{.*"stars":2'
sqlite3 "$B/cache.db" "UPDATE outbox SET payload = replace(payload, '\"stars\":2', '\"stars\":5') WHERE method = 'Order/set'"
t_run "sync sends the tampered rating: refused (exit 3)" 3 kb sync
t_match "its signature does not verify" "$T_ERR" 'rate.sig: the signature does not verify'
t_eq "the node has no rating" "$(sqlite3 "$DB" "SELECT coalesce(json_extract(json, '$.ratings'), 'none') FROM orders WHERE id = '$ORDER'")" none
t_eq "the seller's rating is untouched" "$(sqlite3 "$DB" "SELECT rating_count FROM accounts WHERE id = '$SID'")" 0
SEQ=$(sqlite3 "$B/cache.db" "SELECT seq FROM outbox WHERE method = 'Order/set'")
t_run "the buyer drops it" 0 kb outbox drop "$SEQ"
# The local effect of the dropped action stays (DESIGN §8); take it back out of the cache.
sqlite3 "$B/cache.db" "UPDATE orders SET json = json_remove(json, '$.ratings') WHERE id = '$ORDER'"

# --- the ratings -----------------------------------------------------------------------------
t_run "buyer rates the seller 5 stars" 0 kb order rate "$ORDER" --stars 5 --quality 5 \
	--delivery 4 --communication 5 --text "Soft, well packed, on time"
t_match "rated" "$T_OUT" "order $ORDER: rated the seller 5 stars as buyer"
t_eq "the node keeps it under ratings.buyer" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.ratings.buyer.stars') || ' ' || json_extract(json, '$.ratings.buyer.from') || ' ' || json_extract(json, '$.ratings.buyer.to') FROM orders WHERE id = '$ORDER'")" \
	"5 $BID $SID"
t_eq "the seller's account has 5 stars from 1 rating" \
	"$(sqlite3 "$DB" "SELECT rating_sum || '/' || rating_count FROM accounts WHERE id = '$SID'")" "5/1"
printf 'Paid on time.\nClear about what they wanted.\n' >"$T_TMP/review.txt"
t_run "seller rates the buyer 4 stars, text from a file" 0 ks order rate "$ORDER" --stars 4 --text "@$T_TMP/review.txt" --json
t_match "json" "$T_OUT" '"stars":4.*"role":"seller".*"status":"delivered"'
t_eq "the buyer's account has 4 stars from 1 rating" \
	"$(sqlite3 "$DB" "SELECT rating_sum || '/' || rating_count FROM accounts WHERE id = '$BID'")" "4/1"
t_run "her inbox once she rated" 0 ks inbox
t_nomatch "asks no more" "$T_OUT" 'rate the trade'
t_run "his inbox once he rated" 0 kb inbox
t_nomatch "asks him no more" "$T_OUT" 'rate the trade'

# The signature verifies offline against the rater's key (the node checked it; check again
# from the node's copy with the same canonical form, via the client's own verification).
t_match "the stored rating carries a signature" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.ratings.seller.sig') FROM orders WHERE id = '$ORDER'")" '^[A-Za-z0-9+/]{86}==$'

# --- once each -----------------------------------------------------------------------------------
t_run "the buyer's second rating is refused (exit 1)" 1 kb order rate "$ORDER" --stars 1
t_match "saying when it was given" "$T_ERR" "you rated this order on 20[0-9-]+ [0-9:]+ UTC"
t_run "the seller's second rating is refused (exit 1)" 1 ks order rate "$ORDER" --stars 1
# Without the local check (the cache forgets the rating), the node refuses it too.
sqlite3 "$S/cache.db" "UPDATE orders SET json = json_remove(json, '$.ratings.seller') WHERE id = '$ORDER'"
t_run "the node refuses a second rating as well (exit 1)" 1 ks order rate "$ORDER" --stars 1
t_match "naming the first" "$T_ERR" 'the seller rated it on'
t_eq "the refused rating left the outbox" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" 0
t_eq "the buyer's rating count is still 1" "$(sqlite3 "$DB" "SELECT rating_count FROM accounts WHERE id = '$BID'")" 1

# --- a third account -------------------------------------------------------------------------
t_run "third syncs" 0 kx sync
t_run "a third account cannot rate (exit 1)" 1 kx order rate "$ORDER" --stars 1
t_match "it has no such order" "$T_ERR" "no order $ORDER in the cache"
if [ -x "$KSIGN" ]; then
	"$KSIGN" keygen random >"$T_TMP/x.key"
	XID=$("$KSIGN" id "$T_TMP/x.key")
	capi "$T_TMP/x.key" '["Account/set",{"create":{"me":{"handle":"nosy-rater","displayName":"Nosy","country":"GB","role":"buyer"}}},"0"]'
	t_match "a ksign account registers" "$RESP" '"created":\{"me"'
	SIG=$(printf 'A%.0s' $(seq 1 86))
	capi "$T_TMP/x.key" "[\"Order/set\",{\"update\":{\"$ORDER\":{\"rate\":{\"id\":\"$ORDER\",\"orderId\":\"$ORDER\",\"from\":\"$XID\",\"to\":\"$SID\",\"stars\":1,\"created\":\"2026-11-23T10:00:00Z\",\"sig\":\"$SIG==\"}}}},\"r\"]"
	t_match "a stranger's rating: notFound" "$RESP" '"notUpdated":\{"[^"]*":\{"type":"notFound"'
	t_eq "the seller still has one rating" "$(sqlite3 "$DB" "SELECT rating_count FROM accounts WHERE id = '$SID'")" 1
else
	t_fail "ksign is built" "no $KSIGN"
fi

# --- people see the ratings -------------------------------------------------------------------
# A buyer who never synced asks the node: the seller's rating is the node's, not an empty
# cache's.
kn() { "$KONTOR" --home "$T_TMP/newcomer" "$@"; }
trade_party_np newcomer kn "Turin Home Srl" IT buyer
t_run "a newcomer searches the node" 0 kn search towel --remote
t_match "the seller's rating, as the node has it" "$T_OUT" '5\.0 ?\(1\)'
t_run "a word still being typed, at the node" 0 kn search cotton tow --remote
t_match "finds the towel by the start of its word" "$T_OUT" 'Cotton bath towel 70x140'
t_run "the same in json" 0 kn search towel --remote --json
t_match "average and count" "$T_OUT" '"rating":\{"averageHundredths":500,"count":1\}'
t_run "buyer syncs" 0 kb sync
t_run "buyer searches" 0 kb search towel
t_match "the seller's rating: average and count" "$T_OUT" '5\.0 ?\(1\)'
t_run "buyer searches (json)" 0 kb search towel --json
t_match "average and count" "$T_OUT" '"rating":\{"averageHundredths":500,"count":1\}'
t_run "the listing's supplier profile" 0 kb listing show "$LID"
t_match "shows the rating" "$T_OUT" 'seller: .*rating 5\.0 \(1\)'
t_run "order show prints both ratings" 0 kb order show "$ORDER"
t_match "the buyer's" "$T_OUT" 'rating by the buyer: 5/5, quality 5, delivery 4, communication 5: Soft, well packed, on time'
t_match "the seller's, its lines joined" "$T_OUT" 'rating by the seller: 4/5: Paid on time. Clear about what they wanted.'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
