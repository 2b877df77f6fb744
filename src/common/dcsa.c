/* dcsa — DCSA Track & Trace events (v2.2 and v3) into kontor's event objects, and events
 * into words. See include/kontor/dcsa.h. */
#include "kontor/dcsa.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/text.h"

#define LOCATION_MAX 200
#define NOTE_MAX 500
#define DCSA_TIME_MAX 63 /* bytes of an event time; longer is refused */

_Static_assert(MODEL_TIME_LEN == KTIME_UTC_LEN, "an event time is a model time");

/* ---------------------------------------------------------------- small helpers */

static const cJSON *obj_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
	return cJSON_IsObject(v) ? v : NULL;
}

/* A non-empty string member, or NULL. */
static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
	return cJSON_IsString(v) && v->valuestring && v->valuestring[0] ? v->valuestring : NULL;
}

/* Length of s[0..n) cut to at most max bytes without splitting a UTF-8 character. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

/* Sanitised s, spaces at both ends trimmed, cut to max bytes, appended to out. */
static void put_clean(struct kbuf *out, const char *s, size_t max)
{
	struct kbuf t = KBUF_INIT;
	text_sanitize(&t, s, strlen(s), 0);
	const char *p = kbuf_str(&t);
	size_t n = t.len;
	while (n && *p == ' ')
		p++, n--;
	while (n && p[n - 1] == ' ')
		n--;
	kbuf_append(out, p, utf8_cut(p, n, max));
	kbuf_free(&t);
}

/* Appends at most cap - 1 - *len bytes of s to out (never splitting a character). */
static void put(char *out, size_t cap, size_t *len, const char *s)
{
	if (*len + 1 >= cap)
		return;
	size_t n = strlen(s);
	n = utf8_cut(s, n, cap - 1 - *len);
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = 0;
}

static void put_clean_s(char *out, size_t cap, size_t *len, const char *s)
{
	struct kbuf t = KBUF_INIT;
	text_sanitize(&t, s, strlen(s), 0);
	put(out, cap, len, kbuf_str(&t));
	kbuf_free(&t);
}

/* ---------------------------------------------------------------- time */

/* RFC 3339 date-time, strictly (a 'T', seconds, no second 60; an offset or Z, an optional
 * fraction) to "YYYY-MM-DDTHH:MM:SSZ" in UTC. Returns 0 when s is not one, is longer than
 * DCSA_TIME_MAX, or lands outside years 0000-9999 in UTC. */
static int time_to_utc(const char *s, char out[MODEL_TIME_LEN + 1])
{
	struct ktime_fields f;
	return strnlen(s, DCSA_TIME_MAX + 1) <= DCSA_TIME_MAX &&
	       ktime_read(s, KTIME_STRICT, &f) == K_OK && ktime_utc(ktime_epoch(&f), out) == K_OK;
}

/* ---------------------------------------------------------------- parse */

struct dtype {
	const char *event_type; /* DCSA eventType */
	const char *field;      /* where the code lives */
	enum dcsa_kind kind;
};

static const struct dtype dtypes[] = {
    {"EQUIPMENT", "equipmentEventTypeCode", DCSA_EQUIPMENT},
    {"TRANSPORT", "transportEventTypeCode", DCSA_TRANSPORT},
    {"SHIPMENT", "shipmentEventTypeCode", DCSA_SHIPMENT},
};

static const char *kind_word(enum dcsa_kind k)
{
	switch (k) {
	case DCSA_EQUIPMENT:
		return "an equipment";
	case DCSA_TRANSPORT:
		return "a transport";
	case DCSA_SHIPMENT:
		return "a shipment";
	case DCSA_KONTOR:
		break;
	}
	return "a kontor";
}

/* DCSA documentTypeCode in words (the shipment events' document). */
static const char *doc_word(const char *code)
{
	static const char *const t[][2] = {
	    {"CBR", "Carrier booking request"},
	    {"BKG", "Booking"},
	    {"SHI", "Shipping instructions"},
	    {"SRM", "Shipment release"},
	    {"TRD", "Bill of lading"},
	    {"ARN", "Arrival notice"},
	    {"VGM", "Verified gross mass"},
	    {"CAS", "Cargo survey"},
	    {"CUS", "Customs inspection"},
	    {"DGD", "Dangerous goods declaration"},
	    {"OOG", "Out of gauge"},
	};
	for (size_t i = 0; code && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(code, t[i][0]) == 0)
			return t[i][1];
	return NULL;
}

