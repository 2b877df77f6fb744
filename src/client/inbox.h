/* inbox — what waits for this account (DESIGN §8, Inbox), computed from the cache: RFQs of
 * her listings' categories she has not answered, offers and counter-offers waiting for her
 * signature, orders to pay, ship or confirm and cancellations to sign (the trade rules of
 * kontor/order.h say which; nothing here knows the states itself), payments and releases
 * that came in since she last looked at her wallet and, as seller, a buyer's payment into
 * escrow that no order to ship announces (a deposit), disputes the other side opened and
 * rulings to rate, unread conversations. Each item names the one command that acts on it
 * and disappears when that is done. A pure reader: it never writes the cache and never
 * talks to the network; `kontor inbox`, the notify-command and the TUI read the same list. */
#ifndef KONTOR_CLIENT_INBOX_H
#define KONTOR_CLIENT_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/crypto.h"
#include "kontor/err.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/order.h"

struct store;
struct cJSON;

enum inbox_kind {
	INBOX_RFQ,     /* an RFQ of her categories to answer */
	INBOX_OFFER,   /* an offer or counter-offer to sign */
	INBOX_ORDER,   /* an order step that is hers: pay, ship, confirm, sign a cancellation */
	INBOX_MONEY,   /* money that came into her wallet, or into escrow for her */
	INBOX_DISPUTE, /* the other side disputed an order */
	INBOX_RULING,  /* the arbitrator ruled: rate the trade */
	INBOX_RATE,    /* a trade completed lately that she has not rated */
	INBOX_CHAT,    /* unread messages */
	INBOX_STOCK,   /* an active listing of hers (or a variant of it) with none on hand */
	INBOX_NKINDS
};
/* "rfq", "offer", "order", "money", "dispute", "ruling", "chat", "stock": the --json kind. */
const char *inbox_kind_name(enum inbox_kind k);

#define INBOX_TEXT_MAX 320
#define INBOX_RATE_DAYS 30 /* a completed trade she has not rated asks for so long */
struct inbox_item {
	enum inbox_kind kind;
	char key[200]; /* what it is and how far it has come ("order:ID:ship"): a key not there
	                * before is news to notify of */
	char when[MODEL_TIME_LEN + 1]; /* since when it waits: the list is newest first */
	char id[72];                   /* the RFQ, contract, order, transaction or conversation */
	char peer[KCRYPTO_ID_LEN + 1]; /* the other party, "" when none */
	char text[INBOX_TEXT_MAX];     /* one line for people; remote text sanitised */
	char news[INBOX_TEXT_MAX];     /* the notify phrase ("order 3fAx… paid 5,520.00 USD") */
	char cmd[INBOX_TEXT_MAX];      /* the one command that acts on it */
	char currency[4];              /* money items and orders: the amount in question */
	int64_t amount;
};

struct inbox {
	struct inbox_item *v; /* owned: inbox_free */
	size_t n;
};
void inbox_free(struct inbox *in);

/* Collects the items of self on node (its wallet) from the cache, newest first. kp, when
 * not NULL, opens the newest unread message of each conversation so its news may quote
 * it (only the notify-command with `set notify-text yes` asks for that); without it no
 * message text is ever read. */
int inbox_collect(struct store *s, const char *node, const char *self, const struct kkeypair *kp,
                  struct inbox *out, struct kerr *e);

/* The items of after whose key was not in before (pointers into after, in its order):
 * what a sync brought. Returns how many, writing at most max. */
size_t inbox_news(const struct inbox *before, const struct inbox *after,
                  const struct inbox_item **out, size_t max);
/* One line for the notify-command: "2 new: order 3fAx… paid 5,520.00 USD; message from
 * Berlin Interiors" (total new, the phrases of the n given; printable, at most cap - 1
 * bytes, cut at a phrase with "…"). */
void inbox_summary(const struct inbox_item *const *news, size_t n, size_t total, char *out,
                   size_t cap);

/* "5,520.00 USD": money for people, grouped as the person's locale groups (money_text). */
#define INBOX_MONEY_MAX (MONEY_FMT_MAX + 8)
void inbox_money(int64_t minor, const char *currency, char out[INBOX_MONEY_MAX]);
/* A wallet line's kind in words: "deposit", "payout", "released by order 3fAxY2Qw…",
 * "refund of order …", "paid into escrow for order …", "ruling on order …". */
void inbox_line_words(const char *kind, const char *order, char *out, size_t cap);
/* What she sells, as a buyer's RFQ finds her: her listings' categories (each once, as
 * written) and the six-digit headings of their HS codes (each once). */
struct inbox_sells {
	struct kstrv cats, hs, ids; /* ids: her listings' */
};
/* Whether an RFQ of category rfq_cat, HS code rfq_hs, about listing rfq_listing (each NULL
 * or empty when it names none) is one for her: 1 when it is about a listing of hers; when
 * rfq_cat is equal to one of her categories, or a parent or child path of it
 * ("Furniture" and "Furniture > Table legs"), compared step by step (" > " between steps,
 * the blanks around them ignored) without regard to ASCII case; or when rfq_hs's first six
 * digits, the heading every country's tariff shares, are those of one of her listings' HS
 * codes (a German buyer's 730830 finds her 7308.30.90 whatever either calls the category).
 * The one rule the inbox, the TUI's RFQs tab and the node's scope `mine` all apply. */
int inbox_rfq_hers(const char *rfq_cat, const char *rfq_hs, const char *rfq_listing,
                   const struct inbox_sells *sells);
