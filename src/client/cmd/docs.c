/* docs — `kontor order docs ORDER`: the commercial invoice, proforma, packing list and
 * certificate of origin application of an order, from its signed contract in the cache
 * (no passphrase, nothing sent), as PDF, UBL 2.1 or text; --set keeps an unsigned amendment
 * for the fields the contract lacks (the seller's, never a change to a signed field). */
#include "docs.h"
#include "resolve.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../papers/papers.h"
#include "../store/store.h"
#include "kontor/ktime.h"
#include "kontor/papers.h"
#include "kontor/text.h"

const char cmd_docs_help[] =
    "Writes the papers of an order from its signed contract (verified first: exit 5 when it\n"
    "does not verify): the commercial invoice, the proforma invoice, the packing list and\n"
    "the certificate of origin application; all four unless --type names one. --format pdf\n"
    "(A4 or --paper letter; a QR code of the contract hash on every page), ubl (UBL 2.1 XML:\n"
    "Invoice 380, Invoice 325 for the proforma, PackingList, CertificateOfOrigin) or text.\n"
    "Files are ORDERPREFIX-invoice.pdf, -proforma, -packing-list, -origin (.xml, .txt) in\n"
    "the current directory (--dir DIR elsewhere), or -o FILE for one --type (-o -: to\n"
    "standard output); an existing file is refused unless --force. --lang sets the\n"
    "labels, numbers and dates (en, de, es,\n"
    "fr, zh, vi), and the contract's words: the transport mode, the units, the countries'\n"
    "names, the payment terms and the reason for export (packages by their UN/ECE code\n"
    "but in English). Every amount is the contract's, recomputed and checked against the\n"
    "signed total. Papers are dated today in your time zone, or --date; a cancelled order\n"
    "has none (exit 1).\n"
    "A field the papers need and the contract lacks is listed (exit 2) with the --set that\n"
    "adds it, and where later offers take it from (id edit, listing edit, the offer): "
    "seller.address ('street; more'), seller.city, seller.postcode, seller.country,\n"
    "seller.taxId (SCHEME:ID), the same for buyer, portOfLoading, portOfDischarge,\n"
    "items.N.netKg, items.N.grossKg, items.N.packages (COUNT:CODE), items.N.marks,\n"
    "items.N.hsCode, items.N.origin, freight/insurance/packing (an amount included in the\n"
    "prices), invoiceNumber, exportReason. --set writes an unsigned amendment the seller\n"
    "keeps in $KONTOR_HOME/papers/ORDER.json; the papers star each value that came from it. It "
    "cannot\n"
    "change what the contract says (counter the offer before signing for that); an empty\n"
    "value takes a key out.";

static int bad_value(struct kerr *e, const char *opt, const char *v, const char *want)
{
	char sh[48];
	return kerr_set(e, K_EUSAGE, "order docs: --%s '%s' is not %s", opt,
	                text_shown(v, sh, sizeof sh), want);
}

/* The seller's own amendment: --set values checked, saved, then used. */
static int apply_sets(struct ctx *c, struct store *s, const char *order, const struct args *a,
                      struct kerr *e)
{
	cJSON *doc = NULL, *amend = NULL;
	int rc = ctx_self(c, e);
	if (!rc)
		rc = papers_contract_of(s, order, &doc, e);
	const char *seller =
	    doc ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "sellerId")) : NULL;
	if (!rc && (!seller || strcmp(seller, c->self_id) != 0))
		rc = kerr_set(e, K_EPERM,
		              "order docs --set: the amendment is the seller's; you are not the "
		              "seller of order %.60s",
		              order);
	if (!rc)
		rc = papers_amend_load(c->home, order, &amend, e);
	for (int i = 0; !rc && arg_nth(a, "set", i); i++)
		rc = papers_amend_set(amend, arg_nth(a, "set", i), e);
	if (!rc)
		rc = papers_amend_save(c->home, order, amend, e);
	if (!rc)
		cmd_note(c,
		         "the amendment for order %.60s has %d key%s (unsigned; kept in %s/papers)",
		         order, cJSON_GetArraySize(amend),
		         cJSON_GetArraySize(amend) == 1 ? "" : "s", c->home);
	cJSON_Delete(amend);
	cJSON_Delete(doc);
	return rc;
}

/* Where each kind of missing field comes from in the next trade, so it is said once and not
 * amended order by order: a party's profile, a listing, an offer's flags. */
