#!/bin/sh
# The operator's trust commands (DESIGN §6, verified identity; §10) over a live kontord
# with real TLS: `kontord admin attest` signs a supplier's papers with the node key into
# its Account, which a buyer pulls with sync, so `kontor search --verified` finds the
# supplier's listing with the verified mark; re-attesting replaces, --revoke removes (not
# verified after the next sync); an attestation signed by another node's key, planted in
# the node database, is dropped by the client and never shown as verified; usage errors
# name what is wrong. `kontord admin carrier add|list|rm` round trip, with a duplicate name
# or account and a malformed account id refused.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/trade-lib.sh"

export KONTOR_PASSPHRASE="trust test passphrase"
S="$T_TMP/supplier"
X="$T_TMP/forger"
trade_node "Trust Test Node"
NODEKEY=$(sed -n 's/^Node key id //p' "$T_TMP/init.out")
att() { sqlite3 "$DB" "SELECT coalesce(json_extract(json, '\$.attestation.$2'), '') FROM accounts WHERE id = '$1'"; }
aseq() { sqlite3 "$DB" "SELECT seq FROM changes WHERE type = 'Account' AND id = '$1'"; }
# The seller's verified mark of one search hit (--json "sellerVerified"; "verified" is the
# listing's own signature), by listing id: true, false or "".
hit_verified() { printf '%s\n' "$T_OUT" | grep "\"id\":\"$1\"" | sed -n 's/.*"sellerVerified":\([a-z]*\).*/\1/p'; }

# Keys without a passphrase: an Argon2id unlock per command is what made this test slow,
# and passphrases are tested in cli.sh and ui/trade.sh.
trade_party supplier ks "Ningbo Valve Works" CN supplier --handle ningbo-valves --no-passphrase
trade_party buyer kb "Rotterdam Pumps BV" NL buyer --no-passphrase
SID=$(party_id ks)
t_run "supplier lists a valve" 0 ks listing add --sku BV-50 --title "DN50 brass ball valve" \
	--price 12.00 --currency USD --moq 10 --origin CN --hs-code 848180 --lead-days 10
t_run "supplier syncs" 0 ks sync
t_eq "the supplier is registered on the node" "$(sqlite3 "$DB" "SELECT count(*) FROM accounts WHERE id = '$SID'")" 1

t_run "buyer syncs" 0 kb sync
t_run "buyer finds the valve" 0 kb search ball valve --json
LID=$(listing_id)
t_match "the listing id" "$LID" '^L[A-Za-z0-9_-]{22}$'
t_eq "not verified before the operator attests" "$(hit_verified "$LID")" false
t_run "search --verified finds nothing yet" 0 kb search ball valve --verified --json
t_nomatch "the unverified supplier's listing is not there" "$T_OUT" "$LID"

# --- usage errors and refusals ---------------------------------------------------------
t_run "attest an unknown account fails (exit 1)" 1 "$KONTORD" admin attest nobody-here --db "$DB" \
	--legal-name "Nobody Ltd" --country GB --registration 123
t_match "the unknown account is named" "$T_ERR" "no account 'nobody-here' is registered on this node"
t_run "attest with a bad country is a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "Ningbo Valve Works Co., Ltd." --country XX --registration 913302
t_match "the country option is named" "$T_ERR" "--country"
t_match "and the bad code" "$T_ERR" "XX"
t_run "attest with a bad level is a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "Ningbo Valve Works Co., Ltd." --country CN --registration 913302 --level palace
t_match "the level is explained" "$T_ERR" "--level is business or factory, not 'palace'"
t_run "attest without --registration is a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "Ningbo Valve Works Co., Ltd." --country CN
t_match "the missing option is named" "$T_ERR" 'admin attest needs --registration R'
t_run "attest with a past --expires is a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "Ningbo Valve Works Co., Ltd." --country CN --registration 913302 --expires 2001-01-01
t_match "the date is refused" "$T_ERR" '--expires 2001-01-01 is not in the future'
t_run "--expires and --days together are a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "N" --country CN --registration 1 --expires 2099-01-01 --days 5
t_run "--days 0 is a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "N" --country CN --registration 1 --days 0
t_run "--revoke with other attest options is a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--revoke --country CN
t_run "an unknown option of attest is a usage error" 2 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "N" --country CN --registration 1 --colour red
t_run "revoking what was never attested fails (exit 1)" 1 "$KONTORD" admin attest "$SID" --db "$DB" --revoke
t_match "it says there is none" "$T_ERR" 'has no attestation to revoke'
t_eq "nothing was attested by the refusals" "$(att "$SID" sig)" ""

