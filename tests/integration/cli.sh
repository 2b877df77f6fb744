#!/bin/sh
# The first commands end to end on real files: init, id show, listing add/show/edit/pause/
# resume/rm/list/export, search over the cache, outbox list, help, and the exit codes of
# DESIGN §9 for bad input (each of which must change nothing).
. "$(dirname "$0")/../lib.sh"

H="$T_TMP/seller"
k() { "$KONTOR" --home "$H" "$@"; }

t_run "version prints the version" 0 "$KONTOR" --version
t_match "version names kontor" "$T_OUT" '^kontor [0-9]+\.[0-9]+'
t_run "help lists every command group" 0 "$KONTOR" --help
t_match "help names listing add" "$T_OUT" 'listing add'
t_match "help names search" "$T_OUT" 'search'
t_run "help COMMAND shows its usage" 0 "$KONTOR" help listing add
t_match "listing add help names --price" "$T_OUT" '--price AMOUNT'
t_match "help says an ID takes what she knows too" "$("$KONTOR" --help)" 'an ID it takes what you know too: one of your SKUs, a$'
t_match "so does the help of a command that takes one" "$("$KONTOR" help order ship)" 'listing.s title, an @handle or a name, or their start'
t_match "and of its group" "$("$KONTOR" help order)" '^contract the other party .`kontor order ship @buyer` ships the one you can ship)$'
t_nomatch "not the help of one that takes none" "$("$KONTOR" help node add)" 'what you know'
t_nomatch "nor of one whose option's value has ID in it (--tax-id SCHEME:ID)" "$("$KONTOR" help id edit)" 'what you know'
t_run "unknown command is a usage error" 2 "$KONTOR" --home "$H" frobnicate
t_match "unknown command names it" "$T_ERR" "unknown command 'frobnicate'"
t_nomatch "a word near no command gets no suggestion" "$T_ERR" 'did you mean'
t_run "an unknown global option is a usage error" 2 "$KONTOR" --home "$H" --bogus listing list
t_eq "named as an option, not a command" "$T_ERR" "kontor: unknown option '--bogus' (the global options: --home, --node, --json, -q, -v, --passphrase-file, --help, --version)"
t_run "-q and -v together is a usage error, not the last one winning" 2 "$KONTOR" --home "$H" -q listing list --verbose
t_eq "saying they go one at a time" "$T_ERR" "kontor: -q (--quiet) and -v (--verbose) go one at a time"
t_run "-q twice is -q (then the command speaks: no home yet)" 1 "$KONTOR" --home "$H" -q --quiet listing list
t_match "the command ran" "$T_ERR" "no kontor home at"
t_run "a misspelt command is a usage error" 2 "$KONTOR" --home "$H" serch oak
t_match "a misspelt command gets the nearest name, as git does" "$T_ERR" "unknown command 'serch'; did you mean 'search'\\?"
t_run "two letters swapped" 2 "$KONTOR" --home "$H" lsiting add
t_match "two letters swapped: the nearest name" "$T_ERR" "did you mean 'listing'\\?"
t_run "a misspelt subcommand is a usage error" 2 "$KONTOR" --home "$H" order shp X
t_match "a misspelt subcommand gets the nearest subcommand" "$T_ERR" "unknown subcommand 'shp'; did you mean 'ship'\\?"
t_run "--help after a command's arguments shows that command's usage" 0 "$KONTOR" order ship "Kệ treo" --carrier MAEU --help
t_match "--help after arguments: the usage of order ship" "$T_OUT" '^usage: kontor order ship '
t_run "--help after one argument" 0 "$KONTOR" contract sign @berlin --help
t_match "--help after one argument: the usage of contract sign" "$T_OUT" '^usage: kontor contract sign '
t_run "help with a command's arguments after it" 0 "$KONTOR" help order event 02Rw
t_match "help with arguments: the usage of order event" "$T_OUT" '^usage: kontor order event '
t_run "help of a group and a word that names none of it" 2 "$KONTOR" help order frob
t_match "says which words name no command" "$T_ERR" "no command 'order frob'"
t_run "help --json" 0 "$KONTOR" help --json
t_eq "help --json: one JSON object per command" "$(printf '%s\n' "$T_OUT" | grep -c '^{"command":')" \
	"$(printf '%s\n' "$T_OUT" | wc -l | tr -d ' ')"
