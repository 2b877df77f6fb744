/* inbox — `kontor inbox`: one list of what waits for this account, newest first, each with
 * the one command that acts on it (inbox.h decides, from the cache and the trade rules).
 * Cache first: `kontor sync` brings what is new; acting on an item takes it off. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "../store/store.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/text.h"

void cmd_inbox_item(const struct ctx *c, struct kbuf *out, const struct inbox_item *it,
                    const char *when)
{
	char head[KTIME_LOCAL_MAX + 16];
	if (when)
		snprintf(head, sizeof head, "%-7s %s  ", inbox_kind_name(it->kind), when);
	else
		snprintf(head, sizeof head, "%-7s ", inbox_kind_name(it->kind));
	cmd_hanging(c, out, head, it->text); /* on a terminal, wrapped under its first line */
	kbuf_putc(out, '\n');
	cmd_command_line(c, out, 8, it->cmd);
}

static int run_inbox(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	char *node = NULL;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = ctx_self(c, e);
	if (!rc && cmd_node_name(c, &node, NULL) != K_OK)
		node = NULL; /* no node yet: nothing of a wallet, the rest still counts */
	struct inbox in = {NULL, 0};
	if (!rc)
		rc = inbox_collect(s, node, c->self_id, NULL, &in, e);
	free(node);
	if (rc)
		return rc;
	if (c->json) {
		for (size_t i = 0; i < in.n; i++) {
			const struct inbox_item *it = &in.v[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "kind", inbox_kind_name(it->kind));
			cJSON_AddStringToObject(o, "key", it->key);
			cJSON_AddStringToObject(o, "id", it->id);
			cJSON_AddStringToObject(o, "when", it->when);
			json_add_opt(o, "peer", it->peer);
			if (it->currency[0]) {
				cJSON_AddStringToObject(o, "currency", it->currency);
				json_add_int(o, "amount", it->amount);
			}
			cJSON_AddStringToObject(o, "text", it->text);
			cJSON_AddStringToObject(o, "command", it->cmd);
			cmd_print_json(c, o);
		}
	} else if (!in.n) {
		if (c->verbosity >= 0)
			fprintf(c->out, "nothing waits for you (as of the last `kontor sync`)\n");
	} else {
		for (size_t i = 0; i < in.n; i++) {
			const struct inbox_item *it = &in.v[i];
			char when[KTIME_LOCAL_MAX]; /* local, named; --json: UTC */
			struct kbuf b = KBUF_INIT;
			cmd_inbox_item(c, &b, it, ktime_local(it->when, when, sizeof when));
			text_fprintf(c->out, "%s\n", kbuf_str(&b));
			kbuf_free(&b);
		}
	}
	/* what can never show here, and why: RFQs, where her listings name no category */
	char why[400];
	if (inbox_no_category(s, c->self_id, why, sizeof why, NULL))
		cmd_note(c, "%s", why);
	inbox_free(&in);
	return K_OK;
}

const struct cmd_entry cmd_inbox_entries[] = {
    {"inbox", "", "what waits for you, newest first, each with the command that acts on it", "", 0,
     0, run_inbox,
     "From the cache (`kontor sync` first): RFQs of your listings' categories you have not\n"
     "answered, offers and counter-offers waiting for your signature, orders to pay, ship (by\n"
     "the contract's day, or late) or confirm, a paid order of yours not shipped by its day,\n"
     "cancellations to sign, a step of yours still in the outbox or refused by the node\n"
     "(`kontor sync`, `kontor outbox`), money that came into your wallet since you last\n"
     "looked (`kontor wallet`) and a buyer's deposit into escrow for you, disputes the other\n"
     "side opened, rulings and trades completed in the last 30 days to rate, unread\n"
     "conversations, and your active listings with none on hand. Each line says the one\n"
     "command that acts on it; once done, it is gone.\n"
     "--json: one object per item (kind, key, id, when, peer, amount, text, command)."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
