#!/bin/sh
# kontord's command line end to end: --help/--version, usage errors (exit 2, nothing
# written), init (database and a 0600 key, never twice), the init hint for a missing
# database, seed, the loopback rule of --plain-http, and serve over TLS with a test CA made
# here by openssl, answering curl --cacert on /healthz, stopped by PID.
. "$(dirname "$0")/../lib.sh"

D="$T_TMP/node"
mkdir -p "$D"
DB="$D/kontord.db"

# --- help and version ---------------------------------------------------------
t_run "--version prints the version" 0 "$KONTORD" --version
t_match "--version names kontord" "$T_OUT" '^kontord [0-9]+\.[0-9]+'
t_run "--help exits 0" 0 "$KONTORD" --help
t_match "--help names init" "$T_OUT" 'kontord init \[--db FILE\] \[--name NAME\]'
t_match "--help names serve" "$T_OUT" 'kontord serve .*--tls-cert PEM --tls-key PEM \| --plain-http'
t_match "--help names seed" "$T_OUT" 'kontord seed .*--listings N'
t_match "--help names every admin command" "$T_OUT" \
	'kontord admin deposit\|funding\|payouts\|disputes\|resolve\|release-due\|attest\|carrier \.\.\.$'
t_run "help admin" 0 "$KONTORD" help admin
t_match "help admin gives deposit's synopsis" "$T_OUT" '^kontord admin deposit ACCOUNT AMOUNT CURRENCY \[--reference R\] \[--db FILE\]$'
t_match "and resolve's" "$T_OUT" '^kontord admin resolve ORDER --buyer-pct N --note TEXT \[--db FILE\]$'
t_run "help admin resolve, as an operator asks, shows the admin commands' help" 0 "$KONTORD" help admin resolve
t_match "resolve's among them" "$T_OUT" '^kontord admin resolve ORDER --buyer-pct N --note TEXT \[--db FILE\]$'
t_run "help serve shows its options" 0 "$KONTORD" help serve
t_match "help serve names --rate-addr" "$T_OUT" "--rate-addr"
t_match "help serve names --threads" "$T_OUT" '--threads N'
t_run "seed --help shows seed's options" 0 "$KONTORD" seed --help
t_match "seed --help names --accounts" "$T_OUT" '--accounts N'

# --- usage errors: exit 2, one sentence, nothing written ------------------------
t_run "no command is a usage error" 2 "$KONTORD"
t_run "an unknown command is a usage error" 2 "$KONTORD" frobnicate
t_match "the unknown command is named" "$T_ERR" "unknown command 'frobnicate'"
t_run "an unknown option is a usage error" 2 "$KONTORD" init --db "$DB" --colour red
t_match "the unknown option is named" "$T_ERR" "unknown option '--colour'"
t_run "an option without its value is a usage error" 2 "$KONTORD" init --db
t_match "the missing value is said" "$T_ERR" '--db needs a value'
t_run "another command's option is a usage error" 2 "$KONTORD" init --db "$DB" --listings 5
t_match "the misplaced option is named" "$T_ERR" '--listings is not an option of init'
t_run "seed without --listings is a usage error" 2 "$KONTORD" seed --db "$DB"
t_run "seed --listings ten is a usage error" 2 "$KONTORD" seed --db "$DB" --listings ten
t_match "the bad number is quoted" "$T_ERR" "not 'ten'"
t_run "--listings=0 is a usage error" 2 "$KONTORD" seed --db "$DB" --listings=0
t_run "serve without TLS or --plain-http is a usage error" 2 "$KONTORD" serve --db "$DB"
t_match "serve says what it needs" "$T_ERR" '--tls-cert PEM and --tls-key PEM, or --plain-http'
t_run "serve with --plain-http on 0.0.0.0 is refused" 2 "$KONTORD" serve --db "$DB" --plain-http --listen 0.0.0.0:8080
t_match "the loopback rule is explained" "$T_ERR" 'only allowed on a loopback address'
t_run "serve with --plain-http on a LAN address is refused" 2 "$KONTORD" serve --db "$DB" --plain-http --listen=192.168.1.10:8080
t_run "serve with a malformed --listen is a usage error" 2 "$KONTORD" serve --db "$DB" --plain-http --listen 127.0.0.1
t_run "serve with a non-numeric --rate-addr is a usage error" 2 "$KONTORD" serve --db "$DB" --plain-http --listen 127.0.0.1:0 --rate-addr lots
t_match "rate-addr error names the option" "$T_ERR" "rate-addr"
t_run "admin attest without --country is a usage error" 2 "$KONTORD" admin attest ACCOUNT --legal-name N --db "$DB"
t_match "admin attest says what it needs" "$T_ERR" 'admin attest needs --country CC'
t_run "admin attest with a bad level is a usage error" 2 "$KONTORD" admin attest ACCOUNT --legal-name N --country DE --registration 1 --level castle --db "$DB"
t_match "the bad level is named" "$T_ERR" "--level is business or factory, not 'castle'"
t_run "admin carrier add with a bad account id is a usage error" 2 "$KONTORD" admin carrier add DHL --account nope --db "$DB"
t_match "the account option is named" "$T_ERR" '--account: '
t_run "admin carrier without add, list or rm is a usage error" 2 "$KONTORD" admin carrier --db "$DB"
[ ! -e "$DB" ] && t_ok "usage errors wrote no database" || t_fail "usage errors wrote no database" "$DB exists"