# --- attest: the buyer sees the supplier as verified --------------------------------------
SEQ0=$(aseq "$SID")
t_run "the operator attests the supplier by handle" 0 "$KONTORD" admin attest @ningbo-valves --db "$DB" \
	--legal-name "Ningbo Valve Works Co., Ltd." --country CN --registration 91330200MA2CL1234X \
	--level factory --days 730
t_match "it prints the account and the node key" "$T_OUT" "Attested $SID with node key $NODEKEY"
t_match "and the legal name it signed" "$T_OUT" 'legal name +Ningbo Valve Works Co., Ltd\.'
t_match "the registration" "$T_OUT" 'registration +91330200MA2CL1234X'
t_match "the level" "$T_OUT" 'level +factory'
t_match "and the signature" "$T_OUT" 'signature +[A-Za-z0-9+/_=-]{80,}'
t_eq "the node stored the attestation in the account" "$(att "$SID" legalName)" "Ningbo Valve Works Co., Ltd."
t_eq "signed by the node key" "$(att "$SID" by)" "$NODEKEY"
EXP=$(att "$SID" expires)
ISS=$(att "$SID" issued)
t_eq "expires two years on" "$(( ($(date -u -d "$EXP" +%s) - $(date -u -d "$ISS" +%s)) / 86400 ))" 730
t_eq "the node's verified column is set" "$(sqlite3 "$DB" "SELECT verified FROM accounts WHERE id = '$SID'")" 1
SEQ1=$(aseq "$SID")
[ "$SEQ1" -gt "$SEQ0" ] && t_ok "the account got a new change sequence ($SEQ0 -> $SEQ1)" || t_fail "the account got a new change sequence" "$SEQ0 -> $SEQ1"

# A buyer who never synced asks the node: the mark is the node's word of now.
kn() { "$KONTOR" --home "$T_TMP/newcomer" "$@"; }
trade_party_np newcomer kn "Antwerp Fittings NV" BE buyer
t_run "a newcomer searches the node" 0 kn search ball valve --remote --json
t_eq "the supplier shows verified" "$(hit_verified "$LID")" true
t_run "buyer syncs" 0 kb sync --json
t_match "the buyer pulled the account, no bad signature" "$T_OUT" '"badSignatures":0'
t_run "search --verified finds the supplier's listing" 0 kb search ball valve --verified --json
t_eq "marked verified in the JSON" "$(hit_verified "$LID")" true
t_run "search (text) shows the verified mark" 0 kb search ball valve --verified
t_match "the check mark beside the listing" "$T_OUT" "✓.*$LID"
t_eq "the buyer's cache holds the signed legal name" \
	"$(sqlite3 "$B/cache.db" "SELECT json_extract(json, '\$.attestation.legalName') FROM accounts WHERE id = '$SID'")" \
	"Ningbo Valve Works Co., Ltd."
t_run "listing show names the supplier" 0 kb listing show "$LID"
t_match "the seller line: the name and handle she types" "$T_OUT" "seller: +Ningbo Valve Works @ningbo-valves, CN, not rated yet$"
t_match "and the account id below" "$T_OUT" "^ +account $SID$"
t_match "the verified line with the signed legal name" "$T_OUT" \
	"verified: +✓ Ningbo Valve Works Co., Ltd., CN, registration [^ ]+ \((business|factory); signed by the node, until 20"

# Re-attesting replaces.
t_run "the operator attests again (business, to a date)" 0 "$KONTORD" admin attest "$SID" --db "$DB" \
	--legal-name "Ningbo Valve Works Co., Ltd." --country CN --registration 91330200MA2CL1234X \
	--expires 2031-06-30
