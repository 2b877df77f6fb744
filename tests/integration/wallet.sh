#!/bin/sh
# The ledger end to end: a node made by `kontord init` serving real HTTPS (a test CA made
# here by openssl, curl --cacert, requests signed by tests/tools/ksign), accounts registered
# with Account/set, money paid in by `kontord admin deposit` (the simulated payment
# provider) from a second process while the node serves, and Wallet/get: the signer's own
# balance and history, forbidden when anonymous, never another account's wallet. Also what
# admin deposit says to a bad currency, a negative or malformed amount, an unknown account
# and a repeated reference, and that admin attest/resolve/carrier are not in this build.
. "$(dirname "$0")/../lib.sh"

KSIGN=${KSIGN:-$T_BUILD/tools/ksign}
D="$T_TMP/node"
mkdir -p "$D"
DB="$D/kontord.db"
USING='"using":["urn:ietf:params:jmap:core","urn:kontor:trade"]'

if [ ! -x "$KSIGN" ]; then
	t_fail "ksign is built" "no $KSIGN (make test-build)"
	t_done
	exit 1
fi

t_run "init makes the node" 0 "$KONTORD" init --db "$DB" --name "Wallet Test Node"

"$KSIGN" keygen 0101010101010101010101010101010101010101010101010101010101010101 >"$T_TMP/a.key"
"$KSIGN" keygen 0202020202020202020202020202020202020202020202020202020202020202 >"$T_TMP/b.key"
"$KSIGN" keygen random >"$T_TMP/c.key"
A=$("$KSIGN" id "$T_TMP/a.key")
B=$("$KSIGN" id "$T_TMP/b.key")
C=$("$KSIGN" id "$T_TMP/c.key")

t_make_ca "$T_TMP" && t_ok "openssl made a test CA and node certificate" ||
	t_fail "openssl made a test CA and node certificate" "$(tail -n 3 "$T_TMP/openssl.log")"

req() {
	_path=$1
	shift
	curl -sS --max-time 20 --cacert "$T_TMP/ca.pem" -o "$T_TMP/resp" \
		-w '%{http_code}' "$@" "$URL$_path" >"$T_TMP/code" 2>"$T_TMP/curlerr"
	CODE=$(cat "$T_TMP/code")
	RESP=$(cat "$T_TMP/resp")
}

# api KEYFILE|- CALLS: one signed (or anonymous, with -) API request. The same body signed
# twice in one second is the same signature (a replay): give each call its own callId.
api() {
	printf '{%s,"methodCalls":[%s]}' "$USING" "$2" >"$T_TMP/body"
	if [ "$1" = - ]; then
		req /api -H 'Content-Type: application/json' --data-binary "@$T_TMP/body"
	else
		AUTH=$("$KSIGN" header "$1" "$T_TMP/body")
		req /api -H 'Content-Type: application/json' -H "Authorization: $AUTH" \
			--data-binary "@$T_TMP/body"
	fi
}

t_node_start "$T_TMP/serve.log" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key" --threads 2
URL="https://127.0.0.1:$PORT"
t_match "kontord serves TLS on a free port" "$PORT" '^[0-9]+$'
if [ -z "$PORT" ]; then
	t_fail "kontord came up" "$(tail -n 5 "$T_TMP/serve.log")"
	t_done
	exit 1
fi

# --- accounts ---------------------------------------------------------------------------
api "$T_TMP/a.key" '["Account/set",{"create":{"me":{"handle":"alice-iron","displayName":"Alice Iron Works","country":"CN","role":"supplier"}}},"0"]'
t_match "account A registers" "$RESP" "\"created\":\\{\"me\":\\{\"id\":\"$A\""
api "$T_TMP/b.key" '["Account/set",{"create":{"me":{"handle":"bob-buys","displayName":"Bob","country":"DE","role":"buyer"}}},"0"]'
t_match "account B registers" "$RESP" "\"created\":\\{\"me\":\\{\"id\":\"$B\""

