#!/bin/sh
# Contracts end to end (DESIGN §5) over a live kontord with real TLS: a buyer proposes an
# offer from the seller's signed listing (the tier price for the quantity), FOB by air is
# refused naming the rule, the seller pulls it, counters (the diff is printed), the buyer
# signs the counter and it binds (order id), both sides verify the whole chain offline, a
# copy with one byte changed in a body fails naming the section (exit 5), and a third
# account can neither pull, get nor sign the contract.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

KSIGN=${KSIGN:-$T_BUILD/tools/ksign}
export KONTOR_PASSPHRASE="contract test passphrase"
trade_node "Contract Test Node"
NODEKEY=$(sed -n 's/^Node key id \([A-Za-z0-9_-]*\).*/\1/p' "$T_TMP/init.out")

# Keys without a passphrase: an Argon2id unlock per command is what made this test slow,
# and passphrases are tested in cli.sh and ui/trade.sh.
trade_party seller ks "Shenzhen Power Co" CN supplier --no-passphrase
trade_party buyer kb "Hamburg Systems" DE buyer --no-passphrase
trade_party third kx "Nosy Parker Ltd" GB buyer --no-passphrase
SID=$(party_id ks)
BID=$(party_id kb)

t_run "seller lists a product with a price break at 1000" 0 ks listing add --sku PSU-650 \
	--title "650 W ATX power supply, 80 Plus Gold" --price 12.00 --tier 1000:11.00 \
	--currency USD --moq 100 --origin CN --hs-code 850440 --lead-days 20
trade_find power supply
t_match "the listing id" "$LID" '^L[A-Za-z0-9_-]{22}$'

# --- propose ----------------------------------------------------------------------------
t_run "FOB by air is a usage error (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 \
	--incoterm FOB --place Shanghai --mode air
t_match "the refusal names the option and the Incoterms rule" "$T_ERR" '^kontor: --incoterm: FOB \(Free On Board\) is for sea and inland waterway transport only, not air'
# Each term she types is checked as she typed it, naming her option (exit 2), never cut to fit
t_run "a quantity below the listing's MOQ (exit 2)" 2 kb contract propose --listing "$LID" --qty 1 --incoterm FOB --place Shanghai
t_eq "names --qty, the MOQ and the listing as she named it" "$T_ERR" 'kontor: --qty: 1 is below the minimum order quantity 100 of "650 W ATX power supply, 80 Plus Gold" (PSU-650)'
t_run "a mode longer than any is refused, not cut to 'courier' (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 \
	--incoterm FCA --place Shanghai --mode courierXYZ
t_eq "naming the modes" "$T_ERR" "kontor: --mode 'courierXYZ' is not one of sea, air, road, rail, courier"
t_run "a day the calendar lacks (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place Shanghai --ship-by 2027-02-30
t_eq "says so" "$T_ERR" "kontor: --ship-by '2027-02-30' is not a date YYYY-MM-DD that the calendar has"
t_run "a ship-by date gone by (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place Shanghai --ship-by 2020-01-01
t_match "says it is in the past" "$T_ERR" '^kontor: --ship-by 2020-01-01 is in the past \(today is 20[0-9]{2}-[0-9]{2}-[0-9]{2}\)$'
t_run "an empty place (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place ""
t_match "names --place" "$T_ERR" '^kontor: --place: '
t_run "stages that do not sum to 100 (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place Shanghai --stages 30:signing,50:before_shipment
t_eq "names --stages" "$T_ERR" "kontor: --stages: the percentages sum to 80, not 100"
t_run "stages out of order (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place Shanghai --stages 50:delivery,50:signing
t_match "names --stages and which stage" "$T_ERR" '^kontor: --stages: payment\.stages\[1\]\.due: signing cannot follow delivery'
t_run "a stage that is no percentage (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place Shanghai --stages x:signing
t_match "names --stages" "$T_ERR" '^kontor: --stages \(stage 1\): write PCT:DUE'
t_run "a language ISO 639-1 does not have (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place Shanghai --language xx
t_match "says so" "$T_ERR" "^kontor: --language 'xx' is not an ISO 639-1 language"
t_run "a weight with four decimals (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB --place Shanghai --gross-kg 1.9995
t_eq "says a weight takes at most three" "$T_ERR" "kontor: --gross-kg: '1.9995' is not a weight in kg like 12.5 (at most 3 decimals: 1 g to 1000 t)"
t_eq "none of them left anything in the outbox" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM outbox")" 0
t_run "a proposal without --place is a usage error (exit 2)" 2 kb contract propose --listing "$LID" --qty 1500 --incoterm FOB
t_run "buyer proposes 1500 units FOB Shanghai" 0 kb contract propose --listing "$LID" --qty 1500 \
	--incoterm fob --place "Shanghai" --deposit-pct 30 --ship-by 2027-01-15 --deliver-by 2027-03-01 --json