# --- a missing database -----------------------------------------------------------
t_run "seed on a missing database fails" 1 "$KONTORD" seed --db "$DB" --listings 5
t_match "the missing database says to run init" "$T_ERR" "^kontord: $DB: no such node database: run \`kontord init --db $DB\` first"
t_run "serve on a missing database fails" 1 env KONTORD_DB="$DB" "$KONTORD" serve --plain-http --listen 127.0.0.1:0
t_match "KONTORD_DB names the database" "$T_ERR" "$DB: no such node database"
[ ! -e "$DB" ] && t_ok "opening a missing database creates none" || t_fail "opening a missing database creates none" "$DB exists"

# --- init -----------------------------------------------------------------------
t_run "init creates the node" 0 "$KONTORD" init --db="$DB" --name "Test Node"
t_match "init names the node" "$T_OUT" "Created node 'Test Node' in $DB"
KEYID=$(printf '%s\n' "$T_OUT" | sed -n 's/^Node key id \([A-Za-z0-9_-]*\)$/\1/p')
t_match "init prints the node key id" "$KEYID" '^[A-Za-z0-9_-]{43}$'
[ -s "$DB" ] && t_ok "init wrote the database" || t_fail "init wrote the database" "no $DB"
t_eq "the node key has mode 600" "$(stat -c %a "$DB.key" 2>/dev/null)" "600"
t_run "a second init is refused" 1 "$KONTORD" init --db "$DB"

t_match "the second init says the database exists" "$T_ERR" "$DB already exists"
DASHID="-$(printf 'A%.0s' $(seq 1 42))"
t_run "an order id starting with '-' is an argument, not an option (exit 1, not 2)" 1 \
	"$KONTORD" admin resolve "$DASHID" --buyer-pct 50 --note test --db "$DB"
t_nomatch "it is not called an unknown option" "$T_ERR" 'unknown option'
D2="$T_TMP/other"
mkdir -p "$D2"
cp "$DB.key" "$D2/kontord.db.key"
t_run "init refuses a key left without its database" 1 sh -c "cd '$D2' && '$KONTORD' init"
t_match "the leftover key is named" "$T_ERR" 'kontord.db.key already exists'
rm -f "$D2/kontord.db.key"
t_run "init without --db uses ./kontord.db" 0 env -u KONTORD_DB sh -c "cd '$D2' && '$KONTORD' init --name Default"
[ -s "$D2/kontord.db" ] && [ -s "$D2/kontord.db.key" ] && t_ok "./kontord.db and its key exist" || t_fail "./kontord.db and its key exist" "missing"
chmod 644 "$D2/kontord.db.key"
t_run "a node key readable by others is refused" 1 "$KONTORD" seed --db "$D2/kontord.db" --listings 1
t_match "the loose key says chmod 600" "$T_ERR" 'chmod 600'

# --- seed -------------------------------------------------------------------------
t_run "seed -q fills a small database quietly" 0 "$KONTORD" seed --db "$DB" --listings 300 --seed 5 -q
t_eq "seed -q prints nothing" "$T_OUT$T_ERR" ""
t_run "seed reports what it did" 0 "$KONTORD" seed --db "$DB" --listings 300 --seed=5 --accounts 80
t_match "seed names the count and seed" "$T_OUT" 'Seeded 300 listings \(seed 5\)'

# --- serve over TLS ---------------------------------------------------------------
# A CA and a node certificate for 127.0.0.1, made fresh for this run.
t_make_ca "$T_TMP" && t_ok "openssl made a test CA and node certificate" ||
	t_fail "openssl made a test CA and node certificate" "$(tail -n 3 "$T_TMP/openssl.log")"

