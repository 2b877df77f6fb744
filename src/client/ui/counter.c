/* ui/counter — `c` on a contract whose offer waits for her: a small form of the terms she
 * may change (unit price, quantity, the listing's variant, Incoterm and place, the ship-by
 * and deliver-by dates, the deposit %, or the stages when they are not a deposit and the
 * rest), each filled with the latest offer's value. Enter on a field edits it on the prompt
 * row (ask.c); Enter on the last row asks once, naming every change, and runs the real
 * `contract counter ID --price ... ` through ui_run_command — the command checks and signs;
 * nothing here writes a contract. Only the fields she changed are passed. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/contract.h"
#include "kontor/money.h"
#include "kontor/text.h"

enum cf_field {
	CF_PRICE,
	CF_QTY,
	CF_VARIANT,
	CF_INCOTERM,
	CF_PLACE,
	CF_SHIP_BY,
	CF_DELIVER_BY,
	CF_DEPOSIT,
	CF_N
};

struct cf_term {
	const char *label, *flag, *hint;
};

static const struct cf_term cf_def[CF_N] = {
    [CF_PRICE] = {"Unit price", "--price", "a decimal, as 10.90"},
    [CF_QTY] = {"Quantity", "--qty", "a whole number"},
    [CF_VARIANT] = {"Variant", "--variant", "another of the listing's, by its SKU or options"},
    [CF_INCOTERM] = {"Incoterm", "--incoterm", "an Incoterms 2020 rule: FOB, CIF, EXW, ..."},
    [CF_PLACE] = {"Named place", "--place", "the Incoterm's place"},
    [CF_SHIP_BY] = {"Ship by", "--ship-by", "YYYY-MM-DD"},
    [CF_DELIVER_BY] = {"Deliver by", "--deliver-by", "YYYY-MM-DD"},
    [CF_DEPOSIT] = {"Deposit %", "--deposit-pct",
                    "paid on signing, the rest before shipment; 0: none"},
};
/* In place of the deposit when the offer's stages are not a deposit and the rest. */
static const struct cf_term cf_stages = {
    "Stages", "--stages",
    "PCT:DUE,... due signing, before_shipment, delivery or days_after_delivery:N"};

struct counter_ui {
	char contract[UI_TRADE_ID];
	char currency[4];
	char was[CF_N][128]; /* the latest offer's value */
	char now[CF_N][128]; /* what she typed; equal to was when unchanged */
	int editing;         /* the field on the prompt row */
	int staged;          /* CF_DEPOSIT is the stages (cf_stages) */
};

static const struct cf_term *term_of(const struct counter_ui *c, int f)
{
	return f == CF_DEPOSIT && c->staged ? &cf_stages : &cf_def[f];
}

static struct counter_ui *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_COUNTER];
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct counter_ui));
	return v->priv;
}

static int changed(const struct counter_ui *c, int f)
{
	return strcmp(c->was[f], c->now[f]) != 0;
}

