/* order — the rules of a trade (DESIGN §6), written once: the order states, the steps (each
 * the kind of a contract section), who may take which step in which state, the payment
 * stages of an offer and the money each step moves, as tables and pure functions. No I/O,
 * no JSON, no clock: the node applies these rules and posts the ledger, contract_verify
 * replays every section of a contract through them, and the CLI and the TUI ask them what
 * is allowed; none of them keeps a copy.
 *
 * The steps:
 *   pay      "funded"    buyer (or the escrow agent recording a payment): one payment
 *                        stage into escrow; awaiting_payment -> funded, else the state stays
 *   ship     "shipped"   seller: awaiting_payment | funded -> shipped, once every stage due
 *                        on signing or before shipment is paid
 *   deliver  "delivered" anyone of the three: shipped -> delivered
 *   confirm  "confirmed" buyer: shipped | delivered -> completed, once every stage is paid;
 *                        escrow (all it holds) -> the seller
 *   release  "released"  escrow agent: delivered -> completed, once every stage is paid;
 *                        escrow -> the seller (auto-release)
 *   dispute  "disputed"  buyer or seller: funded | shipped | delivered -> disputed; escrow
 *                        is frozen
 *   rule     "ruling"    escrow agent: disputed -> resolved; escrow split between buyer and
 *                        seller, the two amounts summing to what escrow holds
 *   refund   "refunded"  escrow agent: funded | shipped | delivered | disputed -> cancelled;
 *                        escrow -> the buyer
 *   cancel   "cancelled" awaiting_payment: buyer or seller alone; funded | shipped |
 *                        delivered: buyer and seller both sign one section; -> cancelled,
 *                        escrow -> the buyer
 *
 * Payment stages: an offer's payment terms are 1..ORDER_MAX_STAGES stages {pct, due}, due
 * one of signing, before_shipment, delivery, days_after_delivery:N, in that order, the
 * percentages summing to 100. A stage due on signing or before shipment is paid while the
 * order is awaiting payment or funded; a stage due on or after delivery once it is shipped
 * or delivered. Stages are paid one at a time, in order. Rounding: each stage but the last
 * is its percentage of the total rounded down to the currency's minor unit; the last stage
 * takes what is left, so the stages always sum exactly to the total. */
#ifndef KONTOR_ORDER_H
#define KONTOR_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/err.h"

enum order_state {
	ORDER_AWAITING_PAYMENT,
	ORDER_FUNDED,
	ORDER_SHIPPED,
	ORDER_DELIVERED,
	ORDER_COMPLETED,
	ORDER_CANCELLED,
	ORDER_DISPUTED,
	ORDER_RESOLVED,
	ORDER_NSTATES
};

enum order_step {
	ORDER_PAY,
	ORDER_SHIP,
	ORDER_DELIVER,
	ORDER_CONFIRM,
	ORDER_RELEASE,
	ORDER_DISPUTE,
	ORDER_RULE,
	ORDER_REFUND,
	ORDER_CANCEL,
	ORDER_NSTEPS
};

/* Roles as bits, so a section's signatures make one set. */
#define ORDER_BUYER 1u
#define ORDER_SELLER 2u
#define ORDER_ESCROW 4u

/* The state names, in this order, NULL-terminated (model.c's Order table takes them). */
extern const char *const order_state_names[ORDER_NSTATES + 1];
/* sea air road rail courier, NULL-terminated: the only list of shipment modes. */
extern const char *const order_ship_modes[];
/* The kinds a contract section may have: "offer" and each step's, NULL-terminated. */
extern const char *const order_section_kinds[ORDER_NSTEPS + 2];

/* -1 when s names no state. */
int order_state_parse(const char *s);
const char *order_state_name(int state); /* "?" out of range */
/* "awaiting payment": the state for people. */
const char *order_state_words(int state);
/* The state as a list shows it, with the share of total paid so far while some is still to
 * pay ("funded 30%"; name is the state's name or its words); the name alone otherwise. */
