/* job — the papers of one order end to end: its contract from the cache, the seller's unsigned
 * amendment from $KONTOR_HOME/papers/, one model per paper (all built before anything is
 * written, so a missing field or a total that does not add up leaves no file behind), then
 * each file written atomically, never over an existing one unless forced. */
#include "papers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/store.h"
#include "kontor/contract.h"
#include "kontor/json.h"
#include "kontor/model.h"

#define AMEND_FILE_MAX (64u << 10)
#define PATH_MAX_LEN 4096

static void amend_path(const char *home, const char *order_id, char out[PATH_MAX_LEN])
{
	snprintf(out, PATH_MAX_LEN, "%s/papers/%s.json", home, order_id);
}

/* An order id is the hash of its binding offer: 43 base64url characters, nothing that could
 * walk out of the papers directory. */
static int id_shaped(const char *id)
{
	return id && strlen(id) == KCRYPTO_HASH_B64_LEN && model_b64url(id, KCRYPTO_HASH_B64_LEN);
}

int papers_amend_load(const char *home, const char *order_id, cJSON **out, struct kerr *e)
{
	char path[PATH_MAX_LEN];
	struct kbuf b = KBUF_INIT;
	*out = NULL;
	if (!id_shaped(order_id))
		return kerr_set(e, K_EINVAL, "order: '%.60s' is not an order id", order_id);
	amend_path(home, order_id, path);
	if (access(path, F_OK) != 0) {
		*out = cJSON_CreateObject();
		return K_OK;
	}
	int rc = kbuf_read_file(path, AMEND_FILE_MAX, &b, e);
	if (!rc)
		rc = json_parse(kbuf_str(&b), b.len, path, out, e);
	if (!rc && (rc = papers_amend_check(*out, e)) != K_OK)
		kerr_prefix(e, "%s", path);
	kbuf_free(&b);
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int papers_amend_save(const char *home, const char *order_id, const cJSON *amend, struct kerr *e)
{
	char path[PATH_MAX_LEN], dir[PATH_MAX_LEN];
	if (!id_shaped(order_id))
		return kerr_set(e, K_EINVAL, "order: '%.60s' is not an order id", order_id);
	snprintf(dir, sizeof dir, "%s/papers", home);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return kerr_set(e, K_EIO, "%s: %s", dir, strerror(errno));
	amend_path(home, order_id, path);
	struct kbuf b = KBUF_INIT;
	json_print(amend, &b);
	kbuf_putc(&b, '\n');
	int rc = kbuf_write_file_atomic(path, b.data, b.len, 0600, e);
	kbuf_free(&b);
	return rc;
}

struct find {
	const char *order_id;
	cJSON *doc;
};

/* The contract holding an offer section whose hash is the order id. Not verified here: the
 * papers verify it, so a cached contract that was tampered with is found and refused (exit
 * 5) rather than reported missing. */
static int find_one(void *vctx, const cJSON *doc)
{
	struct find *f = vctx;
	const cJSON *sec;
	cJSON_ArrayForEach(sec, cJSON_GetObjectItemCaseSensitive(doc, "sections"))
	{
		const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "hash"));
		if (h && strcmp(h, f->order_id) == 0) {
			f->doc = cJSON_Duplicate(doc, 1);
			return 1;
		}
	}
	return 0;
}

int papers_contract_of(struct store *s, const char *order_id, cJSON **doc, struct kerr *e)
{
	cJSON *o = NULL;
	*doc = NULL;
	if (store_object_get(s, "Order", order_id, &o, NULL) == K_OK) {
		const char *kid =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "contractId"));
		int rc = kid ? store_object_get(s, "Contract", kid, doc, NULL) : K_ENOTFOUND;
		cJSON_Delete(o);
		if (rc == K_OK)
			return K_OK;
	}
	struct find f = {order_id, NULL};
	int rc = store_object_each(s, "Contract", NULL, find_one, &f, e);
	if (rc < 0)
		return rc;
	if (!f.doc)
		return kerr_set(
		    e, K_ENOTFOUND,
		    "no order %.60s in the cache (run `kontor sync`; the order id is the "
		    "binding offer's hash)",
		    order_id);
	*doc = f.doc;
	return K_OK;
}

static const char *const extension[] = {"pdf", "xml", "txt"};

