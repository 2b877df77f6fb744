/* contract — the signed contract of DESIGN §5 from the command line: propose an offer from
 * a seller-signed listing, counter it (the field-by-field diff against the offer it
 * supersedes is printed), sign it (binding when both parties signed the same offer: its
 * hash is the order id), show it rendered and verified offline, list the cached ones.
 * Every write stores the contract in the cache and queues Contract/set in one transaction,
 * then pushes. The node verifies the whole chain again and accepts only the caller's own
 * signatures. */
#include "cmd.h"
#include "resolve.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/uloc.h>

#include "../net/sync.h"
#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/order.h"
#include "kontor/papers.h"
#include "kontor/text.h"

#define CONTRACT_FILE_MAX (8u << 20)
#define DEFAULT_LAW "CISG (UN Convention on Contracts for the International Sale of Goods)"
#define DEFAULT_VENUE "Arbitration by the escrow node's operator"

static void copy_lower(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < cap; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] - 'A' + 'a') : src[i];
	dst[i] = '\0';
}

/* arg_whole into an int64_t field. */
static int parse_int(const char *flag, const char *v, int64_t min, int64_t max, int64_t *out,
                     struct kerr *e)
{
	long long n;
	int rc = arg_whole(flag, v, min, max, &n, e);
	if (!rc)
		*out = n;
	return rc;
}

static void set_text(char **field, const char *v)
{
	free(*field);
	*field = *v ? xstrdup(v) : NULL;
}

/* A --ship-by / --deliver-by value: YYYY-MM-DD (the library checks the calendar). */
static int set_date(char out[CONTRACT_DATE_LEN + 1], const char *flag, const char *v,
                    struct kerr *e)
{
	int y, m, d;
	char sh[48];
	if (ktime_date_read(v, &y, &m, &d) != K_OK)
		return kerr_set(e, K_EUSAGE,
		                "--%s '%s' is not a date YYYY-MM-DD that the calendar has", flag,
		                text_shown(v, sh, sizeof sh));
	/* an offer binds its dates: one already gone cannot be kept */
	char today[CONTRACT_DATE_LEN + 1];
	if (strcmp(v, ktime_today(today)) < 0)
		return kerr_set(e, K_EUSAGE, "--%s %s is in the past (today is %s)", flag, v,
		                today);
	memcpy(out, v, CONTRACT_DATE_LEN + 1);
	return K_OK;
}

/* A term the library refused names its field (shipBy, namedPlace, payment.stages[1].due);
 * the one who typed it gave an option: the error names the option and is a usage error
 * (exit 2), as a bad --qty is. So is one that names the option already ("--stages: ..."). */
static int as_option(int rc, struct kerr *e)
{
	static const char *const map[][2] = {{"shipBy", "--ship-by"},
	                                     {"deliverBy", "--deliver-by"},
	                                     {"namedPlace", "--place"},
	                                     {"shipmentMode", "--mode"},
	                                     {"payment.stages", "--stages"},
	                                     {"payment.depositPct", "--deposit-pct"},
	                                     {"incoterm", "--incoterm"},
	                                     {"payment.autoReleaseDays", "--auto-release-days"},
	                                     {"language", "--language"},
	                                     {"governingLaw", "--law"},
	                                     {"disputeVenue", "--venue"},
	                                     {"quality", "--quality"},
	                                     {"inspection", "--inspection"},
	                                     {"portOfLoading", "--port-loading"},
	                                     {"portOfDischarge", "--port-discharge"},
	                                     {"charges", "--charge"},
	                                     {"qty", "--qty"}};
	if (rc != K_EINVAL)
		return rc;
	if (strncmp(e->msg, "--", 2) == 0)
		return e->code = K_EUSAGE;
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		size_t n = strlen(map[i][0]);
		if (strncmp(e->msg, map[i][0], n) != 0 || (e->msg[n] != ':' && e->msg[n] != '['))
			continue;
		/* "charges[0]: ..." keeps which one after the option; "shipBy: x" says x */
		const char *rest = e->msg + n + 1;
		while (e->msg[n] == ':' && *rest == ' ')
			rest++;
		char was[KERR_MSG_MAX];
		snprintf(was, sizeof was, "%s", e->msg[n] == ':' ? rest : e->msg);
		return kerr_set(e, K_EUSAGE, "%s: %s", map[i][1], was);
	}
	return rc;
}