t_match "help --json names listing add with its usage" "$T_OUT" '^\{"command":"listing add","usage":"--title T'
t_run "--help --json" 0 "$KONTOR" --help --json
t_match "--help --json is JSON too" "$T_OUT" '^\{"command":"init"'
t_run "help order pay --json" 0 "$KONTOR" --json help order pay
t_match "one command's JSON carries its help text" "$T_OUT" '^\{"command":"order pay",.*"help":'

# --- init -------------------------------------------------------------------
t_run "a command before init says to run init" 1 k id show
t_match "missing home message says kontor init" "$T_ERR" 'kontor init'
t_run "init refuses an unknown country" 2 k init --name "Acme" --country XX --no-passphrase
t_match "unknown country is named" "$T_ERR" "XX"
[ ! -e "$H/identity.key" ] && t_ok "refused init wrote no key" || t_fail "refused init wrote no key" "key exists"
t_run "init refuses a bad role" 2 k init --name "Acme" --country DE --role pirate --no-passphrase
t_run "init without any passphrase source fails" 1 env -u KONTOR_PASSPHRASE "$KONTOR" --home "$H" init --name Acme --country DE </dev/null
[ ! -e "$H/identity.key" ] && t_ok "init without passphrase wrote no key" || t_fail "init without passphrase wrote no key" "key exists"

export KONTOR_PASSPHRASE="correct horse battery staple"
t_run "init with a passphrase creates the identity" 0 k init --name "Shenzhen Iron Works" --country CN --legal-name "Shenzhen Iron Works Co., Ltd." --role supplier
t_match "init prints the account id" "$T_OUT" 'Created identity [A-Za-z0-9_-]{43}'
t_match "init says the key is encrypted" "$T_OUT" '\(encrypted\)'
mode=$(stat -c %a "$H/identity.key")
t_eq "identity.key has mode 600" "$mode" "600"
t_nomatch "identity.key does not hold the passphrase" "$(od -c "$H/identity.key" | tr -d ' \n')" 'correcthorse'
t_run "init twice is refused" 1 k init --name X --country DE
t_match "second init says it exists" "$T_ERR" 'already exists'

t_run "id show needs no passphrase" 0 env -u KONTOR_PASSPHRASE "$KONTOR" --home "$H" id show
t_match "id show prints the handle" "$T_OUT" '@shenzhen-iron-works'
t_match "id show names the country" "$T_OUT" 'CN \(China\)'
t_run "id show --json is JSON" 0 k id show --json
ID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_match "id show --json gives the id" "$ID" '^[A-Za-z0-9_-]{43}$'

# --- listing add and its refusals ----------------------------------------------
t_run "listing add with a wrong passphrase fails" 1 env KONTOR_PASSPHRASE=wrong "$KONTOR" --home "$H" listing add --title "Iron table legs" --price 12.50 --currency USD
t_match "wrong passphrase is said plainly" "$T_ERR" 'wrong passphrase'
t_run "listing add refuses a title of spaces only" 2 k listing add --title "   " --price 12 --currency USD
t_match "saying it is blank" "$T_ERR" 'title: must not be blank \(spaces only\)$'
t_run "listing add refuses an unknown currency" 2 k listing add --title "Legs" --price 12 --currency USX
t_match "unknown currency is named" "$T_ERR" "USX"
t_run "listing add refuses a negative price" 2 k listing add --title "Legs" --price -5 --currency USD
t_match "negative price is explained" "$T_ERR" 'negative'
t_run "listing add refuses a price of nothing (exit 2)" 2 k listing add --title "Legs" --price 0 --currency USD
t_match "saying it gives the goods away" "$T_ERR" '^kontor: --price: 0\.00 USD from 1 up gives the goods away \(a price is above 0\)$'
t_run "listing add refuses a quantity break dearer than the price below it" 2 k listing add --title "Legs" --price 12 --currency USD --moq 10 --tier 100:13
t_match "naming both prices and where they start" "$T_ERR" '^kontor: --tier: 13\.00 USD from 100 up is dearer than 12\.00 from 10 up \(a break lowers the price\)$'
t_run "and two quantity breaks from the same quantity" 2 k listing add --title "Legs" --price 12 --currency USD --tier 100:11 --tier 100:10
t_match "saying which quantity" "$T_ERR" '^kontor: --tier: two prices from 100 up'
t_run "and a break below the MOQ, which no buyer reaches" 2 k listing add --title "Legs" --price 10 --currency USD --moq 20 --tier 10:9
t_eq "saying so, not that a price is dearer" "$T_ERR" 'kontor: --tier 10:9: from 10 is below the MOQ of 20 (a break starts above the MOQ; --price is the price from it)'
t_run "listing add refuses yen with decimals" 2 k listing add --title "Legs" --price 12.5 --currency JPY
t_run "listing add refuses an unknown origin" 2 k listing add --title "Legs" --price 12 --currency USD --origin QQ
t_run "and an unknown ships-from, as a usage error too" 2 k listing add --title "Legs" --price 12 --currency USD --ships-from QQ
t_match "naming the option" "$T_ERR" "--ships-from: shipsFrom: unknown country 'QQ'"
t_run "listing add without a title is a usage error" 2 k listing add --price 12 --currency USD
t_run "listing add with an unknown option is a usage error" 2 k listing add --title T --price 1 --currency USD --colour red
t_run "refused adds queued only the account" 0 k outbox list --json
t_eq "outbox holds one entry after refusals" "$(printf '%s\n' "$T_OUT" | grep -c '"method"')" "1"

