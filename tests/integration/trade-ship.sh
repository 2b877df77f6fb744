#!/bin/sh
# Shipment tracking (DESIGN §6) over a live kontord with real TLS: an order is paid and
# shipped; the seller adds DCSA Track & Trace events by hand and imports a carrier's
# DCSA v2.2 and v3 events files (a re-import adds nothing); the buyer syncs and `kontor
# track` tells the timeline in words, most recent first, with the ETA of the latest
# estimated arrival and the customs status. Refused: an unknown code (usage, exit 2), the
# buyer adding events, events on an order not shipped yet (naming the state), a stranger.
# A carrier account registered at the node (`kontord admin carrier add`) posts an event the
# buyer sees; an actual DLVD moves the order to delivered. Goods shipped by air are loaded on an
# aircraft in the words, not a vessel.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export TZ=UTC0 # times are shown in the local zone: this one says "UTC"

DATA="$T_ROOT/tests/data/dcsa"
C="$T_TMP/carrier"
kc() { "$KONTOR" --home "$C" "$@"; }
trade_node "Ship Test Node"
nevents() { sqlite3 "$DB" "SELECT coalesce(json_array_length(json, '$.shipment.events'), 0) FROM orders WHERE id = '$1'"; }

trade_party_np seller ks "Shenzhen Pump Works" CN supplier
trade_party_np buyer kb "Long Beach Fluids Inc" US buyer
trade_party_np carrier kc "Maersk Tracking Desk" DK buyer
trade_party_np third kx "Nosy Parker Ltd" GB buyer
BID=$(party_id kb)
CID=$(party_id kc)

# --- an order, paid ----------------------------------------------------------------------
t_run "seller lists a pump" 0 ks listing add --sku CP-80 --title "Centrifugal pump 80 mm" \
	--price 150.00 --currency USD --moq 1 --origin CN --hs-code 841370 --lead-days 20
trade_find pump
trade_bind "buyer proposes 10 pumps" --qty 10 --incoterm FOB --place Shenzhen
trade_pay 2000.00 USD

# --- before shipping ----------------------------------------------------------------------
t_run "track alone before shipping: nothing under way (exit 0)" 0 ks track
t_match "says the cache holds no shipment" "$T_ERR" '^no shipments in the cache \(`kontor sync` brings them\)$'
t_eq "and prints no row" "$T_OUT" ""
t_run "track before shipping (exit 0)" 0 ks track "$ORDER"
t_match "says the order is not shipped yet" "$T_OUT" "order $ORDER is funded: not shipped yet"
t_run "an event on a funded order is refused (exit 1)" 1 ks order event "$ORDER" --code GTIN --location CNSZX
t_match "naming the state" "$T_ERR" 'order is funded: shipment events need shipped'
t_eq "the refused update left the seller's outbox" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" 0
t_eq "the node has no events" "$(nevents "$ORDER")" 0

t_run "seller ships" 0 ks order ship "$ORDER" --carrier Maersk --tracking MAEU1234567 --mode sea
t_eq "the node's order is shipped" "$(ostate "$ORDER")" shipped
t_run "track at once, before any sync: the ship fetched the node's order" 0 ks track "$ORDER"
t_match "with the carrier she gave" "$T_OUT" '^carrier +Maersk$'
t_match "and the number" "$T_OUT" '^tracking +MAEU1234567$'
t_match "and no events yet" "$T_OUT" '^no shipment events yet$'
t_run "seller syncs the shipment" 0 ks sync

# --- usage errors -------------------------------------------------------------------------
t_run "an unknown code is a usage error (exit 2)" 2 ks order event "$ORDER" --code XXXX
t_match "listing the codes" "$T_ERR" "unknown DCSA event code 'XXXX' \\(one of: .*DLVD.*GTIN"
t_run "an unknown classifier (exit 2)" 2 ks order event "$ORDER" --code GTIN --classifier MAYBE
t_run "a bad time (exit 2)" 2 ks order event "$ORDER" --code GTIN --at yesterday
t_run "--code and --dcsa together (exit 2)" 2 ks order event "$ORDER" --code GTIN --dcsa "$DATA/tnt-v3-events.json"
printf '[{"eventType":"EQUIPMENT","eventClassifierCode":"ACT","equipmentEventTypeCode":"LOAD","eventDateTime":"soon"}]' >"$T_TMP/bad.json"
t_run "a DCSA file that does not parse (exit 1)" 1 ks order event "$ORDER" --dcsa "$T_TMP/bad.json"
t_match "naming the file and the event" "$T_ERR" "bad.json: events\\[0\\]"
t_eq "nothing queued" "$(sqlite3 "$S/cache.db" "SELECT count(*) FROM outbox")" 0