/* from (YYYY-MM-DD, or NULL for today in UTC) plus days. */
static void date_plus(const char *from, int64_t days, char out[CONTRACT_DATE_LEN + 1])
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	time_t t = time(NULL);
	if (from && sscanf(from, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		tm.tm_hour = 12;
		t = timegm(&tm);
	}
	t += (time_t)days * 86400;
	gmtime_r(&t, &tm);
	strftime(out, CONTRACT_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

/* What the papers need, for the offer's first line and the whole: weights of one unit,
 * packages (COUNT:CODE), marks, ports, and charges (KIND:AMOUNT, repeatable). */
static int apply_paper_flags(struct contract_terms *t, const struct args *a, struct kerr *e)
{
	const char *v;
	int rc = K_OK;
	struct contract_item *it = t->nitems ? &t->items[0] : NULL;
	if (!rc && it && (v = arg_get(a, "net-kg")))
		rc = cmd_parse_kg("net-kg", v, CONTRACT_GRAMS_MAX, &it->net_grams, e);
	if (!rc && it && (v = arg_get(a, "gross-kg")))
		rc = cmd_parse_kg("gross-kg", v, CONTRACT_GRAMS_MAX, &it->gross_grams, e);
	if (!rc && it && (v = arg_get(a, "packages")))
		rc = cmd_parse_packages("packages", v, &it->packages, it->package_code, e);
	if (!rc && it && (v = arg_get(a, "marks")))
		set_text(&it->marks, v);
	if ((v = arg_get(a, "port-loading")))
		set_text(&t->port_loading, v);
	if ((v = arg_get(a, "port-discharge")))
		set_text(&t->port_discharge, v);
	for (int i = 0; !rc && (v = arg_nth(a, "charge", i)); i++) {
		const char *colon = strchr(v, ':');
		char kind[16];
		int64_t amount = 0;
		if (!colon || (size_t)(colon - v) >= sizeof kind) {
			rc = kerr_set(
			    e, K_EINVAL,
			    "--charge: '%s' is not KIND:AMOUNT like freight:850.00 (freight, "
			    "insurance, packing; 0 takes it out)",
			    v);
			break;
		}
		snprintf(kind, sizeof kind, "%.*s", (int)(colon - v), v);
		if ((rc = money_parse(colon + 1, t->currency, &amount, e)) != K_OK) {
			kerr_prefix(e, "--charge %s", kind);
			break;
		}
		rc = contract_terms_set_charge(t, kind, amount, e);
		if (!rc && amount == 0) { /* 0: no such charge */
			for (size_t k = 0; k < t->ncharges; k++)
				if (strcmp(t->charges[k].kind, kind) == 0) {
					t->charges[k] = t->charges[--t->ncharges];
					break;
				}
		}
	}
	return rc;
}

/* The parties' details from their cached profiles, where the offer does not carry them
 * yet: ours always, the other party's when its profile has them. online: the node answered
 * (the listing's fetch), so that the other party's profile is fetched when the cache holds
 * none or one that says no address yet (one round trip, only while the cache knows no address
 * of theirs): a buyer's first offer to a seller he found by one search carries her address,
 * not a gap she fills after signing. */
static void fill_parties(struct ctx *c, struct store *s, struct contract_terms *t, int online)
{
	struct contract_party *mine =
	    strcmp(t->buyer, c->self_id) == 0 ? &t->buyer_party : &t->seller_party;
	struct contract_party *theirs =
	    mine == &t->buyer_party ? &t->seller_party : &t->buyer_party;
	const char *their_id = mine == &t->buyer_party ? t->seller : t->buyer;
	struct account acc;
	if (store_account_get(s, c->self_id, &acc, NULL) == K_OK) {
		if (!mine->nlines || !mine->ntax_ids || !mine->name)
			contract_party_from_account(mine, &acc);
		account_free(&acc);
	}
	if (theirs->name)
		return;
	int cached = store_account_get(s, their_id, &acc, NULL) == K_OK;
	if (online && (!cached || !acc.address)) {
		struct kerr fe = {0, ""};
		if (cached)
			account_free(&acc);
		(void)cmd_fetch(c, "Account", their_id, &fe); /* without it, what the cache has */
		cached = store_account_get(s, their_id, &acc, NULL) == K_OK;
	}
	if (cached) {
		contract_party_from_account(theirs, &acc);
		account_free(&acc);
	}
}

/* 1 when two lowercase letters are an ISO 639-1 language (ICU's list of them) */
static int iso639_1(const char *lang)
{
	for (const char *const *l = uloc_getISOLanguages(); *l; l++)
		if (strcmp(*l, lang) == 0)
			return 1;
	return 0;
}

/* The flags every offer takes (propose and counter); qty and price are the caller's. */
static int apply_flags(struct contract_terms *t, const struct args *a, struct kerr *e)
{
	const char *v;
	int rc = K_OK;
	/* a value longer than any the field takes is never cut into one it does */
	static const struct {
		const char *opt, *want;
		size_t cap;
	} fit[] = {{"incoterm", "an Incoterms 2020 rule such as FOB", sizeof t->incoterm},
	           {"mode", "one of sea, air, road, rail, courier", sizeof t->mode},
	           {"language", "an ISO 639-1 language such as en", sizeof t->language}};
	for (size_t i = 0; i < sizeof fit / sizeof *fit; i++)
		if ((v = arg_get(a, fit[i].opt)) && strlen(v) >= fit[i].cap) {
			char sh[48];
			return kerr_set(e, K_EUSAGE, "--%s '%s' is not %s", fit[i].opt,
			                text_shown(v, sh, sizeof sh), fit[i].want);
		}
	if ((v = arg_get(a, "incoterm")))
		cmd_copy_upper(t->incoterm, sizeof t->incoterm, v);
	if ((v = arg_get(a, "place")))
		set_text(&t->named_place, v);
	if ((v = arg_get(a, "mode")))
		copy_lower(t->mode, sizeof t->mode, v);
	if (!rc && (v = arg_get(a, "ship-by")))
		rc = set_date(t->ship_by, "ship-by", v, e);
	if (!rc && (v = arg_get(a, "deliver-by")))
		rc = set_date(t->deliver_by, "deliver-by", v, e);
	if (!rc && arg_get(a, "deposit-pct") && arg_get(a, "stages"))
		rc = kerr_set(e, K_EUSAGE, "--deposit-pct and --stages: give one of them");
	if (!rc && (v = arg_get(a, "deposit-pct"))) {
		rc = parse_int("deposit-pct", v, 0, 100, &t->deposit_pct, e);
		t->nstages = 0; /* the stages the deposit means */
	}
	if (!rc && (v = arg_get(a, "stages")) &&
	    (rc = order_stages_parse(v, t->stages, &t->nstages, e)) == K_OK)
		rc = order_stages_check(t->stages, t->nstages, e);
	if (!rc && (v = arg_get(a, "auto-release-days")))
		rc = parse_int("auto-release-days", v, 1, 90, &t->auto_release_days, e);
	if ((v = arg_get(a, "quality")))
		set_text(&t->quality, v);
	if ((v = arg_get(a, "inspection")))
		set_text(&t->inspection, v);
	if ((v = arg_get(a, "law")))
		set_text(&t->governing_law, v);
	if ((v = arg_get(a, "venue")))
		set_text(&t->dispute_venue, v);
	if ((v = arg_get(a, "language"))) {
		copy_lower(t->language, sizeof t->language, v);
		if (!iso639_1(t->language))
			return kerr_set(e, K_EUSAGE,
			                "--language '%s' is not an ISO 639-1 language "
			                "such as en, de, vi or zh",
			                t->language);
	}
	if (!rc)
		rc = apply_paper_flags(t, a, e);
	return as_option(rc, e);
}

/* Totals and checks the terms (the Incoterms/mode rule comes from the library). */
static int finish_terms(struct contract_terms *t, struct kerr *e)
{
	int rc = contract_terms_total(t, e);
	if (!rc)
		rc = contract_terms_validate(t, e);
	return as_option(rc, e);
}

/* An offer section from terms, signed by us as role. */
static int signed_offer(struct ctx *c, const struct contract_terms *t, const char *role,
                        cJSON **sec, struct kerr *e)
{
	cJSON *body = NULL;
	*sec = NULL;
	int rc = contract_terms_to_json(t, &body, e);
	if (!rc)
		rc = contract_section_make("offer", body, sec, e);
	cJSON_Delete(body);
	if (!rc && (rc = contract_section_sign(*sec, role, &c->kp, e))) {
		cJSON_Delete(*sec);
		*sec = NULL;
	}
	return rc;
}

/* Our role in the contract: "buyer" or "seller"; K_EPERM when we are neither. */
static int role_of(const struct ctx *c, const cJSON *doc, const char **role, struct kerr *e)
{
	*role = contract_role_of(doc, c->self_id);
	if (!*role)
		return kerr_set(e, K_EPERM, "contract %s: you are not its buyer or seller",
		                json_str(doc, "id") ? json_str(doc, "id") : "?");
	return K_OK;
}

int cmd_contract_queue(struct ctx *c, struct store *s, const cJSON *doc, const char *op,
                       char cid[40], struct kerr *e)
{
	struct kbuf payload = KBUF_INIT;
	if (strcmp(op, "create") == 0) {
		json_print(doc, &payload);
	} else {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddItemToObject(
		    p, "sections",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "sections"), 1));
		json_print(p, &payload);
		cJSON_Delete(p);
	}
	int rc = store_begin(s, e);
	if (!rc) {
		rc = store_object_put(s, "Contract", doc, c->node, c->self_id, e);
		if (!rc)
			rc = store_outbox_add(s, "Contract/set", op, json_str(doc, "id"),
			                      kbuf_str(&payload), c->node, cid, e);
		rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
	}
	kbuf_free(&payload);
	return rc;
}