#define ORDER_STATE_PAID_LEN 32
void order_state_paid(int state, const char *name, int64_t paid, int64_t total,
                      char out[ORDER_STATE_PAID_LEN]);
/* Where an order in this state sorts among others: what is still moving first. */
int order_state_rank(int state);
/* May the order take shipment events (shipped, delivered, disputed)? Be rated (completed,
 * resolved)? */
int order_state_takes_events(int state);
int order_state_rateable(int state);
/* No step leaves this state (completed, resolved, cancelled): an order in it never moves
 * again, whatever the contract behind it says. */
int order_state_final(int state);
/* An event with this DCSA code and classifier moves an order in this state to delivered
 * (an actual DLVD on a shipped order: the node signs "delivered" as escrow agent). */
int order_event_delivers(int state, const char *code, const char *classifier);

/* The section kind of a step ("funded") and its verb ("pay"); -1 / "?" when unknown. */
int order_step_parse(const char *kind);
const char *order_step_kind(int step);
const char *order_step_verb(int step);
/* The roles that may sign a section of this step (ORDER_* bits). */
unsigned order_step_roles(int step);

unsigned order_role_bit(const char *role); /* 0 for anything but buyer, seller, escrow */
const char *order_role_name(unsigned bit); /* one bit; "nobody" otherwise */

int order_mode_valid(const char *mode);

/* ---------------------------------------------------------------- payment stages */

enum order_due {
	ORDER_DUE_SIGNING,
	ORDER_DUE_BEFORE_SHIPMENT,
	ORDER_DUE_DELIVERY,
	ORDER_DUE_AFTER_DELIVERY
};

#define ORDER_MAX_STAGES 8
#define ORDER_DUE_LEN 32   /* "days_after_delivery:365" and its NUL fit */
#define ORDER_WORDS_LEN 96 /* one stage in words with its amount */

struct order_stage {
	int64_t pct; /* 1..100 */
	enum order_due due;
	int64_t days; /* ORDER_DUE_AFTER_DELIVERY: 1..365; else 0 */
};

/* What the rules need from an offer. */
struct order_terms {
	char currency[4];
	int64_t total; /* minor units */
	size_t nstages;
	struct order_stage stages[ORDER_MAX_STAGES];
};

/* "signing", "before_shipment", "delivery", "days_after_delivery:N" -> due (and days).
 * K_EINVAL naming field. */
int order_due_parse(const char *s, const char *field, struct order_stage *st, struct kerr *e);
/* The wire form of st's due. */
void order_due_format(const struct order_stage *st, char out[ORDER_DUE_LEN]);
/* "on signing", "before shipment", "on delivery", "30 days after delivery". */
void order_due_words(const struct order_stage *st, char out[ORDER_DUE_LEN]);
/* Stages from the command line: "30:signing,70:before_shipment" (pct:due, comma
 * separated). Does not check the sum (order_stages_check does). K_EINVAL naming --stages. */
int order_stages_parse(const char *spec, struct order_stage out[ORDER_MAX_STAGES], size_t *n,
                       struct kerr *e);
/* 1..ORDER_MAX_STAGES stages, each 1..100 percent, summing to 100, dues strictly in order
 * (signing, before_shipment, delivery, days_after_delivery:N by N). K_EINVAL naming
 * "payment.stages[i]...". */
int order_stages_check(const struct order_stage *st, size_t n, struct kerr *e);
/* The stages a deposit percentage means (--deposit-pct): 1..99: that much on signing and
 * the rest before shipment; 0 or 100: one stage of 100% before shipment. */
void order_stages_deposit(int64_t deposit_pct, struct order_stage out[ORDER_MAX_STAGES], size_t *n);
/* The deposit percentage stages are the shape of (the inverse of the above), or -1 when
 * they are not one deposit and the rest before shipment. */