# --- events by hand -----------------------------------------------------------------------
t_run "seller: gate in at Shekou" 0 ks order event "$ORDER" --code GTIN --location CNSZX --at 2026-11-14T10:00:00+08:00
t_match "one event added" "$T_OUT" "order $ORDER: 1 event added \\(0 already there\\)"
t_eq "the node has it, in UTC" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.shipment.events[0].at') || ' ' || json_extract(json, '$.shipment.events[0].role') FROM orders WHERE id = '$ORDER'")" \
	"2026-11-14T02:00:00Z seller"
t_run "the same event again adds nothing" 0 ks order event "$ORDER" --code GTIN --location CNSZX --at 2026-11-14T02:00:00Z
t_match "0 added" "$T_OUT" "0 events added \\(1 already there\\)"
t_run "the same event in her local time, as she says it, adds nothing either" 0 \
	env TZ=Asia/Shanghai "$KONTOR" --home "$S" order event "$ORDER" --code GTIN --location CNSZX --at "2026-11-14 10:00"
t_match "it is the same instant" "$T_OUT" "0 events added \\(1 already there\\)"
t_run "a bad time is refused saying what a time is (exit 2)" 2 ks order event "$ORDER" --code GTIN --at "14/11/2026"
t_match "in her words first" "$T_ERR" "--at: '14/11/2026' is not a time: 2026-11-25 10:12 \\(your local time\\), 2026-11-25 \\(its noon\\)"

