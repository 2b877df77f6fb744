#!/bin/sh
# Two kontor clients (a seller and a buyer, separate KONTOR_HOMEs) and a live kontord over
# real TLS: node add with its pin, push at once after a write, sync both ways, search from
# the other side, RFQs, chat sealed end to end (the node's database holds no plaintext),
# batch mode, the node stopped mid-session and restarted, and kontor killed with SIGKILL
# during a push and during a pull, then re-run: everything arrives exactly once.
. "$(dirname "$0")/../lib.sh"

export KONTOR_PASSPHRASE="sync test passphrase"
S="$T_TMP/seller"
B="$T_TMP/buyer"
ks() { "$KONTOR" --home "$S" "$@"; }
kb() { "$KONTOR" --home "$B" "$@"; }
t_make_ca "$T_TMP" || { t_fail "test CA" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
mkdir "$T_TMP/other" && t_make_ca "$T_TMP/other"
DB="$T_TMP/node.db"
"$KONTORD" init --db "$DB" --name "Sync Test Node" >"$T_TMP/init.out" 2>&1
NODEKEY=$(sed -n 's/^Node key id \([A-Za-z0-9_-]*\).*/\1/p' "$T_TMP/init.out")
TLS="--tls-cert $T_TMP/node.pem --tls-key $T_TMP/node.key"
# shellcheck disable=SC2086
t_node_start "$T_TMP/serve.log" $TLS
[ -n "$PORT" ] && t_ok "kontord is up on 127.0.0.1:$PORT" || { t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"; t_done; exit 1; }
URL="https://127.0.0.1:$PORT"

# The node's own view of a seller's listings, over HTTPS with curl (anonymous query).
node_count() {
	curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" --compressed -H 'Content-Type: application/json' \
		-d "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[[\"Listing/query\",{\"filter\":{\"sellerId\":\"$1\",\"status\":\"all\"},\"limit\":1,\"calculateTotal\":true},\"q\"]]}" \
		"$URL/api" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'
}
outbox_n() { "$KONTOR" --home "$1" outbox list --json | grep -c '"seq"'; }

t_run "seller init" 0 ks init --name "Shenzhen Iron Works" --country CN --role supplier
t_run "buyer init" 0 kb init --name "Berlin Interiors" --country DE --role buyer
SID=$(ks id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
BID=$(kb id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')

# --- node add -------------------------------------------------------------------------
t_run "a listing added before any node is queued (exit 4)" 4 ks listing add --sku TL-1 \
	--title "Iron table legs, black, 71 cm" --price 12.50 --currency USD --moq 100 --origin CN \
	--hs-code 9403.90.10
t_match "it says how to add a node" "$T_ERR" 'node add'
t_run "node add refuses plain http" 2 ks node add main "http://127.0.0.1:$PORT"
t_run "node add refuses a certificate from an unknown CA" 1 ks node add main "$URL" --ca-file "$T_TMP/other/ca.pem"
t_match "the refusal names the certificate" "$T_ERR" 'certificate'
t_run "node add without the CA (system CAs) refuses the test certificate" 1 ks node add main "$URL"
t_run "node add pins the key and pushes what was queued" 0 ks node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_match "node add prints the pinned key" "$T_OUT" "pinned node key $NODEKEY"
t_eq "the queued listing reached the node" "$(node_count "$SID")" 1
t_eq "the seller's outbox is empty" "$(outbox_n "$S")" 0
t_run "this seller syncs the whole market (a supplier starts in scope mine)" 0 ks node scope main market
t_run "a second node of the same name is refused" 1 ks node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "node list" 0 ks node list
t_match "node list marks the current node" "$T_OUT" "^\* main +$URL"
t_run "buyer node add" 0 kb node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "a second name for the same node registers nothing twice (exit 0)" 0 kb node add again "$URL" --ca-file "$T_TMP/ca.pem"
t_run "sync --node picks the other name" 0 kb --node again sync
t_run "node rm forgets it" 0 kb node rm again
t_run "node list after rm" 0 kb node list
t_nomatch "the removed node is gone" "$T_OUT" 'again'
t_match "the current node is still main" "$T_OUT" '^\* main'
t_run "node use of an unknown name is refused" 1 kb node use nowhere

# --- writes go out at once ------------------------------------------------------------
t_run "listing add with the node up is delivered (exit 0)" 0 ks listing add --sku TL-2 \
	--title "Iron table legs, raw steel, 40 cm" --price 9.80 --currency USD --moq 200 --origin CN --json
t_match "add --json says delivered" "$T_OUT" '"status":"delivered"'
t_eq "the node has both listings" "$(node_count "$SID")" 2
t_run "listing edit is delivered" 0 ks listing edit TL-2 --price 9.50
t_run "listing pause is delivered" 0 ks listing pause TL-2
t_run "a third listing" 0 ks listing add --sku TL-3 --title "Table leg levelers" --price 0.40 \
	--currency USD --moq 1000
t_eq "the node has three" "$(node_count "$SID")" 3
t_run "listing rm is delivered (exit 0)" 0 ks listing rm TL-3
t_eq "the node destroyed it" "$(node_count "$SID")" 2

# --- the buyer pulls ------------------------------------------------------------------
t_run "buyer sync pulls" 0 kb sync --json
t_match "sync pulled the listings" "$T_OUT" '"Listing":[1-9]'
t_match "sync pulled the accounts" "$T_OUT" '"Account":[2-9]'
t_run "buyer finds the seller's listing in the cache" 0 kb search table legs --json
t_match "search finds TL-1 by its words" "$T_OUT" 'Iron table legs, black'
t_nomatch "a paused listing is not found" "$T_OUT" 'raw steel'
LID=$(printf '%s\n' "$T_OUT" | sed -n 's/.*"id":"\(L[^"]*\)".*/\1/p' | head -n 1)
t_eq "a pull caches summaries: no description, no signature yet" \
	"$(sqlite3 "$B/cache.db" "SELECT count(*) FROM listing_json WHERE json LIKE '%\"sig\"%'")" 0
t_run "buyer shows the listing" 0 kb listing show "$LID"
t_match "the listing's price arrived" "$T_OUT" '12.50'
t_match "show fetched the signed listing and checked it" "$T_OUT" 'signature: valid \(signed by the seller\)'
t_eq "the whole signed listing is now cached" \
	"$(sqlite3 "$B/cache.db" "SELECT count(*) FROM listing_json WHERE json LIKE '%\"sig\"%'")" 1
# An importer's broker writes the HS code as the tariff prints it, or its heading beside a
# word: the node finds the listing of HS 94039010 so, and so does the cache, which holds it
# whole since the `listing show` above (a summary carries no HS code).
for q in "9403.90.10" "9403.90" "9403 black" "legs 940390"; do
	t_run "search \"$q\" in the cache" 0 kb search "$q" --json
	t_match "finds TL-1 by its HS code" "$T_OUT" 'Iron table legs, black'
	t_run "search \"$q\" on the node" 0 kb search "$q" --remote --json
	t_match "the node finds TL-1 by its HS code" "$T_OUT" 'Iron table legs, black'
done
t_run "a heading it is not in" 0 kb search "9404 black" --remote --json
t_nomatch "does not find it" "$T_OUT" 'Iron table legs, black'
t_run "a second sync with nothing new" 0 kb sync --json
t_match "nothing new is one request" "$T_OUT" '"requests":1,'
t_match "nothing new pulls nothing" "$T_OUT" '"pulled":\{"Account":0,"Listing":0,"Rfq":0,"Conversation":0,"Message":0,"Contract":0,"Order":0,"Wallet":0\}'
NOTHING_BYTES=$(printf '%s' "$T_OUT" | sed -n 's/.*"bytesUp":\([0-9]*\),"bytesDown":\([0-9]*\).*/\1+\2/p')
echo "# nothing-new sync on the wire: $NOTHING_BYTES bytes (up+down, HTTP, after TLS)"

# --- her own writes stay up: her next sync does not pull them back (ownSets) -------------
t_run "the seller syncs after her adds, edits, pause and removal" 0 ks sync --json
t_match "none of her listings comes back down" "$T_OUT" '"pulled":\{"Account":[0-9]+,"Listing":0,'
t_eq "her list of own writes is spent" \
	"$(sqlite3 "$S/cache.db" "SELECT count(*) FROM sync_state WHERE type = 'Listing.own'")" 0
S2="$T_TMP/seller-laptop"
cp -r "$S" "$S2"
sqlite3 "$S2/cache.db" "DELETE FROM sync_state"
t_run "her second laptop (the same key, a cache that pulls afresh)" 0 "$KONTOR" --home "$S2" sync --json
t_match "pulls her two listings" "$T_OUT" '"Listing":2,'
t_run "the laptop changes a listing's MOQ" 0 "$KONTOR" --home "$S2" listing edit TL-1 --moq 20
t_run "her first computer syncs" 0 ks sync --json
t_match "and gets it: a write from elsewhere comes down" "$T_OUT" '"Listing":1,'
t_match "with the new MOQ" "$(ks listing show TL-1)" '^moq: +20 pieces$'

# --- two versions in one second are two versions: the buyer's whole copy gives way -------
upd() { ks listing show TL-1 --json | sed -n 's/.*"updated":"\([^"]*\)".*/\1/p'; }
t_run "the seller edits the price" 0 ks listing edit TL-1 --price 12.40
u1=$(upd)
t_run "and at once again" 0 ks listing edit TL-1 --price 12.30
u2=$(upd)
[ "$u2" \> "$u1" ] && t_ok "the second version is later than the first ($u1, $u2)" ||
	t_fail "the second version is later than the first" "$u1 then $u2"
t_run "buyer syncs" 0 kb sync
t_eq "his whole copy of the first version gave way to the new price" \
	"$(sqlite3 "$B/cache.db" "SELECT json_extract(j.json, '\$.priceTiers[0].unitPrice') FROM listings l JOIN listing_json j ON j.rid = l.rid WHERE l.id = '$LID'")" 1230

# --- RFQ ------------------------------------------------------------------------------
t_run "buyer posts an RFQ" 0 kb rfq post --title "Oak desks, 200 units" --qty 200 \
	--currency EUR --target-price 80 --incoterm fob --destination DE --json
RID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\(R[^"]*\)".*/\1/p')
t_run "seller sync" 0 ks sync
t_run "seller sees the RFQ" 0 ks rfq list
t_match "rfq list shows it, by its id's start" "$T_OUT" "^$(printf %.8s "$RID")  Oak desks"
t_run "rfq show verifies the buyer's signature" 0 ks rfq show "$RID"
t_match "rfq show says verified" "$T_OUT" 'verified \(buyer\)'
t_match "rfq show gives the target price" "$T_OUT" '80.00 EUR'

# --- chat both ways, sealed -------------------------------------------------------------
SECRET="price for 5000 pcs, code word marzipan-$$"
t_run "buyer writes to the listing's seller" 0 kb chat send "$LID" "$SECRET"
t_run "seller sync brings the message" 0 ks sync
t_run "seller chat list" 0 ks chat list --json
t_match "the conversation has one unread message" "$T_OUT" '"unread":1'
CID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\(C[^"]*\)".*/\1/p' | head -n 1)
t_match "the conversation is tied to the listing" "$T_OUT" "\"listingId\":\"$LID\""
t_run "seller opens the message" 0 ks chat show "$CID"
t_match "the seller reads the buyer's words" "$T_OUT" "marzipan-$$"
t_run "reading clears the unread count" 0 ks chat list --json
t_match "unread is 0 after reading" "$T_OUT" '"unread":0'
t_run "seller answers in the same conversation" 0 ks chat send "$CID" "11.90 USD at 5000, FOB Shenzhen"
t_run "buyer sync" 0 kb sync
t_run "buyer reads the answer by the seller's account id" 0 kb chat show "$SID"
t_run "buyer reads the conversation by id" 0 kb chat show "$CID"
t_match "both messages, in order" "$(printf '%s' "$T_OUT" | tr '\n' ' ')" "marzipan-$$.*11.90 USD at 5000"
if command -v sqlite3 >/dev/null; then
	t_eq "the node's database holds no plaintext" "$(sqlite3 "$DB" .dump | grep -c "marzipan-$$")" 0
	t_match "the node holds the ciphertext" "$(sqlite3 "$DB" "SELECT count(*) FROM objects WHERE type = 'Message'" 2>/dev/null || sqlite3 "$DB" .dump | grep -c ciphertext)" '[1-9]'
fi

# --- a refusal waits in the outbox with its reason; retry and drop ----------------------
G="$T_TMP/ghost"
t_run "a fourth party, not yet on the node" 0 "$KONTOR" --home "$G" init --name "Quito Cacao" --country EC --no-passphrase
GID=$("$KONTOR" --home "$G" id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "a chat to an account the node does not know is refused (exit 1)" 1 kb chat send "$GID" "hola"
t_match "the refusal carries the node's reason" "$T_ERR" 'has no account on this node'
t_run "outbox list shows the refused entries" 0 kb outbox list --json
t_match "the reason is kept" "$T_OUT" '"lastError":"invalidProperties: participants'
t_run "outbox list in words" 0 kb outbox list
t_match "the conversation, with whom" "$T_OUT" "Conversation/set create +[0-9]+  conversation with $(printf %.12s "$GID")"
t_match "the message, to whom" "$T_OUT" "Message/set +create +[0-9]+  message to $(printf %.12s "$GID")"
t_match "the refusal on a line of its own, with what to do" "$T_OUT" '^       refused, kept for `outbox retry [0-9]+` or `outbox drop [0-9]+`: invalidProperties'
t_run "a sync leaves refused entries alone (exit 3)" 3 kb sync
t_run "the other party registers" 0 "$KONTOR" --home "$G" node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "outbox retry pushes them again, now accepted" 0 kb outbox retry
t_eq "the buyer's outbox is empty" "$(outbox_n "$B")" 0
t_run "the other party gets the message" 0 "$KONTOR" --home "$G" sync
t_run "and reads it" 0 "$KONTOR" --home "$G" chat show "$BID"
t_match "the message arrived after the retry" "$T_OUT" 'hola'
# Two first messages, each written before its writer synced the other's: one conversation.
t_run "the seller writes to the new party first" 0 ks chat send "$GID" "bienvenida-$$"
C1=$(printf '%s\n' "$T_OUT" | sed -n 's/.* in conversation \([A-Za-z0-9_-]*\).*/\1/p')
t_run "who writes to her before any sync of his brought it" 0 "$KONTOR" --home "$G" chat send "$SID" "buenos-dias-$$"
C2=$(printf '%s\n' "$T_OUT" | sed -n 's/.* in conversation \([A-Za-z0-9_-]*\).*/\1/p')
t_eq "both name the conversation alike" "$C2" "$C1"
t_run "he syncs" 0 "$KONTOR" --home "$G" sync
t_run "she syncs" 0 ks sync
t_run "his conversations" 0 "$KONTOR" --home "$G" chat list --json
t_eq "one with her, not two" "$(printf '%s\n' "$T_OUT" | grep -c "$SID")" 1
t_run "he reads it" 0 "$KONTOR" --home "$G" chat show "$SID"
t_match "her first message in it" "$T_OUT" "bienvenida-$$"
t_match "and his" "$T_OUT" "buenos-dias-$$"
t_run "she reads it by his account" 0 ks chat show "$GID"
t_match "hers" "$T_OUT" "bienvenida-$$"
t_match "and his, in the same one" "$T_OUT" "buenos-dias-$$"
t_eq "the node keeps one conversation between them" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM conversations WHERE (p1 = '$GID' AND p2 = '$SID') OR (p1 = '$SID' AND p2 = '$GID')")" 1
t_run "the node is still up" 0 ks sync
t_run "outbox drop refuses a number that is not there" 1 kb outbox drop 99999
t_run "outbox drop refuses a word" 2 kb outbox drop soon

# --- batch ----------------------------------------------------------------------------
cat >"$T_TMP/batch.txt" <<'EOF'
# three products and one mistake
listing add --sku B-1 --title "LED strip 5 m, warm white" --price 3.20 --currency USD --moq 500
listing add --sku B-2 --title 'LED strip 10 m, "RGB"' --price 5.90 --currency USD --moq 500
listing add --sku B-3 --title "LED driver 24 V" --price abc --currency USD

listing add --sku B-4 --title "LED profile, aluminium" --price 1.10 --currency USD   # trailing comment
EOF
t_run "batch with one bad line exits 3" 3 ks batch "$T_TMP/batch.txt"
t_match "the bad line is named by its line number" "$T_ERR" 'batch.txt:4: --price'
t_match "the summary counts" "$T_ERR" '4 commands, 0 done, 3 queued, 1 failed; queued work delivered'
t_eq "the three good lines reached the node once" "$(node_count "$SID")" 5
t_run "batch from stdin, --stop-on-error stops at the first failure" 3 sh -c \
	"printf 'id show\nlisting show NOPE\nid show\n' | \"$KONTOR\" --home \"$S\" batch - --stop-on-error"
t_match "stdin lines are named stdin" "$T_ERR" 'stdin:2:'
t_match "it stopped" "$T_ERR" '2 commands, 1 done, 0 queued, 1 failed, stopped'

# --- the node goes away mid-session -----------------------------------------------------
t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_run "with the node down a write exits 4 (queued)" 4 ks listing add --sku OFF-1 \
	--title "Cast iron bracket" --price 2.10 --currency USD --moq 100
t_match "queued says why" "$T_ERR" 'queued in the outbox .*Connection refused'
t_eq "it waits in the outbox" "$(outbox_n "$S")" 1
t_run "outbox list" 0 ks outbox list
t_match "names what waits by its SKU and title" "$T_OUT" '^ +[0-9]+  20[0-9-]+ [0-9:]+ [A-Z+0-9-]+ +Listing/set +create +[0-9]+  listing OFF-1 "Cast iron bracket"$'
t_run "a second listing, offline" 4 ks listing add --sku OFF-2 --title "Wrought iron hook" \
	--price 1.10 --currency USD
t_run "outbox drop takes what an entry is about by its title, as other commands do" 0 ks outbox drop "wrought iron"
t_match "saying which entry" "$T_OUT" '^dropped outbox entry [0-9]+'
t_eq "the first one still waits" "$(outbox_n "$S")" 1
t_run "sync with the node down exits 4" 4 ks sync
t_match "saying what still waits" "$T_ERR" '; 1 action still queued$'
t_run "his sync with the node down, nothing of his queued (exit 4)" 4 kb sync
t_match "says nothing is queued, not '0 actions still queued'" "$T_ERR" '; nothing is queued$'
PAUSED=$(sqlite3 "$B/cache.db" "SELECT id FROM listings WHERE sku = 'TL-2'")
t_run "offline, a summary is shown as what it is (exit 0)" 0 kb listing show "$PAUSED"
t_match "it says the signature was not checked" "$T_OUT" 'signature: not checked: only the summary is cached'
t_run "offline, a summary in --json says so" 0 kb listing show "$PAUSED" --json
t_match "summaryOnly is true" "$T_OUT" '"sigValid":false,"summaryOnly":true'
# shellcheck disable=SC2086
t_node_again "$T_TMP/serve2.log" $TLS
t_run "after the restart, sync delivers what was queued" 0 ks sync
t_eq "the outbox is empty again" "$(outbox_n "$S")" 0
t_eq "the node kept everything and took the new one" "$(node_count "$SID")" 6

# --- kill -9 during push: exactly once ---------------------------------------------------
t_node_stop
i=0
: >"$T_TMP/many.txt"
while [ $i -lt 300 ]; do
	echo "listing add --sku K-$i --title \"Hex bolt M$((i % 30 + 3)) zinc, lot $i\" --price 0.$((i % 80 + 10)) --currency USD --moq 1000" >>"$T_TMP/many.txt"
	i=$((i + 1))
done
t_run "300 listings queued while the node is down (exit 4)" 4 ks batch "$T_TMP/many.txt"
t_eq "300 entries wait" "$(outbox_n "$S")" 300
# shellcheck disable=SC2086
t_node_again "$T_TMP/serve3.log" $TLS
# Killed as soon as the first batch is confirmed (the outbox shrinks), mid-way through:
# kontor itself, not a shell around it, so the push really stops where it is.
"$KONTOR" --home "$S" sync --push-only >/dev/null 2>&1 &
kp=$!
left=300
while kill -0 "$kp" 2>/dev/null; do
	left=$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox" 2>/dev/null || echo 300)
	[ "$left" -lt 300 ] && break
	sleep 0.02
done
kill -KILL "$kp" 2>/dev/null
wait "$kp" 2>/dev/null
left=$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")
if [ "$left" -gt 0 ] && [ "$left" -lt 300 ]; then t_ok "the push was killed mid-way ($left of 300 left)"; else t_fail "the push was killed mid-way" "$left of 300 left"; fi
t_run "a push re-run after SIGKILL completes" 0 ks sync --push-only
t_eq "the outbox is empty" "$(outbox_n "$S")" 0
t_eq "every listing is on the node exactly once" "$(node_count "$SID")" 306

# --- two pushes of one outbox at once (a script's sync beside the TUI's): both succeed ----
t_node_stop
: >"$T_TMP/more.txt"
i=0
while [ $i -lt 150 ]; do
	echo "listing add --sku W-$i --title \"Washer M$((i % 20 + 3)), lot $i\" --price 0.05 --currency USD --moq 1000" >>"$T_TMP/more.txt"
	i=$((i + 1))
done
t_run "150 more queued while the node is down (exit 4)" 4 ks batch "$T_TMP/more.txt"
# shellcheck disable=SC2086
t_node_again "$T_TMP/serve5.log" $TLS
"$KONTOR" --home "$S" sync --push-only >"$T_TMP/p1.out" 2>&1 &
p1=$!
"$KONTOR" --home "$S" sync --push-only >"$T_TMP/p2.out" 2>&1 &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
t_eq "both pushes exit 0, whichever settled an entry first" "$r1 $r2" "0 0"
t_eq "the outbox is empty" "$(outbox_n "$S")" 0
t_eq "each listing is on the node once" "$(node_count "$SID")" 456

# --- kill -9 during pull ------------------------------------------------------------------
# More than one page (maxObjectsInGet is 500): seeded listings from other suppliers.
t_node_stop
t_run "seed 2,000 more listings" 0 "$KONTORD" seed --db "$DB" --listings 2000 --accounts 40 --seed 7
# shellcheck disable=SC2086
t_node_again "$T_TMP/serve4.log" $TLS
P="$T_TMP/puller"
t_run "a third client" 0 "$KONTOR" --home "$P" init --name "Lagos Hardware" --country NG --no-passphrase
t_run "it adds the node" 0 "$KONTOR" --home "$P" node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "search --remote asks the node before any pull" 0 "$KONTOR" --home "$P" search hex bolt --remote --limit 5 --json
t_eq "it shows a page of the node's answers" "$(printf '%s\n' "$T_OUT" | grep -c '"title":"Hex bolt')" 5
RL=$(printf '%s\n' "$T_OUT" | sed -n 's/.*"id":"\(L[^"]*\)".*/\1/p' | head -n 1)
t_run "what --remote found is in the cache for listing show" 0 "$KONTOR" --home "$P" listing show "$RL"
ON_NODE=$(sqlite3 "$DB" "SELECT count(*) FROM listings")
"$KONTOR" --home "$P" sync --pull-only >/dev/null 2>&1 &
kp=$!
BASE=$(sqlite3 "$P/cache.db" "SELECT count(*) FROM listings")
got=$BASE
while kill -0 "$kp" 2>/dev/null; do
	got=$(sqlite3 "$P/cache.db" "SELECT count(*) FROM listings" 2>/dev/null || echo 0)
	[ "$got" -gt "$BASE" ] && break
	sleep 0.02
done
kill -KILL "$kp" 2>/dev/null
wait "$kp" 2>/dev/null
got=$(sqlite3 "$P/cache.db" "SELECT count(*) FROM listings")
if [ "$got" -gt "$BASE" ] && [ "$got" -lt "$ON_NODE" ]; then t_ok "the pull was killed mid-way ($got of $ON_NODE)"; else t_fail "the pull was killed mid-way" "$got of $ON_NODE"; fi
t_run "a pull re-run after SIGKILL completes" 0 "$KONTOR" --home "$P" sync --pull-only --json
t_match "the re-run resumed (it did not pull everything again)" "$T_OUT" '"Listing":[0-9]+,'
RESUMED=$(printf '%s' "$T_OUT" | sed -n 's/.*"pulled":{"Account":[0-9]*,"Listing":\([0-9]*\).*/\1/p')
[ -n "$RESUMED" ] && [ "$RESUMED" -lt "$ON_NODE" ] && t_ok "the re-run pulled only the rest ($RESUMED)" || t_fail "the re-run pulled only the rest" "$RESUMED of $ON_NODE"
t_eq "the puller holds every listing of the node exactly once" "$(sqlite3 "$P/cache.db" "SELECT count(*) FROM listings")" "$ON_NODE"
t_eq "no listing id twice" "$(sqlite3 "$P/cache.db" "SELECT count(DISTINCT id) FROM listings")" "$ON_NODE"
t_run "the puller finds the seeded catalogue" 0 "$KONTOR" --home "$P" search bolt --limit 3

# --- what a price is per: a summary carries the unit, so a search and an offer say metres -----
t_run "the seller lists a railing sold by the metre" 0 ks listing add --sku RAIL-1 \
	--title "Wrought iron balcony railing" --price 48 --currency USD --moq 10 --unit metre
t_run "her listings" 0 ks listing list
t_match "count its MOQ in metres" "$T_OUT" '^RAIL-1 .* USD +48\.00  moq 10 m +stock - +active '
t_run "the buyer pulls it" 0 kb sync
t_eq "he holds its summary, not the signed listing" "$(sqlite3 "$B/cache.db" \
	"SELECT count(*) FROM listing_json WHERE json LIKE '%balcony railing%' AND json NOT LIKE '%\"sig\"%'")" 1
t_run "he searches for railings" 0 kb search balcony railing
t_match "the MOQ counts metres, what the price is per" "$T_OUT" \
	'Wrought iron balcony railing +USD +48\.00 +10 m +CN '
t_run "and in --json" 0 kb search balcony railing --json
t_match "the hit names the unit" "$T_OUT" '"moq":10,"unit":"MTR",'
t_run "a listing in pieces says so" 0 kb search table legs black
t_match "pcs after its MOQ" "$T_OUT" 'USD +[0-9.]+ +[0-9]+ pcs +CN '
t_run "he offers for 25 metres" 0 kb contract propose --listing "balcony railing" --qty 25 \
	--incoterm FOB --place Shenzhen
t_run "she syncs" 0 ks sync
t_run "her inbox" 0 ks inbox
t_match "says 25 metres, as the contract does, not 25 of something" "$T_OUT" \
	': 25 metres × "Wrought iron balcony railing", 1,200\.00 USD FOB Shenzhen, waiting for your signature$'

# --- past the node's change horizon: the type is fetched whole ------------------------------
t_run "the seller adds one more" 0 ks listing add --sku LATE-1 --title "Wrought iron gate hinge" \
	--price 4.40 --currency USD --moq 50
# As if the node had pruned its tombstones up to now: the puller's state is older.
sqlite3 "$DB" "UPDATE states SET horizon = seq WHERE type = 'Listing'"
t_run "a sync past the horizon still completes" 0 "$KONTOR" --home "$P" sync --pull-only --json
t_match "it fetched the listings whole once" "$T_OUT" '"resyncs":1'
t_run "the late listing is there" 0 "$KONTOR" --home "$P" search gate hinge --json
t_match "search finds the late listing" "$T_OUT" 'Wrought iron gate hinge'
t_run "the next sync is back to changes" 0 "$KONTOR" --home "$P" sync --pull-only --json
t_match "no resync the second time" "$T_OUT" '"resyncs":0'

t_node_stop
t_done