# --- an empty wallet ----------------------------------------------------------------------
api "$T_TMP/a.key" '["Wallet/get",{},"a1"]'
t_eq "Wallet/get answers 200" "$CODE" 200
t_match "a new wallet has no balances" "$RESP" "\"list\":\\[\\{\"id\":\"W$A\",\"accountId\":\"$A\",\"balances\":\\{\\}"

# --- deposits while the node serves ------------------------------------------------------
t_run "admin deposit credits a registered account" 0 \
	"$KONTORD" admin deposit "$A" 120.50 EUR --db "$DB" --reference psp-1
t_match "admin deposit says what it did" "$T_OUT" "^Deposited 120.50 EUR into $A \\(simulated provider, reference psp-1, transaction T[A-Za-z0-9_-]+\\)"
t_match "admin deposit prints the new balance" "$T_OUT" 'Balance 120.50 EUR$'
t_run "admin deposit takes a handle and a currency without decimals" 0 \
	"$KONTORD" admin deposit @alice-iron 5000 JPY --db "$DB"
t_match "the JPY balance is whole yen" "$T_OUT" 'Balance 5000 JPY$'
KONTORD_DB="$DB" t_run "admin deposit reads \$KONTORD_DB" 0 "$KONTORD" admin deposit "$A" 0.25 EUR
t_match "the second EUR deposit adds up" "$T_OUT" 'Balance 120.75 EUR$'

api "$T_TMP/a.key" '["Wallet/get",{},"a2"]'
t_eq "signed Wallet/get answers 200" "$CODE" 200
t_match "the node sees the other process's deposits (EUR)" "$RESP" '"balances":\{"EUR":12075,"JPY":5000\}'
t_match "the wallet history is newest first" "$RESP" '"history":\[\{"txId":"T[A-Za-z0-9_-]+","kind":"deposit","currency":"EUR","amount":25,'
t_match "the history keeps the provider's reference" "$RESP" '"reference":"sim:psp-1"'
t_match "the wallet counts its history" "$RESP" '"historyTotal":3'
t_match "Wallet/get tells the ledger state" "$RESP" '"state":"3"'

# --- idempotency ----------------------------------------------------------------------------
t_run "a repeated reference exits 0" 0 "$KONTORD" admin deposit "$A" 120.50 EUR --db "$DB" --reference psp-1
t_match "a repeated reference posts nothing new" "$T_OUT" '^Reference psp-1 was already deposited'
t_match "the balance is unchanged by the repeat" "$T_OUT" 'Balance 120.75 EUR$'
t_run "the same reference with another amount is refused" 1 \
	"$KONTORD" admin deposit "$A" 99 EUR --db "$DB" --reference psp-1
t_match "the clash names the reference" "$T_ERR" "reference: 'sim:psp-1' was already posted"

# --- privacy ------------------------------------------------------------------------------------
api - '["Wallet/get",{},"0"]'
t_eq "anonymous Wallet/get answers 200 with a method error" "$CODE" 200
t_match "anonymous Wallet/get is forbidden" "$RESP" '\["error",\{"type":"forbidden","description":"Wallet objects are private'
api "$T_TMP/b.key" '["Wallet/get",{},"0"]'
t_match "another account sees only its own wallet" "$RESP" "\"list\":\\[\\{\"id\":\"W$B\",\"accountId\":\"$B\",\"balances\":\\{\\}"
t_nomatch "B never sees A's money" "$RESP" '12075|"JPY"'
t_match "B's wallet state says nothing of A's deposits" "$RESP" '"state":"0"'
api "$T_TMP/b.key" "[\"Wallet/get\",{\"ids\":[\"W$A\"]},\"0\"]"
t_match "A's wallet by id is notFound for B" "$RESP" "\"list\":\\[\\],\"notFound\":\\[\"W$A\"\\]"
t_run "B gets a deposit" 0 "$KONTORD" admin deposit "$B" 10 USD --db "$DB"
api "$T_TMP/b.key" '["Wallet/get",{"properties":["balances"]},"0"]'
t_match "B sees its own USD and only the asked properties" "$RESP" "\"list\":\\[\\{\"id\":\"W$B\",\"balances\":\\{\"USD\":1000\\}\\}\\]"
api "$T_TMP/a.key" '["Wallet/get",{},"a3"]'
t_nomatch "A does not see B's USD" "$RESP" '"USD"'