# --- DCSA imports --------------------------------------------------------------------------
V2=$(ls "$DATA"/*v2* | head -n 1)
V3=$(ls "$DATA"/*v3* | head -n 1)
N2=$(python3 -c "import json,sys;d=json.load(open(sys.argv[1]));print(len(d['events'] if isinstance(d,dict) else d))" "$V2" 2>/dev/null || echo 12)
t_run "dry run of the v2.2 file" 0 ks order event "$ORDER" --dcsa "$V2" --dry-run
t_match "says what it would add" "$T_OUT" "would add .* Loaded on vessel"
t_eq "the dry run changed nothing" "$(nevents "$ORDER")" 1
t_run "seller imports the DCSA v2.2 file" 0 ks order event "$ORDER" --dcsa "$V2"
t_match "all its events added" "$T_OUT" "order $ORDER: $N2 events added \\(0 already there\\); ETA 20[0-9-]+ [0-9:]+ UTC"
t_eq "the node has them" "$(nevents "$ORDER")" $((N2 + 1))
t_run "seller imports the DCSA v3 file from stdin" 0 sh -c "\"$KONTOR\" --home \"$S\" order event \"$ORDER\" --dcsa - <\"$V3\""
t_match "its events added, the ETA from the latest estimated arrival" "$T_OUT" "events added \\([0-9]+ already there\\); ETA 2026-12-01 14:00 UTC"
ALL=$(nevents "$ORDER")
t_run "a re-import adds nothing" 0 ks order event "$ORDER" --dcsa "$V3" --json
t_match "0 added" "$T_OUT" '"added":0'
t_run "nor does the v2.2 file again" 0 ks order event "$ORDER" --dcsa "$V2"
t_match "0 added" "$T_OUT" "0 events added \\($N2 already there\\)"
t_eq "the node still has $ALL events" "$(nevents "$ORDER")" "$ALL"
t_eq "the node's ETA" "$(sqlite3 "$DB" "SELECT json_extract(json, '$.shipment.eta') FROM orders WHERE id = '$ORDER'")" "2026-12-01T14:00:00Z"

# --- the buyer's view ----------------------------------------------------------------------
t_run "buyer syncs" 0 kb sync
t_run "buyer tracks the order" 0 kb track "$ORDER"
t_match "carrier and tracking number" "$T_OUT" 'carrier +Maersk'
t_match "tracking" "$T_OUT" 'tracking +MAEU1234567'
t_match "mode" "$T_OUT" 'mode +sea'
t_match "the ETA" "$T_OUT" 'ETA 2026-12-01 14:00 UTC'
t_match "customs" "$T_OUT" 'Customs: released'
t_match "events in words" "$T_OUT" '2026-11-14 02:00 UTC  Gate in at CNSZX'
t_match "loaded on a vessel" "$T_OUT" 'UTC  Loaded on vessel'
FIRST=$(printf '%s\n' "$T_OUT" | grep -E '^20[0-9-]+ [0-9:]+ UTC  ' | head -n 1 | cut -c1-16)
LAST=$(printf '%s\n' "$T_OUT" | grep -E '^20[0-9-]+ [0-9:]+ UTC  ' | tail -n 1 | cut -c1-16)
SORTED=$(printf '%s\n' "$T_OUT" | grep -E '^20[0-9-]+ [0-9:]+ UTC  ' | cut -c1-16 | sort -r | tr '\n' ' ')
t_eq "most recent first" "$(printf '%s\n' "$T_OUT" | grep -E '^20[0-9-]+ [0-9:]+ UTC  ' | cut -c1-16 | tr '\n' ' ')" "$SORTED"
t_match "the newest is in December, the oldest in November" "$FIRST $LAST" '^2026-12-.* 2026-11-'
t_eq "one line per event" "$(printf '%s\n' "$T_OUT" | grep -cE '^20[0-9-]+ [0-9:]+ UTC  ')" "$ALL"
t_run "track in Berlin's time (TZ=Europe/Berlin)" 0 env TZ=Europe/Berlin "$KONTOR" --home "$B" track "$ORDER"
t_match "the ETA in CET" "$T_OUT" 'ETA 2026-12-01 15:00 CET'
t_match "the gate-in in CET" "$T_OUT" '2026-11-14 03:00 CET  Gate in at CNSZX'
t_nomatch "no time left in UTC" "$T_OUT" ' UTC'
t_run "track --json" 0 env TZ=Europe/Berlin "$KONTOR" --home "$B" track "$ORDER" --json
t_match "one object with the shipment and the events' words" "$T_OUT" '"shipment":\{.*"carrier":"Maersk".*"events":\[\{.*"words":"'
t_match "--json keeps UTC whatever TZ says" "$T_OUT" '"eta":"2026-12-01T14:00:00Z"'
t_run "track alone: the shipments under way" 0 kb track
O8=$(printf %.8s "$ORDER")
t_match "the order's start, state, carrier, number, mode, ETA and customs" "$(printf '%s\n' "$T_OUT" | sed -n 1p)" \
	"^$O8  shipped    Maersk MAEU1234567 \\(sea\\)  ETA 2026-12-01 14:00 UTC  customs released"
t_match "what it carries and from whom" "$(printf '%s\n' "$T_OUT" | sed -n 2p)" \
	'^          Centrifugal pump 80 mm, Shenzhen Pump Works'
t_eq "three lines for the one shipment" "$(printf '%s\n' "$T_OUT" | wc -l)" 3
t_run "track alone --json" 0 kb track --json
LASTACT=$(sqlite3 "$DB" "SELECT max(json_extract(e.value, '$.at')) FROM orders o, json_each(o.json, '$.shipment.events') e WHERE o.id = '$ORDER' AND json_extract(e.value, '$.classifier') = 'ACT'")
t_match "its last event is the latest that happened, not an estimate to come" "$T_OUT" \
	"\"lastEvent\":\\{\"at\":\"$LASTACT\".*\"classifier\":\"ACT\""
t_match "said in words, as the third line says it" "$T_OUT" '"lastEvent":\{.*"words":"[A-Z]'
t_run "--all takes no ORDER (exit 2)" 2 kb track --all "$ORDER"
t_match "saying so" "$T_ERR" "takes no ORDER \\(\`kontor track $ORDER\` shows that one\\)"
t_run "order show prints the shipment" 0 kb order show "$ORDER"
t_match "carrier, tracking number and ETA" "$T_OUT" 'shipment +Maersk MAEU1234567 \(sea\).*'
t_match "the ETA" "$T_OUT" 'ETA +2026-12-01 14:00 UTC'
t_match "and the track command by the order's 8 characters, as everywhere" "$T_OUT" \
	"events \(\`kontor track $(printf %.8s "$ORDER")\`\)$"
t_match "when escrow releases by itself, in words" "$T_OUT" '^release +14 days after delivery, unless confirmed or disputed first$'
t_run "track of an unknown order (exit 1)" 1 kb track AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
t_match "says to sync" "$T_ERR" 'no order AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA in the cache \(run `kontor sync`\)'
t_run "paying an unknown order (exit 1)" 1 kb order pay AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
t_match "says there is no such order, not that an unnamed contract is missing" "$T_ERR" \
	'^kontor: no order AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA in the cache \(run `kontor sync`'
t_run "the same on an 80-column terminal (exit 1)" 1 env COLUMNS=80 "$KONTOR" --home "$B" order pay \
	AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
t_eq "the error in lines no wider than 80" "$(( $(printf '%s\n' "$T_ERR" | LC_ALL=C.UTF-8 wc -L) <= 80 ))" 1
t_match "each line after the first under its first, 8 in" "$T_ERR" \
	'^kontor: no order A{43} in the cache \(run
^        `kontor sync`'
t_eq "and no line of it otherwise" "$(printf '%s\n' "$T_ERR" | grep -cv '^kontor: \|^        [^ ]')" 0

# --- who may add -----------------------------------------------------------------------------
t_run "the buyer adding an event is refused (exit 1)" 1 kb order event "$ORDER" --code OFDL
t_match "forbidden" "$T_ERR" 'forbidden'
t_eq "the refused update left the buyer's outbox" "$(sqlite3 "$B/cache.db" "SELECT count(*) FROM outbox")" 0
t_eq "and the buyer's cached order is as it was" \
	"$(sqlite3 "$B/cache.db" "SELECT json_array_length(json, '$.shipment.events') FROM orders WHERE id = '$ORDER'")" "$ALL"
t_run "a stranger adding an event is refused (exit 1)" 1 kx order event "$ORDER" --code CUSR --location USLAX
t_eq "the stranger's outbox is empty again" "$(sqlite3 "$X/cache.db" "SELECT count(*) FROM outbox")" 0
t_run "the carrier before registration is refused (exit 1)" 1 kc order event "$ORDER" --code CUSR --location USLAX

# --- a registered carrier ----------------------------------------------------------------
if "$KONTORD" admin carrier add Maersk --account "$CID" --db "$DB" >"$T_TMP/carrier.out" 2>&1; then
	t_ok "kontord admin carrier add Maersk"
	t_run "the carrier posts an inspection" 0 kc order event "$ORDER" --code CUSI --location USLAX \
		--at 2026-12-05T09:00:00-08:00 --note "X-ray scan"
	t_match "added (no cached order: the node judged)" "$T_OUT" "order $ORDER: 1 event added"
	t_eq "the node marks it the carrier's" \
		"$(sqlite3 "$DB" "SELECT json_extract(json, '$.shipment.events[#-1].role') || ' ' || json_extract(json, '$.shipment.events[#-1].by') FROM orders WHERE id = '$ORDER'")" \
		"carrier $CID"
	t_run "buyer syncs" 0 kb sync
	t_run "buyer tracks" 0 kb track "$ORDER"
	t_match "the carrier's event comes first" "$(printf '%s\n' "$T_OUT" | grep -E '^20[0-9-]+ [0-9:]+ UTC  ' | head -n 1)" \
		'^2026-12-05 17:00 UTC  .*USLAX'
	t_match "customs now says inspection" "$T_OUT" 'Customs: selected for inspection at USLAX'
else
	t_fail "kontord admin carrier add Maersk" "$(cat "$T_TMP/carrier.out")"
fi

# --- delivered -----------------------------------------------------------------------------
t_run "an actual event dated a month ahead is refused (exit 1)" 1 ks order event "$ORDER" --code CUSR --location USLAX --at "$(date -u -d "+30 days" +%Y-%m-%dT%H:%M:%SZ)"
t_match "saying an event to come is EST or PLN" "$T_ERR" 'is in the future: an actual \(ACT\) event has happened; one to come is EST \(estimated\) or PLN \(planned\)'
t_run "seller: out for delivery" 0 ks order event "$ORDER" --code OFDL --location "Long Beach" --at 2026-12-05T19:00:00Z
t_eq "still shipped" "$(ostate "$ORDER")" shipped
t_run "seller: delivered" 0 ks order event "$ORDER" --code DLVD --location "Long Beach" --at 2026-12-05T21:30:00Z --json
t_match "json result" "$T_OUT" '"added":1.*"status":"delivered"'
t_eq "an actual DLVD moved the order to delivered" "$(ostate "$ORDER")" delivered
t_eq "the node signed a delivered section" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.sections[#-1].kind') FROM contracts WHERE id = '$KID'")" delivered
t_eq "no ETA once delivered" "$(sqlite3 "$DB" "SELECT coalesce(json_extract(json, '$.shipment.eta'), 'none') FROM orders WHERE id = '$ORDER'")" none
t_run "buyer syncs" 0 kb sync
t_run "buyer tracks" 0 kb track "$ORDER"
t_match "delivered" "$T_OUT" 'state +delivered'
t_match "the delivery first" "$(printf '%s\n' "$T_OUT" | grep -E '^20[0-9-]+ [0-9:]+ UTC  ' | head -n 1)" '^2026-12-05 21:30 UTC  Delivered'
t_nomatch "no ETA" "$T_OUT" '^ETA'
t_match "the day it was delivered instead" "$T_OUT" '^delivered 20[0-9-]+ [0-9:]+ UTC$'
t_run "track alone once delivered: nothing under way" 0 kb track
t_match "saying how many are done and how to see them" "$T_ERR" \
	'^no shipment under way; 1 delivered or done \(`kontor track --all` lists them\)$'
t_run "track --all lists the delivered one" 0 kb track --all
t_match "in its state" "$T_OUT" "^$O8  delivered  Maersk MAEU1234567"
t_match "its last event the delivery" "$(printf '%s\n' "$T_OUT" | sed -n 3p)" '^          2026-12-05 21:30 UTC  Delivered at Long Beach$'
t_run "events on a delivered order are still taken" 0 ks order event "$ORDER" --code EXCP --note "one carton dented" --at 2026-12-05T22:00:00Z
t_run "one by its date alone, as she says it" 0 \
	env TZ=Asia/Shanghai "$KONTOR" --home "$S" order event "$ORDER" --code CUSI --location USLAX --at 2026-12-04 --note "papers in by date"
t_eq "is that date's noon where she is, in UTC" \
	"$(sqlite3 "$DB" "SELECT json_extract(e.value, '$.at') FROM orders o, json_each(o.json, '$.shipment.events') e WHERE o.id = '$ORDER' AND json_extract(e.value, '$.note') = 'papers in by date'")" \
	"2026-12-04T04:00:00Z"

# --- by air: the goods go on an aircraft, not a vessel ----------------------------------------
trade_bind "buyer proposes 2 pumps more" --qty 2 --incoterm FCA --place Shenzhen
t_run "buyer syncs" 0 kb sync
t_run "buyer pays them" 0 kb order pay "$ORDER"
t_run "seller syncs" 0 ks sync
t_run "seller ships them by air" 0 ks order ship "$ORDER" --carrier "SF Express" \
	--tracking SF1234567890 --mode air
t_run "loaded at Shenzhen" 0 ks order event "$ORDER" --code LOAD --location CNSZX \
	--at 2026-12-06T02:00:00Z
t_run "unloaded at Los Angeles" 0 ks order event "$ORDER" --code DISC --location USLAX \
	--at 2026-12-06T20:00:00Z
t_run "buyer syncs" 0 kb sync
t_run "buyer tracks the air shipment" 0 kb track "$ORDER"
t_match "loaded on an aircraft" "$T_OUT" 'UTC  Loaded on aircraft at CNSZX$'
t_match "unloaded from it" "$T_OUT" 'UTC  Unloaded from aircraft at USLAX$'
t_nomatch "no vessel in it" "$T_OUT" 'vessel'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
