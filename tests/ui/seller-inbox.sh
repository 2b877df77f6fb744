#!/bin/sh
# The seller's day in the terminal UI, against a live kontord over TLS, in tmux at 100x30
# and 80x24: the TUI opens on the Inbox when an offer waits for her; Enter on it reaches the
# contract; c counters it through the form (the real `contract counter`), and the buyer sees
# the counter after his sync; once he signed and paid, the Inbox (kept current by /events
# while she presses nothing) lists the payment and a deposit, the Orders head shows her
# balance, w shows the wallet with the payment held in escrow and the deposit, and looking
# at it takes the money off the Inbox; after she ships, e on the order picks a DCSA event
# in words that the buyer's `kontor track` shows. With nothing waiting it opens on Search.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null
unset NO_COLOR KONTOR_PASSPHRASE VISUAL KONTOR_NOTIFY_COMMAND

trade_node "Seller Inbox Node" "kontord is up"
trade_party_np seller ks "Hoa Phat Iron Art" VN supplier
trade_party_np buyer kb "Berlin Interiors GmbH" DE buyer
SID=$(party_id ks)
BID=$(party_id kb)
t_run "seller lists table legs" 0 ks listing add --sku U720-BK --title "Iron table legs, black, 72 cm" \
	--price 11.50 --currency USD --moq 10 --origin VN --category "Table legs"
trade_find iron table legs
t_run "buyer proposes 100 legs" 0 kb contract propose --listing "$LID" --qty 100 --incoterm FOB \
	--place "Hai Phong" --json
KID=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
t_run "seller syncs" 0 ks sync

# 0. At 80x24 the offer's head names the buyer whole, says the check, and keeps the keys.
printf '%s\n' '<Enter>' ":dump $T_TMP/d0-contract-80" :quit >"$T_TMP/s0"
ui "$S" 80x24 "$T_TMP/s0"
D=$(sed -n 2,3p "$T_TMP/d0-contract-80")
t_match "at 80 columns the contract's head names the buyer whole" "$D" \
	'^Contract [A-Za-z0-9_-]{12}…  offer waiting for me  with Berlin Interiors GmbH$'
t_match "at 80 columns the head says the signatures check out, and the keys S and c" "$D" \
	'^signatures and hashes all verified   S signs · c counters · d diff · q back$'

# 1. The offer waits: the Inbox first; Enter, the contract; c, the form; a new price; sent.
cat >"$T_TMP/s1" <<EOF
:dump $T_TMP/d1-first
<Enter>
:dump $T_TMP/d1-contract
c
:dump $T_TMP/d1-form
<Enter>
:dump $T_TMP/d1-price-ask
<C-u>10.90<Enter>
:dump $T_TMP/d1-form2
G<Enter>
:dump $T_TMP/d1-confirm
y
$(settle)
:dump $T_TMP/d1-sent
6
:dump $T_TMP/d1-inbox-after
:quit
EOF
ui "$S" 100x30 "$T_TMP/s1"
D=$(cat "$T_TMP/d1-first")
t_match "with an offer waiting, the TUI opens on the Inbox" "$D" 'Inbox \(1 waiting\)'
t_match "the Inbox is the sixth tab, shown as the current one" "$(head -n 1 "$T_TMP/d1-first")" '6 Inbox'
t_nomatch "no word on it of the Search tab's results, which she has not seen" "$D" 'shown of'
t_match "the offer's row says its key (S sign) and who offers" "$D" '^> .*offer +S sign +offer [A-Za-z0-9_-]{8}… from Berlin Interiors GmbH: 100 pieces ×'
t_match "Enter on it reaches the contract (as a document)" "$(cat "$T_TMP/d1-contract")" 'offer waiting for me|Contract'
t_match "the contract's head names its keys, c among them" "$(cat "$T_TMP/d1-contract")" 'S signs · c counters · d diff · q back'
D=$(cat "$T_TMP/d1-form")
t_match "c opens the counter form on that contract" "$D" 'Counter-offer on contract'
t_match "the form holds the offer's unit price" "$D" '^> +Unit price +11\.50 USD +same'
t_match "the form holds the quantity" "$D" '^  Quantity +100 +same$'
t_match "the form has the variant: none for a listing without them" "$D" '^  Variant +- +same$'
t_match "the form holds the Incoterm and its place" "$D" '^  Incoterm +FOB +same$'
t_match "the form holds the place" "$D" '^  Named place +Hai Phong +same$'
t_match "the form has the ship-by date" "$D" '^  Ship by +20[0-9]{2}-[0-9]{2}-[0-9]{2} +same$'
t_match "the form has the deliver-by date" "$D" '^  Deliver by +20[0-9]{2}-[0-9]{2}-[0-9]{2} +same$'
t_match "the form has the deposit %: 0 for an offer with none (all before shipment)" "$D" '^  Deposit % +0 +same$'
t_match "the form ends with the send row" "$D" 'Send the counter-offer'
t_match "Enter on a term asks for it on the prompt row, filled in" "$(cat "$T_TMP/d1-price-ask")" 'Unit price \(.*\): 11\.50'
t_match "the changed term shows what it was" "$(cat "$T_TMP/d1-form2")" 'Unit price +10\.90 USD +was 11\.50'
t_match "sending asks once, naming the change, ending with its keys" "$(cat "$T_TMP/d1-confirm")" 'Unit price 11\.50 -> 10\.90.*y/n'
t_match "after it the contract waits for the buyer" "$(cat "$T_TMP/d1-sent")" 'waiting for them'
t_nomatch "the offer left the Inbox once countered" "$(cat "$T_TMP/d1-inbox-after")" 'waiting for your signature'
t_match "the Inbox says nothing waits" "$(cat "$T_TMP/d1-inbox-after")" 'Inbox \(0 waiting\)'