static void next_time(struct ctx *c, const struct papers_missing *m)
{
	int party = 0, listing = 0, packing = 0, offer = 0;
	for (size_t i = 0; i < m->n; i++) {
		const char *f = m->field[i];
		if (strncmp(f, "seller ", 7) == 0 || strncmp(f, "buyer ", 6) == 0)
			party = 1;
		else if (strstr(f, "HS code") || strstr(f, " origin"))
			listing = 1;
		else if (strstr(f, "weight") || strstr(f, "packages"))
			packing = 1;
		else if (strstr(f, "port of"))
			offer = 1;
	}
	if (party)
		fprintf(c->err,
		        "Later offers carry each party's address and tax id once its profile "
		        "says them: `kontor id edit --address 'LINE; LINE' --city C "
		        "--tax-id SCHEME:ID`.\n");
	if (listing)
		fprintf(c->err,
		        "Later offers carry a line's HS code and origin once its listing says "
		        "them: `kontor listing edit SKU --hs-code H --origin CC`.\n");
	if (packing)
		fprintf(c->err,
		        "Later offers carry a line's weights and packages once its listing says "
		        "one unit's: `kontor listing edit SKU --net-kg KG --gross-kg KG "
		        "--per-package N:CODE`.\n");
	if (offer || packing)
		fprintf(c->err,
		        "An offer says the ports, weights and packages with --port-loading, "
		        "--port-discharge, --net-kg, --gross-kg and --packages.\n");
}

int cmd_order_docs(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct papers_job job = {0, PAPERS_PDF, PAPER_EN, PAPERS_A4, NULL, NULL, NULL, 0, NULL};
	const char *v, *order = a->pos[0];
	if ((v = arg_get(a, "type"))) {
		int t = papers_type_parse(v);
		if (t < 0)
			return bad_value(e, "type", v, "invoice, proforma, packing-list or origin");
		job.types = 1u << t;
	}
	if ((v = arg_get(a, "format"))) {
		if (strcmp(v, "pdf") == 0)
			job.format = PAPERS_PDF;
		else if (strcmp(v, "ubl") == 0 || strcmp(v, "xml") == 0)
			job.format = PAPERS_UBL;
		else if (strcmp(v, "text") == 0)
			job.format = PAPERS_TEXT;
		else
			return bad_value(e, "format", v, "pdf, ubl or text");
	}
	if ((v = arg_get(a, "lang")) && (job.lang = papers_lang_parse(v)) < 0)
		return bad_value(e, "lang", v, "en, de, es, fr, zh or vi");
	if ((v = arg_get(a, "paper"))) {
		if (strcmp(v, "a4") == 0 || strcmp(v, "A4") == 0)
			job.size = PAPERS_A4;
		else if (strcmp(v, "letter") == 0)
			job.size = PAPERS_LETTER;
		else
			return bad_value(e, "paper", v, "a4 or letter");
	}
	if ((v = arg_get(a, "date"))) {
		int y, m, d;
		if (ktime_date_read(v, &y, &m, &d) != K_OK)
			return bad_value(e, "date", v, "a date YYYY-MM-DD that the calendar has");
		job.date = v;
	}
	job.out = arg_get(a, "output");
	job.to_stdout = c->out;
	job.dir = arg_get(a, "dir");
	struct stat dst;
	if (job.dir && stat(job.dir, &dst) != 0)
		return kerr_set(e, K_EUSAGE, "--dir %s: %s", job.dir,
		                errno == ENOENT ? "no such directory" : strerror(errno));
	if (job.dir && !S_ISDIR(dst.st_mode))
		return kerr_set(e, K_EUSAGE, "--dir %s: not a directory", job.dir);
	job.force = arg_has(a, "force");
	struct store *s;
	char order_id[RESOLVE_ID_MAX + 1]; /* the order's id, its start, as a person gives it */
	int rc = resolve_id(c, RESOLVE_ORDER, order, order_id, sizeof order_id, e);
	if (!rc) {
		order = order_id;
		rc = ctx_store(c, &s, e);
	}
	if (!rc && arg_get(a, "set"))
		rc = apply_sets(c, s, order, a, e);
	if (rc)
		return rc;
	struct papers_result *r = xcalloc(1, sizeof *r);
	rc = papers_order_docs(s, c->home, order, &job, r, e);
	if (rc == K_EUSAGE && r->missing.n) {
		if (c->json) {
			cJSON *o = cJSON_CreateObject(), *m = cJSON_AddArrayToObject(o, "missing");
			cJSON_AddStringToObject(o, "order", order);
			for (size_t i = 0; i < r->missing.n; i++) {
				cJSON *x = cJSON_CreateObject();
				cJSON_AddStringToObject(x, "field", r->missing.field[i]);
				cJSON_AddStringToObject(x, "add", r->missing.how[i]);
				cJSON_AddItemToArray(m, x);
			}
			cmd_print_json(c, o);
		}
		text_fprintf(c->err,
		             "kontor: the signed contract of order %.8s lacks what the papers "
		             "need; the seller adds it with `kontor order docs %.8s --set "
		             "KEY=VALUE` (an unsigned amendment), or a counter-offer before "
		             "signing:\n",
		             order, order);
		for (size_t i = 0; i < r->missing.n; i++)
			text_fprintf(c->err, "  %-24s %s\n", r->missing.field[i],
			             r->missing.how[i]);
		next_time(c, &r->missing);
	}
	if (!rc) {
		for (int i = 0; i < r->nwritten; i++) {
			if (c->json) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "order", order);
				cJSON_AddStringToObject(o, "file", r->written[i]);
				cmd_print_json(c, o);
			} else if (c->verbosity >= 0) {
				text_fprintf(c->out, "wrote %s\n", r->written[i]);
			}
		}
	}
	free(r);
	return rc;
}