/* Commits the contract to the cache with its outbox entry (cmd_contract_queue), then
 * pushes. */
static int save_and_push(struct ctx *c, struct store *s, const cJSON *doc, const char *op,
                         struct kerr *e)
{
	int rc = cmd_contract_queue(c, s, doc, op, NULL, e);
	if (rc)
		return rc;
	rc = cmd_push(c, e);
	if (rc == K_EFAIL) /* the node refused it: its type, kept in the outbox */
		cmd_result_outbox(c, s, "Contract", json_str(doc, "id"));
	return rc;
}

static const char *push_word(int rc)
{
	return rc == K_OK ? "delivered" : rc == K_EQUEUED ? "queued" : "refused";
}

/* A cached contract, verified: commands never build on a chain that does not check out. */
static int load_verified(struct ctx *c, struct store **s, const char *id, cJSON **doc,
                         struct contract_status *st, struct kerr *e)
{
	*doc = NULL;
	int rc = ctx_identity(c, e);
	if (!rc)
		rc = ctx_store(c, s, e);
	if (!rc)
		rc = store_object_get(*s, "Contract", id, doc, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no contract %s in the cache (run `kontor sync`)",
		                id);
	if (!rc && (rc = contract_verify(*doc, st, e)) != K_OK) {
		kerr_prefix(e, "contract %s does not verify", id);
		rc = K_EVERIFY;
		e->code = K_EVERIFY;
	}
	if (rc) {
		cJSON_Delete(*doc);
		*doc = NULL;
	}
	return rc;
}

/* --- which of the contracts with the other party a command acts on (resolve_id_for) ----- */

/* Whether the cached contract id verifies and is still open to offers (neither binding nor
 * cancelled); with need_mine, also whether its latest offer waits for our signature. */
static int still_open(struct ctx *c, const char *id, int need_mine)
{
	struct store *s;
	cJSON *doc = NULL;
	struct kerr ie = {0, ""};
	struct contract_status *st = xcalloc(1, sizeof *st);
	int fits = ctx_store(c, &s, &ie) == K_OK &&
	           store_object_get(s, "Contract", id, &doc, NULL) == K_OK &&
	           contract_verify(doc, st, &ie) == K_OK && st->binding < 0 &&
	           strcmp(contract_state_name(st), "cancelled") != 0;
	const char *role = fits ? contract_role_of(doc, c->self_id) : NULL;
	if (fits && need_mine)
		fits = role && !contract_signed_as(doc, st->latest_offer, role);
	cJSON_Delete(doc);
	free(st);
	return fits;
}

/* A contract a counter-offer can follow. */
static int fit_counter(struct ctx *c, const char *id, void *arg)
{
	(void)arg;
	return still_open(c, id, 0);
}

/* A contract whose latest offer waits for our signature. */
static int fit_sign(struct ctx *c, const char *id, void *arg)
{
	(void)arg;
	return still_open(c, id, 1);
}

/* The contract named by key (resolve.h, narrowed by rf) as a counter or a signature needs
 * it: its full id in id, loaded and verified (*doc the caller's to free) and our role in it;
 * a binding one is refused, why_not saying what can no longer follow. */
static int open_to_sign(struct ctx *c, const char *key, const struct resolve_for *rf,
                        char id[RESOLVE_ID_MAX + 1], struct store **s, cJSON **doc,
                        struct contract_status *st, const char **role, const char *why_not,
                        struct kerr *e)
{
	*doc = NULL;
	int rc = resolve_id_for(c, RESOLVE_CONTRACT, key, rf, id, RESOLVE_ID_MAX + 1, e);
	if (!rc)
		rc = load_verified(c, s, id, doc, st, e);
	if (!rc && !(rc = role_of(c, *doc, role, e)) && st->binding >= 0)
		rc = kerr_set(e, K_ECONFLICT, "contract %s is binding already (order %s): %s", id,
		              st->order_id, why_not);
	if (rc) {
		cJSON_Delete(*doc);
		*doc = NULL;
	}
	return rc;
}