/* The latest offer's terms into c->was (sanitised for the screen); -1 when unreadable. */
static int read_terms(struct ui *u, struct counter_ui *c, char *why, size_t cap)
{
	cJSON *doc = NULL;
	struct contract_terms t;
	struct kerr e = {0};
	contract_terms_init(&t);
	if (store_object_get(u->s, "Contract", c->contract, &doc, &e) != K_OK) {
		snprintf(why, cap, "%s", e.msg);
		contract_terms_free(&t);
		return -1;
	}
	int lo = contract_latest_offer(doc);
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	if (lo < 0 || contract_section_terms(cJSON_GetArrayItem(secs, lo), &t, &e) != K_OK ||
	    t.nitems < 1) {
		snprintf(why, cap, "the latest offer cannot be read%s%s", e.msg[0] ? ": " : "",
		         e.msg);
		cJSON_Delete(doc);
		contract_terms_free(&t);
		return -1;
	}
	char m[MONEY_FMT_MAX];
	money_format(t.items[0].unit_price, t.currency, m);
	snprintf(c->currency, sizeof c->currency, "%s", t.currency);
	snprintf(c->was[CF_PRICE], sizeof c->was[0], "%s", m);
	snprintf(c->was[CF_QTY], sizeof c->was[0], "%lld", (long long)t.items[0].qty);
	snprintf(c->was[CF_VARIANT], sizeof c->was[0], "%s", t.items[0].variant_sku);
	snprintf(c->was[CF_INCOTERM], sizeof c->was[0], "%s", t.incoterm);
	struct kbuf b = KBUF_INIT;
	const char *place = t.named_place ? t.named_place : "";
	text_sanitize(&b, place, strlen(place), 0);
	snprintf(c->was[CF_PLACE], sizeof c->was[0], "%s", kbuf_str(&b));
	kbuf_free(&b);
	snprintf(c->was[CF_SHIP_BY], sizeof c->was[0], "%s", t.ship_by);
	snprintf(c->was[CF_DELIVER_BY], sizeof c->was[0], "%s", t.deliver_by);
	/* the payment as the rules read it (explicit stages, else the deposit's): a deposit and
	 * the rest before shipment as its %, where 100 ("all of it before shipment") is the
	 * option's 0; any other stages as --stages writes them */
	struct order_terms ot;
	contract_terms_order(&t, &ot);
	int64_t dep = order_stages_deposit_pct(ot.stages, ot.nstages);
	c->staged = dep < 0;
	if (!c->staged) {
		snprintf(c->was[CF_DEPOSIT], sizeof c->was[0], "%lld",
		         (long long)(dep == 100 ? 0 : dep));
	} else {
		struct kbuf st = KBUF_INIT;
		for (size_t i = 0; i < ot.nstages; i++) {
			char due[ORDER_DUE_LEN];
			order_due_format(&ot.stages[i], due);
			kbuf_printf(&st, "%s%lld:%s", i ? "," : "", (long long)ot.stages[i].pct,
			            due);
		}
		snprintf(c->was[CF_DEPOSIT], sizeof c->was[0], "%s", kbuf_str(&st));
		kbuf_free(&st);
	}
	memcpy(c->now, c->was, sizeof c->now);
	cJSON_Delete(doc);
	contract_terms_free(&t);
	return 0;
}

int ui_counter_start(struct ui *u, const char *contract_id)
{
	struct ui_trade *t = ui_trade(u);
	const struct trade_contract *k = NULL;
	for (int i = 0; i < t->ncontracts; i++)
		if (strcmp(t->contracts[i].id, contract_id) == 0)
			k = &t->contracts[i];
	if (!k || k->rank != 0) {
		ui_say(u,
		       "counter: only an offer that waits for your signature can be countered (%s)",
		       k ? k->state : "not in the cache");
		return 0;
	}
	struct counter_ui *c = state(u);
	memset(c, 0, sizeof *c);
	snprintf(c->contract, sizeof c->contract, "%s", contract_id);
	char why[300];
	if (read_terms(u, c, why, sizeof why) != 0) {
		ui_say(u, "counter: %s", why);
		return 0;
	}
	ui_view_over(u, VIEW_COUNTER, CF_N + 1);
	ui_say(u, "counter: Enter edits a field; Enter on the last row sends");
	return 1;
}

void ui_counter_head(struct ui *u, int y)
{
	struct counter_ui *c = state(u);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "Counter-offer on contract %.12s…   Enter edits · q back", c->contract);
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	kbuf_reset(&b);
	kbuf_printf(&b, "  %-13s %-22s %s", "TERM", "NOW", "IN THE OFFER");
	ui_head_row(u, y + 1, kbuf_str(&b), u->a_dim);
	kbuf_free(&b);
}

void ui_counter_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct counter_ui *c = state(u);
	if (i == CF_N) {
		int n = 0;
		for (int f = 0; f < CF_N; f++)
			n += changed(c, f);
		if (n)
			kbuf_printf(out, "  [ Send the counter-offer: %d change%s ]", n,
			            n == 1 ? "" : "s");
		else
			kbuf_puts(out, "  [ Send the counter-offer ]  (change a term first)");
		return;
	}
	if (i < 0 || i > CF_N)
		return;
	char now[160];
	if (i == CF_PRICE)
		snprintf(now, sizeof now, "%s %s", c->now[i], c->currency);
	else if (!c->now[i][0])
		snprintf(now, sizeof now, "-"); /* a listing without variants */
	else
		snprintf(now, sizeof now, "%s", c->now[i]);
	struct kbuf l = KBUF_INIT;
	kbuf_puts(&l, "  ");
	ui_col(&l, term_of(c, i)->label, 14); /* 13 columns and a space */
	size_t nw = text_width(now);          /* the stages may need more than the column */
	text_clip(&l, now, nw < 22 ? 22 : nw + 1, 1);
	kbuf_printf(&l, " %s%s", changed(c, i) ? "was " : "", changed(c, i) ? c->was[i] : "same");
	ui_clip(out, kbuf_str(&l), width, 0);
	kbuf_free(&l);
}

