/* ui/shipments — the Shipments tab: the orders that have a shipment (the Order's
 * "shipment", or a shipped section in its contract) with carrier, tracking, state, ETA, what
 * it carries and the latest event in words; one shipment as a timeline, most recent first,
 * in the words of dcsa.h. Carrier events are outside text: every word drawn is sanitised
 * first. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/json.h"
#include "kontor/dcsa.h"
#include "kontor/text.h"

#define COL_CARRIER 12
#define COL_TRACKING 16
#define COL_STATE 10
#define COL_PRODUCT 30
#define COL_PEER 24
#define COL_SHARE 24 /* what the product and the last event keep at least, beside the party */

/* The ETA column: none when no shipment has one ("ETA" and a space), its date below 100
 * columns (the timeline has the hour), the whole local time from 100. */
static int eta_width(const struct ui_trade *t, int width)
{
	return !t->ships_eta ? 4 : width >= 100 ? 21 : 11;
}

/* The other party's column, where the product and the last event keep COL_SHARE columns
 * each beside it (120 columns, 137 with ETAs): a seller's parcels to ten buyers differ by
 * whom they go to. Narrower, the last event keeps that room; the timeline names them. */
static int peer_width(const struct ui_trade *t, int width)
{
	int fixed =
	    2 + (COL_CARRIER + 1) + (COL_TRACKING + 1) + (COL_STATE + 1) + eta_width(t, width);
	return width - fixed >= COL_PEER + 1 + 2 * COL_SHARE ? COL_PEER + 1 : 0;
}

/* What is shipped shares what is left with the last event: a seller's ten parcels with one
 * post differ by what is in them. */
static int product_width(const struct ui_trade *t, int width)
{
	int rest = width - 2 - (COL_CARRIER + 1) - (COL_TRACKING + 1) - (COL_STATE + 1) -
	           eta_width(t, width) - peer_width(t, width);
	int w = rest / 2;
	return w < 8 ? 8 : w > COL_PRODUCT ? COL_PRODUCT : w;
}

void ui_shipments_head(struct ui *u, int y)
{
	struct ui_trade *t = ui_trade(u);
	struct kbuf b = KBUF_INIT, h = KBUF_INIT;
	ui_trade_head_said(u);
	kbuf_printf(&b, "Shipments (%d)   Enter opens the timeline", t->nships);
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	kbuf_puts(&h, "  ");
	ui_col(&h, "CARRIER", COL_CARRIER + 1);
	ui_col(&h, "TRACKING", COL_TRACKING + 1);
	ui_col(&h, "STATE", COL_STATE + 1);
	ui_col(&h, "ETA", eta_width(t, COLS));
	if (peer_width(t, COLS))
		ui_col(&h, "COUNTERPARTY", peer_width(t, COLS));
	ui_col(&h, "PRODUCT", product_width(t, COLS));
	kbuf_puts(&h, "LAST EVENT");
	ui_head_row(u, y + 1, kbuf_str(&h), u->a_dim);
	kbuf_free(&b);
	kbuf_free(&h);
}

void ui_shipments_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct ui_trade *t = ui_trade(u);
	const struct trade_order *o = &t->orders[t->ships[i]];
	struct kbuf line = KBUF_INIT;
	char eta[sizeof o->eta];
	snprintf(eta, sizeof eta, "%s", o->eta[0] ? o->eta : "-");
	if (width < 100)
		eta[strcspn(eta, " ")] = '\0'; /* "2026-12-01 14:00 UTC": its date */
	kbuf_puts(&line, "  ");
	ui_col(&line, o->carrier ? o->carrier : "-", COL_CARRIER + 1);
	ui_col(&line, o->tracking ? o->tracking : "-", COL_TRACKING + 1);
	ui_col(&line, o->state, COL_STATE + 1);
	ui_col(&line, eta, eta_width(t, width));
	if (peer_width(t, width))
		ui_col(&line, o->peer ? o->peer : "-", peer_width(t, width));
	ui_col_product(&line, o->product ? o->product : "-", product_width(t, width));
	kbuf_puts(&line, o->last ? o->last : "-");
	ui_clip(out, kbuf_str(&line), width, 1);
	kbuf_free(&line);
}

static const struct trade_order *find_ship(struct ui *u)
{
	struct ui_trade *t = ui_trade(u);
	for (int i = 0; i < t->nships; i++)
		if (strcmp(t->orders[t->ships[i]].id, t->ship_id) == 0)
			return &t->orders[t->ships[i]];
	return NULL;
}

void ui_shipment_title(struct ui *u, struct kbuf *out)
{
	struct ui_trade *t = ui_trade(u);
	const struct trade_order *o = find_ship(u);
	ui_trade_head_said(u);
	kbuf_printf(out, "Shipment of order %.12s…  %s %s   (q back)", t->ship_id,
	            o && o->carrier ? o->carrier : "", o && o->tracking ? o->tracking : "");
}