t_run "listing add queues a signed listing (exit 4)" 4 k listing add --sku TL-71 \
	--title "铁艺桌腿 Iron table legs, black, 71 cm" --price 12.50 --currency USD --moq 10 \
	--tier 100:11.00 --tier 500:9.80 --hs-code 940390 --origin CN --ships-from CN \
	--lead-days 14 --incoterm FOB,EXW --tag furniture --tag metal --category furniture
t_match "add reports the listing by her SKU, then its id" "$T_OUT" '^added TL-71 \(listing L[A-Za-z0-9_-]{22}\), queued$'
t_match "add says it is queued" "$T_ERR" 'queued'
t_run "listing export of her one listing" 0 k listing export
t_eq "says so in the singular" "$T_ERR" "1 listing exported"
printf 'Powder-coated steel.\nFits all tables.\n' >"$T_TMP/desc.txt"
t_run "listing add reads the description from @FILE" 4 k listing add --sku LED-5M --title "LED strip 5 m warm white" --price 3.20 --currency EUR --description @"$T_TMP/desc.txt" --origin CN --json
t_match "add --json says queued" "$T_OUT" '"status":"queued"'
t_match "a listing that does not say ships from your country" "$(k listing show LED-5M --json)" '"shipsFrom":"CN"'
t_run "listing add in yen" 4 k listing add --sku CUP-1 --title "有田焼 コーヒーカップ" --price 1200 --currency JPY --origin JP --ships-from JP
t_match "and from where --ships-from says" "$(k listing show CUP-1 --json)" '"shipsFrom":"JP"'
t_run "listing add with the same sku is refused" 1 k listing add --sku TL-71 --title "again" --price 1 --currency USD
t_match "duplicate sku points to edit" "$T_ERR" 'listing edit'

t_run "listing show by sku" 0 k listing show TL-71
t_match "show prints the tiers" "$T_OUT" 'USD 11.00 / piece  from 100'
t_match "show checks the signature" "$T_OUT" 'signature: valid'
t_match "show gives the lead time it says" "$T_OUT" '^lead time: 14 days$'
t_match "and says when a listing says none, not 0 days" "$(k listing show CUP-1)" '^lead time: not said$'
t_match "show prints yen without decimals" "$(k listing show CUP-1)" 'JPY 1,200 / piece'
t_run "listing show --json" 0 k listing show TL-71 --json
t_match "show --json has priceTiers" "$T_OUT" '"priceTiers":\[\{"minQty":10,"unitPrice":1250\}'
t_run "listing show of an unknown SKU: none matched (exit 2)" 2 k listing show NOPE
t_match "it says so" "$T_ERR" "no listing in the cache matches 'NOPE'"