t_run "buyer syncs" 0 kb sync
t_run "buyer's inbox" 0 kb inbox
t_match "the buyer sees the counter waiting for his signature" "$T_OUT" 'waiting for your signature'
t_run "buyer's contract list" 0 kb contract list
t_match "the contract is countered" "$T_OUT" 'countered'
t_run "buyer shows the contract" 0 kb contract show "$KID"
t_match "at the countered price: 100 x 10.90 = 1,090.00 USD" "$T_OUT" '1,?090\.00'

t_run "buyer signs the counter" 0 kb contract sign "$KID"
ORDER=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
[ -n "$ORDER" ] && t_ok "the counter is binding: an order" || t_fail "the counter is binding" "$T_OUT"
t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" 2000 USD --db "$DB"
t_run "buyer syncs again" 0 kb sync
t_run "buyer pays the order" 0 kb order pay "$ORDER"

# 2. Live, at 80x24: the payment waits (ship it); a deposit comes while she presses nothing.
t_run "seller syncs: the payment" 0 ks sync
printf 'set sync-interval 0\n' >"$T_TMP/live.conf"
tm_start live 80x24 "KONTOR_CONFIG=$T_TMP/live.conf KONTOR_HOME=$S TERM=screen-256color $KONTOR tui; echo TUI-EXIT \$?; sleep 60"
wait_for 'synced just now' && t_ok "the seller's TUI syncs" || t_fail "the seller's TUI syncs" "$(cat "$T_TMP/pane")"
wait_for 'Inbox \(1 waiting\)' && t_ok "it opens on the Inbox: the paid order waits" || t_fail "it opens on the Inbox" "$(cat "$T_TMP/pane")"
t_match "the order's row: s ship, and the product to ship" "$(cat "$T_TMP/pane")" '^> .* order +s ship +order [A-Za-z0-9_-]{8}… "Iron table legs, black, 72 cm["…]'
t_run "a deposit to the seller by kontord admin (another process)" 0 \
	"$KONTORD" admin deposit "$SID" 25 USD --db "$DB"
wait_for 'money +wallet .*deposit' && t_ok "after the sync /events started, the deposit is in the Inbox without a key" ||
	t_fail "the deposit reaches the Inbox" "$(cat "$T_TMP/pane")"
cp "$T_TMP/pane" "$T_TMP/d2-inbox"
t_match "and the status line says what came, once" "$(tail -n 1 "$T_TMP/d2-inbox")" '^ 1 new: 25\.00 USD deposit '
t_match "the Inbox fits 80 columns with its tab bar" "$(head -n 1 "$T_TMP/d2-inbox")" '6 Inbox'
t_match "the newest first: the deposit above the order" "$(sed -n 4p "$T_TMP/d2-inbox")" 'money +wallet +\+25\.00 USD arrived in your wallet: deposit'
t_match "the cursor stayed on the item it was on" "$(sed -n 5p "$T_TMP/d2-inbox")" '^> .* order +s ship'
tm send-keys g Enter
wait_for 'Wallet on node main' && t_ok "Enter on the money row opens the wallet" || t_fail "Enter on the money row opens the wallet" "$(cat "$T_TMP/pane")"
tm send-keys q
wait_for 'Inbox \(1 waiting\)' && t_ok "q goes back to the Inbox, the deposit gone from it once seen" ||
	t_fail "q back to the Inbox without the deposit" "$(cat "$T_TMP/pane")"