/* ---------------------------------------------------------------- propose */

static int run_propose(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *lid = arg_get(a, "listing"), *qty_s = arg_get(a, "qty"), *v;
	if (!lid || !qty_s || !arg_get(a, "incoterm") || !arg_get(a, "place"))
		return kerr_set(
		    e, K_EUSAGE,
		    "contract propose: --listing, --qty, --incoterm and --place are required");
	int64_t qty;
	int rc = parse_int("qty", qty_s, 1, MONEY_MAX, &qty, e);
	/* what a person knows: a SKU, @handle, a name or an id prefix */
	char lid_buf[RESOLVE_ID_MAX + 1], buyer_buf[RESOLVE_ID_MAX + 1],
	    rfq_buf[RESOLVE_ID_MAX + 1];
	if (!rc && !(rc = resolve_id(c, RESOLVE_LISTING, lid, lid_buf, sizeof lid_buf, e)))
		lid = lid_buf;
	if (!rc && arg_get(a, "buyer"))
		rc = resolve_id(c, RESOLVE_ACCOUNT, arg_get(a, "buyer"), buyer_buf,
		                sizeof buyer_buf, e);
	if (!rc && arg_get(a, "rfq"))
		rc = resolve_id(c, RESOLVE_RFQ, arg_get(a, "rfq"), rfq_buf, sizeof rfq_buf, e);
	struct store *s = NULL;
	char *node = NULL;
	struct node_info ni;
	memset(&ni, 0, sizeof ni);
	if (!rc)
		rc = ctx_identity(c, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		rc = cmd_node_name(c, &node, e);
	if (!rc)
		rc = store_node_get(s, node, &ni, e);
	if (!rc && (!ni.node_key || strlen(ni.node_key) != KCRYPTO_ID_LEN))
		rc = kerr_set(e, K_ENOTFOUND,
		              "node %s: no pinned node key (the escrow agent); "
		              "run `kontor sync` first",
		              node);
	free(node);
	if (rc) {
		node_info_free(&ni);
		return rc;
	}
	/* The quote names the whole seller-signed listing: fetch it (a pull caches summaries). */
	struct kerr fe = {0, ""};
	int frc = cmd_fetch_listing(c, lid, &fe);
	struct listing l;
	int have = store_listing_get(s, lid, &l, e) == K_OK;
	if (frc == K_EVERIFY) {
		rc = kerr_set(e, K_EVERIFY, "%s", fe.msg);
	} else if (!have || !l.sig) {
		rc = frc ? kerr_set(e, frc, "listing %s: %s", lid, fe.msg)
		         : kerr_set(e, K_ENOTFOUND, "listing %s: no signed copy to quote", lid);
	}
	if (rc) {
		if (have)
			listing_free(&l);
		node_info_free(&ni);
		return rc;
	}

	struct contract_terms t;
	contract_terms_init(&t);
	const char *role = "buyer", *buyer = arg_get(a, "buyer") ? buyer_buf : NULL;
	if (strcmp(l.seller_id, c->self_id) == 0) {
		role = "seller";
		if (!buyer)
			rc = kerr_set(e, K_EUSAGE,
			              "contract propose: this is your own listing: name "
			              "the buyer with --buyer ACCOUNT");
		else if (strlen(buyer) != KCRYPTO_ID_LEN)
			rc = kerr_set(e, K_EINVAL, "--buyer: '%s' is not an account id", buyer);
		else
			memcpy(t.buyer, buyer, KCRYPTO_ID_LEN + 1);
	} else {
		if (buyer && strcmp(buyer, c->self_id) != 0)
			rc = kerr_set(e, K_EUSAGE,
			              "--buyer: only the listing's seller proposes to "
			              "another buyer; you buy as yourself");
		memcpy(t.buyer, c->self_id, sizeof t.buyer);
	}
	memcpy(t.escrow_agent, ni.node_key, KCRYPTO_ID_LEN + 1);
	node_info_free(&ni);
	/* another currency than the listing's: hers to name, with the price in it (the buyer's
	 * RFQ asked in EUR, her shop prices in VND); nothing is converted */
	if (!rc && (v = arg_get(a, "currency"))) {
		char cur[8];
		cmd_copy_upper(cur, sizeof cur, v);
		if ((rc = codes_check_currency(cur, "--currency", e)) == K_OK)
			memcpy(t.currency, cur, sizeof t.currency);
		if (!rc && strcmp(t.currency, l.currency) != 0 && !arg_get(a, "price"))
			rc = kerr_set(
			    e, K_EUSAGE,
			    "--currency %s: the listing is priced in %s; an offer in %s "
			    "names its unit price (--price AMOUNT, in %s): kontor converts "
			    "nothing",
			    t.currency, l.currency, t.currency, t.currency);
	}
	int64_t price = -1;
	if (!rc && (v = arg_get(a, "price")) &&
	    (rc = money_parse(v, t.currency[0] ? t.currency : l.currency, &price, e)))
		kerr_prefix(e, "--price");
	/* which variant is an option's value: none, or one that names none or several, is a
	 * usage error that lists them */
	const char *variant = arg_get(a, "variant");
	const cJSON *var = NULL;
	struct kerr ve = {0, ""};
	/* a variant's SKU as the listing ("GIO-TRE-L") names the variant too */
	if (!rc && !variant && listing_variant_find(&l, arg_get(a, "listing"), &var, NULL) == K_OK)
		variant = arg_get(a, "listing");
	if (!rc && (variant || cJSON_GetArraySize(l.variants) > 0) &&
	    listing_variant_find(&l, variant, &var, &ve) != K_OK)
		rc = kerr_set(e, K_EUSAGE,
		              variant ? "--variant: %s" : "contract propose: %s with --variant",
		              ve.msg);
	if (!rc)
		rc = as_option(contract_terms_add_listing(&t, &l, qty, price, variant, e), e);
	/* more than the seller says she has: the offer goes, and says so */
	int64_t on_hand =
	    rc ? -1
	       : listing_on_hand(
	             &l, var ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(var, "sku"))
	                     : NULL);
	char beyond[160] = "", q1[MONEY_FMT_MAX], q2[MONEY_FMT_MAX], q3[MONEY_FMT_MAX];
	if (!rc && strcmp(role, "buyer") == 0 && on_hand >= 0 && qty > on_hand)
		snprintf(beyond, sizeof beyond,
		         "  the listing says %s on hand%s: the seller may counter",
		         count_text(on_hand, q1), variant ? " of that variant" : "");
	else if (!rc && on_hand >= 0 && qty > on_hand) /* hers: the order will take them */
		snprintf(beyond, sizeof beyond,
		         "  you have %s on hand%s: the order takes %s, %s more than you have",
		         count_text(on_hand, q1), variant ? " of that variant" : "",
		         count_text(qty, q2), count_text(qty - on_hand, q3));
	if (!rc)
		rc = apply_flags(&t, a, e);
	if (!rc) {
		if (!t.mode[0])
			memcpy(t.mode, "sea", 4);
		if (!t.ship_by[0])
			date_plus(NULL, l.lead_time_days > 0 ? l.lead_time_days : 30, t.ship_by);
		if (!t.deliver_by[0])
			date_plus(t.ship_by, 45, t.deliver_by);
		if (!t.governing_law)
			t.governing_law = xstrdup(DEFAULT_LAW);
		if (!t.dispute_venue)
			t.dispute_venue = xstrdup(DEFAULT_VENUE);
		if (!t.language[0])
			memcpy(t.language, "en", 3);
		fill_parties(c, s, &t, frc == K_OK);
		contract_terms_stamp(&t); /* two offers of the same terms are two contracts */
		rc = finish_terms(&t, e);
	}
	listing_free(&l);
	cJSON *sec = NULL, *doc = NULL;
	if (!rc)
		rc = signed_offer(c, &t, role, &sec, e);
	if (!rc)
		rc = contract_new(sec, &doc, e);
	if (!rc && arg_get(a, "rfq"))
		cJSON_AddStringToObject(doc, "rfqId", rfq_buf);
	if (!rc && (rc = model_validate("Contract", doc, e)) == K_OK)
		rc = save_and_push(c, s, doc, "create", e);
	if (doc && (rc == K_OK || rc == K_EQUEUED || rc == K_EFAIL)) {
		const char *id = json_str(doc, "id");
		char total[MONEY_FMT_MAX];
		money_text(t.total, t.currency, total);
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddStringToObject(j, "role", role);
			json_add_int(j, "unitPrice", t.items[0].unit_price);
			json_add_int(j, "total", t.total);
			cJSON_AddStringToObject(j, "currency", t.currency);
			cJSON_AddStringToObject(j, "status", push_word(rc));
			cmd_result_json(c, j);
		}
		cmd_result_set(c, "Contract", id, "offer", "proposed contract %s%s", id,
		               rc == K_EQUEUED ? ", queued" : "");
		/* what is offered, in the words order show uses */
		struct kbuf w = KBUF_INIT;
		for (size_t i = 0; i < t.nitems; i++) {
			kbuf_reset(&w);
			contract_item_words(&t, i, &w);
			cmd_result_more(c, "  %s", kbuf_str(&w));
		}
		kbuf_reset(&w);
		contract_charges_words(&t, &w);
		if (w.len)
			cmd_result_more(c, "  charges %s", kbuf_str(&w));
		kbuf_reset(&w);
		contract_shipping_words(&t, &w);
		cmd_result_more(c, "  total %s %s; %s", total, t.currency, kbuf_str(&w));
		kbuf_reset(&w);
		contract_payment_words(&t, 1, &w);
		cmd_result_more(c, "  payment into escrow: %s", kbuf_str(&w));
		kbuf_free(&w);
		if (beyond[0])
			cmd_result_more(c, "%s", beyond);
	}
	cJSON_Delete(doc);
	contract_terms_free(&t);
	return rc;
}