t_eq "the level is replaced" "$(att "$SID" level)" business
t_eq "and the expiry (the end of that day)" "$(att "$SID" expires)" 2031-06-30T23:59:59Z
t_run "buyer syncs" 0 kb sync --json
t_match "no bad signature" "$T_OUT" '"badSignatures":0'
t_eq "the buyer holds the new attestation" \
	"$(sqlite3 "$B/cache.db" "SELECT json_extract(json, '\$.attestation.expires') FROM accounts WHERE id = '$SID'")" \
	2031-06-30T23:59:59Z
t_run "still verified" 0 kb search ball valve --verified --json
t_eq "verified" "$(hit_verified "$LID")" true

# --- revoke --------------------------------------------------------------------------------
t_run "the operator revokes" 0 "$KONTORD" admin attest "$SID" --db "$DB" --revoke
t_match "it says so" "$T_OUT" "Revoked the attestation of $SID"
t_eq "the node's account has none" "$(att "$SID" sig)" ""
t_eq "the node's verified column is cleared" "$(sqlite3 "$DB" "SELECT verified FROM accounts WHERE id = '$SID'")" 0
t_run "buyer syncs" 0 kb sync
t_run "search --verified no longer finds it" 0 kb search ball valve --verified --json
t_nomatch "the listing is gone from the verified results" "$T_OUT" "$LID"
t_run "plain search still finds it" 0 kb search ball valve --json
t_eq "not verified" "$(hit_verified "$LID")" false
t_run "listing show after the revocation" 0 kb listing show "$LID"
t_nomatch "no verified line" "$T_OUT" "verified:"

# --- an attestation signed by another key is not trusted ----------------------------------
# A rogue node (its own key) attests a copy of the forger's account; the forged
# attestation is planted in the real node's database before the buyer first sees the
# account. The node even marks it verified: the client must check the signature itself.
trade_party forger kx "Totally Real Factory" DE supplier --no-passphrase
XID=$(party_id kx)
t_run "forger lists a valve" 0 kx listing add --sku FV-1 --title "Forged ball valve" \
	--price 9.00 --currency USD --moq 10 --origin DE
t_run "forger syncs" 0 kx sync
ROGUE="$T_TMP/rogue.db"
t_run "a rogue node" 0 "$KONTORD" init --db "$ROGUE" --name rogue
sqlite3 "$ROGUE" "ATTACH '$DB' AS real; INSERT INTO accounts(id, handle, json, country, role) SELECT id, handle, json, country, role FROM real.accounts WHERE id = '$XID';"
t_run "the rogue node attests the forger" 0 "$KONTORD" admin attest "$XID" --db "$ROGUE" \
	--legal-name "Totally Real Factory GmbH" --country DE --registration "HRB 99999" --level factory
FORGED=$(sqlite3 "$ROGUE" "SELECT json_extract(json, '\$.attestation') FROM accounts WHERE id = '$XID'")
t_match "a well-formed attestation, signed" "$FORGED" '"sig":"[A-Za-z0-9+/_=-]+"'
sqlite3 "$DB" "UPDATE accounts SET json = json_set(json, '\$.attestation', json('$FORGED')), verified = 1 WHERE id = '$XID'"
t_eq "the node database now holds it" "$(att "$XID" legalName)" "Totally Real Factory GmbH"
t_run "buyer syncs" 0 kb sync --json
t_match "the forged attestation is dropped" "$T_OUT" '"badSignatures":1'
t_eq "the buyer cached the forger without an attestation" \
	"$(sqlite3 "$B/cache.db" "SELECT coalesce(json_extract(json, '\$.attestation'), 'none') FROM accounts WHERE id = '$XID'")" none
t_run "search --verified does not find the forged listing" 0 kb search valve --verified --json
t_nomatch "not among the verified" "$T_OUT" "Forged ball valve"
t_run "plain search finds it, not verified" 0 kb search forged valve --json
FLID=$(listing_id)
t_match "the forged listing id" "$FLID" '^L[A-Za-z0-9_-]{22}$'
t_eq "not verified" "$(hit_verified "$FLID")" false
t_run "search (text) shows no mark" 0 kb search forged valve
t_nomatch "no check mark on its row" "$(printf '%s\n' "$T_OUT" | grep -- "$FLID")" '✓'