t_run "serve refuses a missing certificate file" 1 "$KONTORD" serve --db "$DB" --tls-cert "$T_TMP/nope.pem" --tls-key "$T_TMP/node.key" --listen 127.0.0.1:0
t_match "the missing certificate is named" "$T_ERR" 'nope.pem'

t_node_start "$T_TMP/serve-tls.log" --tls-cert "$T_TMP/node.pem" --tls-key "$T_TMP/node.key" --threads 2
t_match "serve with TLS says where it listens" "$PORT" '^[0-9]+$'
if [ -n "$PORT" ]; then
	URL="https://127.0.0.1:$PORT"
	t_run "curl --cacert reaches /healthz" 0 curl -sS --max-time 10 --cacert "$T_TMP/ca.pem" -o "$T_TMP/healthz" -w '%{http_code}' "$URL/healthz"
	t_eq "/healthz answers 200" "$T_OUT" "200"
	t_run "curl without the test CA refuses the certificate" 60 curl -sS --max-time 10 -o /dev/null "$URL/healthz"
	t_run "/.well-known/kontor answers over TLS" 0 curl -sS --max-time 10 --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor"
	t_match "the session publishes the node key" "$T_OUT" "$KEYID"
	t_nomatch "and no funding before the operator sets it" "$T_OUT" '"funding"'
	t_run "admin funding with nothing set" 0 "$KONTORD" admin funding --db "$DB"
	t_match "says none is set, and how to set it" "$T_ERR" 'no funding instructions are set \(admin funding TEXT sets them\)'
	t_run "admin funding sets the words while the node serves" 0 "$KONTORD" admin funding \
		"Überweisung an DE89 3704 0044 0532 0130 00, Verwendungszweck: Ihre Konto-ID" --db "$DB"
	t_run "/.well-known/kontor again" 0 curl -sS --max-time 10 --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor"
	t_match "the session says them at once" "$T_OUT" '"funding":"Überweisung an DE89 3704 0044 0532 0130 00, Verwendungszweck: Ihre Konto-ID"'
	t_run "admin funding prints them" 0 "$KONTORD" admin funding --db "$DB"
	t_eq "as set" "$T_OUT" "Überweisung an DE89 3704 0044 0532 0130 00, Verwendungszweck: Ihre Konto-ID"
	t_run "two lines are refused (exit 2)" 2 "$KONTORD" admin funding "$(printf 'IBAN\nref')" --db "$DB"
	t_match "naming the byte" "$T_ERR" 'TEXT is one line without control characters \(byte 5 is 0x0a\)'
	t_run "over 500 bytes is refused (exit 2)" 2 "$KONTORD" admin funding "$(head -c 501 /dev/zero | tr '\0' x)" --db "$DB"
	t_run "invalid UTF-8 is refused (exit 2)" 2 "$KONTORD" admin funding "$(printf 'IBAN \377')" --db "$DB"
	t_run "TEXT and --clear together are refused (exit 2)" 2 "$KONTORD" admin funding x --clear --db "$DB"
	t_run "an option of another admin command is refused (exit 2)" 2 "$KONTORD" admin funding x --note y --db "$DB"
	t_run "the words are as they were" 0 "$KONTORD" admin funding --db "$DB"
	t_match "after the refusals" "$T_OUT" '^Überweisung an DE89'
	t_run "admin funding --clear" 0 "$KONTORD" admin funding --clear --db "$DB"
	t_run "/.well-known/kontor after --clear" 0 curl -sS --max-time 10 --cacert "$T_TMP/ca.pem" "$URL/.well-known/kontor"
	t_nomatch "no funding any more" "$T_OUT" '"funding"'
	if curl -s --max-time 10 -o /dev/null "http://127.0.0.1:$PORT/healthz"; then
		t_fail "plain HTTP to the TLS port gets no answer" "curl succeeded"
	else
		t_ok "plain HTTP to the TLS port gets no answer"
	fi
fi
t_node_stop
t_eq "serve stops on SIGTERM with exit 0" "$STOP_RC" "0"
t_match "serve says it stops" "$(cat "$T_TMP/serve-tls.log")" 'SIGTERM: stopping'
t_match "serve logs one line per request" "$(cat "$T_TMP/serve-tls.log")" 'healthz'

t_node_start "$T_TMP/serve-plain.log" --plain-http
t_match "serve --plain-http on 127.0.0.1 starts" "$PORT" '^[0-9]+$'
if [ -n "$PORT" ]; then
	t_run "plain HTTP reaches /healthz on loopback" 0 curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz"
	t_eq "/healthz over plain HTTP answers 200" "$T_OUT" "200"
fi
t_node_stop
t_eq "serve --plain-http stops on SIGTERM with exit 0" "$STOP_RC" "0"

t_done