int64_t order_stages_deposit_pct(const struct order_stage *st, size_t n);
/* Stage i's amount: total * pct / 100 rounded down, the last stage what is left. 0 out of
 * range. */
int64_t order_stage_amount(const struct order_terms *t, size_t i);
/* "stage 2 of 2, 70% before shipment, 4200.00 USD" (numbers as money_format writes them). */
void order_stage_words(const struct order_terms *t, size_t i, char out[ORDER_WORDS_LEN]);

/* ---------------------------------------------------------------- an order's progress */

#define ORDER_TIME_LEN 20 /* "2026-12-06T18:23:00Z" */

struct order_progress {
	enum order_state state;
	size_t stages_paid; /* the first stages_paid stages are paid */
	int64_t paid;       /* into escrow so far */
	int64_t released;   /* from escrow to the seller */
	int64_t refunded;   /* from escrow back to the buyer */
	int64_t escrow;     /* what escrow holds: paid - released - refunded */
	/* When the goods were delivered (the delivered section's time; "" where no contract
	 * says it), and the time what is due is judged at (order_progress_start's now): a stage
	 * N days after delivery falls due N days after the one, judged at the other. */
	char delivered[ORDER_TIME_LEN + 1];
	char as_of[ORDER_TIME_LEN + 1];
	/* When escrow last paid out (the release, refund or ruling section's time), "" while it
	 * has not or where no contract says it (order_assume). */
	char settled[ORDER_TIME_LEN + 1];
};

/* awaiting_payment, nothing paid, as of now. */
void order_progress_start(struct order_progress *p);
/* Where an order in state stands on the default terms (total in currency, one stage of 100%
 * before shipment): for what has an Order's state but not its contract. Funded and later
 * states count as paid; settled ones as holding nothing in escrow. */
void order_assume(int state, const char *currency, int64_t total, struct order_terms *t,
                  struct order_progress *p);
/* What is left to pay, and how much of it is due now: the next stage, when it is due in p's
 * state (one before shipment until shipped, one on or after delivery once delivered; a buyer
 * may pay that one early while the goods travel, but it is not due); 0 otherwise. */
int64_t order_remaining(const struct order_terms *t, const struct order_progress *p);
int64_t order_due_now(const struct order_terms *t, const struct order_progress *p);
/* When stage k falls due where a date says it (N days after delivery, once delivered): 1 and
 * out "YYYY-MM-DDTHH:MM:SSZ"; 0 where no date does. */
int order_stage_due_at(const struct order_terms *t, const struct order_progress *p, size_t k,
                       char out[ORDER_TIME_LEN + 1]);
/* When the escrow agent releases a delivered order to its seller by itself: days after
 * delivered_at (the node's clock when the order became delivered, the Order's deliveredAt):
 * 1 and out "YYYY-MM-DDTHH:MM:SSZ"; 0 when either is missing or not a time. The node
 * releases once its clock is past it, where the order is still delivered and every stage
 * paid (a dispute or an unpaid stage holds it); the CLI and the TUI say that day. */
int order_release_at(const char *delivered_at, int64_t days, char out[ORDER_TIME_LEN + 1]);
/* Whether the next unpaid stage is late: due, its day (order_stage_due_at, into at) past,
 * judged at p's as_of; due at that very minute is not late yet. */
int order_stage_late(const struct order_terms *t, const struct order_progress *p,
                     char at[ORDER_TIME_LEN + 1]);
/* Where stage k stands, in the words the CLI and the TUI both print: "paid", "due now",
 * "not yet due", or before its date "not yet due (2027-01-05 18:23 +07; it may be paid now)"
 * and past it "late: due since 2027-01-05 18:23 +07", in the local zone. */
#define ORDER_STANDING_LEN 96
const char *order_stage_standing(const struct order_terms *t, const struct order_progress *p,
                                 size_t k, char out[ORDER_STANDING_LEN]);