int papers_order_docs(struct store *s, const char *home, const char *order_id,
                      const struct papers_job *job, struct papers_result *r, struct kerr *e)
{
	char today[11];
	memset(r, 0, sizeof *r);
	unsigned types = job->types ? job->types : (1u << PAPER_NTYPES) - 1;
	int ntypes = __builtin_popcount(types);
	if (job->out && ntypes != 1)
		return kerr_set(e, K_EUSAGE, "order docs: -o names one file: give one --type");
	const char *date = job->date;
	if (!date) {
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm); /* her date, as the rest of kontor shows times */
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
		date = today;
	}
	cJSON *doc = NULL, *amend = NULL;
	int rc = papers_contract_of(s, order_id, &doc, e);
	if (!rc)
		rc = papers_amend_load(home, order_id, &amend, e);
	struct paper papers[PAPER_NTYPES];
	int built[PAPER_NTYPES] = {0};
	char paths[PAPER_NTYPES][PATH_MAX_LEN];
	/* Every paper first: a missing field or a bad total writes nothing. */
	for (int t = 0; !rc && t < PAPER_NTYPES; t++) {
		if (!(types & (1u << t)))
			continue;
		struct papers_missing m;
		rc = papers_build(doc, amend, t, date, &papers[t], &m, e);
		if (rc == K_EUSAGE) {
			/* Collect what every paper needs, once each. */
			for (size_t i = 0; i < m.n; i++) {
				int seen = 0;
				for (size_t k = 0; k < r->missing.n; k++)
					seen |= strcmp(r->missing.field[k], m.field[i]) == 0;
				if (!seen && r->missing.n < PAPERS_MISSING_MAX) {
					memcpy(r->missing.field[r->missing.n], m.field[i],
					       sizeof m.field[i]);
					memcpy(r->missing.how[r->missing.n], m.how[i],
					       sizeof m.how[i]);
					r->missing.n++;
				}
			}
			rc = K_OK;
			continue;
		}
		if (rc)
			kerr_prefix(e, "order %.60s: %s", order_id, papers_type_name(t));
		else
			built[t] = 1;
	}
	if (!rc && r->missing.n)
		rc = kerr_set(e, K_EUSAGE,
		              "order %.8s: the papers need %zu field%s the signed contract lacks",
		              order_id, r->missing.n, r->missing.n == 1 ? "" : "s");
	for (int t = 0; !rc && t < PAPER_NTYPES; t++) {
		if (!built[t])
			continue;
		if (job->out && strcmp(job->out, "-") == 0)
			continue; /* standard output: nothing there to write over */
		if (job->out)
			snprintf(paths[t], sizeof paths[t], "%s", job->out);
		else
			snprintf(paths[t], sizeof paths[t], "%s/%.8s-%s.%s",
			         job->dir ? job->dir : ".", order_id, papers_type_name(t),
			         extension[job->format]);
		if (!job->force && access(paths[t], F_OK) == 0)
			rc = kerr_set(e, K_EEXIST, "%s exists (--force writes over it)", paths[t]);
	}
	for (int t = 0; !rc && t < PAPER_NTYPES; t++) {
		if (!built[t])
			continue;
		struct kbuf b = KBUF_INIT;
		if (job->format == PAPERS_UBL)
			rc = papers_write_ubl(&papers[t], &b, e);
		else if (job->format == PAPERS_TEXT)
			papers_write_text(&papers[t], job->lang, &b);
		else
			rc = papers_write_pdf(&papers[t], job->lang, job->size, &b, e);
		int out = !rc && job->out && strcmp(job->out, "-") == 0;
		if (out) {
			FILE *f = job->to_stdout ? job->to_stdout : stdout;
			if (fwrite(b.data ? b.data : "", 1, b.len, f) != b.len || fflush(f) != 0)
				rc = kerr_set(e, K_EIO, "writing the %s to standard output failed",
				              papers_type_name(t));
		} else if (!rc) {
			rc = kbuf_write_file_atomic(paths[t], b.data ? b.data : "", b.len, 0644, e);
		}
		kbuf_free(&b);
		if (!rc && !out)
			snprintf(r->written[r->nwritten++], sizeof r->written[0], "%s", paths[t]);
	}
	if (job->format == PAPERS_PDF && r->nwritten)
		papers_pdf_release();
	for (int t = 0; t < PAPER_NTYPES; t++)
		if (built[t])
			paper_free(&papers[t]);
	cJSON_Delete(amend);
	cJSON_Delete(doc);
	return rc;
}
