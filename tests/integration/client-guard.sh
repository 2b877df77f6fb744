#!/bin/sh
# What a hostile node, a hostile seller or a careless umask can no longer do to the client
# (issue 16, items 4, 7, 8, 9, 10), over a live kontord with real TLS:
# - files: a home made by hand with mode 0755, under umask 022, is made 0700 (and kontor
#   says so once), and identity.key, cache.db and its WAL and SHM (held open by a running
#   batch) are 0600; a home and files an older kontor left readable are tightened;
# - handles: two firms of the same name both `node add` (the second is told it is
#   @acme-trading-2) and sync with exit 0; `id edit --handle` changes it on the node, and a
#   handle another account has is refused with nothing left half done;
# - summaries: search marks a listing summary (~, "verified": false) until `listing show`
#   fetched and checked it whole ("verified": true);
# - the sanitiser: titles and names with escape sequences and bidi controls planted in the
#   cache, and a fake node (tests/tools/escape-node.py) whose name, SetError descriptions and
#   /changes errors carry them, never put an ESC, C1 or bidi/invisible byte on stdout or
#   stderr of search, search --json (escaped there), listing show (which refuses the
#   planted listing), node add, node add --json, sync and outbox.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

umask 022
trade_node "Guard Test Node"
NODEKEY=$(sed -n 's/^Node key id \([A-Za-z0-9_-]*\).*/\1/p' "$T_TMP/init.out")

# hidden FILE...: the escape, C1, bidi and invisible-format byte sequences in the files, as
# hex ("" when there are none): ESC, 8-bit CSI/OSC, U+200B, U+200E/200F, U+2028-202E,
# U+2066-2069, U+061C, U+FEFF.
hidden() {
	cat "$@" | od -An -v -tx1 | tr -s ' \n' '  ' | sed 's/^/ /; s/$/ /' |
		grep -oE ' (1b|c2 9b|c2 9d|e2 80 (8b|8e|8f|a8|a9|aa|ab|ac|ad|ae)|e2 81 (a6|a7|a8|a9)|d8 9c|ef bb bf) ' |
		tr -d '\n'
}
mode() { stat -c %a "$1" 2>/dev/null || echo missing; }

# --- files: a pre-existing 0755 home, umask 022 -------------------------------------------
F="$T_TMP/firm"
mkdir -m 755 "$F"
kf() { "$KONTOR" --home "$F" "$@"; }
t_run "init in a home made by hand with mode 0755, umask 022" 0 \
	kf init --name "Acme Trading" --country DE --role supplier --no-passphrase
t_match "kontor says it made the home private" "$T_ERR" "$F was readable by others \(mode 0755\): made it 0700"
t_eq "the home is 0700" "$(mode "$F")" 700
t_eq "identity.key is 0600" "$(mode "$F/identity.key")" 600
t_eq "cache.db is 0600" "$(mode "$F/cache.db")" 600
t_run "node add" 0 kf node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_nomatch "it says so once: not again" "$T_ERR" 'readable by others'
t_match "the first firm's handle" "$(kf id show)" 'handle: +@acme-trading$'

