/* outbox — what is waiting to reach the node: every action the user took, in order, with
 * its attempts and last error. An entry the node refused is kept here, with the node's
 * SetError type as a field, until `outbox retry` sends it again or `outbox drop` lets it
 * go; a command that drops its own refused entry says so instead. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
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
		if (it->last_error && it->error_type)
			cJSON_AddStringToObject(o, "errorType", it->error_type);
		cmd_print_json(c, o);
		return 0;
	}
	fprintf(c->out, "%5lld  %s  %-12s %-8s %-24s %d", (long long)it->seq, it->created,
	        it->method, it->op, it->object_id ? it->object_id : "", it->attempts);
	if (it->last_error) {
		struct kbuf b = KBUF_INIT;
		text_sanitize(&b, it->last_error, strlen(it->last_error), 0);
		fprintf(c->out, "  refused, kept for `outbox retry %lld` or `outbox drop %lld`: %s",
		        (long long)it->seq, (long long)it->seq, kbuf_str(&b));
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
		fprintf(c->out, "%5s  %-20s  %-12s %-8s %-24s %s\n", "SEQ", "QUEUED", "METHOD",
		        "OP", "OBJECT", "TRIES  LAST ERROR");
	rc = store_outbox_each(s, list_one, c, e);
	if (rc == K_OK && !c->json && n)
		cmd_note(c, "%lld waiting to be sent", (long long)n);
	else if (rc == K_OK && !c->json)
		cmd_note(c, "the outbox is empty");
	return rc;
}

/* "all" or a sequence number from `outbox list`. */
static int parse_seq(const char *v, int allow_all, int64_t *seq, struct kerr *e)
{
	if (allow_all && strcmp(v, "all") == 0) {
		*seq = 0;
		return K_OK;
	}
	char *end;
	long long n = strtoll(v, &end, 10);
	if (!*v || *end || n < 1)
		return kerr_set(e, K_EUSAGE,
		                "'%s' is not an outbox number (see `kontor outbox list`)%s", v,
		                allow_all ? " or all" : "");
	*seq = n;
	return K_OK;
}

static int run_outbox_retry(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int64_t seq = 0;
	int rc = parse_seq(a->npos ? a->pos[0] : "all", 1, &seq, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		rc = store_outbox_retry(s, seq, e);
	if (rc)
		return rc;
	return cmd_push(c, e);
}

/* Was entry seq a refused contract update? (Its order steps left the cache when the node
 * refused it.) */
struct drop_look {
	int64_t seq;
	int refused_contract;
};

static int drop_look_one(void *vctx, const struct outbox_item *it)
{
	struct drop_look *d = vctx;
	if (it->seq == d->seq)
		d->refused_contract = it->last_error && it->error_type && it->method &&
		                      strcmp(it->method, "Contract/set") == 0;
	return 0;
}

static int run_outbox_drop(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int64_t seq = 0;
	int rc = parse_seq(a->pos[0], 0, &seq, e);
	struct drop_look d = {seq, 0};
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		store_outbox_each(s, drop_look_one, &d, NULL);
	if (!rc)
		rc = store_outbox_drop(s, seq, e);
	if (rc == K_OK && c->verbosity >= 0 && !c->json)
		fprintf(c->out, "dropped outbox entry %lld (%s)\n", (long long)seq,
		        d.refused_contract
		            ? "the node refused it; your cached contract is as the node holds it"
		            : "the local change stays; the node never gets it");
	return rc;
}

const struct cmd_entry cmd_outbox_entries[] = {
    {"outbox list", "", "list the actions waiting to be sent to the node", "", 0, 0,
     run_outbox_list, NULL},
    {"outbox retry", "[SEQ|all]", "put refused entries back in line and push them", "", 0, 1,
     run_outbox_retry,
     "An entry the node refused keeps its reason (`outbox list`) and waits. After fixing\n"
     "the cause, retry puts it (or all of them) back in line and pushes at once."},
    {"outbox drop", "SEQ", "remove one entry from the outbox", "", 1, 1, run_outbox_drop,
     "The local change stays in the cache; the node never receives it. An order step the\n"
     "node refused has already left the cached contract."},
    {"outbox", "", "same as `outbox list`", "", 0, 0, run_outbox_list, NULL},
    {0},
};