static const char *location_of(const cJSON *ev)
{
	const cJSON *el = obj_of(ev, "eventLocation"), *tc = obj_of(ev, "transportCall");
	const cJSON *tcl = obj_of(tc, "location");
	const char *s;
	if ((s = str_of(el, "UNLocationCode")) || (s = str_of(tc, "UNLocationCode")) ||
	    (s = str_of(tcl, "UNLocationCode")) || (s = str_of(el, "locationName")) ||
	    (s = str_of(el, "facilityCode")) || (s = str_of(tc, "facilityCode")) ||
	    (s = str_of(tcl, "facilityCode")) || (s = str_of(tcl, "locationName")))
		return s;
	return NULL;
}

/* The note's words, raw (sanitised by the caller). */
static void note_of(const cJSON *ev, enum dcsa_kind kind, struct kbuf *b)
{
	const cJSON *tc = obj_of(ev, "transportCall"), *vs = obj_of(tc, "vessel");
	if (kind == DCSA_SHIPMENT) {
		const char *dt = str_of(ev, "documentTypeCode");
		const char *ref = str_of(ev, "documentReference");
		if (!ref)
			ref = str_of(ev, "documentID");
		const char *w = doc_word(dt);
		if (w)
			kbuf_puts(b, w);
		else if (dt)
			kbuf_printf(b, "Document %s", dt);
		if (ref)
			kbuf_printf(b, "%s%s", b->len ? " " : "", ref);
		const char *reason = str_of(ev, "reason");
		if (reason)
			kbuf_printf(b, "%s%s", b->len ? ": " : "", reason);
		return;
	}
	const char *vessel = str_of(vs, "vesselName");
	if (!vessel)
		vessel = str_of(vs, "name");
	const char *voyage = str_of(tc, "exportVoyageNumber");
	if (!voyage)
		voyage = str_of(tc, "carrierExportVoyageNumber");
	if (vessel)
		kbuf_puts(b, vessel);
	if (voyage)
		kbuf_printf(b, "%s%s", b->len ? " " : "voyage ", voyage);
	const char *eq = str_of(ev, "equipmentReference");
	if (eq)
		kbuf_printf(b, "%s%s", b->len ? ", " : "", eq);
}

/* The rules of model.c's "event" type, for what this file builds. */
static int line_ok(const cJSON *o, const char *name, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!v)
		return 1;
	if (!cJSON_IsString(v) || !v->valuestring)
		return 0;
	const char *s = v->valuestring;
	size_t n = strlen(s);
	if (n < 1 || n > max || !utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F ||
		    (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9F))
			return 0;
	}
	return 1;
}

static int event_valid(const cJSON *o, size_t i, struct kerr *e)
{
	const char *code = str_of(o, "code"), *cls = str_of(o, "classifier");
	if (!code || !codes_dcsa_event(code) || !cls || !codes_dcsa_classifier(cls) ||
	    model_check_time(str_of(o, "at"), "at", NULL) != K_OK ||
	    !line_ok(o, "location", LOCATION_MAX) || !line_ok(o, "note", NOTE_MAX))
		return kerr_set(e, K_EFAIL, "events[%zu]: the event made from it is not valid", i);
	return K_OK;
}

static int parse_one(const cJSON *raw, size_t i, cJSON **out, char created[MODEL_TIME_LEN + 1],
                     struct kerr *e)
{
	char sh[64], at[MODEL_TIME_LEN + 1];
	*out = NULL;
	created[0] = 0;
	if (!cJSON_IsObject(raw))
		return kerr_set(e, K_EINVAL, "events[%zu]: must be an object", i);
	const cJSON *ev = raw, *meta = obj_of(raw, "metadata");
	if (!cJSON_GetObjectItemCaseSensitive(raw, "eventType") && obj_of(raw, "payload"))
		ev = obj_of(raw, "payload"); /* v3 beta: {"metadata": {...}, "payload": {...}} */