t_match "the order to ship still waits" "$(cat "$T_TMP/pane")" 'order +s ship'
tm send-keys 3
wait_for 'balance 25\.00 USD' && t_ok "the Orders head shows the balance (balance 25.00 USD)" ||
	t_fail "the Orders head shows the balance" "$(cat "$T_TMP/pane")"
tm send-keys w
wait_for 'History, newest first' && t_ok "w on the Orders tab opens the wallet" || t_fail "w opens the wallet" "$(cat "$T_TMP/pane")"
W=$(cat "$T_TMP/pane")
t_match "the wallet: the balance" "$W" '^ +25\.00 USD$'
t_match "the wallet: the buyer's payment held in escrow for her order" "$W" 'as seller +order [A-Za-z0-9_-]{8}… +1,090\.00 USD +yours once released'
t_match "under it what the order is: the product and the buyer, by name" "$W" '^ +Iron table legs, black, 72 cm, Berlin Interiors GmbH'
t_match "the wallet: the deposit in the history" "$W" 'deposit +\+25\.00 USD'
t_match "its head names w: withdraw" "$W" '^Wallet on node main   w withdraw · j/k scroll · q back$'
tm send-keys w
wait_for '^withdraw \(AMOUNT CURRENCY, or all CURRENCY\): all USD$' &&
	t_ok "w asks what to withdraw, all of what she holds put in" ||
	t_fail "w asks what to withdraw" "$(cat "$T_TMP/pane")"
tm send-keys C-u lots Enter
wait_for '^an amount and its currency \(100 USD\), or all and a currency$' &&
	t_ok "one word is asked again, saying what to type" || t_fail "asked again" "$(cat "$T_TMP/pane")"
tm send-keys C-u '10 usd' Enter
wait_for 'Withdraw 10 USD from the wallet, paid out to you\? \(y/n\)' &&
	t_ok "then a y/n names the money, the currency in capitals" || t_fail "the y/n" "$(cat "$T_TMP/pane")"
tm send-keys y
wait_for '^ +15\.00 USD$' && t_ok "yes: the wallet holds 15.00 USD once the node paid it out" ||
	t_fail "the wallet after the payout" "$(cat "$T_TMP/pane")"
wait_for 'payout +-10\.00 USD' && t_ok "and the payout is in its history" ||
	t_fail "the payout in the history" "$(cat "$T_TMP/pane")"
t_eq "the node's ledger paid 10.00 USD out of her wallet" "$(bal "wallet:$SID")" 1500
tm send-keys w
wait_for '^withdraw \(AMOUNT CURRENCY, or all CURRENCY\): all USD$' || true
tm send-keys Enter
wait_for 'Withdraw all your USD from the wallet, paid out to you\? \(y/n\)' &&
	t_ok "all: the y/n says all of it" || t_fail "the y/n of all" "$(cat "$T_TMP/pane")"
tm send-keys n
wait_for 'withdraw: nothing was sent' && t_ok "no: nothing is sent" || t_fail "no sends nothing" "$(cat "$T_TMP/pane")"
t_eq "the node's wallet is as it was" "$(bal "wallet:$SID")" 1500
tm send-keys q
wait_for 'Orders \(' && t_ok "q goes back to the Orders tab" || t_fail "q goes back to Orders" "$(cat "$T_TMP/pane")"
tm send-keys 6
wait_for 'Inbox \(' && t_ok "6 shows the Inbox" || t_fail "6 shows the Inbox" "$(cat "$T_TMP/pane")"
t_nomatch "the deposit stays off the Inbox" "$(cat "$T_TMP/pane")" 'deposit'
tm send-keys Q
wait_for 'TUI-EXIT 0' 50 && t_ok "Q leaves with status 0" || t_fail "Q leaves with status 0" "$(tail -n 3 "$T_TMP/pane")"
tm kill-server 2>/dev/null

t_run "seller ships" 0 ks order ship "$ORDER" --carrier Maersk --tracking MSKU1234567
t_run "seller syncs after shipping" 0 ks sync