/* Where escrow ended once it holds nothing and has paid out, as a contract's replay says it:
 * "released to the seller on 2026-12-07 21:21 +07: 30,000,000 VND", "refunded to the buyer
 * on ...: X", "divided on ...: X to the seller, Y back to the buyer" (amounts as money_text
 * writes them, the time in the local zone); "held nothing: cancelled before any payment".
 * 0 and out "" while escrow holds money, nothing has left it, or p is assumed (no settled
 * time). */
#define ORDER_SETTLED_LEN 256
int order_settled_words(const struct order_progress *p, const char *currency,
                        char out[ORDER_SETTLED_LEN]);

/* One step as a section states it. */
struct order_act {
	int step;          /* enum order_step */
	unsigned roles;    /* the signers' roles (ORDER_* bits) */
	int64_t amount;    /* pay: the stage's amount; release, refund: what escrow holds;
	                      -1 when the section carries none (pay: everything still
	                      unpaid, as documents before stages have it) */
	int64_t stage;     /* pay: the stage's number (1-based), 0 when not stated */
	int64_t to_buyer;  /* rule: buyerAmount, -1 when absent */
	int64_t to_seller; /* rule: sellerAmount, -1 when absent */
};

enum order_money {
	ORDER_MONEY_NONE,
	ORDER_MONEY_FUND,    /* amount: wallet:buyer -> escrow */
	ORDER_MONEY_RELEASE, /* amount: escrow -> wallet:seller */
	ORDER_MONEY_REFUND,  /* amount: escrow -> wallet:buyer */
	ORDER_MONEY_SPLIT    /* to_buyer and to_seller out of escrow */
};

struct order_effect {
	enum order_money money;
	int64_t amount;
	int64_t to_buyer, to_seller;
	size_t stage_from, stage_to; /* pay: the stages it paid, [from, to) */
};

/* An act with what the rules give a party taking step as role now: pay the next stage
 * (its amount and number), release or refund what escrow holds. */
void order_act_for(const struct order_terms *t, const struct order_progress *p, int step,
                   unsigned role, struct order_act *a);

/* The transition: checks act a against the terms and p, and on success moves p on and
 * says in fx (may be NULL) what money moves. On failure p is unchanged and e holds one
 * sentence: K_EPERM "only the seller ships an order" (a role that may not take the step),
 * K_ECONFLICT "order is awaiting_payment: ship needs funded" (the state, or a stage not
 * paid or not yet due), K_EINVAL "amount: ..." (more or less money than the terms allow). */
int order_next(const struct order_terms *t, struct order_progress *p, const struct order_act *a,
               struct order_effect *fx, struct kerr *e);

/* Whether role may take step now (with the act order_act_for makes); the refusal in e.
 * Cancel after funding needs both parties: one party alone is told so (K_ECONFLICT). */
int order_may(const struct order_terms *t, const struct order_progress *p, int step, unsigned role,
              struct kerr *e);
/* The steps (bit 1u << step) role may take now. Cancel after funding is included: it is
 * the party's half of the cancellation both sign. */
unsigned order_steps_for(const struct order_terms *t, const struct order_progress *p,
                         unsigned role);
/* A cancel in p's state needs both the buyer's and the seller's signature. */
int order_cancel_needs_both(int state);

/* Why role may not take step now, for people ("an order ships once it is funded", "only
 * the buyer pays an order"); NULL when it may. out holds the sentence when one is built. */
const char *order_refusal_words(const struct order_terms *t, const struct order_progress *p,
                                int step, unsigned role, char *out, size_t cap);
/* What happens next for role, in a few words ("pay", "wait for shipment", "confirm
 * receipt"); returns 1 when it is role's move. Ratings and cancellation requests are the
 * Order's, not the contract's: the caller adds them. */
int order_next_words(const struct order_terms *t, const struct order_progress *p, unsigned role,
                     char *out, size_t cap);

#endif
