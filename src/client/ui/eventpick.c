/* ui/eventpick — `e` on an order she shipped: a shipment event by code, picked from the DCSA
 * Track & Trace codes in words (the generated table `order event` checks against, kontor's
 * OFDL, DLVD and EXCP among them), then an optional location, then one y/n naming the event
 * and the order; it runs the real `order event ID --code CODE [--location L]` through
 * ui_run_command. The buyer sees it in `kontor track` once it is pushed. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/text.h"

struct eventpick_ui {
	char order[UI_TRADE_ID];
	const struct dcsa_code **codes; /* the picker's rows, in the order below */
	int n;
	int picked;   /* the row whose location is being asked */
	char mode[8]; /* the shipment's: the rows' order and the words of what moves */
	char location[200];
};

/* The kinds in the order a seller adds them: by sea the vessel's moves first, then the
 * container's, kontor's own delivery steps, and the carrier's document states last; by air,
 * road, rail or courier the transport's moves, then the delivery steps (a parcel's
 * out-for-delivery and delivered), then the goods' (pick-up, customs). */
static const enum dcsa_kind sea_order[] = {DCSA_TRANSPORT, DCSA_EQUIPMENT, DCSA_KONTOR,
                                           DCSA_SHIPMENT};
static const enum dcsa_kind land_order[] = {DCSA_TRANSPORT, DCSA_KONTOR, DCSA_EQUIPMENT,
                                            DCSA_SHIPMENT};

/* What the event is of, in the shipment's mode: DCSA's transport and equipment events are
 * the vessel's and the container's at sea, the flight's and the cargo's by air. */
static const char *kind_words(enum dcsa_kind k, const char *mode)
{
	static const char *const transport[][2] = {
	    {"air", "flight"}, {"road", "truck"}, {"rail", "train"}, {"courier", "transport"}};
	int sea = !mode || strcmp(mode, "sea") == 0;
	switch (k) {
	case DCSA_TRANSPORT:
		for (size_t i = 0; !sea && i < sizeof transport / sizeof transport[0]; i++)
			if (strcmp(mode, transport[i][0]) == 0)
				return transport[i][1];
		return "vessel";
	case DCSA_EQUIPMENT:
		return sea ? "container" : strcmp(mode, "courier") == 0 ? "parcel" : "cargo";
	case DCSA_KONTOR:
		return "delivery";
	case DCSA_SHIPMENT:
		return "document";
	}
	return "";
}

static struct eventpick_ui *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_EVENTPICK];
	if (!v->priv) {
		struct eventpick_ui *p = xcalloc(1, sizeof *p);
		int n = 0;
		codes_dcsa_events(&n);
		p->codes = xcalloc(n > 0 ? (size_t)n : 1, sizeof *p->codes);
		v->priv = p;
	}
	return v->priv;
}

/* The picker's rows for a shipment by mode (NULL: by sea), in the kinds' order above. */
static void order_codes(struct eventpick_ui *p, const char *mode)
{
	int n = 0;
	const struct dcsa_code *all = codes_dcsa_events(&n);
	const enum dcsa_kind *kinds = !mode || strcmp(mode, "sea") == 0 ? sea_order : land_order;
	snprintf(p->mode, sizeof p->mode, "%s", mode ? mode : "sea");
	p->n = 0;
	for (size_t k = 0; k < sizeof sea_order / sizeof sea_order[0]; k++)
		for (int i = 0; i < n; i++)
			if (all[i].kind == kinds[k])
				p->codes[p->n++] = &all[i];
}

int ui_eventpick_start(struct ui *u, const char *order_id)
{
	struct ui_trade *t = ui_trade(u);
	const struct trade_order *o = NULL;
	for (int i = 0; i < t->norders; i++)
		if (strcmp(t->orders[i].id, order_id) == 0)
			o = &t->orders[i];
	if (!o || !ui_order_takes_event(o)) {
		ui_say(u,
		       "event: the seller adds shipment events to an order once it is shipped%s%s",
		       o ? "; this one is " : "", o ? o->state : "");
		return 0;
	}
	struct eventpick_ui *p = state(u);
	snprintf(p->order, sizeof p->order, "%s", order_id);
	order_codes(p, o->mode);
	ui_view_over(u, VIEW_EVENTPICK, p->n);
	return 1;
}