# --- what admin deposit refuses -------------------------------------------------------------
t_run "a bad currency is refused with exit 2" 2 "$KONTORD" admin deposit "$A" 10 EUX --db "$DB"
t_match "the bad currency is named" "$T_ERR" "CURRENCY: unknown currency 'EUX'"
t_run "a lower-case currency is refused" 2 "$KONTORD" admin deposit "$A" 10 eur --db "$DB"
t_run "a negative amount is refused with exit 2" 2 "$KONTORD" admin deposit "$A" -5 EUR --db "$DB"
t_match "the negative amount is named" "$T_ERR" 'AMOUNT: -5 is negative'
t_run "a zero amount is refused" 2 "$KONTORD" admin deposit "$A" 0.00 EUR --db "$DB"
t_match "zero is named" "$T_ERR" 'AMOUNT: a deposit must be more than zero'
t_run "a malformed amount is refused with exit 2" 2 "$KONTORD" admin deposit "$A" 12,50 EUR --db "$DB"
t_match "the malformed amount is named" "$T_ERR" 'AMOUNT: '
t_run "too many decimals are refused" 2 "$KONTORD" admin deposit "$A" 1.5 JPY --db "$DB"
t_match "the decimals are named" "$T_ERR" 'AMOUNT: 1.5: JPY has no decimal places'
t_run "an unknown account is refused with exit 1" 1 "$KONTORD" admin deposit "$C" 10 EUR --db "$DB"
t_match "the unknown account is named" "$T_ERR" "no account '$C' is registered on this node"
t_run "a missing operand is a usage error" 2 "$KONTORD" admin deposit "$A" 10 --db "$DB"
t_match "the usage error says what is needed" "$T_ERR" 'admin deposit needs ACCOUNT AMOUNT CURRENCY'
t_run "an unknown option of deposit is a usage error" 2 "$KONTORD" admin deposit "$A" 10 EUR --db "$DB" --bogus
t_run "admin deposit on a missing database fails" 1 "$KONTORD" admin deposit "$A" 10 EUR --db "$T_TMP/none.db"
t_match "the missing database is named" "$T_ERR" 'none.db'
t_run "admin attest without --country is a usage error" 2 "$KONTORD" admin attest "$A" --legal-name X --registration 1 --db "$DB"
t_match "admin attest says what it needs" "$T_ERR" 'admin attest needs --country CC'
t_run "admin resolve of an unknown order is refused (exit 1)" 1 "$KONTORD" admin resolve O1 --buyer-pct 50 --note x --db "$DB"
t_match "admin resolve names the order" "$T_ERR" 'no order O1 on this node'
t_run "admin carrier add without --account is a usage error" 2 "$KONTORD" admin carrier add DHL --db "$DB"
t_run "kontord help admin shows deposit" 0 "$KONTORD" help admin
t_match "the help names the synopsis" "$T_OUT" 'kontord admin deposit ACCOUNT AMOUNT CURRENCY'

api "$T_TMP/a.key" '["Wallet/get",{},"a4"]'
t_match "refused deposits changed nothing" "$RESP" '"balances":\{"EUR":12075,"JPY":5000\}'

t_node_stop
t_eq "kontord stops on SIGTERM with exit 0" "$STOP_RC" 0
t_match "the log line names Wallet/get" "$(cat "$T_TMP/serve.log")" 'POST /api Wallet/get 200'

t_done
