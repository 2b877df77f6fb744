/* outbox — what is waiting to reach the node: every action the user took, in order, with
 * its attempts and last error. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "../store/store.h"
#include "kontor/json.h"
#include "kontor/text.h"

static int list_one(void *vctx, const struct outbox_item *it)
{
	struct ctx *c = vctx;
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		json_add_int(o, "seq", it->seq);
		cJSON_AddStringToObject(o, "creationId", it->creation_id);
		cJSON_AddStringToObject(o, "method", it->method);
		cJSON_AddStringToObject(o, "op", it->op);
		cJSON_AddStringToObject(o, "objectId", it->object_id ? it->object_id : "");
		if (it->node)
			cJSON_AddStringToObject(o, "node", it->node);
		cJSON_AddStringToObject(o, "created", it->created);
		json_add_int(o, "attempts", it->attempts);
		if (it->last_error)
			cJSON_AddStringToObject(o, "lastError", it->last_error);
		cmd_print_json(c, o);
		return 0;
	}
	fprintf(c->out, "%5lld  %s  %-12s %-8s %-24s %d", (long long)it->seq, it->created,
		it->method, it->op, it->object_id ? it->object_id : "", it->attempts);
	if (it->last_error) {
		struct kbuf b = KBUF_INIT;
		text_sanitize(&b, it->last_error, strlen(it->last_error), 0);
		fprintf(c->out, "  %s", kbuf_str(&b));
		kbuf_free(&b);
	}
	fputc('\n', c->out);
	return 0;
}

static int run_outbox_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	int64_t n = store_outbox_count(s);
	if (!c->json && n > 0)
		fprintf(c->out, "%5s  %-20s  %-12s %-8s %-24s %s\n", "SEQ", "QUEUED", "METHOD", "OP",
			"OBJECT", "TRIES  LAST ERROR");
	rc = store_outbox_each(s, list_one, c, e);
	if (rc == K_OK && !c->json && n)
		cmd_note(c, "%lld waiting to be sent", (long long)n);
	else if (rc == K_OK && !c->json)
		cmd_note(c, "the outbox is empty");
	return rc;
}

const struct cmd_entry cmd_outbox_entries[] = {
	{"outbox list", "", "list the actions waiting to be sent to the node", "", 0, 0,
	 run_outbox_list, NULL},
	{"outbox", "", "same as `outbox list`", "", 0, 0, run_outbox_list, NULL},
	{0},
};