# --- carriers -------------------------------------------------------------------------------
CID=$(kx id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
"$T_BUILD/tools/ksign" keygen random >"$T_TMP/carrier.key" 2>/dev/null
C2=$(sed -n 2p "$T_TMP/carrier.key")
t_run "carrier list is empty at first" 0 "$KONTORD" admin carrier list --db "$DB"
t_eq "nothing listed" "$T_OUT" ""
t_run "carrier add Maersk (an account not on this node yet)" 0 "$KONTORD" admin carrier add Maersk --account "$C2" --db "$DB"
t_match "it says so" "$T_OUT" "Registered carrier 'Maersk' for account $C2 \\(not registered on this node yet\\)"
t_run "carrier add DHL Express (a registered account)" 0 "$KONTORD" admin carrier add "DHL Express" --db "$DB" --account "$CID"
t_match "registered" "$T_OUT" "Registered carrier 'DHL Express' for account $CID\$"
t_run "a taken name is refused (exit 1), whatever its case" 1 "$KONTORD" admin carrier add MAERSK --account "$SID" --db "$DB"
t_match "the name is said to be taken" "$T_ERR" "carrier 'Maersk' is registered already"
t_run "a taken account is refused (exit 1)" 1 "$KONTORD" admin carrier add "MSC" --account "$C2" --db "$DB"
t_match "one carrier per account" "$T_ERR" "account $C2 is carrier 'Maersk' already"
t_run "a malformed account id is a usage error" 2 "$KONTORD" admin carrier add MSC --account not-an-account --db "$DB"
t_match "the option is named" "$T_ERR" '^kontord: --account: '
t_run "carrier add without --account is a usage error" 2 "$KONTORD" admin carrier add MSC --db "$DB"
t_match "it says what is needed" "$T_ERR" 'admin carrier add needs --account ACCOUNT_ID'
t_run "carrier add with a control character in the name is a usage error" 2 "$KONTORD" admin carrier add "$(printf 'A\tB')" --account "$SID" --db "$DB"
t_run "carrier list" 0 "$KONTORD" admin carrier list --db "$DB"
t_eq "two carriers, by name" "$(printf '%s\n' "$T_OUT" | cut -f1,2)" "$(printf 'DHL Express\t%s\nMaersk\t%s' "$CID" "$C2")"
t_match "with their creation time" "$T_OUT" "Maersk	$C2	[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"
t_run "carrier rm maersk (any case)" 0 "$KONTORD" admin carrier rm maersk --db "$DB"
t_match "removed" "$T_OUT" "Removed carrier 'maersk'"
t_run "removing it again fails (exit 1)" 1 "$KONTORD" admin carrier rm Maersk --db "$DB"
t_match "the name is said to be unknown" "$T_ERR" "no carrier 'Maersk' is registered on this node"
t_run "carrier list after rm" 0 "$KONTORD" admin carrier list --db "$DB"
t_eq "one carrier left" "$(printf '%s\n' "$T_OUT" | cut -f1)" "DHL Express"
t_run "the freed account can be registered again" 0 "$KONTORD" admin carrier add MSC --account "$C2" --db "$DB"
t_run "an unknown carrier command is a usage error" 2 "$KONTORD" admin carrier fly --db "$DB"
t_run "carrier list takes no operand" 2 "$KONTORD" admin carrier list extra --db "$DB"
t_eq "the schema is migrated (5 or later) and the carriers table holds two" \
	"$(sqlite3 "$DB" "SELECT user_version >= 5 FROM pragma_user_version; SELECT count(*) FROM carriers")" "$(printf "1\n2")"

t_run "kontord help admin shows attest and carrier" 0 "$KONTORD" help admin
t_match "attest" "$T_OUT" 'kontord admin attest ACCOUNT --legal-name N --country CC --registration R'
t_match "carrier" "$T_OUT" 'kontord admin carrier add NAME --account ACCOUNT_ID'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