# --- search -------------------------------------------------------------------
t_run "search finds a 2-character Chinese word inside a title" 0 k search 桌腿
t_match "search 桌腿 finds 铁艺桌腿" "$T_OUT" '铁艺桌腿'
t_run "search finds a Japanese word" 0 k search コーヒー
t_match "search コーヒー finds the cup" "$T_OUT" 'コーヒーカップ'
t_run "search by an English word" 0 k search led strip
t_match "search led strip finds the strip" "$T_OUT" 'LED strip'
t_nomatch "search led strip leaves out the legs" "$T_OUT" 'table legs'
t_run "search with a country filter" 0 k search --country JP --json
t_match "country filter keeps JP" "$T_OUT" 'コーヒーカップ'
t_nomatch "country filter drops CN" "$T_OUT" 'LED strip'
t_run "search with a price ceiling" 0 k search --max-price 12.49 --currency USD --json
t_nomatch "price ceiling drops legs whose MOQ of 10 costs 12.50 (best tier 9.80)" "$T_OUT" 'table legs'
t_run "search with a ceiling at the price at the MOQ" 0 k search --max-price 12.50 --currency USD --json
t_match "price ceiling keeps the legs at 12.50" "$T_OUT" 'table legs'
t_run "search shows the price at the MOQ" 0 k search legs
t_match "the price at the MOQ, and from the best tier" "$T_OUT" 'USD +12\.50 from 9\.80'
t_run "search --max-price without --currency is a usage error" 2 k search --max-price 10
t_run "search --incoterm FOB" 0 k search --incoterm FOB --json
t_match "incoterm filter keeps the FOB listing" "$T_OUT" 'table legs'
t_nomatch "incoterm filter drops the others" "$T_OUT" 'LED'
t_run "search --max-moq 5 drops the MOQ-10 legs" 0 k search --max-moq 5 --json
t_nomatch "max-moq drops legs" "$T_OUT" 'table legs'
t_run "search --sort price" 0 k search --sort price --currency USD --json
t_run "search --sort bogus is a usage error" 2 k search --sort bogus
t_run "search with FTS syntax in the words is harmless" 0 k search -- '"' 'OR' '*' 'NEAR(' '-x'

# --- edit, pause, resume, rm, list, export ---------------------------------------
t_run "listing edit changes the price" 4 k listing edit TL-71 --price 12.00
T_OUT=$(k listing show TL-71)
t_match "edit shows the new price" "$T_OUT" 'USD 12.00 / piece  from 10'
t_match "edit of the price keeps the quantity breaks" "$T_OUT" 'USD 9.80 / piece  from 500'
t_run "listing edit changes a quantity break" 4 k listing edit TL-71 --tier 100:10.50 --tier 500:9.80
t_match "and says the prices before and after" "$T_OUT" '^updated TL-71: prices 12\.00, 11\.00 from 100, 9\.80 from 500 -> 12\.00, 10\.50 from 100, 9\.80 from 500 USD \(listing L'
t_run "a new MOQ past a break: each quantity keeps its price" 4 k listing edit TL-71 --moq 200
t_match "the first price is now what 200 cost, the break at 100 gone into it" "$T_OUT" '^updated TL-71: prices 12\.00, 10\.50 from 100, 9\.80 from 500 -> 10\.50, 9\.80 from 500 USD; MOQ 10 -> 200 \(listing L'
t_match "shown from the MOQ" "$(k listing show TL-71)" 'USD 10.50 / piece  from 200'
t_run "a lower MOQ: the first price comes down to it, unchanged" 4 k listing edit TL-71 --moq 10
t_match "nothing said of the prices, whose words are the same" "$T_OUT" '^updated TL-71: MOQ 200 -> 10 \(listing L'
t_match "the first price from 10" "$(k listing show TL-71)" 'USD 10.50 / piece  from 10$'
t_run "a break below the MOQ is refused on an edit too" 2 k listing edit TL-71 --tier 5:11
t_run "the prices as they were" 4 k listing edit TL-71 --price 12.00 --tier 100:10.50 --tier 500:9.80
t_run "listing edit of the origin, where it ships from and the unit" 4 k listing edit TL-71 --origin VN --ships-from vn --unit SET
t_match "says each, before and after" "$T_OUT" '^updated TL-71: unit C62 -> SET; origin CN -> VN; ships from CN -> VN \(listing L'
t_run "and back" 4 k listing edit TL-71 --origin CN --ships-from CN --unit C62
t_run "an edit that changes nothing says so, and sends nothing (exit 0)" 0 k listing edit TL-71 --origin CN
t_match "as it was" "$T_ERR" '^TL-71 is as it was: nothing changed, nothing sent \(listing L'
t_run "listing edit with nothing to change" 2 k listing edit TL-71
t_run "listing edit cannot change the sku" 2 k listing edit TL-71 --sku OTHER
t_run "listing pause" 4 k listing pause LED-5M
t_match "pause says what it means, by her SKU" "$T_OUT" '^paused LED-5M: out of search until resumed \(listing L[A-Za-z0-9_-]{22}\), queued$'
t_run "pausing it again" 0 k listing pause LED-5M
t_match "says it already is, by her SKU" "$T_ERR" '^LED-5M is already paused \(listing L[A-Za-z0-9_-]{22}\)$'
t_run "paused listings leave search" 0 k search led strip
t_nomatch "paused LED strip not found" "$T_OUT" 'LED strip'
t_run "listing resume" 4 k listing resume LED-5M
t_match "resume says it is back in search" "$T_OUT" '^resumed LED-5M: in search again \(listing L[A-Za-z0-9_-]{22}\), queued$'
t_match "resumed listing is found again" "$(k search led strip)" 'LED strip'
t_run "listing list shows own listings" 0 k listing list
t_match "list has TL-71" "$T_OUT" 'TL-71'
t_run "listing export csv" 0 k listing export
t_match "export csv has the header" "$T_OUT" '^sku,title,description,category,tags,currency,price,tiers,moq'
t_eq "export says how many on standard error" "$T_ERR" "3 listings exported"
t_match "export csv has the tiers" "$T_OUT" '100:10.50\|500:9.80'
t_match "export csv quotes the multi-line description" "$T_OUT" '"Powder-coated steel.'
t_run "listing export jsonl" 0 k listing export --format jsonl
t_eq "jsonl has one line per listing" "$(printf '%s\n' "$T_OUT" | grep -c '"sig"')" "3"
t_run "listing export --json" 0 k listing export --json
t_match "listing export --json writes JSON lines, not CSV" "$T_OUT" '^\{"'
t_nomatch "listing export --json has no CSV header" "$T_OUT" '^sku,title'
t_run "listing export --json --format csv is a usage error" 2 k listing export --json --format csv
t_run "listing export --format xml is a usage error" 2 k listing export --format xml
t_run "listing rm" 4 k listing rm CUP-1
t_run "removed listing is gone (its SKU names nothing: exit 2)" 2 k listing show CUP-1
t_nomatch "removed listing not in search" "$(k search --json)" 'CUP-1'