# A batch keeps cache.db open, so its WAL and SHM are there to be looked at.
mkfifo "$T_TMP/fifo"
kf batch - <"$T_TMP/fifo" >"$T_TMP/batch.out" 2>"$T_TMP/batch.err" &
BPID=$!
T_PIDS="$T_PIDS $BPID"
exec 3>"$T_TMP/fifo"
echo 'listing add --sku TL-71 --title "Iron table legs, black" --price 12.50 --currency USD --moq 10' >&3
i=0
while [ $i -lt 100 ] && [ "$(sqlite3 "$F/cache.db" "SELECT count(*) FROM listings" 2>/dev/null)" != 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_eq "the batch wrote the listing (cache.db open)" "$(sqlite3 "$F/cache.db" "SELECT count(*) FROM listings")" 1
t_eq "cache.db-wal is 0600" "$(mode "$F/cache.db-wal")" 600
t_eq "cache.db-shm is 0600" "$(mode "$F/cache.db-shm")" 600
t_eq "no file in the home is readable by others" "$(find "$F" -type f ! -perm 600)" ""
t_eq "no directory in the home either" "$(find "$F" -type d ! -perm 700)" ""
exec 3>&-
wait "$BPID"
t_eq "the batch pushed and exited 0" "$?" 0

# Validation: what the sanitiser takes out cannot be signed into a listing; emoji can.
t_run "listing add refuses a title with a bidi override" 2 \
	kf listing add --sku BIDI --title "$(printf 'Oak \342\200\256ksed')" --price 1 --currency USD
t_match "naming the field and the character" "$T_ERR" 'title: U\+202E at byte 4 is a bidi control'
MUGS=$(printf 'Family mugs \360\237\221\250\342\200\215\360\237\221\251\342\200\215\360\237\221\247')
t_run "an emoji ZWJ sequence in a title is text" 0 \
	kf listing add --sku MUG-1 --title "$MUGS" --price 3 --currency USD

# What an older kontor left behind under umask 022 is tightened, and said once.
chmod 755 "$F"
chmod 644 "$F/cache.db" "$F/identity.key"
t_run "a command in a home an older kontor left readable" 0 kf id show
t_match "it says what it tightened" "$T_ERR" "mode 0755\): made it 0700; 2 files in it could be read by others: made 0600"
t_eq "the home is 0700 again" "$(mode "$F")" 700
t_eq "cache.db is 0600 again" "$(mode "$F/cache.db")" 600
t_eq "identity.key is 0600 again" "$(mode "$F/identity.key")" 600
t_run "the next command" 0 kf id show
t_eq "says nothing" "$T_ERR" ""

# --- two firms with the same name -----------------------------------------------------------
G="$T_TMP/firm2"
kg() { "$KONTOR" --home "$G" "$@"; }
t_run "a second Acme Trading inits" 0 kg init --name "Acme Trading" --country PL --no-passphrase
t_run "its node add works although the handle is taken" 0 kg node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_match "it is told its handle on the node" "$T_ERR" \
	'the handle @acme-trading is taken on node main: you are @acme-trading-2 there'
t_match "id show has the node's handle" "$(kg id show)" 'handle: +@acme-trading-2$'
GID=$(party_id kg)
FID=$(party_id kf)
t_eq "the node holds both firms, each with its own handle" \
	"$(sqlite3 "$DB" "SELECT handle FROM accounts WHERE id IN ('$FID', '$GID') ORDER BY handle" | tr '\n' ' ')" \
	"acme-trading acme-trading-2 "
t_run "the second firm syncs: exit 0" 0 kg sync
t_run "and again: exit 0" 0 kg sync
t_eq "nothing waits in its outbox" "$(kg outbox --json | wc -l)" 0

# --- id edit --------------------------------------------------------------------------------
t_run "id edit --handle" 0 kg id edit --handle acme-berlin
t_match "it says old and new" "$T_OUT" 'handle @acme-berlin \(was @acme-trading-2\)'
t_match "id show has it" "$(kg id show)" 'handle: +@acme-berlin$'
t_run "the first firm syncs the market (a supplier starts in scope mine)" 0 kf node scope main market
t_run "the first firm syncs" 0 kf sync
t_eq "the node has it: the first firm's cache learns the new handle" \
	"$(sqlite3 "$F/cache.db" "SELECT handle FROM accounts WHERE id = '$GID'")" acme-berlin
t_run "id edit --handle of another account's handle is refused" 1 kg id edit --handle acme-trading
t_match "nothing changed, and why" "$T_ERR" "nothing changed: .*handle: 'acme-trading' is taken"
t_match "the cache keeps the handle the node has" "$(kg id show)" 'handle: +@acme-berlin$'
t_eq "the refused update is not left in the outbox" "$(kg outbox --json | wc -l)" 0
t_run "a later sync exits 0" 0 kg sync
t_run "id edit --name" 0 kg id edit --name "Acme Trading Berlin"
t_run "the first firm syncs again" 0 kf sync
t_eq "the node has the new name: the first firm's cache learns it" \
	"$(sqlite3 "$F/cache.db" "SELECT display_name FROM accounts WHERE id = '$GID'")" \
	"Acme Trading Berlin"
t_eq "and the handle stayed" \
	"$(sqlite3 "$F/cache.db" "SELECT handle FROM accounts WHERE id = '$GID'")" acme-berlin
t_run "a handle that is not one is refused before anything is queued" 2 kg id edit --handle "Not A Handle"
t_match "naming the field" "$T_ERR" 'handle: must be 2 to 32'
t_run "id edit with nothing to change is a usage error" 2 kg id edit
t_run "a display name with a bidi override is refused" 2 \
	kg id edit --name "$(printf 'Acme \342\200\256gnidarT')"
t_match "naming the field and the character" "$T_ERR" 'displayName: U\+202E at byte 5 is a bidi control'

# --- summaries in search ------------------------------------------------------------------
B="$T_TMP/buyer"
t_run "a buyer inits" 0 kb init --name "Rotterdam Pumps BV" --country NL --role buyer --no-passphrase
t_run "and adds the node" 0 kb node add main "$URL" --ca-file "$T_TMP/ca.pem"
t_run "the buyer syncs" 0 kb sync
t_run "search --json" 0 kb search iron table legs --json
LID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\(L[^"]*\)".*/\1/p')
t_match "the listing is found" "$LID" '^L[A-Za-z0-9_-]{22}$'
t_match "a summary is not verified" "$T_OUT" '"verified":false'
t_match "the seller's papers are a field of their own" "$T_OUT" '"sellerVerified":false'
t_run "search (human)" 0 kb search iron table legs
t_match "the summary's row is marked" "$T_OUT" '^~ Iron table legs, black'
t_match "the mark is explained" "$T_ERR" "~ 1 summary: not yet checked against the seller's signature"
t_run "listing show fetches it whole and checks it" 0 kb listing show "$LID"
t_match "the signature is valid" "$T_OUT" 'signature: valid'
t_run "search --json again" 0 kb search iron table legs --json
t_match "now verified" "$T_OUT" '"verified":true'
t_run "search (human) again" 0 kb search iron table legs
t_match "the row is not marked" "$T_OUT" '^  Iron table legs, black'
t_nomatch "no note about summaries" "$T_ERR" 'summar'

t_run "search for the mugs" 0 kb search family mugs
t_match "the emoji ZWJ sequence reaches the terminal whole" "$T_OUT" "^~ $MUGS "

# --- the sanitiser on what the cache holds --------------------------------------------------
# A cache can hold what validation refuses (an older kontor, a planted file): plant a title
# with escape sequences, bidi controls and invisible characters where search reads it, and
# in the listing's JSON, which `listing show` reads (and validates).
EV="'Iron ' || char(8238) || 'sgel' || char(27) || ']0;pwned' || char(7) || char(8294) || ' table ' || char(27) || '[2J' || char(155) || '31m' || char(8207) || char(1564) || char(65279) || char(8232) || 'legs'"
sqlite3 "$B/cache.db" "UPDATE listings SET title = $EV WHERE id = '$LID';
	UPDATE listing_json SET json = json_set(json, '\$.title', $EV) WHERE rid = (SELECT rid FROM listings WHERE id = '$LID')"
t_match "the planted title holds ESC and U+202E" \
	"$(sqlite3 "$B/cache.db" "SELECT hex(title) FROM listings WHERE id = '$LID'")" '1B5D303B.*E280AE|E280AE.*1B5D303B'
t_run "search shows the planted title" 0 kb search iron table legs
t_match "its words" "$T_OUT" 'Iron sgel table +legs'
t_eq "search: no escape or bidi byte on stdout or stderr" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""
t_run "search --json" 0 kb search iron table legs --json
t_match "the JSON keeps the characters, escaped" "$T_OUT" 'Iron \\u202esgel\\u001b\]0;pwned\\u0007\\u2066 table'
t_eq "search --json: no escape or bidi byte" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""
t_run "listing show refuses the planted listing" 1 kb listing show "$LID"
t_match "naming the field" "$T_ERR" 'title: control character U\+001B'
t_eq "listing show: no escape or bidi byte" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""

# --- a node whose every word is an attack ---------------------------------------------------
curl -s --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor" >"$T_TMP/session.json"
python3 "$T_ROOT/tests/tools/escape-node.py" --session "$T_TMP/session.json" --node-key="$NODEKEY" \
	--cert "$T_TMP/node.pem" --key "$T_TMP/node.key" 2>"$T_TMP/evil.log" &
EPID=$!
T_PIDS="$T_PIDS $EPID"
EPORT=""
i=0
while [ $i -lt 100 ] && [ -z "$EPORT" ]; do
	EPORT=$(sed -n 's|^escape-node: listening on https://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$T_TMP/evil.log")
	[ -n "$EPORT" ] || sleep 0.1
	i=$((i + 1))
done
t_match "the escape node is up" "$EPORT" '^[0-9]+$'
EURL="https://127.0.0.1:$EPORT"
t_run "node add of a node that refuses the profile with escapes in the description" 1 \
	kb node add evil "$EURL" --ca-file "$T_TMP/ca.pem"
t_match "its description is printed" "$T_ERR" 'EVILDESC handleis taken.*here'
t_match "the node's name too, cleaned" "$T_OUT" 'added node evil: Node EVILNAME xy at'
t_eq "node add: no escape or bidi byte on stdout or stderr" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""
t_run "node add --json" 1 kb --json node add evil2 "$EURL" --ca-file "$T_TMP/ca.pem"
t_match "the JSON names the node, its characters escaped" "$T_OUT" '"nodeName":"Node \\u202eEVILNAME\\u2066 x\\u009b2J\\u200fy\\ufeff"'
t_eq "node add --json: no escape or bidi byte" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""
t_run "outbox retry" 0 kb outbox retry
t_run "sync --push-only to it: the SetError description" 3 kb --node evil sync --push-only
t_match "is printed" "$T_ERR" 'refused 1 action.*EVILDESC'
t_eq "sync (push): no escape or bidi byte" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""
t_run "sync --pull-only from it: the /changes error" 1 kb --node evil sync --pull-only
t_match "is printed" "$T_ERR" '/changes: serverFail: EVILDESC'
t_eq "sync (pull): no escape or bidi byte" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""
t_run "outbox list shows the refusal" 0 kb outbox
t_eq "outbox: no escape or bidi byte" "$(hidden "$T_TMP/out" "$T_TMP/err")" ""

t_done