	/* which kind of event, and so where its code is */
	const struct dtype *dt = NULL;
	const cJSON *typ = cJSON_GetObjectItemCaseSensitive(ev, "eventType");
	if (typ) {
		if (!cJSON_IsString(typ))
			return kerr_set(e, K_EINVAL,
			                "events[%zu]: eventType: must be EQUIPMENT, TRANSPORT or "
			                "SHIPMENT",
			                i);
		for (size_t k = 0; k < sizeof dtypes / sizeof dtypes[0]; k++)
			if (strcmp(typ->valuestring, dtypes[k].event_type) == 0)
				dt = &dtypes[k];
		if (!dt)
			return kerr_set(e, K_EINVAL,
			                "events[%zu]: eventType: must be EQUIPMENT, TRANSPORT or "
			                "SHIPMENT (got '%s')",
			                i, text_shown(typ->valuestring, sh, sizeof sh));
	} else {
		for (size_t k = 0; k < sizeof dtypes / sizeof dtypes[0] && !dt; k++)
			if (cJSON_GetObjectItemCaseSensitive(ev, dtypes[k].field))
				dt = &dtypes[k];
		if (!dt)
			return kerr_set(e, K_EINVAL,
			                "events[%zu]: eventType: missing (EQUIPMENT, TRANSPORT or "
			                "SHIPMENT)",
			                i);
	}
	const cJSON *cv = cJSON_GetObjectItemCaseSensitive(ev, dt->field);
	if (!cv || cJSON_IsNull(cv))
		return kerr_set(e, K_EINVAL, "events[%zu]: %s: missing", i, dt->field);
	if (!cJSON_IsString(cv))
		return kerr_set(e, K_EINVAL, "events[%zu]: %s: must be a string", i, dt->field);
	const char *code = cv->valuestring;
	const struct dcsa_code *dc = codes_dcsa_event(code);
	if (!dc)
		return kerr_set(e, K_EINVAL, "events[%zu]: unknown DCSA event code '%s'", i,
		                text_shown(code, sh, sizeof sh));
	if (dc->kind != dt->kind && dc->kind != DCSA_KONTOR)
		return kerr_set(e, K_EINVAL, "events[%zu]: %s: '%s' is %s event code", i, dt->field,
		                code, kind_word(dc->kind));

	const char *cls = str_of(ev, "eventClassifierCode");
	if (!cls)
		return kerr_set(e, K_EINVAL,
		                "events[%zu]: eventClassifierCode: missing (ACT, EST, PLN or REQ)",
		                i);
	if (!codes_dcsa_classifier(cls))
		return kerr_set(e, K_EINVAL,
		                "events[%zu]: unknown event classifier '%s' (ACT, EST, PLN or REQ)",
		                i, text_shown(cls, sh, sizeof sh));

	const cJSON *tv = cJSON_GetObjectItemCaseSensitive(ev, "eventDateTime");
	if (!tv || cJSON_IsNull(tv))
		return kerr_set(e, K_EINVAL, "events[%zu]: eventDateTime: missing", i);
	if (!cJSON_IsString(tv) || !time_to_utc(tv->valuestring, at))
		return kerr_set(e, K_EINVAL,
		                "events[%zu]: eventDateTime: not an RFC 3339 time like "
		                "2026-11-20T09:00:00+01:00 (got '%s')",
		                i,
		                cJSON_IsString(tv) ? text_shown(tv->valuestring, sh, sizeof sh)
		                                   : "not a string");

	const char *cr = str_of(ev, "eventCreatedDateTime");
	if (!cr)
		cr = str_of(meta, "eventCreatedDateTime");
	if (cr && !time_to_utc(cr, created))
		created[0] = 0;

	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", dc->code);
	cJSON_AddStringToObject(o, "classifier", cls);
	cJSON_AddStringToObject(o, "at", at);
	struct kbuf b = KBUF_INIT;
	const char *loc = location_of(ev);
	if (loc)
		put_clean(&b, loc, LOCATION_MAX);
	json_add_opt(o, "location", kbuf_str(&b));
	struct kbuf raw_note = KBUF_INIT;
	note_of(ev, dt->kind, &raw_note);
	kbuf_reset(&b);
	if (raw_note.len)
		put_clean(&b, kbuf_str(&raw_note), NOTE_MAX);
	json_add_opt(o, "note", kbuf_str(&b));
	kbuf_free(&raw_note);
	kbuf_free(&b);
	if (event_valid(o, i, e) != K_OK) {
		cJSON_Delete(o);
		return K_EFAIL;
	}
	*out = o;
	return K_OK;
}