t_match "the 1000+ tier price is used" "$T_OUT" '"unitPrice":1100'
t_match "the total is 1500 x 11.00" "$T_OUT" '"total":1650000'
t_match "the proposal reached the node" "$T_OUT" '"status":"delivered"'
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_match "the contract id is the offer's hash" "$KID" '^[A-Za-z0-9_-]{43}$'
t_run "buyer lists it" 0 kb contract list
t_match "buyer sees an open offer to the seller, by name" "$T_OUT" "^$(printf %.8s "$KID") +offer +buy from +16,?500.00 USD +650 W ATX power supply, 80 Pl… +Shenzhen Power Co @shenzhen-power-co$"
t_run "the buyer cannot counter an offer with nothing changed" 2 kb contract counter "$KID"

# --- the seller pulls and counters --------------------------------------------------------
t_run "seller syncs" 0 ks sync --json
t_match "the seller pulled one contract" "$T_OUT" '"Contract":1'
t_run "seller lists it" 0 ks contract list
t_match "seller sees the buyer's offer" "$T_OUT" "^$(printf %.8s "$KID") +offer +sell to .* Hamburg Systems @hamburg-systems$"
t_run "seller shows it" 0 ks contract show "$KID"
t_match "the rendered offer names the named place" "$T_OUT" 'Shanghai'
t_match "and says it verified" "$T_OUT" '^verified: 1 section'
t_run "seller counters with 2000 at 10.80" 0 ks contract counter "$KID" --qty 2000 --price 10.80
t_match "the diff names the quantity" "$T_OUT" 'items\[0\]\.qty: 1500 -> 2000'
t_match "the diff names the unit price" "$T_OUT" 'unit price: 11\.00 USD -> 10\.80 USD'
t_run "seller list says countered" 0 ks contract list
t_match "countered, 21,600.00" "$T_OUT" "^$(printf %.8s "$KID") +countered .* 21,?600.00 USD"
t_run "the seller cannot sign its own counter twice" 1 ks contract sign "$KID"

# --- the buyer signs the counter: binding ------------------------------------------------
t_run "buyer syncs" 0 kb sync
t_run "buyer signs the counter" 0 kb contract sign "$KID"
t_match "it is binding and names the order" "$T_OUT" 'binding, order [A-Za-z0-9_-]{43}'
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
t_run "a binding contract takes no counter" 1 kb contract counter "$KID" --qty 10
t_match "the counter's refusal names the order" "$T_ERR" "binding already \\(order $ORDER\\): no further offer can follow"
t_run "a binding contract takes no second signature" 1 kb contract sign "$KID"
t_match "the signature's refusal names the order" "$T_ERR" "binding already \\(order $ORDER\\): nothing is left to sign"
t_run "seller syncs" 0 ks sync
t_run "seller list says binding" 0 ks contract list --json
t_match "binding with the same order id" "$T_OUT" "\"state\":\"binding\".*\"orderId\":\"$ORDER\""
t_run "seller verifies offline (exit 0)" 0 ks contract show "$KID" --verify
t_match "the seller's copy verifies, binding" "$T_OUT" "^verified: 2 sections.*binding, order $ORDER"
t_run "buyer verifies offline (exit 0)" 0 kb contract show "$KID" --verify
t_match "the buyer's copy verifies, binding" "$T_OUT" "binding, order $ORDER"
t_eq "the node holds it as binding with its order id" \
	"$(sqlite3 "$DB" "SELECT state || ' ' || order_id FROM contracts WHERE id = '$KID'")" "binding $ORDER"

# --- a seller's offer to a named buyer; a counter with a new quantity re-tiers ----------
t_run "the seller's own listing needs --buyer (exit 2)" 2 ks contract propose --listing "$LID" \
	--qty 500 --incoterm FCA --place "Shenzhen Bao'an airport" --mode air
t_run "the seller offers 500 FCA by air to the buyer" 0 ks contract propose --listing "$LID" \
	--qty 500 --incoterm FCA --place "Shenzhen Bao'an airport" --mode air --buyer "$BID" --json
t_match "signed as the seller" "$T_OUT" '"role":"seller"'
t_match "at the 12.00 tier" "$T_OUT" '"unitPrice":1200'
KID2=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "buyer syncs" 0 kb sync
t_run "buyer counters with 1200 and no price" 0 kb contract counter "$KID2" --qty 1200 --deposit-pct 20
t_match "the quantity changed" "$T_OUT" 'items\[0\]\.qty: 500 -> 1200'
t_match "the tier price for 1200 applies" "$T_OUT" 'unit price: 12\.00 USD -> 11\.00 USD'
t_match "the payment changed, in words, the new stages with the new total's amounts" "$T_OUT" '^payment into escrow: 100% before shipment -> 20% on signing \(2,640\.00 USD\), 80% before shipment \(10,560\.00 USD\)$'
t_run "buyer lists two contracts" 0 kb contract list
t_match "the seller's offer, countered" "$T_OUT" "^$(printf %.8s "$KID2") +countered +buy from +13,?200.00 USD +650 W ATX power supply, 80 Pl… +Shenzhen Power Co @shenzhen-power-co$"
t_match "and the binding one" "$T_OUT" "^$(printf %.8s "$KID") +binding "
t_run "seller syncs" 0 ks sync
t_run "seller lists both as JSON" 0 ks contract list --json
t_match "the seller sees the buyer's counter" "$T_OUT" "\"id\":\"$KID2\",\"state\":\"countered\""
t_run "seller's inbox" 0 ks inbox
t_match "the counter-offer says what it changes, so she knows what she would sign" "$T_OUT" \
	"^offer .* counter-offer $(printf %.8s "$KID2")… from [^:]* changing quantity, unit price, total, payment into escrow: 1,200 pieces × "