# 3. Nothing waits: Search first. The order's e picks a DCSA event in words.
cat >"$T_TMP/s3" <<EOF
:dump $T_TMP/d3-first
6
:dump $T_TMP/d3-inbox
3
<Enter>
:dump $T_TMP/d3-order
e
:dump $T_TMP/d3-picker
j<Enter>
:dump $T_TMP/d3-where
Hai Phong<Enter>
:dump $T_TMP/d3-confirm
y
:dump $T_TMP/d3-added
$(settle)
:dump $T_TMP/d3-done
:quit
EOF
ui "$S" 80x24 "$T_TMP/s3"
t_match "with nothing waiting the TUI opens on Search" "$(sed -n 2p "$T_TMP/d3-first")" 'Search'
t_match "the Inbox says so" "$(cat "$T_TMP/d3-inbox")" 'Inbox \(0 waiting\)'
t_nomatch "the shipped order left the Inbox" "$(cat "$T_TMP/d3-inbox")" 's ship'
D=$(cat "$T_TMP/d3-picker")
t_match "e opens the event picker for the order" "$D" 'Shipment event for order'
t_match "codes in words: Arrival first, Departure next" "$D" '^> +ARRI +vessel +Arrival'
t_match "with DCSA's description" "$D" 'DEPA +vessel +Departure'
t_match "container events follow" "$D" 'LOAD +container +Load'
t_match "Enter asks where" "$(cat "$T_TMP/d3-where")" 'Departure: where \(optional, Enter skips\):'
t_match "the y/n names the event, place and order" "$(cat "$T_TMP/d3-confirm")" 'Add "Departure" \(DEPA\) at Hai Phong to order .*y/n'
t_match "after it the order's timeline shows the departure" "$(cat "$T_TMP/d3-done")" 'Depart|DEPA'
t_match "the event's outcome is whole on the prompt rows" "$(sed '$d' "$T_TMP/d3-added" | tail -n 4 | tr '\n' ' ')" \
	"order $ORDER: 1 event added \\(0 already there\\).* — sending in the background"

t_run "buyer syncs for the event" 0 kb sync
t_run "buyer tracks the order" 0 kb track "$ORDER"
t_match "the buyer's track shows the departure from Hai Phong" "$T_OUT" '[Dd]epart.*Hai Phong'

# 4. An RFQ of her category waits: Enter reaches it on the RFQs tab, where Q quotes.
t_run "buyer posts an RFQ for table legs" 0 kb rfq post --title "Black table legs 72 cm" \
	--qty 500 --currency USD --target-price 10.50 --destination DE --category "Table legs"
t_run "seller syncs: the RFQ" 0 ks sync
cat >"$T_TMP/s4" <<EOF
:dump $T_TMP/d4-first
<Enter>
:dump $T_TMP/d4-rfq
q
:dump $T_TMP/d4-back
:quit
EOF
ui "$S" 100x30 "$T_TMP/s4"
D=$(cat "$T_TMP/d4-first")
t_match "the RFQ waits in the Inbox, the first screen" "$D" 'Inbox \(1 waiting\)'
t_match "its row: Q quote, the RFQ in words" "$D" '^> .* rfq +Q quote +RFQ from Berlin Interiors GmbH: [0-9]+ pieces "Black table legs 72 cm["…]'
t_match "Enter opens the RFQ on the RFQs tab" "$(cat "$T_TMP/d4-rfq")" '^RFQ from Berlin Interiors GmbH .*Q quotes · q back'
t_match "the RFQs tab is the current one" "$(head -n 1 "$T_TMP/d4-rfq")" '8 RFQs'
t_match "q from the RFQ goes back to the Inbox, where she came from" "$(head -n 1 "$T_TMP/d4-back")" '6 Inbox'
t_match "its cursor on the RFQ" "$(cat "$T_TMP/d4-back")" '^> .* rfq +Q quote +RFQ from Berlin Interiors GmbH'

# 5. The buyer disputes the shipped order: at 80 columns her Inbox row keeps its columns
# apart, and the Orders list says the whole next step: hers to answer it, then, answered,
# to wait for the ruling.
t_run "buyer syncs before he disputes" 0 kb sync
t_run "buyer disputes the order" 0 kb order dispute "$ORDER" --reason "5 legs bent"
t_run "seller syncs: the dispute" 0 ks sync
cat >"$T_TMP/s5" <<EOF
:dump $T_TMP/d5-inbox
3
:dump $T_TMP/d5-orders
4
:dump $T_TMP/d5-contracts
:quit
EOF
ui "$S" 80x24 "$T_TMP/s5"
t_match "the dispute's row: its kind, a space, then its key" "$(cat "$T_TMP/d5-inbox")" \
	'^> [0-9-]+ [0-9:]+ dispute +D answer +order [A-Za-z0-9_-]{8}… "Iron table legs'