void ui_eventpick_head(struct ui *u, int y)
{
	struct eventpick_ui *p = state(u);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "Shipment event for order %.12s…   Enter picks · q back", p->order);
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	kbuf_reset(&b);
	kbuf_printf(&b, "  %-5s %-10s %s", "CODE", "OF THE", "EVENT");
	ui_head_row(u, y + 1, kbuf_str(&b), u->a_dim);
	kbuf_free(&b);
}

void ui_eventpick_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct eventpick_ui *p = state(u);
	if (i < 0 || i >= p->n)
		return;
	const struct dcsa_code *d = p->codes[i];
	struct kbuf l = KBUF_INIT;
	kbuf_printf(&l, "  %-5s %-10s %s", d->code, kind_words(d->kind, p->mode), d->name);
	if (d->description && d->description[0])
		kbuf_printf(&l, " — %s", d->description);
	ui_clip(out, kbuf_str(&l), width, 0);
	kbuf_free(&l);
}

static void back_to_order(struct ui *u, const char *order)
{
	ui_trade_reload(u);
	int here = u->tab_view[u->tab] == VIEW_EVENTPICK;
	if (ui_open(u, VIEW_ORDER, order)) {
		if (here)
			u->tab = TAB_ORDERS;
		return;
	}
	u->tab_view[u->tab] = ui_tabs[u->tab].root;
	u->dirty |= DIRTY_ALL;
}

static void confirm_done(struct ui *u, int yes, void *arg)
{
	struct eventpick_ui *p = arg;
	if (!yes) {
		ui_say(u, "event: not added");
		return;
	}
	char code[8], order[UI_TRADE_ID], location[sizeof p->location];
	snprintf(code, sizeof code, "%s", p->codes[p->picked]->code);
	snprintf(order, sizeof order, "%s", p->order);
	snprintf(location, sizeof location, "%s", p->location);
	char *argv[8] = {"order", "event", order, "--code", code, NULL, NULL, NULL};
	int argc = 5;
	if (location[0]) {
		argv[argc++] = "--location";
		argv[argc++] = location;
	}
	int rc = ui_run_command(u, argc, argv, NULL);
	/* its outcome whole on the prompt rows (the status line cuts it), over the order */
	char *said = xstrdup(kbuf_str(&u->msg));
	if (rc == K_OK || rc == K_EQUEUED)
		back_to_order(u, order); /* its timeline shows the event */
	ui_ask_note(u, said);
	free(said);
}

static void location_done(struct ui *u, const char *text, void *arg)
{
	struct eventpick_ui *p = arg;
	if (!text)
		return; /* Esc: back to the list */
	while (*text == ' ')
		text++;
	snprintf(p->location, sizeof p->location, "%s", text);
	const struct dcsa_code *d = p->codes[p->picked];
	struct kbuf q = KBUF_INIT;
	kbuf_printf(&q, "Add \"%s\" (%s)%s%s to order %.8s…?", d->name, d->code,
	            p->location[0] ? " at " : "", p->location, p->order);
	ui_ask_yn(u, kbuf_str(&q), confirm_done, p);
	kbuf_free(&q);
}

void ui_eventpick_open(struct ui *u, int i)
{
	struct eventpick_ui *p = state(u);
	if (i < 0 || i >= p->n)
		return;
	p->picked = i;
	p->location[0] = '\0';
	char label[160];
	snprintf(label, sizeof label, "%s: where (optional, Enter skips): ", p->codes[i]->name);
	ui_ask_line(u, label, NULL, location_done, p);
}

void ui_eventpick_free(struct ui *u)
{
	struct eventpick_ui *p = u->views[VIEW_EVENTPICK].priv;
	if (p)
		free(p->codes);
	free(p);
	u->views[VIEW_EVENTPICK].priv = NULL;
}