/* Her listings' categories and HS headings put in out (zeroed first; inbox_sells_free). */
int inbox_what_i_sell(struct store *s, const char *self, struct inbox_sells *out, struct kerr *e);
void inbox_sells_add(struct inbox_sells *sells, const struct listing *l);
void inbox_sells_free(struct inbox_sells *sells);
/* What an RFQ asks for, as the choice of a listing to quote it with reads it (each NULL when
 * absent; no unit: pieces). */
struct inbox_rfq_ask {
	const char *category, *hs, *listing, *unit;
};
/* How well her listing (its id, whether active, its unit, and its categories and HS heading in
 * sells, inbox_sells_add's) answers the RFQ, to quote it with: the listing it names 8; one
 * its category or HS code finds 4 when active, 2 when paused, 1 more when sold in the RFQ's
 * unit (metres for metres); any other active listing 1; else 0. The highest is taken, the
 * newest of equals: the one rule for the inbox's command and the TUI's Q. */
int inbox_quote_score(const char *id, int active, const char *unit, const struct inbox_sells *sells,
                      const struct inbox_rfq_ask *rfq);
/* The variant of her listing (its variants) that the RFQ's title and description name, by
 * listing_variant_in_text: what the inbox's quote command and the TUI's Q offer; NULL when
 * its words name none or several. */
const cJSON *inbox_rfq_variant(const cJSON *variants, const cJSON *rfq);
/* Where she has listings and none names a category or an HS code, no RFQ can reach her
 * inbox (nor her RFQs tab's count): 1 with a sentence for her in out naming a listing of
 * hers to give one ("none of your listings names a category or an HS code, so no buyer's
 * RFQ reaches your inbox: `kontor listing edit quat-may --category CATEGORY` or
 * `--hs-code CODE`, or those columns in your import") and that listing's SKU in sku (NULL:
 * not wanted); else 0. */
#define INBOX_SKU_LEN (MODEL_SKU_MAX + 1)
int inbox_no_category(struct store *s, const char *self, char *out, size_t cap,
                      char sku[INBOX_SKU_LEN]);
/* How node says money is added to a wallet there (the session's "funding", as the last
 * sync kept it), copied to out; 0 when it says nothing. */
int inbox_node_funding(struct store *s, const char *node, char *out, size_t cap);
/* What conversation conv is about, appended to out (nothing when it is about nothing in
 * particular): 'about "Giỏ tre đan tay"' (its listing's title as the cache has it),
 * 'about order mLi1XINk "Giỏ tre đan tay (Lớn)"' (the order's product), 'about RFQ R7CYk2Qa
 * "Black table legs"'; the start of the id alone where the cache lacks the object; all
 * sanitised; each quoted text cut to cols bytes with '…' (0: whole). `chat list`, `chat send`,
 * the Chat tab and the inbox's chat item say it. */
void inbox_chat_about(struct store *s, const cJSON *conv, size_t cols, struct kbuf *out);
/* Listing lid as a person knows it, appended to out: '"Lan can cầu thang" LC-02' (its title
 * and SKU as the cache has them) with ", yours" when self sells it; "listing " and the id
 * where the cache lacks it; sanitised. */
void inbox_listing_words(struct store *s, const char *lid, const char *self, struct kbuf *out);
/* "3fAxY2Qw…": an id shortened for a sentence (the command keeps it whole). */
void inbox_short_id(const char *id, char out[16]);
/* The product of order o (as order list says it: contract_product_of of its cached contract;
 * the caller frees it), NULL when the cache lacks that contract. */
char *inbox_order_product(struct store *s, const cJSON *o);
/* A step of hers on a contract or an order that the outbox still holds: taken here, not yet
 * at the node, or refused by it (then kept until `outbox retry` or `outbox drop`). Her inbox
 * and the TUI's Orders list say so instead of asking for the step again. */
struct inbox_queued {
	char id[KCRYPTO_HASH_B64_LEN + 1]; /* the contract's or the order's */
	char cmd[24];                      /* the command that took it: "order ship" */
	char created[MODEL_TIME_LEN + 1];  /* queued then */
	char error[INBOX_TEXT_MAX / 2];    /* the node's refusal, sanitised; "" on its way */
	int said;                          /* the inbox's: an item says it already */
};
/* The first waiting step of each contract and order in the outbox (the caller frees *out). */
int inbox_queued_read(struct store *s, struct inbox_queued **out, size_t *n, struct kerr *e);
/* The one of id a or id b (either may be NULL), NULL when none. */
struct inbox_queued *inbox_queued_of(struct inbox_queued *v, size_t n, const char *a,
                                     const char *b);
/* The cached contract of order o (the caller deletes it), NULL when the cache lacks it. */
cJSON *inbox_order_contract(struct store *s, const cJSON *o);
/* When the escrow of cached Order o goes to its seller by itself (order_release_at): 1 and out
 * "YYYY-MM-DDTHH:MM:SSZ" where o is delivered, escrow holds its whole total (every stage
 * paid) and o says when it was delivered; else 0. What `order show`, `kontor wallet` and the
 * TUI tell the seller of the day her money comes. */
int inbox_order_release_at(const cJSON *o, char out[ORDER_TIME_LEN + 1]);
/* The text of a chat message m (a Message object), opened with kp's secret key and the other
 * party's public key (to, when self sent it; else from): 1 with the text appended to *plain
 * (the caller frees it), 0 when it is not sealed to kp or is not whole. */
/* A conversation's last message for a list, opened with kp: "you: " before one self sent,
 * then its text on one line (line breaks as spaces, sanitised), cut to cols columns with
 * "…"; nothing appended when it has none or it is not sealed to kp. */
void inbox_chat_last(struct store *s, const char *conv_id, const char *self,
                     const struct kkeypair *kp, size_t cols, struct kbuf *out);
int inbox_chat_open(const struct cJSON *m, const char *self, const struct kkeypair *kp,
                    struct kbuf *plain);

#endif