/* ---------------------------------------------------------------- counter */

/* A new quantity without --price: the tier price of the quoted listing for it (the
 * variant's own price when it has one), when the cache holds that very signed listing (its
 * hash is the one the offer quotes) and the offer is in its currency (else the unit price
 * stays as offered). */
static void retier(struct store *s, const char *currency, struct contract_item *it)
{
	struct listing l;
	if (store_listing_get(s, it->listing_id, &l, NULL) != K_OK)
		return;
	if (strcmp(l.currency, currency) != 0) { /* its tiers say nothing in the offer's money */
		listing_free(&l);
		return;
	}
	char hash[KCRYPTO_HASH_B64_LEN + 1] = "";
	const cJSON *var = NULL;
	if (l.sig && contract_listing_hash(&l, hash, NULL) == K_OK &&
	    strcmp(hash, it->listing_hash) == 0 &&
	    (!it->variant_sku[0] ||
	     listing_variant_find(&l, it->variant_sku, &var, NULL) == K_OK)) {
		int64_t p =
		    var ? listing_variant_price(&l, var, it->qty) : listing_unit_price(&l, it->qty);
		if (p >= 0)
			it->unit_price = p;
	}
	listing_free(&l);
}

/* --variant on a counter: another variant of the very listing the offer quotes, fetched
 * whole when the cache holds only its summary; a listing changed since needs a new offer. */
static int revariant(struct ctx *c, struct store *s, struct contract_item *it, const char *key,
                     struct kerr *e)
{
	struct listing l;
	int have = store_listing_get(s, it->listing_id, &l, NULL) == K_OK;
	if (!have || !l.sig) {
		if (have)
			listing_free(&l);
		struct kerr fe = {0, ""};
		cmd_fetch_listing(c, it->listing_id, &fe);
		if (store_listing_get(s, it->listing_id, &l, e) != K_OK)
			return kerr_set(e, K_ENOTFOUND,
			                "--variant: listing %s is not in the cache%s%s",
			                it->listing_id, fe.msg[0] ? ": " : "", fe.msg);
	}
	int rc = contract_item_set_variant(it, &l, key, NULL, e);
	if (rc == K_ECONFLICT)
		rc = kerr_set(e, K_ECONFLICT,
		              "--variant: listing %s has changed since the offer quoted it; "
		              "propose anew for another variant",
		              it->listing_id);
	else if (rc != K_OK)
		kerr_prefix(e, "--variant");
	listing_free(&l);
	if (rc == K_EINVAL || rc == K_ENOTFOUND) /* a value the option does not take */
		rc = e->code = K_EUSAGE;
	return rc;
}