int dcsa_parse(const char *json, size_t len, cJSON **out, struct kerr *e)
{
	*out = NULL;
	if (len > DCSA_MAX_BYTES)
		return kerr_set(e, K_ETOOBIG, "DCSA events file: %zu bytes is over the limit of %u",
		                len, DCSA_MAX_BYTES);
	cJSON *root = NULL;
	int rc = json_parse(json ? json : "", json ? len : 0, "DCSA events file", &root, e);
	if (rc != K_OK)
		return rc;
	const cJSON *arr = root;
	if (cJSON_IsObject(root))
		arr = cJSON_GetObjectItemCaseSensitive(root, "events");
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(root);
		return kerr_set(e, K_EINVAL,
		                "DCSA events file: expected a JSON array of events or an object "
		                "with an \"events\" array");
	}
	int n = cJSON_GetArraySize(arr);
	if (n > DCSA_MAX_EVENTS) {
		cJSON_Delete(root);
		return kerr_set(e, K_ETOOBIG, "DCSA events file: %d events is over the limit of %d",
		                n, DCSA_MAX_EVENTS);
	}
	cJSON **evs = xcalloc((size_t)n + 1, sizeof *evs);
	char(*created)[MODEL_TIME_LEN + 1] = xcalloc((size_t)n + 1, sizeof *created);
	size_t i = 0;
	int all_created = 1;
	const cJSON *raw;
	cJSON_ArrayForEach(raw, arr)
	{
		rc = parse_one(raw, i, &evs[i], created[i], e);
		if (rc != K_OK)
			break;
		all_created &= created[i][0] != 0;
		i++;
	}
	if (rc == K_OK) {
		/* stable insertion sort by eventCreatedDateTime (UTC text compares as time) */
		size_t *ord = xcalloc(i + 1, sizeof *ord);
		for (size_t k = 0; k < i; k++) {
			size_t j = k;
			while (all_created && j > 0 &&
			       strcmp(created[ord[j - 1]], created[k]) > 0) {
				ord[j] = ord[j - 1];
				j--;
			}
			ord[j] = k;
		}
		*out = cJSON_CreateArray();
		for (size_t k = 0; k < i; k++) {
			cJSON_AddItemToArray(*out, evs[ord[k]]);
			evs[ord[k]] = NULL;
		}
		free(ord);
	}
	for (size_t k = 0; k < i; k++)
		cJSON_Delete(evs[k]);
	free(evs);
	free(created);
	cJSON_Delete(root);
	return rc;
}

/* ---------------------------------------------------------------- words */

struct phrase {
	const char *code;
	const char *past; /* ACT: "Loaded on vessel" */
	const char *noun; /* after "Estimated ": "loading on vessel" */
	const char *prep; /* before the location */
};

static const struct phrase phrases[] = {
    {"LOAD", "Loaded on vessel", "loading on vessel", "at"},
    {"DISC", "Discharged from vessel", "discharge from vessel", "at"},
    {"GTIN", "Gate in", "gate in", "at"},
    {"GTOT", "Gate out", "gate out", "at"},
    {"STUF", "Stuffed", "stuffing", "at"},
    {"STRP", "Stripped", "stripping", "at"},
    {"PICK", "Picked up", "pick-up", "at"},
    {"DROP", "Dropped off", "drop-off", "at"},
    {"INSP", "Seal inspected", "seal inspection", "at"},
    {"RSEA", "Resealed", "resealing", "at"},
    {"RMVD", "Seal removed", "seal removal", "at"},
    {"AVPU", "Available for pick-up", "availability for pick-up", "at"},
    {"AVDO", "Available for drop-off", "availability for drop-off", "at"},
    {"CUSS", "Selected for customs scan", "customs scan", "at"},
    {"CUSI", "Selected for customs inspection", "customs inspection", "at"},
    {"CUSR", "Customs released", "customs release", "at"},
    {"WAYP", "Passed waypoint", "waypoint passage", "at"},
    {"ARRI", "Arrived", "arrival", "at"},
    {"DEPA", "Departed", "departure", "from"},
    {"OFDL", "Out for delivery", "out for delivery", "from"},
    {"DLVD", "Delivered", "delivery", "at"},
    {"EXCP", "Exception", "exception", "at"},
};

/* What the goods are loaded on under a shipment's mode: DCSA's codes are the ocean's, and a
 * parcel flown from Hanoi is not loaded on a vessel. NULL for a courier (no one vehicle). */
static const char *vehicle_of(const char *mode)
{
	static const char *const v[][2] = {
	    {"air", "aircraft"}, {"road", "truck"}, {"rail", "train"}, {"courier", NULL}};
	for (size_t i = 0; mode && i < sizeof v / sizeof v[0]; i++)
		if (strcmp(mode, v[i][0]) == 0)
			return v[i][1];
	return "vessel";
}

