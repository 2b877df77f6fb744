#!/bin/sh
# Going back, and what a narrow column keeps, in the seller's terminal UI against a live
# kontord over TLS, in tmux at 80x24. Her lanterns come in two sizes (Cỡ: Nhỏ, Lớn); a
# buyer with a long name and one with a CJK name trade them. q from a contract or an order
# that Enter on the Inbox opened goes back to the Inbox, its cursor on that item; q from one
# opened from the Orders or Contracts list goes back to that list, its cursor on the row
# viewed. A cell cut to fit ends with "…", and a product's variant in parentheses stays
# whole where its title gives way ("Đèn… (Lớn)"), so three orders of one lantern stay
# apart; every list keeps its columns aligned with wide characters in it.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/tmux-lib.sh"
. "$T_ROOT/tests/trade-lib.sh"
export KONTOR_CONFIG=/dev/null TZ=UTC
unset NO_COLOR KONTOR_PASSPHRASE KONTOR_NOTIFY_COMMAND
command -v python3 >/dev/null || { t_fail "python3 is installed" "scripts/deps.sh lists it"; t_done; exit 1; }

trade_node "Back Node" "kontord is up"
trade_party_np seller ks "Sắt Mỹ Thuật Hoà Phát" VN supplier
trade_party_np buyer kb "Berlin Interiors GmbH" DE buyer
trade_party_np "third party" kx "深圳市铁艺家具有限公司" CN buyer
BID=$(party_id kb)
cat >"$T_TMP/shop.csv" <<'EOF'
Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,Image Src,Status
den-long-sat,Đèn lồng sắt mỹ thuật,<p>Đèn lồng sắt rèn thủ công.</p>,Sắt Mỹ Thuật Hoà Phát,Home & Garden > Lighting,Lanterns,"sắt, đèn",TRUE,Cỡ,Nhỏ,DEN-S,1800,2000,14.50,,active
den-long-sat,,,,,,,,,Lớn,DEN-L,3200,2000,22.00,,
EOF
t_run "seller imports her lanterns (two sizes)" 0 ks listing import "$T_TMP/shop.csv" --currency USD
t_run "seller syncs" 0 ks sync
t_run "buyer syncs" 0 kb sync
t_run "third party syncs" 0 kx sync
propose() { # propose CMD SIZE QTY: the contract id in $K
	t_run "$1 offers $3 lanterns ($2)" 0 "$1" contract propose --listing den-long-sat --variant "$2" \
		--qty "$3" --incoterm FOB --place "Hai Phong" --json
	K=$(printf '%s' "$T_OUT" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
}
propose kb Lớn 200
K1=$K
propose kb Nhỏ 100
K2=$K
propose kb Lớn 50
K3=$K
propose kx Lớn 40
K5=$K
propose kb Nhỏ 30
K4=$K
t_run "seller syncs: five offers" 0 ks sync
for k in "$K1" "$K2" "$K3" "$K5"; do
	t_run "seller signs $(printf %.8s "$k")" 0 ks contract sign "$k"
	[ "$k" = "$K2" ] && O2=$(printf '%s' "$T_OUT" | sed -n 's/.*binding, order \([A-Za-z0-9_-]*\).*/\1/p')
done
t_match "the order of the 100 small ones" "$O2" '^[A-Za-z0-9_-]{43}$'
t_run "seller syncs: four orders" 0 ks sync
t_run "a deposit to the buyer" 0 "$KONTORD" admin deposit "$BID" 5000 USD --db "$DB"
t_run "buyer syncs" 0 kb sync
t_run "buyer pays the small ones" 0 kb order pay "$O2"
t_run "buyer disputes them" 0 kb order dispute "$O2" --reason "3 lanterns cracked"
t_run "seller syncs: the dispute" 0 ks sync

# --- from the Inbox and back --------------------------------------------------------------
cat >"$T_TMP/s1" <<EOF
:dump $T_TMP/d-inbox
G
:dump $T_TMP/d-inbox-last
<Enter>
:dump $T_TMP/d-offer
q
:dump $T_TMP/d-back-offer
g
<Enter>
:dump $T_TMP/d-dispute
q
:dump $T_TMP/d-back-dispute
3
:dump $T_TMP/d-orders
G
<Enter>
:dump $T_TMP/d-order-last
q
:dump $T_TMP/d-orders-back
4
:dump $T_TMP/d-contracts
j
<Enter>
:dump $T_TMP/d-contract2
q
:dump $T_TMP/d-contracts-back
6
:dump $T_TMP/d-inbox-again
:quit
EOF
ui "$S" 80x24 "$T_TMP/s1"
D=$(cat "$T_TMP/d-inbox")
t_match "the Inbox opens first, the dispute the newest" "$(sed -n 4p "$T_TMP/d-inbox")" '^> .* dispute +D answer +order '
t_match "the offer still waiting is the oldest, last" "$(cat "$T_TMP/d-inbox-last")" \
	"^> .* offer +S sign +offer $(printf %.8s "$K4")"
t_match "Enter on the offer opens its contract" "$(head -n 3 "$T_TMP/d-offer")" "Contract $(printf %.12s "$K4")…"
D=$(cat "$T_TMP/d-back-offer")
t_match "q from it goes back to the Inbox" "$D" 'Inbox \([0-9]+ waiting\)'
t_match "the Inbox is the tab shown" "$(head -n 1 "$T_TMP/d-back-offer")" '6 Inbox'
t_match "its cursor on the offer viewed" "$D" "^> .* offer +S sign +offer $(printf %.8s "$K4")"
t_match "Enter on the dispute opens its order" "$(head -n 3 "$T_TMP/d-dispute")" "Order $(printf %.12s "$O2")…  disputed"
D=$(cat "$T_TMP/d-back-dispute")
t_match "q from the order goes back to the Inbox" "$D" 'Inbox \([0-9]+ waiting\)'
t_match "its cursor on the dispute viewed" "$D" '^> .* dispute +D answer +order '
t_match "the Orders tab shows its list, its cursor on the order viewed" "$(cat "$T_TMP/d-orders")" \
	'^> +disputed .*1,450\.00 USD'
# from the lists
LAST=$(grep -E '^[> ] ' "$T_TMP/d-orders" | grep -v '^  STATE' | tail -n 1 | grep -oE '[0-9,]+\.[0-9]{2} USD')
t_match "G and Enter open the last order" "$(cat "$T_TMP/d-order-last")" "$LAST"
t_match "q from it goes back to the Orders list" "$(cat "$T_TMP/d-orders-back")" 'Orders \(4, '
t_match "its cursor on the order viewed" "$(grep '^> ' "$T_TMP/d-orders-back")" "$LAST"
K2ND=$(grep -E '^[> ] [A-Za-z0-9_-]{8}  ' "$T_TMP/d-contracts" | grep -v '^  CONTRACT ' | sed -n 2p | cut -c3-10)
t_match "j and Enter open the second contract" "$(head -n 3 "$T_TMP/d-contract2")" "Contract $K2ND"
t_match "q from it goes back to the Contracts list" "$(cat "$T_TMP/d-contracts-back")" 'Contracts \(5, '
t_match "its cursor on the contract viewed" "$(cat "$T_TMP/d-contracts-back")" "^> $K2ND  "
t_match "6 shows the Inbox again" "$(cat "$T_TMP/d-inbox-again")" 'Inbox \([0-9]+ waiting\)'

# --- narrow columns: marked cuts, variants kept, columns aligned ----------------------------
O=$(cat "$T_TMP/d-orders")
t_nomatch "no order's product cut to a bare 'Đèn lồng s'" "$O" 'Đèn lồng s '
t_match "the large ones' variant stays whole in the Orders list" "$O" '… \((Cỡ: )?Lớn\) '
t_match "the small ones' variant too" "$O" '… \((Cỡ: )?Nhỏ\) '
t_nomatch "no name cut without a mark" "$O" 'Berlin Interiors? ?G? '
t_match "the buyer's long name ends with …" "$O" 'Berlin In[a-z ]*… '
t_match "the CJK name ends with … too" "$O" '深圳[^ ]*… '
C=$(cat "$T_TMP/d-contracts")
t_match "the Contracts list keeps the variant" "$C" '… \((Cỡ: )?Lớn\) '
t_nomatch "nor a bare cut there" "$C" 'Berlin Interiors G '
# columns: the display column where each row's total ends is one for every row
cols_of() { # cols_of FILE FIRST-ROW REGEX: the end columns of REGEX in the rows from FIRST-ROW
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys, unicodedata
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")[int(sys.argv[2]) - 1:]
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
ends = set()
for r in rows:
    m = re.search(sys.argv[3], r)
    if m:
        ends.add(w(r[:m.end()]))
if any(w(r) > 80 for r in rows):
    ends.add(-1)  # wider than the screen: never one column
print(" ".join(str(e) for e in sorted(ends)))
PY
}
t_match "Orders: every total ends in one column (80 wide)" "$(cols_of "$T_TMP/d-orders" 4 '[0-9]\.[0-9]{2} USD')" '^[0-9]+$'
t_match "Contracts: every total ends in one column" "$(cols_of "$T_TMP/d-contracts" 4 '[0-9]\.[0-9]{2} USD')" '^[0-9]+$'
t_match "Contracts: every state starts in one column" "$(cols_of "$T_TMP/d-contracts" 4 ' (?=binding|offer waiting for me)')" '^[0-9]+$'
t_match "Inbox: every key column lines up" "$(cols_of "$T_TMP/d-inbox" 4 '(dispute|offer|order|money) +')" '^[0-9]+$'

# --- D on the dispute he opened: her side, for the arbitrator --------------------------------
cat >"$T_TMP/s2" <<EOF
:dump $T_TMP/d-a-inbox
<Enter>
:dump $T_TMP/d-a-order
D
:dump $T_TMP/d-a-ask
Black, as the signed offer says
<Enter>
:dump $T_TMP/d-a-confirm
y
:sleep 1500
:dump $T_TMP/d-a-done
:quit
EOF
ui "$S" 80x24 "$T_TMP/s2"
t_match "the dispute tops her Inbox, D to answer" "$(sed -n 4p "$T_TMP/d-a-inbox")" '^> .* dispute +D answer +order '
t_match "Enter opens the order: D answers it" "$(cat "$T_TMP/d-a-order")" '^Actions: D answer '
t_match "D asks her side of the dispute" "$(cat "$T_TMP/d-a-ask")" '^your side of the dispute \(for the arbitrator\):'
t_match "and asks before it sends it" "$(cat "$T_TMP/d-a-confirm")" "Send your side to the node's arbitrator \(escrow holds 1,450\.00 USD\)\? \(y/n\)"
t_match "y sends it" "$(cat "$T_TMP/d-a-done")" 'dispute: (done|queued)'
t_match "the order shows her answer" "$(cat "$T_TMP/d-a-done")" 'The seller answered the dispute \(.*\): Black, as the signed'
t_match "and D is no longer hers" "$(cat "$T_TMP/d-a-done")" '^Actions: (none for you now|[^D]*$)'
t_run "her sync sends what the TUI queued" 0 ks sync
t_eq "the node keeps it on the order" \
	"$(sqlite3 "$DB" "SELECT json_extract(json, '$.answer.text') FROM orders WHERE id = '$O2'")" \
	"Black, as the signed offer says"
t_run "order show" 0 ks order show "$O2"
t_match "prints it" "$T_OUT" '^answer by the seller \(.*\): Black, as the signed offer says'

t_node_stop
t_eq "kontord stopped cleanly" "$STOP_RC" 0
t_done
