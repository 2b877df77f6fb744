# Shared setup for the shell tests that trade over a live kontord with real TLS. Source it
# after tests/lib.sh. It lives beside lib.sh, outside tests/integration and tests/ui, so
# tests/run.sh does not take it for a test.

# The parties: their homes S (seller), B (buyer), X (a third account) and a kontor for
# each, ks, kb and kx. A test may point a home elsewhere or define its own kontor.
S="$T_TMP/seller"
B="$T_TMP/buyer"
X="$T_TMP/third"
ks() { "$KONTOR" --home "$S" "$@"; }
kb() { "$KONTOR" --home "$B" "$@"; }
kx() { "$KONTOR" --home "$X" "$@"; }

# trade_node NAME [UP-CHECK]: a throwaway CA, `kontord init` of $T_TMP/node.db named NAME
# (its output in $T_TMP/init.out) and that node serving TLS (log in $T_TMP/serve.log).
# Sets DB, TLS, PID, PORT and URL. UP-CHECK names the check that it came up (default
# "kontord is up on 127.0.0.1:PORT"); the test ends when the CA or the node fails.
trade_node() {
	t_make_ca "$T_TMP" || { t_fail "test CA" "$(cat "$T_TMP/openssl.log")"; t_done; exit 1; }
	DB="$T_TMP/node.db"
	"$KONTORD" init --db "$DB" --name "$1" >"$T_TMP/init.out" 2>&1
	# shellcheck disable=SC2034 # TLS: for a test that restarts the node
	TLS="--tls-cert $T_TMP/node.pem --tls-key $T_TMP/node.key"
	t_node_start "$T_TMP/serve.log" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key"
	if [ -n "$PORT" ]; then
		t_ok "${2:-kontord is up on 127.0.0.1:$PORT}"
	else
		t_fail "kontord is up" "$(cat "$T_TMP/serve.log")"
		t_done
		exit 1
	fi
	URL="https://127.0.0.1:$PORT"
}

# trade_party WHO CMD NAME CC ROLE [INIT-ARGS...]: CMD (a function running kontor --home
# on WHO's home) makes an identity with a passphrase (KONTOR_PASSPHRASE, the test's or set by
# CMD) and adds the node at $URL: the checks "WHO init" and "WHO node add".
trade_party() {
	_who=$1 _cmd=$2 _nm=$3 _cc=$4 _role=$5
	shift 5
	t_run "$_who init" 0 "$_cmd" init --name "$_nm" --country "$_cc" --role "$_role" "$@"
	t_run "$_who node add" 0 "$_cmd" node add main "$URL" --ca-file "$T_TMP/ca.pem"
}

# trade_party_np WHO CMD NAME CC ROLE: the same without a passphrase (--no-passphrase),
# quietly, as one check "WHO init and node add".
trade_party_np() {
	if "$2" init --name "$3" --country "$4" --role "$5" --no-passphrase >/dev/null 2>"$T_TMP/err" &&
		"$2" node add main "$URL" --ca-file "$T_TMP/ca.pem" >/dev/null 2>>"$T_TMP/err"; then
		t_ok "$1 init and node add"
	else
		t_fail "$1 init and node add" "$(cat "$T_TMP/err")"
	fi
}

# party_id CMD: the account id of CMD's identity.
party_id() { "$1" id show --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p'; }

# trade_bind PROPOSE-CHECK PROPOSE-ARGS...: the buyer (kb) proposes on $LID, the seller (ks)
# syncs and signs: binding. Sets KID and ORDER; checks the order id.
trade_bind() {
	_check=$1
	shift
	t_run "$_check" 0 kb contract propose --listing "$LID" "$@" --json
	KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
	t_run "seller syncs" 0 ks sync
	t_run "seller signs: binding" 0 ks contract sign "$KID"
	ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
	t_match "the order id" "$ORDER" '^[A-Za-z0-9_-]{43}$'
}

# The node's ledger and orders.
# ledger_zero STEP: the check that every currency's entries sum to zero.
ledger_zero() {
	t_eq "$1: the ledger sums to zero per currency" \
		"$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT currency, sum(amount) AS s FROM ledger_entries GROUP BY currency HAVING s != 0)")" 0
}
# bal ACCOUNT: its USD balance (0 when it has none); ostate ORDER: the order's state.
bal() { sqlite3 "$DB" "SELECT coalesce((SELECT balance FROM ledger_accounts WHERE id = '$1' AND currency = 'USD'), 0)"; }
ostate() { sqlite3 "$DB" "SELECT state FROM orders WHERE id = '$1'"; }

# listing_id: the first listing id in $T_OUT (a search --json).
listing_id() { printf '%s\n' "$T_OUT" | sed -n 's/.*"id":"\(L[^"]*\)".*/\1/p' | head -n 1; }
# trade_find TERMS...: the buyer (kb) syncs and searches for TERMS; LID is the first hit.
trade_find() {
	t_run "buyer syncs" 0 kb sync
	t_run "buyer finds the listing" 0 kb search "$@" --json
	LID=$(listing_id)
}
# trade_pay AMOUNT CURRENCY: AMOUNT deposited to the buyer ($BID, reference psp-1); the
# buyer (kb) syncs and pays $ORDER; the seller (ks) syncs.
trade_pay() {
	t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" "$1" "$2" --db "$DB" --reference psp-1
	t_run "buyer syncs" 0 kb sync
	t_run "buyer pays" 0 kb order pay "$ORDER"
	t_run "seller syncs" 0 ks sync
}

# capi KEYFILE CALLS: one API request to $URL signed with KEYFILE by tests/tools/ksign
# ($KSIGN); the answer in RESP.
USING='"using":["urn:ietf:params:jmap:core","urn:kontor:trade"]'
# shellcheck disable=SC2034 # RESP is for the test
capi() {
	printf '{%s,"methodCalls":[%s]}' "$USING" "$2" >"$T_TMP/body"
	RESP=$(curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" --compressed \
		-H 'Content-Type: application/json' -H "Authorization: $("$KSIGN" header "$1" "$T_TMP/body")" \
		--data-binary "@$T_TMP/body" "$URL/api")
}