t_match "the disputed order's next step whole at 80 columns: hers, to answer it, first" \
	"$(cat "$T_TMP/d5-orders")" '^> disputed +sell .* answer the dispute$'
t_match "her Contracts list: the id's 8 characters, as the Inbox prints it, and the buyer's whole name" \
	"$(cat "$T_TMP/d5-contracts")" "^> $(printf %.8s "$KID")  Berlin Interiors GmbH +Iron table legs"
t_match "the state column as wide as \"binding\" needs, not 21" "$(cat "$T_TMP/d5-contracts")" '^  CONTRACT  COUNTERPARTY +PRODUCT +STATE {12}TOTAL$'
t_run "she answers the dispute" 0 ks order dispute "$ORDER" --reason "Packed in foam; photos in our chat"
printf '3\n:dump %s\n:quit\n' "$T_TMP/d5-answered" >"$T_TMP/s5b"
ui "$S" 80x24 "$T_TMP/s5b"
t_match "answered, the order waits for the ruling" "$(cat "$T_TMP/d5-answered")" \
	' disputed +sell .* wait for the ruling$'

# 6. A parcel by courier: e lists the transport's moves first, then the delivery steps, in a
# courier's words (no vessel, no container), since those are what she adds to a parcel.
trade_bind "buyer proposes 10 legs by courier" --qty 10 --incoterm FCA --place "Hai Phong" --mode courier
trade_pay 200 USD
t_run "seller ships the parcel" 0 ks order ship "$ORDER" --carrier "Vietnam Post EMS" --tracking EE123456789VN
printf '3\n:dump %s\n:quit\n' "$T_TMP/d6-orders" >"$T_TMP/s6"
ui "$S" 100x30 "$T_TMP/s6"
LINE=$(grep -n '^[> ] shipped ' "$T_TMP/d6-orders" | cut -d: -f1)
ROW=$(grep -n '^[> ] [a-z]' "$T_TMP/d6-orders" | head -n 1 | cut -d: -f1)
{
	echo 3
	downs "$ROW" "$LINE"
	echo '<Enter>'
	echo e
	echo ":dump $T_TMP/d6-picker"
	echo ':quit'
} >"$T_TMP/s6b"
ui "$S" 100x30 "$T_TMP/s6b"
D=$(cat "$T_TMP/d6-picker")
t_match "e on the parcel's order opens the picker" "$D" "Shipment event for order $(printf %.12s "$ORDER")"
t_match "the transport's arrival first, not a vessel's" "$D" '^> +ARRI +transport +Arrival'
t_match "the delivery steps next" "$(grep -E '^[> ] +[A-Z]{4} ' "$T_TMP/d6-picker" | grep -v CODE | sed -n 3,5p | tr '\n' ' ')" \
	'DLVD +delivery .*EXCP +delivery .*OFDL +delivery '
t_match "customs of the parcel after them" "$D" 'CUSR +parcel +Customs Released'
t_nomatch "no vessel, no container" "$D" '^[> ] +[A-Z]{4} +(vessel|container) '

# --- money in two currencies at 80 columns: the Orders head keeps it whole ---------------
t_run "a deposit in VND too" 0 "$KONTORD" admin deposit "$SID" 74500000 VND --db "$DB"
t_run "seller syncs the deposit" 0 ks sync
printf '3\n:dump %s\n:quit\n' "$T_TMP/d7-orders80" >"$T_TMP/s7"
ui "$S" 80x24 "$T_TMP/s7"
t_match "both balances whole, w wallet beside them; Enter's hint gave way" \
	"$(sed -n 2p "$T_TMP/d7-orders80")" \
	'^Orders \([0-9]+, [0-9]+ waiting for you\)   balance [0-9,.]+ USD · 74,500,000 VND   w wallet$'
printf '3\n:dump %s\n:quit\n' "$T_TMP/d7-orders100" >"$T_TMP/s7"
ui "$S" 100x30 "$T_TMP/s7"
t_match "at 100 columns the hint is there too" "$(sed -n 2p "$T_TMP/d7-orders100")" \
	'balance [0-9,.]+ USD · 74,500,000 VND   Enter opens · w wallet$'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