/* LOAD and DISC in the words of the mode: "Loaded on aircraft", "Unloaded from truck"; the
 * sea keeps DCSA's "Discharged from vessel". 0 for any other code. */
static int vehicle_phrase(const char *code, const char *mode, char past[64], char noun[64])
{
	int load = strcmp(code, "LOAD") == 0;
	if (!load && strcmp(code, "DISC") != 0)
		return 0;
	const char *v = vehicle_of(mode);
	int sea = v && strcmp(v, "vessel") == 0;
	const char *p = load ? "Loaded" : sea ? "Discharged" : "Unloaded";
	const char *n = load ? "loading" : sea ? "discharge" : "unloading";
	const char *on = load ? "on" : "from";
	snprintf(past, 64, "%s%s%s%s%s", p, v ? " " : "", v ? on : "", v ? " " : "", v ? v : "");
	snprintf(noun, 64, "%s%s%s%s%s", n, v ? " " : "", v ? on : "", v ? " " : "", v ? v : "");
	return 1;
}

static const char *cls_adj(const char *cls)
{
	if (!cls || strcmp(cls, "ACT") == 0)
		return NULL;
	if (strcmp(cls, "EST") == 0)
		return "Estimated";
	if (strcmp(cls, "PLN") == 0)
		return "Planned";
	if (strcmp(cls, "REQ") == 0)
		return "Requested";
	return NULL;
}

static void put_lower(char *out, size_t cap, size_t *len, const char *s)
{
	char tmp[128];
	snprintf(tmp, sizeof tmp, "%s", s);
	for (char *p = tmp; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	put(out, cap, len, tmp);
}

size_t dcsa_words(const cJSON *event, const char *mode, char *out, size_t cap)
{
	char sh[32];
	size_t len = 0;
	if (!out || cap == 0)
		return 0;
	out[0] = 0;
	const char *code = str_of(event, "code"), *cls = str_of(event, "classifier");
	const char *loc = str_of(event, "location"), *note = str_of(event, "note");
	const struct dcsa_code *dc = code ? codes_dcsa_event(code) : NULL;
	const char *adj = cls_adj(cls);
	if (!dc) {
		put(out, cap, &len, "Event '");
		put(out, cap, &len, text_shown(code ? code : "?", sh, sizeof sh));
		put(out, cap, &len, "'");
		return len;
	}
	if (dc->kind == DCSA_SHIPMENT) {
		/* "Bill of lading MAEU123456789 issued" */
		if (note)
			put_clean_s(out, cap, &len, note);
		else
			put(out, cap, &len, "Document");
		put(out, cap, &len, " ");
		put_lower(out, cap, &len, dc->name);
		if (adj) {
			put(out, cap, &len, " (");
			put_lower(out, cap, &len, adj);
			put(out, cap, &len, ")");
		}
		return len;
	}
	const struct phrase *ph = NULL;
	for (size_t k = 0; k < sizeof phrases / sizeof phrases[0]; k++)
		if (strcmp(phrases[k].code, dc->code) == 0)
			ph = &phrases[k];
	char past[64], noun[64];
	struct phrase by_mode;
	if (ph && vehicle_phrase(dc->code, mode, past, noun)) {
		by_mode = (struct phrase){ph->code, past, noun, ph->prep};
		ph = &by_mode;
	}
	if (adj) {
		put(out, cap, &len, adj);
		put(out, cap, &len, " ");
		if (ph)
			put(out, cap, &len, ph->noun);
		else
			put_lower(out, cap, &len, dc->name);
	} else {
		put(out, cap, &len, ph ? ph->past : dc->name);
	}
	if (loc) {
		put(out, cap, &len, " ");
		put(out, cap, &len, ph ? ph->prep : "at");
		put(out, cap, &len, " ");
		put_clean_s(out, cap, &len, loc);
	}
	if (note) {
		int excp = strcmp(dc->code, "EXCP") == 0;
		put(out, cap, &len, excp ? ": " : " (");
		put_clean_s(out, cap, &len, note);
		if (!excp)
			put(out, cap, &len, ")");
	}
	return len;
}

/* ---------------------------------------------------------------- ETA, order, customs */

static int is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

const char *dcsa_eta(const cJSON *events)
{
	const char *eta = NULL;
	const cJSON *ev;
	if (!cJSON_IsArray(events))
		return NULL;
	int k = 0;
	cJSON_ArrayForEach(ev, events)
	{
		if (k++ >= DCSA_MAX_EVENTS)
			break;
		const char *code = str_of(ev, "code"), *cls = str_of(ev, "classifier");
		if (is(code, "DLVD") && is(cls, "ACT"))
			return NULL;
		if ((is(code, "ARRI") || is(code, "DLVD")) && is(cls, "EST") && str_of(ev, "at"))
			eta = str_of(ev, "at");
	}
	return eta;
}

size_t dcsa_recent_first(const cJSON *events, size_t *idx, size_t cap)
{
	if (!cJSON_IsArray(events) || !idx)
		return 0;
	const char *at[DCSA_MAX_EVENTS], *delivered = NULL;
	size_t all[DCSA_MAX_EVENTS], n = 0, k = 0;
	const cJSON *ev;
	cJSON_ArrayForEach(ev, events) /* the goods came: the latest actual delivery */
	{
		if (k++ >= DCSA_MAX_EVENTS)
			break;
		const char *t = str_of(ev, "at");
		if (is(str_of(ev, "code"), "DLVD") && is(str_of(ev, "classifier"), "ACT") && t &&
		    (!delivered || strcmp(t, delivered) > 0))
			delivered = t;
	}
	size_t pos[DCSA_MAX_EVENTS]; /* each kept event's place in events */
	k = 0;
	cJSON_ArrayForEach(ev, events)
	{
		if (k >= DCSA_MAX_EVENTS)
			break;
		const char *t = str_of(ev, "at"), *cls = str_of(ev, "classifier");
		/* an estimate or plan for after the delivery will not come to pass */
		if (!(delivered && cls && !is(cls, "ACT") && t && strcmp(t, delivered) > 0)) {
			at[n] = t;
			pos[n++] = k;
		}
		k++;
	}
	/* Walk the events from the last received: a stable sort of that order by time, newest
	 * first, keeps the later-received first among equal times. */
	for (size_t r = 0; r < n; r++) {
		size_t cur = n - 1 - r, j = r;
		const char *t = at[cur];
		while (j > 0) {
			const char *u = at[all[j - 1]];
			/* move all[j-1] down when cur is strictly newer (NULL is oldest) */
			int newer = t && (!u || strcmp(t, u) > 0);
			if (!newer)
				break;
			all[j] = all[j - 1];
			j--;
		}
		all[j] = cur;
	}
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++)
		idx[i] = pos[all[i]];
	return n;
}