static int run_counter(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	cJSON *doc;
	struct contract_status st;
	const char *role, *v;
	char id[RESOLVE_ID_MAX + 1];
	int rc =
	    open_to_sign(c, a->pos[0], &(const struct resolve_for){fit_counter, NULL, "counter"},
	                 id, &s, &doc, &st, &role, "no further offer can follow", e);
	if (rc)
		return rc;
	const cJSON *latest =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "sections"), st.latest_offer);
	struct contract_terms old_t, t;
	contract_terms_init(&old_t);
	contract_terms_init(&t);
	rc = contract_section_terms(latest, &old_t, e);
	if (!rc)
		rc = contract_section_terms(latest, &t, e);
	if (!rc && t.nitems < 1)
		rc = kerr_set(e, K_EINVAL, "contract %s: the offer has no items", id);
	if (!rc && (v = arg_get(a, "qty")))
		rc = parse_int("qty", v, 1, MONEY_MAX, &t.items[0].qty, e);
	if (!rc && (v = arg_get(a, "variant")))
		rc = revariant(c, s, &t.items[0], v, e);
	if (!rc && (arg_get(a, "qty") || arg_get(a, "variant")) && !arg_get(a, "price"))
		retier(s, t.currency, &t.items[0]);
	if (!rc && (v = arg_get(a, "price")) &&
	    (rc = money_parse(v, t.currency, &t.items[0].unit_price, e)))
		kerr_prefix(e, "--price");
	if (!rc)
		rc = apply_flags(&t, a, e);
	if (!rc && (rc = contract_tip(doc, t.prev, e)) == K_OK)
		snprintf(t.supersedes, sizeof t.supersedes, "%s", json_str(latest, "hash"));
	if (!rc) {
		fill_parties(c, s, &t, 0);
		contract_terms_stamp(&t);
		rc = finish_terms(&t, e);
	}
	struct kbuf diff = KBUF_INIT;
	if (!rc) {
		contract_diff(&old_t, &t, &diff);
		if (!diff.len)
			rc = kerr_set(e, K_EUSAGE,
			              "contract counter: nothing changed; accept the "
			              "offer with `kontor contract sign %s`",
			              id);
	}
	cJSON *sec = NULL;
	if (!rc)
		rc = signed_offer(c, &t, role, &sec, e);
	if (!rc)
		rc = contract_append(doc, sec, e);
	if (!rc)
		rc = contract_verify(doc, &st, e);
	if (!rc)
		rc = save_and_push(c, s, doc, "update", e);
	if (rc == K_OK || rc == K_EQUEUED || rc == K_EFAIL) {
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddStringToObject(
			    j, "offer",
			    json_str(cJSON_GetArrayItem(
			                 cJSON_GetObjectItemCaseSensitive(doc, "sections"),
			                 st.latest_offer),
			             "hash"));
			cJSON_AddStringToObject(j, "diff", kbuf_str(&diff));
			cJSON_AddStringToObject(j, "status", push_word(rc));
			cmd_result_json(c, j);
		}
		cmd_result_set(c, "Contract", id, contract_state_name(&st),
		               "countered contract %s (section %d)%s; changed against the offer it "
		               "supersedes:",
		               id, st.latest_offer, rc == K_EQUEUED ? ", queued" : "");
		if (diff.len) /* printed sanitised, newlines kept */
			cmd_result_more(c, "%s", kbuf_str(&diff));
	}
	kbuf_free(&diff);
	contract_terms_free(&old_t);
	contract_terms_free(&t);
	cJSON_Delete(doc);
	return rc;
}

/* ---------------------------------------------------------------- sign */

/* What comes next once a signature binds, for the one who signed: "next: pay 256,000 VND:
 * `kontor order pay H_OFXeWR`", "next: wait for payment: stage 1 of 2, 40% on signing,
 * 256,000 VND". */
static void signed_next(struct ctx *c, const struct contract_status *st, const char *role)
{
	char next[96], w[ORDER_WORDS_LEN] = "";
	int seller = strcmp(role, "seller") == 0;
	int mine =
	    order_next_words(&st->terms, &st->progress, order_role_bit(role), next, sizeof next);
	int pay = strncmp(next, "pay", 3) == 0 || strstr(next, "payment");
	if (pay && st->progress.stages_paid < st->terms.nstages)
		order_stage_words(&st->terms, st->progress.stages_paid, w);
	if (mine && !seller)
		cmd_result_more(c, "next: %s%s: `kontor order pay %.8s`", w[0] ? "pay " : next, w,
		                st->order_id);
	else if (mine)
		cmd_result_more(c,
		                "next: %s: `kontor order ship %.8s --carrier CARRIER --tracking "
		                "NUMBER`",
		                next, st->order_id);
	else
		cmd_result_more(c, "next: %s%s%s", next, w[0] ? ": " : "", w);
}