static void field_done(struct ui *u, const char *text, void *arg)
{
	struct counter_ui *c = arg;
	if (!text)
		return; /* Esc: the field keeps its value */
	int f = c->editing;
	size_t n = strlen(text);
	while (n && text[n - 1] == ' ')
		n--;
	while (n && *text == ' ')
		text++, n--;
	if (!n) {
		memcpy(c->now[f], c->was[f], sizeof c->now[f]); /* empty: as offered */
	} else if (n >= sizeof c->now[f]) {
		ui_ask_retry(u, "too long", text);
		return;
	} else {
		snprintf(c->now[f], sizeof c->now[f], "%.*s", (int)n, text);
		if (f == CF_INCOTERM)
			for (char *p = c->now[f]; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
	}
	u->dirty |= DIRTY_ALL;
}

/* The command: contract counter ID and a flag for each change. argv's strings are c's. */
static int counter_argv(struct counter_ui *c, char **argv, int cap)
{
	int n = 0;
	argv[n++] = "contract";
	argv[n++] = "counter";
	argv[n++] = c->contract;
	for (int f = 0; f < CF_N && n + 2 < cap; f++)
		if (changed(c, f)) {
			argv[n++] = (char *)term_of(c, f)->flag;
			argv[n++] = c->now[f];
		}
	argv[n] = NULL;
	return n;
}

static void send_done(struct ui *u, int yes, void *arg)
{
	struct counter_ui *c = arg;
	if (!yes) {
		ui_say(u, "counter: not sent");
		return;
	}
	char *argv[4 + 2 * CF_N];
	int argc = counter_argv(c, argv, (int)(sizeof argv / sizeof argv[0]));
	struct ui_ran ran;
	int rc = ui_run_command(u, argc, argv, &ran);
	if (rc != K_OK && rc != K_EQUEUED)
		return; /* the command's reason is on the status line; the form stays */
	/* sent or queued: back to the contract, which now waits for them */
	char id[UI_TRADE_ID];
	snprintf(id, sizeof id, "%s", c->contract);
	ui_trade_reload(u);
	int here = u->tab_view[u->tab] == VIEW_COUNTER;
	if (ui_open(u, VIEW_CONTRACT, id)) {
		if (here)
			u->tab = TAB_CONTRACTS;
		return;
	}
	u->tab_view[u->tab] = ui_tabs[u->tab].root;
	u->dirty |= DIRTY_ALL;
}

void ui_counter_open(struct ui *u, int i)
{
	struct counter_ui *c = state(u);
	if (i >= 0 && i < CF_N) {
		char label[200];
		snprintf(label, sizeof label,
		         "%s (%s; Enter keeps, empty: as offered): ", term_of(c, i)->label,
		         term_of(c, i)->hint);
		c->editing = i;
		ui_ask_line(u, label, c->now[i], field_done, c);
		return;
	}
	if (i != CF_N)
		return;
	struct kbuf q = KBUF_INIT;
	for (int f = 0; f < CF_N; f++)
		if (changed(c, f))
			kbuf_printf(&q, "%s%s %s -> %s", q.len ? ", " : "", term_of(c, f)->label,
			            c->was[f], c->now[f]);
	if (!q.len) {
		ui_say(u, "counter: nothing changed yet: Enter on a term edits it");
		kbuf_free(&q);
		return;
	}
	struct kbuf question = KBUF_INIT;
	kbuf_printf(&question, "Counter contract %.8s… with %s, signed by you?", c->contract,
	            kbuf_str(&q));
	ui_ask_yn(u, kbuf_str(&question), send_done, c);
	kbuf_free(&q);
	kbuf_free(&question);
}

void ui_counter_free(struct ui *u)
{
	free(u->views[VIEW_COUNTER].priv);
	u->views[VIEW_COUNTER].priv = NULL;
}