const cJSON *dcsa_latest(const cJSON *events)
{
	size_t idx[DCSA_MAX_EVENTS];
	size_t n = dcsa_recent_first(events, idx, DCSA_MAX_EVENTS), pick = 0;
	for (size_t i = 0; i < n; i++)
		if (is(str_of(cJSON_GetArrayItem(events, (int)idx[i]), "classifier"), "ACT")) {
			pick = i;
			break;
		}
	return n ? cJSON_GetArrayItem(events, (int)idx[pick]) : NULL;
}

const char *dcsa_customs(const cJSON *events, char *out, size_t cap)
{
	static const char *const act[][2] = {{"CUSR", "released"},
	                                     {"CUSI", "selected for inspection"},
	                                     {"CUSS", "selected for scan"}};
	static const char *const exp[][2] = {{"CUSR", "expected release"},
	                                     {"CUSI", "expected inspection"},
	                                     {"CUSS", "expected scan"}};
	const cJSON *ev, *last_act = NULL, *last_other = NULL;
	if (!cJSON_IsArray(events) || !out || cap == 0)
		return NULL;
	int k = 0;
	cJSON_ArrayForEach(ev, events)
	{
		if (k++ >= DCSA_MAX_EVENTS)
			break;
		const char *code = str_of(ev, "code");
		if (!is(code, "CUSR") && !is(code, "CUSI") && !is(code, "CUSS"))
			continue;
		if (is(str_of(ev, "classifier"), "ACT"))
			last_act = ev;
		else
			last_other = ev;
	}
	const cJSON *pick = last_act ? last_act : last_other;
	if (!pick)
		return NULL;
	const char *code = str_of(pick, "code"), *what = "";
	for (size_t i = 0; i < 3; i++)
		if (is(code, act[i][0]))
			what = last_act ? act[i][1] : exp[i][1];
	size_t len = 0;
	out[0] = 0;
	put(out, cap, &len, what);
	const char *loc = str_of(pick, "location");
	if (loc) {
		put(out, cap, &len, " at ");
		put_clean_s(out, cap, &len, loc);
	}
	return out;
}