# --- outbox -------------------------------------------------------------------------
t_run "outbox list --json" 0 k outbox list --json
t_eq "outbox counts every action" "$(printf '%s\n' "$T_OUT" | grep -c '"method"')" "14"
t_match "outbox keeps the destroy" "$T_OUT" '"op":"destroy"'
t_run "outbox list as a table" 0 k outbox
t_match "outbox table header" "$T_OUT" 'SEQ'

# --- an account id may start with '-' (one in 64 do) ---------------------------------
DASHID="-$(printf 'A%.0s' $(seq 1 42))"
t_run "an id starting with '-' is an argument, not an option (not found, exit 1)" 1 k order show "$DASHID"
t_match "the order is looked for" "$T_ERR" "no order $DASHID in the cache"
t_nomatch "it is not called an unknown option" "$T_ERR" 'unknown option'
t_run "a real unknown short option is still a usage error" 2 k listing show -x

# --- global options after the command ---------------------------------------------
t_run "global options may follow the command" 0 "$KONTOR" listing list --json --home "$H"
t_match "trailing --json works" "$T_OUT" '"sku":"TL-71"'

# --- a tampered cache: verification fails with exit 5 -------------------------------
sqlite3 "$H/cache.db" "UPDATE listing_json SET json = replace(json, 'LED strip', 'LED strlp') WHERE rid = (SELECT rid FROM listings WHERE sku = 'LED-5M');" || t_fail "tamper the cache" "sqlite3 failed"
t_run "a tampered listing fails verification (exit 5)" 5 k listing show LED-5M
t_match "tampered listing names the signature" "$T_ERR" 'signature'

# --- a newer cache is refused -------------------------------------------------------
sqlite3 "$H/cache.db" "PRAGMA user_version = 999;"
t_run "a cache from a newer kontor is refused" 1 k listing list
t_match "newer cache message" "$T_ERR" 'newer kontor'

t_done