static int run_sign(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	cJSON *doc;
	struct contract_status st;
	const char *role;
	char id[RESOLVE_ID_MAX + 1];
	int rc = open_to_sign(c, a->pos[0], &(const struct resolve_for){fit_sign, NULL, "sign"}, id,
	                      &s, &doc, &st, &role, "nothing is left to sign", e);
	if (rc)
		return rc;
	cJSON *latest =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "sections"), st.latest_offer);
	rc = contract_section_sign(latest, role, &c->kp, e);
	if (rc == K_EEXIST)
		rc = kerr_set(e, K_EEXIST,
		              "contract %s: you signed its latest offer already; it "
		              "waits for the other party",
		              id);
	if (!rc)
		rc = contract_verify(doc, &st, e);
	if (!rc)
		rc = save_and_push(c, s, doc, "update", e);
	/* The node made the order as it took the binding contract: fetched now, so `order
	 * list` shows it at once; only it, so the next sync's notify-command still sees
	 * everything else that came meanwhile as news. */
	struct kerr fe = {0, ""};
	int fetched =
	    rc == K_OK && st.binding >= 0 ? cmd_fetch(c, "Order", st.order_id, &fe) : K_OK;
	/* Her signature binds: the order takes its goods from her listing's stock at once. */
	struct kstrv stock = {0};
	if (rc == K_OK && fetched == K_OK && st.binding >= 0 && strcmp(role, "seller") == 0 &&
	    cmd_stock_follow(c, s, c->node, &stock))
		cmd_push(c, NULL);
	if (rc == K_OK || rc == K_EQUEUED || rc == K_EFAIL) {
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddStringToObject(j, "state", contract_state_name(&st));
			json_add_opt(j, "orderId", st.order_id);
			cJSON_AddStringToObject(j, "status", push_word(rc));
			cJSON *sa = cJSON_AddArrayToObject(j, "stock");
			for (size_t i = 0; i < stock.n; i++)
				cJSON_AddItemToArray(sa, cJSON_CreateString(stock.v[i]));
			cmd_result_json(c, j);
		}
		if (st.binding >= 0) {
			cmd_result_set(c, "Contract", id, contract_state_name(&st),
			               "signed contract %s as %s: binding, order %s%s", id, role,
			               st.order_id, rc == K_EQUEUED ? ", queued" : "");
			if (fetched != K_OK)
				cmd_result_more(
				    c, "the order comes with the next `kontor sync` (%s)", fe.msg);
			for (size_t i = 0; i < stock.n; i++)
				cmd_result_more(c, "%s", stock.v[i]);
			signed_next(c, &st, role);
		} else {
			cmd_result_set(c, "Contract", id, contract_state_name(&st),
			               "signed contract %s as %s; waiting for the other party%s",
			               id, role, rc == K_EQUEUED ? ", queued" : "");
		}
	}
	kstrv_free(&stock);
	cJSON_Delete(doc);
	return rc;
}

/* ---------------------------------------------------------------- show */

static int run_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *file = arg_get(a, "file");
	const char *id = a->npos > 0 ? a->pos[0] : NULL;
	if (!file && !id)
		return kerr_set(e, K_EUSAGE, "contract show: an ID or --file PATH");
	char idbuf[RESOLVE_ID_MAX + 1];
	if (!file) {
		int rrc = resolve_id(c, RESOLVE_CONTRACT, id, idbuf, sizeof idbuf, e);
		if (rrc)
			return rrc;
		id = idbuf;
	}
	int verify_only = arg_has(a, "verify"), rc;
	cJSON *doc = NULL;
	char what[300];
	if (file) {
		struct kbuf data = KBUF_INIT;
		snprintf(what, sizeof what, "%s", file);
		rc = ctx_read_file(c, file, CONTRACT_FILE_MAX, &data, e);
		if (!rc && (rc = json_parse(kbuf_str(&data), data.len, file, &doc, e)) != K_OK) {
			/* Not even JSON: it cannot verify. */
			rc = K_EVERIFY;
			e->code = K_EVERIFY;
		}
		kbuf_free(&data);
	} else {
		struct store *s;
		snprintf(what, sizeof what, "contract %s", id);
		rc = ctx_store(c, &s, e);
		if (!rc)
			rc = store_object_get(s, "Contract", id, &doc, e);
		if (rc == K_ENOTFOUND)
			rc = kerr_set(e, K_ENOTFOUND,
			              "no contract %s in the cache (run `kontor sync`)", id);
	}
	if (rc)
		return rc;
	struct contract_status st;
	struct kerr ve = {0, ""};
	int ok = contract_verify(doc, &st, &ve) == K_OK;
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", json_str(doc, "id") ? json_str(doc, "id") : "");
		cJSON_AddBoolToObject(j, "verified", ok);
		if (ok) {
			cJSON_AddStringToObject(j, "state", contract_state_name(&st));
			json_add_opt(j, "orderId", st.order_id);
		} else {
			cJSON_AddStringToObject(j, "error", ve.msg);
		}
		if (!verify_only)
			cJSON_AddItemToObject(j, "contract", cJSON_Duplicate(doc, 1));
		cmd_print_json(c, j);
	} else {
		if (!verify_only) {
			struct kbuf out = KBUF_INIT;
			struct kerr re = {0, ""};
			if (contract_render_width(doc, cmd_out_width(c), &out, &re) == K_OK)
				text_fprintf(c->out, "%s", kbuf_str(&out));
			else
				text_fprintf(c->out, "(cannot render: %s)\n", re.msg);
			kbuf_free(&out);
		}
		if (ok)
			text_fprintf(
			    c->out,
			    "verified: %zu section%s, every hash and signature checks out; "
			    "%s%s%s\n",
			    st.nsections, st.nsections == 1 ? "" : "s", contract_state_name(&st),
			    st.order_id[0] ? ", order " : "", st.order_id);
		else
			text_fprintf(c->out, "DOES NOT VERIFY: %s\n", ve.msg);
	}
	cJSON_Delete(doc);
	if (!ok)
		return kerr_set(e, K_EVERIFY, "%s does not verify: %s", what, ve.msg);
	return K_OK;
}

/* ---------------------------------------------------------------- list */