# --- a file with one byte changed -------------------------------------------------------
sqlite3 "$B/cache.db" "SELECT json FROM contracts WHERE id = '$KID'" >"$T_TMP/good.json"
t_run "the exported file verifies" 0 kb contract show --file "$T_TMP/good.json" --verify
sed 's/\\"qty\\":2000/\\"qty\\":3000/' "$T_TMP/good.json" >"$T_TMP/bad.json"
t_eq "exactly one byte differs" "$(cmp -l "$T_TMP/good.json" "$T_TMP/bad.json" | wc -l | tr -d ' ')" 1
t_run "one changed byte in a body fails (exit 5)" 5 kb contract show --file "$T_TMP/bad.json" --verify
t_match "the failure names the section" "$T_ERR" 'section 1 \(offer\)'
t_run "without --verify it still fails (exit 5)" 5 kb contract show --file "$T_TMP/bad.json"
t_match "and says so" "$T_OUT" 'DOES NOT VERIFY: section 1 \(offer\)'
printf 'not json' >"$T_TMP/junk.json"
t_run "a file that is not JSON does not verify (exit 5)" 5 kb contract show --file "$T_TMP/junk.json" --verify

# --- a third account ---------------------------------------------------------------------
t_run "third syncs" 0 kx sync --json
t_match "the third account pulled no contract" "$T_OUT" '"Contract":0'
t_eq "nothing of it is in the third cache" "$(sqlite3 "$X/cache.db" "SELECT count(*) FROM contracts")" 0
t_run "third cannot show it" 1 kx contract show "$KID"
t_run "third cannot sign it" 1 kx contract sign "$KID"
# Even holding a copy, the third is not a party: the client refuses before any signature.
sqlite3 "$X/cache.db" "INSERT INTO contracts(id, json, state, updated) VALUES('$KID', readfile('$T_TMP/good.json'), 'binding', '2026-01-01T00:00:00Z')" 2>/dev/null ||
	sqlite3 "$X/cache.db" "INSERT INTO contracts(id, json, state, updated) VALUES('$KID', '$(sed "s/'/''/g" "$T_TMP/good.json")', 'binding', '2026-01-01T00:00:00Z')"
t_run "a copy in the third cache verifies" 0 kx contract show "$KID" --verify
t_run "but the third is no party and cannot sign (exit 1)" 1 kx contract sign "$KID"
t_match "it says why" "$T_ERR" 'not its buyer or seller|binding already'

if [ -x "$KSIGN" ]; then
	"$KSIGN" keygen random >"$T_TMP/x.key"
	capi "$T_TMP/x.key" '["Account/set",{"create":{"me":{"handle":"nosy-api","displayName":"Nosy","country":"GB","role":"buyer"}}},"0"]'
	t_match "a ksign account registers" "$RESP" '"created":\{"me"'
	capi "$T_TMP/x.key" "[\"Contract/get\",{\"ids\":[\"$KID\"]},\"g\"]"
	t_match "Contract/get by a stranger: notFound" "$RESP" "\"notFound\":\\[\"$KID\"\\]"
	t_nomatch "and no sections" "$RESP" '"sections"'
	capi "$T_TMP/x.key" '["Contract/query",{},"q"]'
	t_match "Contract/query by a stranger finds nothing" "$RESP" '"ids":\[\]'
	SECS=$(sed 's/^.*"sections":\(\[.*\]\)}$/\1/' "$T_TMP/good.json")
	capi "$T_TMP/x.key" "[\"Contract/set\",{\"update\":{\"$KID\":{\"sections\":$SECS}}},\"s\"]"
	t_match "Contract/set update by a stranger: notFound" "$RESP" '"notUpdated":\{"[^"]*":\{"type":"notFound"'
	capi "$T_TMP/x.key" "[\"Contract/set\",{\"create\":{\"k\":$(cat "$T_TMP/good.json")}},\"s\"]"
	t_match "a stranger cannot create someone else's contract: forbidden" "$RESP" '"notCreated":\{"k":\{"type":"forbidden"'
	capi "$T_TMP/x.key" '["Contract/get",{"ids":null},"g"]'
	t_match "Contract/get of all by a stranger lists nothing" "$RESP" '"list":\[\]'
else
	t_fail "ksign is built" "no $KSIGN"
fi

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