void ui_shipment_lines(const cJSON *shipment, const char *indent, int width, struct kstrv *lines)
{
	const cJSON *evs = cJSON_GetObjectItemCaseSensitive(shipment, "events");
	if (!cJSON_IsArray(evs) || cJSON_GetArraySize(evs) == 0) {
		struct kbuf b = KBUF_INIT;
		kbuf_printf(&b, "%sno carrier events yet", indent);
		kstrv_push(lines, kbuf_str(&b));
		kbuf_free(&b);
		return;
	}
	size_t *idx = xcalloc(DCSA_MAX_EVENTS, sizeof *idx);
	size_t n = dcsa_recent_first(evs, idx, DCSA_MAX_EVENTS);
	struct kbuf b = KBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const cJSON *ev = cJSON_GetArrayItem(evs, (int)idx[i]);
		char when[32], words[400];
		ui_local_time(json_str(ev, "at"), when, sizeof when);
		dcsa_words(ev, json_str(shipment, "mode"), words, sizeof words);
		kbuf_reset(&b);
		kbuf_puts(&b, words);
		const char *role = json_str(ev, "role");
		if (role && (strcmp(role, "seller") == 0 || strcmp(role, "carrier") == 0 ||
		             strcmp(role, "escrow") == 0))
			kbuf_printf(&b, "  [from the %s]", role);
		/* the event's words go on under themselves, the times alone in their column */
		ui_time_field(lines, indent, when, kbuf_str(&b), width);
	}
	kbuf_free(&b);
	free(idx);
}

#define LABEL_COLS 12 /* the width of the detail view's labels */

void ui_shipment_build(struct ui *u, int width)
{
	struct ui_trade *t = ui_trade(u);
	struct ui_view *v = ui_build_begin(u, VIEW_SHIPMENT, t->ship_id, width);
	if (!v)
		return;
	const struct trade_order *o = find_ship(u);
	cJSON *obj = NULL;
	if (!o || store_object_get(u->s, "Order", t->ship_id, &obj, NULL) != K_OK) {
		kstrv_push(&v->lines,
		           "This shipment is no longer in the cache (:sync fetches it).");
		cJSON_Delete(obj);
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	const cJSON *sh = cJSON_GetObjectItemCaseSensitive(obj, "shipment");
	const cJSON *evs = cJSON_GetObjectItemCaseSensitive(sh, "events");
	char buf[300];
	ui_field(&v->lines, LABEL_COLS, "Carrier", o->carrier, width);
	ui_field(&v->lines, LABEL_COLS, "Tracking", o->tracking, width);
	ui_field(&v->lines, LABEL_COLS, "Mode", o->mode, width);
	const char *from = json_str(sh, "origin"), *to = json_str(sh, "destination");
	if (from && to)
		snprintf(buf, sizeof buf, "%.100s -> %.100s", from, to);
	else
		snprintf(buf, sizeof buf, "%s %.100s", from ? "from" : "to",
		         from ? from
		         : to ? to
		              : "");
	ui_field(&v->lines, LABEL_COLS, "Route", from || to ? buf : NULL, width);
	if (!o->eta[0] && json_str(obj, "deliveredAt")) { /* arrived: the day it came */
		ui_local_time(json_str(obj, "deliveredAt"), buf, sizeof buf);
		ui_field(&v->lines, LABEL_COLS, "Delivered", buf, width);
	} else {
		ui_field(&v->lines, LABEL_COLS, "ETA", o->eta[0] ? o->eta : "none given yet",
		         width);
	}
	const char *customs = cJSON_IsArray(evs) ? dcsa_customs(evs, buf, sizeof buf) : NULL;
	ui_field(&v->lines, LABEL_COLS, "Customs", customs ? customs : "no customs events yet",
	         width);
	/* whose goods, and what they are: her ten parcels differ by buyer and contents */
	snprintf(buf, sizeof buf, "%s; you %s %s", o->state, o->buyer ? "buy from" : "sell to",
	         o->peer ? o->peer : "-");
	ui_field(&v->lines, LABEL_COLS, "Order", buf, width);
	ui_order_goods(u, o, LABEL_COLS, width, &v->lines);
	kstrv_push(&v->lines, "");
	kstrv_push(&v->lines, "Timeline, most recent first");
	ui_shipment_lines(sh, "  ", width, &v->lines);
	cJSON_Delete(obj);
	ui_view_set_rows(u, v, (int)v->lines.n);
}

void ui_shipments_open(struct ui *u, int i)
{
	struct ui_trade *t = ui_trade(u);
	if (i < t->nships)
		ui_view_show_id(u, TAB_SHIPMENTS, VIEW_SHIPMENT, t->ship_id, sizeof t->ship_id,
		                t->orders[t->ships[i]].id);
}

void ui_shipment_reload(struct ui *u)
{
	if (ui_trade(u)->ship_id[0])
		ui_shipment_build(u, COLS);
}