static int list_one(void *vctx, const cJSON *doc)
{
	struct ctx *c = vctx;
	struct contract_status st;
	struct kerr ve = {0, ""};
	int ok = contract_verify(doc, &st, &ve) == K_OK;
	const char *id = json_str(doc, "id") ? json_str(doc, "id") : "?";
	const char *b = json_str(doc, "buyerId"), *sl = json_str(doc, "sellerId");
	int buying = b && strcmp(b, c->self_id) == 0;
	const char *peer = buying ? sl : b;
	struct contract_terms t;
	contract_terms_init(&t);
	char total[MONEY_FMT_MAX] = "?";
	int have_terms = 0;
	if (ok) {
		const cJSON *sec = cJSON_GetArrayItem(
		    cJSON_GetObjectItemCaseSensitive(doc, "sections"), st.latest_offer);
		if (contract_section_terms(sec, &t, &ve) == K_OK) {
			have_terms = 1;
			money_text(t.total, t.currency, total);
		}
	}
	const char *state = ok ? contract_state_name(&st) : "UNVERIFIED";
	char *product = contract_product(have_terms ? &t : NULL);
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", id);
		cJSON_AddStringToObject(j, "state", state);
		cJSON_AddStringToObject(j, "role", buying ? "buyer" : "seller");
		cJSON_AddStringToObject(j, "counterparty", peer ? peer : "");
		struct kbuf name = KBUF_INIT;
		resolve_account_name(c, peer, &name);
		cJSON_AddStringToObject(j, "counterpartyName", kbuf_str(&name));
		kbuf_free(&name);
		if (have_terms) {
			json_add_int(j, "total", t.total);
			cJSON_AddStringToObject(j, "currency", t.currency);
		}
		if (st.order_id[0] && ok)
			cJSON_AddStringToObject(j, "orderId", st.order_id);
		cJSON_AddStringToObject(j, "product", product);
		cmd_print_json(c, j);
	} else {
		/* The counterparty by name and handle (the id when its profile is not cached). */
		struct kbuf name = KBUF_INIT;
		resolve_account_name(c, peer, &name);
		cmd_list_line(c, id, state, 10, buying, total, have_terms ? t.currency : "",
		              product, kbuf_str(&name));
		kbuf_free(&name);
	}
	free(product);
	contract_terms_free(&t);
	return 0;
}

static int run_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	return ctx_list_objects(c, "Contract", NULL, list_one, e);
}

#define OFFER_USAGE                                                                                \
	"[--mode sea|air|road|rail|courier] [--price AMOUNT] [--ship-by DATE]\n"                   \
	"        [--deliver-by DATE] [--deposit-pct N | --stages PCT:DUE,...]\n"                   \
	"        [--auto-release-days N] [--quality TEXT] [--inspection TEXT] [--law TEXT]\n"      \
	"        [--venue TEXT] [--language CC] [--net-kg KG] [--gross-kg KG]\n"                   \
	"        [--packages N:CODE] [--marks TEXT] [--port-loading PLACE]\n"                      \
	"        [--port-discharge PLACE] [--charge freight|insurance|packing:AMOUNT]..."
#define OFFER_SPEC                                                                                 \
	"incoterm= place= mode= price= ship-by= deliver-by= deposit-pct= stages= "                 \
	"auto-release-days= "                                                                      \
	"quality= inspection= law= venue= language= qty= net-kg= gross-kg= packages= marks= "      \
	"port-loading= port-discharge= charge=*"

const struct cmd_entry cmd_contract_entries[] = {
    {"contract propose",
     "--listing ID --qty N --incoterm RULE --place TEXT " OFFER_USAGE
     "\n        [--rfq ID] [--buyer ACCOUNT] [--variant NAME] [--currency CUR]",
     "offer a contract for a listing, signed by you",
     "listing= rfq= buyer= variant= currency= " OFFER_SPEC, 0, 0, run_propose,
     "The listing is fetched whole and its seller's signature checked; the unit price is its "
     "tier price\nfor the quantity unless --price is given. A listing that comes in variants "
     "needs the one\nbought: --variant names it by its SKU or options (\"L\", \"red L\"), and "
     "--listing by a\nvariant's SKU names both (a listing the cache holds whole: `listing show` "
     "fetches it);\nits own price, when it has one, is the unit "
     "price, and its\noptions follow the title in the contract. The escrow agent is the "
     "current node. You sign\nas the buyer, or as the seller when it is your listing (then "
     "name the buyer with --buyer).\nDefaults: --mode sea, "
     "ship in the listing's lead time (else 30 "
     "days), deliver 45 days later,\n100% paid before shipment, auto-release after 14 days, "
     "CISG, arbitration by the node's operator,\nEnglish.\n"
     "Payment: --deposit-pct N is N% on signing and the rest before shipment; --stages lists\n"
     "the stages, e.g. 30:signing,50:before_shipment,20:days_after_delivery:30 (due one of\n"
     "signing, before_shipment, delivery, days_after_delivery:N, in that order, summing to\n"
     "100). Each stage is its share of the total rounded down; the last takes the rest.\n"
     "For the trade papers (`order docs`): --net-kg and --gross-kg weigh one unit, --packages\n"
     "20:CT counts the packages and names their UN/ECE Rec 21 kind, --marks the shipping marks\n"
     "(the listing's weights and packing fill them in when it has them); --port-loading and\n"
     "--port-discharge (UN/LOCODE like CNNGB, or a place); --charge freight:850.00 bills a\n"
     "charge on top of the goods (freight, insurance, packing; only what the Incoterm makes\n"
     "the seller's: no freight under FOB). Both parties' addresses and tax ids are copied\n"
     "from their profiles (`id edit --address`) into the offer, the other party's fetched\n"
     "from the node when the cache has none."},
    {"contract counter", "ID [--qty N] [--variant NAME] " OFFER_USAGE,
     "answer an offer with changed terms, signed by you", "variant= " OFFER_SPEC, 1, 1, run_counter,
     "Prints what changed against the offer it supersedes, field by field. A new --qty takes\n"
     "the tier price for it, or the variant's own; --variant offers another variant of the\n"
     "same listing (its SKU or options, as propose takes them) at its price, unless --price\n"
     "is given. A listing changed since the offer needs a new offer for another variant."},
    {"contract sign", "ID", "accept the latest offer; binding when both parties signed it", "", 1,
     1, run_sign, "A binding offer's hash is the order id."},
    {"contract show", "ID [--verify] | --file PATH [--verify]",
     "show a contract and verify its whole chain offline", "verify file=", 0, 1, run_show,
     "Exit 5 when a hash, a signature or the chain does not check out, naming the section.\n"
     "--verify prints only the verification; --file reads a contract JSON from a file."},
    {"contract list", "", "the contracts in the cache: state, total, product, counterparty", "", 0,
     0, run_list, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
