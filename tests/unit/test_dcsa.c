/* test_dcsa — DCSA Track & Trace events: the v2.2 and v3 samples under tests/data/dcsa
 * (a container from Shenzhen to Los Angeles), UTC normalisation, where the location and the
 * note come from, every refusal, the words for people, the ETA, the timeline order and the
 * customs status. Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "kontor/dcsa.h"
#include "kontor/model.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data/dcsa/"
#endif

static char *slurp(const char *name, size_t *len)
{
	return fixture_read(TEST_DATA, name, DCSA_MAX_BYTES, len);
}

/* Every event made passes the model's "event" rules: wrapped in a Shipment, the one type
 * that holds events, it must pass model_validate. */
static void assert_model_valid(const cJSON *events)
{
	cJSON *sh = cJSON_CreateObject();
	cJSON_AddStringToObject(sh, "id", "S1");
	cJSON_AddStringToObject(sh, "orderId", "O1");
	cJSON_AddStringToObject(sh, "carrier", "Maersk");
	cJSON_AddStringToObject(sh, "trackingNumber", "MSKU7045125");
	cJSON_AddStringToObject(sh, "mode", "sea");
	cJSON_AddItemToObject(sh, "events", cJSON_Duplicate(events, 1));
	struct kerr e = {0, ""};
	int rc = model_validate("Shipment", sh, &e);
	cJSON_Delete(sh);
	if (rc != K_OK)
		fail_msg("model_validate: %s", e.msg);
}

static cJSON *parse_file(const char *name)
{
	size_t len;
	char *s = slurp(name, &len);
	cJSON *out = NULL;
	struct kerr e = {0, ""};
	int rc = dcsa_parse(s, len, &out, &e);
	free(s);
	if (rc != K_OK)
		fail_msg("dcsa_parse(%s): %s", name, e.msg);
	assert_true(cJSON_IsArray(out));
	assert_model_valid(out);
	return out;
}

static cJSON *parse_ok(const char *json)
{
	cJSON *out = NULL;
	struct kerr e = {0, ""};
	int rc = dcsa_parse(json, strlen(json), &out, &e);
	if (rc != K_OK)
		fail_msg("dcsa_parse: %s", e.msg);
	assert_model_valid(out);
	return out;
}

static void parse_fails(const char *json, int want, const char *want_msg)
{
	cJSON *out = (cJSON *)1;
	struct kerr e = {0, ""};
	int rc = dcsa_parse(json, strlen(json), &out, &e);
	if (rc != want)
		fail_msg("dcsa_parse returned %d (%s), wanted %d", rc, e.msg, want);
	assert_null(out);
	if (!strstr(e.msg, want_msg))
		fail_msg("message '%s' does not contain '%s'", e.msg, want_msg);
}

static const char *field(const cJSON *events, int i, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(events, i), name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

#define EXPECT(ev, i, name, want)                                                                  \
	do {                                                                                       \
		const char *got_ = field(ev, i, name);                                             \
		if ((want) == NULL ? got_ != NULL                                                  \
		                   : !got_ || strcmp(got_, (want) ? (want) : "") != 0)             \
			fail_msg("events[%d].%s: got '%s', wanted '%s'", i, name,                  \
			         got_ ? got_ : "(none)", (want) ? (want) : "(none)");              \
	} while (0)

/* ---------------------------------------------------------------- the sample files */

static void v22_sample_codes_times_locations_notes_in_created_order(void **state)
{
	(void)state;
	cJSON *ev = parse_file("tnt-v2.2-events.json");
	assert_int_equal(cJSON_GetArraySize(ev), 12);
	/* sorted by eventCreatedDateTime: the revised estimate (created 11-28) moves after the
	 * first one (created 11-20) although the file lists it first */
	static const char *const codes[] = {"CONF", "GTOT", "GTIN", "LOAD", "DEPA", "ARRI",
	                                    "ARRI", "ARRI", "DISC", "CUSR", "GTOT", "ISSU"};
	static const char *const cls[] = {"ACT", "ACT", "ACT", "ACT", "ACT", "EST",
	                                  "EST", "ACT", "ACT", "ACT", "ACT", "ACT"};
	for (int i = 0; i < 12; i++) {
		EXPECT(ev, i, "code", codes[i]);
		EXPECT(ev, i, "classifier", cls[i]);
	}
	EXPECT(ev, 1, "at", "2026-11-12T01:30:00Z"); /* +08:00 */
	EXPECT(ev, 2, "at", "2026-11-14T08:05:12Z"); /* .345 dropped */
	EXPECT(ev, 4, "at", "2026-11-19T22:15:00Z"); /* across midnight backwards */
	EXPECT(ev, 5, "at", "2026-12-03T22:00:00Z"); /* -08:00 */
	EXPECT(ev, 6, "at", "2026-12-04T14:00:00Z");
	EXPECT(ev, 8, "at", "2026-12-05T03:30:00Z"); /* across midnight forwards */
	/* eventLocation.UNLocationCode; v2.2 transportCall.UNLocationCode (LOAD);
	 * v2.2 transportCall.location.UNLocationCode (DEPA) */
	EXPECT(ev, 1, "location", "CNYTN");
	EXPECT(ev, 3, "location", "CNYTN");
	EXPECT(ev, 4, "location", "CNYTN");
	EXPECT(ev, 6, "location", "USLAX");
	EXPECT(ev, 10, "location", "USLAX");
	EXPECT(ev, 0, "location", NULL);
	/* notes: vessel + voyage, container, document */
	EXPECT(ev, 3, "note", "MAERSK ESSEN 447E, MSKU7045125");
	EXPECT(ev, 4, "note", "MAERSK ESSEN 447E");
	EXPECT(ev, 9, "note", "MSKU7045125");
	EXPECT(ev, 0, "note", "Booking 254147891");
	EXPECT(ev, 11, "note", "Bill of lading MAEU254147891");
	cJSON_Delete(ev);
}

static void v3_sample_codes_times_locations_notes(void **state)
{
	(void)state;
	cJSON *ev = parse_file("tnt-v3-events.json");
	assert_int_equal(cJSON_GetArraySize(ev), 10);
	static const char *const codes[] = {"GTOT", "GTIN", "LOAD", "DEPA", "ARRI",
	                                    "ARRI", "DISC", "CUSR", "GTOT", "ISSU"};
	for (int i = 0; i < 10; i++)
		EXPECT(ev, i, "code", codes[i]);
	EXPECT(ev, 0, "at", "2026-11-13T02:14:55Z"); /* .250 dropped */
	EXPECT(ev, 1, "at", "2026-11-15T06:38:21Z"); /* .5 dropped */
	EXPECT(ev, 2, "at", "2026-11-20T08:00:00Z"); /* +01:00 */
	EXPECT(ev, 6, "at", "2026-12-02T01:10:43Z");
	EXPECT(ev, 4, "classifier", "EST");
	EXPECT(ev, 0, "location", "CNSZX");
	/* no UN/LOCODE anywhere: eventLocation.locationName */
	EXPECT(ev, 1, "location", "Shekou Container Terminals");
	/* v3 transportCall.location.UNLocationCode */
	EXPECT(ev, 2, "location", "CNSZX");
	EXPECT(ev, 4, "location", "USLAX");
	/* eventLocation with only a facility code loses to the transport call's UN/LOCODE */
	EXPECT(ev, 6, "location", "USLAX");
	EXPECT(ev, 8, "location", "Fenix Marine Services, Terminal Island");
	/* v3 vessel.name + carrierExportVoyageNumber */
	EXPECT(ev, 2, "note", "CMA CGM MARCO POLO 0Q7RME1MA, CMAU4185236");
	EXPECT(ev, 3, "note", "CMA CGM MARCO POLO 0Q7RME1MA");
	EXPECT(ev, 9, "note", "Bill of lading CMDUSZX1234567");
	cJSON_Delete(ev);
}

static void facility_code_is_the_last_resort_location(void **state)
{
	(void)state;
	cJSON *ev = parse_ok("[{\"eventType\":\"EQUIPMENT\",\"eventClassifierCode\":\"ACT\","
	                     "\"eventDateTime\":\"2026-11-20T08:00:00Z\","
	                     "\"equipmentEventTypeCode\":\"GTIN\","
	                     "\"eventLocation\":{\"facilityCode\":\"APMT\"}}]");
	EXPECT(ev, 0, "location", "APMT");
	EXPECT(ev, 0, "note", NULL);
	cJSON_Delete(ev);
}

static void utc_normalisation_of_offsets_and_fractions(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"2026-11-20T09:00:00+01:00", "2026-11-20T08:00:00Z"},
	    {"2026-11-20T08:00:00.123456Z", "2026-11-20T08:00:00Z"},
	    {"2026-11-20T08:00:00.9+00:00", "2026-11-20T08:00:00Z"},
	    {"2026-12-31T23:30:00-05:30", "2027-01-01T05:00:00Z"},
	    {"2027-01-01T00:15:00+02:00", "2026-12-31T22:15:00Z"},
	    {"2028-03-01T01:00:00+05:00", "2028-02-29T20:00:00Z"},
	    {"2026-11-20t08:00:00z", "2026-11-20T08:00:00Z"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char json[256];
		snprintf(json, sizeof json,
		         "[{\"eventType\":\"TRANSPORT\",\"eventClassifierCode\":\"ACT\","
		         "\"transportEventTypeCode\":\"DEPA\",\"eventDateTime\":\"%s\"}]",
		         cases[i][0]);
		cJSON *ev = parse_ok(json);
		EXPECT(ev, 0, "at", cases[i][1]);
		cJSON_Delete(ev);
	}
}

#define EV_AT_FMT                                                                                  \
	"{\"eventType\":\"TRANSPORT\",\"eventClassifierCode\":\"ACT\","                            \
	"\"transportEventTypeCode\":\"DEPA\",\"eventDateTime\":\"%s\"}"

/* The edges of a DCSA time: years 0000-9999 before and after the offset, leap days, and the
 * strict RFC 3339 form (a 'T', seconds, no second 60, fewer than 64 bytes). */
static void utc_edges_leap_days_and_years_0000_to_9999(void **state)
{
	(void)state;
	static const char *const ok[][2] = {
	    {"2024-02-29T10:00:00Z", "2024-02-29T10:00:00Z"},
	    {"2000-02-29T10:00:00Z", "2000-02-29T10:00:00Z"},
	    {"0000-02-29T00:00:00Z", "0000-02-29T00:00:00Z"}, /* year 0 is a leap year */
	    {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"},
	    {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
	    {"0000-01-01T00:30:00-01:00", "0000-01-01T01:30:00Z"},
	    {"9999-12-31T23:30:00+01:00", "9999-12-31T22:30:00Z"},
	    {"0001-01-01T00:30:00+01:00", "0000-12-31T23:30:00Z"},
	    {"9998-12-31T23:30:00-01:00", "9999-01-01T00:30:00Z"},
	    {"1969-12-31T23:00:00-02:00", "1970-01-01T01:00:00Z"},
	    {"2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00Z"},
	    {"2026-11-20T08:00:00+23:59", "2026-11-19T08:01:00Z"},
	    {"2026-11-20T08:00:00.000000000000000000000000000000000000000001Z",
	     "2026-11-20T08:00:00Z"}, /* 63 bytes */
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char json[256];
		snprintf(json, sizeof json, "[" EV_AT_FMT "]", ok[i][0]);
		cJSON *ev = parse_ok(json);
		EXPECT(ev, 0, "at", ok[i][1]);
		cJSON_Delete(ev);
	}
	static const char *const bad[] = {
	    "9999-12-31T23:30:00-01:00", /* after 9999 in UTC */
	    "0000-01-01T00:30:00+01:00", /* before 0000 in UTC */
	    "2026-02-29T00:00:00Z",
	    "2100-02-29T00:00:00Z",
	    "2026-04-31T00:00:00Z",
	    "2026-13-01T00:00:00Z",
	    "2026-00-01T00:00:00Z",
	    "2026-01-00T00:00:00Z",
	    "2026-11-20T23:59:60Z", /* no second 60 */
	    "2026-11-20 08:00:00Z", /* no space for the 'T' */
	    "2026-11-20T08:00Z",    /* seconds are required */
	    "2026-11-20T08:00+01:00",
	    "2026-11-20T08:00:00+0100",
	    "2026-11-20T08:00:00+24:00",
	    "2026-11-20T08:00:00+01:60",
	    "2026-11-20T08:00:00+01:00Z",
	    "2026-11-20T08:00:00Z ",
	    "2026-11-20T08:00:00.",
	    "2026-11-20T8:00:00Z",
	    "2026-11-20T08:00:00.0000000000000000000000000000000000000000001Z", /* 64 bytes */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char json[256];
		snprintf(json, sizeof json, "[" EV_AT_FMT "]", bad[i]);
		cJSON *out = (cJSON *)1;
		struct kerr e = {0, ""};
		if (dcsa_parse(json, strlen(json), &out, &e) != K_EINVAL || out)
			fail_msg("'%s' was taken as a time", bad[i]);
		if (!strstr(e.msg, "events[0]: eventDateTime: not an RFC 3339 time"))
			fail_msg("'%s': message '%s'", bad[i], e.msg);
	}
}

static void object_with_events_and_plain_array_both_accepted(void **state)
{
	(void)state;
	const char *one = "{\"eventType\":\"EQUIPMENT\",\"eventClassifierCode\":\"ACT\","
	                  "\"eventDateTime\":\"2026-11-20T08:00:00Z\","
	                  "\"equipmentEventTypeCode\":\"LOAD\"}";
	char a[512], o[512];
	snprintf(a, sizeof a, "[%s]", one);
	snprintf(o, sizeof o, "{\"events\":[%s]}", one);
	cJSON *x = parse_ok(a), *y = parse_ok(o);
	assert_true(cJSON_Compare(x, y, 1));
	cJSON_Delete(x);
	cJSON_Delete(y);
	cJSON *empty = parse_ok("[]");
	assert_int_equal(cJSON_GetArraySize(empty), 0);
	cJSON_Delete(empty);
}

static void file_order_kept_when_some_event_lacks_created_time(void **state)
{
	(void)state;
	cJSON *ev = parse_ok(
	    "[{\"eventType\":\"TRANSPORT\",\"eventClassifierCode\":\"EST\","
	    "\"transportEventTypeCode\":\"ARRI\",\"eventDateTime\":\"2026-12-02T00:00:00Z\","
	    "\"eventCreatedDateTime\":\"2026-11-28T00:00:00Z\"},"
	    "{\"eventType\":\"TRANSPORT\",\"eventClassifierCode\":\"EST\","
	    "\"transportEventTypeCode\":\"ARRI\",\"eventDateTime\":\"2026-12-01T00:00:00Z\"}]");
	EXPECT(ev, 0, "at", "2026-12-02T00:00:00Z");
	EXPECT(ev, 1, "at", "2026-12-01T00:00:00Z");
	cJSON_Delete(ev);
}

/* ---------------------------------------------------------------- refusals */

#define EV(type, codefield, code, cls, at)                                                         \
	"{\"eventType\":\"" type "\",\"eventClassifierCode\":\"" cls "\",\"" codefield             \
	"\":\"" code "\",\"eventDateTime\":\"" at "\"}"
#define OK_EV EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "ACT", "2026-11-20T08:00:00Z")

static void bad_time_names_the_event(void **state)
{
	(void)state;
	parse_fails("[" OK_EV "," OK_EV "," OK_EV
	            "," EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "ACT", "20 Nov 2026") "]",
	            K_EINVAL, "events[3]: eventDateTime: not an RFC 3339 time");
	parse_fails("[" EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "ACT",
	                   "2026-02-30T08:00:00Z") "]",
	            K_EINVAL, "events[0]: eventDateTime");
	parse_fails(
	    "[" EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "ACT", "2026-11-20T08:00:00") "]",
	    K_EINVAL, "events[0]: eventDateTime"); /* no offset */
	parse_fails("[" EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "ACT",
	                   "2026-11-20T24:00:00Z") "]",
	            K_EINVAL, "events[0]: eventDateTime");
	parse_fails("[" EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "ACT",
	                   "2026-11-20T08:00:00.Z") "]",
	            K_EINVAL, "events[0]: eventDateTime");
	parse_fails("[" EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "ACT",
	                   "0000-01-01T00:30:00+01:00") "]",
	            K_EINVAL, "events[0]: eventDateTime"); /* before year 0 in UTC */
	parse_fails("[{\"eventType\":\"EQUIPMENT\",\"eventClassifierCode\":\"ACT\","
	            "\"equipmentEventTypeCode\":\"LOAD\"}]",
	            K_EINVAL, "events[0]: eventDateTime: missing");
}

static void unknown_code_names_the_event_and_the_code(void **state)
{
	(void)state;
	parse_fails("[" OK_EV "," OK_EV "," EV("EQUIPMENT", "equipmentEventTypeCode", "XXXX", "ACT",
	                                       "2026-11-20T08:00:00Z") "]",
	            K_EINVAL, "events[2]: unknown DCSA event code 'XXXX'");
	/* a known code under the wrong eventType */
	parse_fails("[" EV("EQUIPMENT", "equipmentEventTypeCode", "ARRI", "ACT",
	                   "2026-11-20T08:00:00Z") "]",
	            K_EINVAL, "events[0]: equipmentEventTypeCode: 'ARRI' is a transport");
	parse_fails(
	    "[" EV("TRUCK", "equipmentEventTypeCode", "LOAD", "ACT", "2026-11-20T08:00:00Z") "]",
	    K_EINVAL, "events[0]: eventType: must be EQUIPMENT, TRANSPORT or SHIPMENT");
	parse_fails("[{\"eventType\":\"TRANSPORT\",\"eventClassifierCode\":\"ACT\","
	            "\"eventDateTime\":\"2026-11-20T08:00:00Z\"}]",
	            K_EINVAL, "events[0]: transportEventTypeCode: missing");
	/* an escape sequence in the code is not echoed */
	struct kerr e = {0, ""};
	cJSON *out = NULL;
	const char *esc = "[" EV("EQUIPMENT", "equipmentEventTypeCode", "\\u001b[2J", "ACT",
	                         "2026-11-20T08:00:00Z") "]";
	assert_int_equal(dcsa_parse(esc, strlen(esc), &out, &e), K_EINVAL);
	assert_null(strchr(e.msg, 0x1b));
}

static void unknown_classifier_refused(void **state)
{
	(void)state;
	parse_fails("[" OK_EV "," EV("EQUIPMENT", "equipmentEventTypeCode", "LOAD", "GUESS",
	                             "2026-11-20T08:00:00Z") "]",
	            K_EINVAL, "events[1]: unknown event classifier 'GUESS'");
	parse_fails("[{\"eventType\":\"EQUIPMENT\",\"equipmentEventTypeCode\":\"LOAD\","
	            "\"eventDateTime\":\"2026-11-20T08:00:00Z\"}]",
	            K_EINVAL, "events[0]: eventClassifierCode: missing");
}

static void not_an_array_refused(void **state)
{
	(void)state;
	parse_fails("{\"event\":[]}", K_EINVAL, "expected a JSON array of events");
	parse_fails("\"LOAD\"", K_EINVAL, "expected a JSON array");
	parse_fails("{\"events\":{}}", K_EINVAL, "expected a JSON array");
	parse_fails("[1]", K_EINVAL, "events[0]: must be an object");
	cJSON *out = (cJSON *)1;
	struct kerr e = {0, ""};
	assert_int_equal(dcsa_parse("[{", 2, &out, &e), K_EINVAL);
	assert_null(out);
	assert_true(e.msg[0] != 0);
}

static void too_many_events_refused(void **state)
{
	(void)state;
	struct kbuf b = KBUF_INIT;
	kbuf_putc(&b, '[');
	for (int i = 0; i <= DCSA_MAX_EVENTS; i++)
		kbuf_printf(&b, "%s%s", i ? "," : "", OK_EV);
	kbuf_putc(&b, ']');
	cJSON *out = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(dcsa_parse(b.data, b.len, &out, &e), K_ETOOBIG);
	assert_null(out);
	assert_non_null(strstr(e.msg, "1001 events"));
	/* exactly the limit is fine */
	b.len -= strlen(OK_EV) + 2;
	kbuf_putc(&b, ']');
	assert_int_equal(dcsa_parse(b.data, b.len, &out, &e), K_OK);
	assert_int_equal(cJSON_GetArraySize(out), DCSA_MAX_EVENTS);
	cJSON_Delete(out);
	kbuf_free(&b);
}

static void too_big_refused_before_parsing(void **state)
{
	(void)state;
	size_t n = DCSA_MAX_BYTES + 1;
	char *s = malloc(n);
	memset(s, ' ', n);
	s[0] = '[';
	s[n - 1] = ']';
	cJSON *out = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(dcsa_parse(s, n, &out, &e), K_ETOOBIG);
	assert_null(out);
	/* one byte less is parsed (and is an empty list) */
	s[n - 2] = ']';
	assert_int_equal(dcsa_parse(s, n - 1, &out, &e), K_OK);
	assert_int_equal(cJSON_GetArraySize(out), 0);
	cJSON_Delete(out);
	free(s);
}

/* ---------------------------------------------------------------- words */

static void words_in(const char *mode, const char *code, const char *cls, const char *loc,
                     const char *note, const char *want)
{
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "code", code);
	cJSON_AddStringToObject(ev, "classifier", cls);
	cJSON_AddStringToObject(ev, "at", "2026-11-20T08:00:00Z");
	if (loc)
		cJSON_AddStringToObject(ev, "location", loc);
	if (note)
		cJSON_AddStringToObject(ev, "note", note);
	char out[256];
	size_t n = dcsa_words(ev, mode, out, sizeof out);
	cJSON_Delete(ev);
	if (strcmp(out, want) != 0)
		fail_msg("%s %s %s: got '%s', wanted '%s'", mode ? mode : "-", code, cls, out,
		         want);
	assert_int_equal(n, strlen(want));
}

static void words_for(const char *code, const char *cls, const char *loc, const char *note,
                      const char *want)
{
	words_in(NULL, code, cls, loc, note, want);
}

static void loading_is_said_of_what_the_mode_goes_on(void **state)
{
	(void)state;
	words_in("sea", "LOAD", "ACT", "VNHPH", NULL, "Loaded on vessel at VNHPH");
	words_in("sea", "DISC", "ACT", "DEHAM", NULL, "Discharged from vessel at DEHAM");
	words_in("air", "LOAD", "ACT", "VNHAN", NULL, "Loaded on aircraft at VNHAN");
	words_in("air", "DISC", "ACT", "DEFRA", NULL, "Unloaded from aircraft at DEFRA");
	words_in("air", "LOAD", "EST", "VNHAN", NULL, "Estimated loading on aircraft at VNHAN");
	words_in("road", "LOAD", "ACT", "Hai Phong", NULL, "Loaded on truck at Hai Phong");
	words_in("rail", "DISC", "PLN", "DEDUI", NULL, "Planned unloading from train at DEDUI");
	words_in("courier", "LOAD", "ACT", "VNHAN", NULL, "Loaded at VNHAN");
	words_in("courier", "DISC", "ACT", NULL, NULL, "Unloaded");
	/* the mode names only what the goods go on: other events read the same */
	words_in("air", "DEPA", "ACT", "VNHAN", NULL, "Departed from VNHAN");
	words_in("unknown", "LOAD", "ACT", "VNHPH", NULL, "Loaded on vessel at VNHPH");
}

static void words_for_code_and_classifier_pairs(void **state)
{
	(void)state;
	words_for("LOAD", "ACT", "CNSZX", NULL, "Loaded on vessel at CNSZX");
	words_for("DEPA", "ACT", "CNSZX", NULL, "Departed from CNSZX");
	words_for("DEPA", "PLN", "CNSZX", NULL, "Planned departure from CNSZX");
	words_for("ARRI", "EST", "USLAX", NULL, "Estimated arrival at USLAX");
	words_for("ARRI", "ACT", "USLAX", NULL, "Arrived at USLAX");
	words_for("CUSR", "ACT", "USLAX", NULL, "Customs released at USLAX");
	words_for("GTOT", "ACT", "USLAX", NULL, "Gate out at USLAX");
	words_for("GTIN", "REQ", "CNYTN", NULL, "Requested gate in at CNYTN");
	words_for("OFDL", "ACT", NULL, NULL, "Out for delivery");
	words_for("DLVD", "ACT", "Rotterdam", NULL, "Delivered at Rotterdam");
	words_for("DLVD", "EST", "Rotterdam", NULL, "Estimated delivery at Rotterdam");
	words_for("EXCP", "ACT", "USLAX", "container damaged",
	          "Exception at USLAX: container damaged");
	words_for("DISC", "ACT", "USLAX", NULL, "Discharged from vessel at USLAX");
	words_for("LOAD", "ACT", "CNYTN", "MAERSK ESSEN 447E",
	          "Loaded on vessel at CNYTN (MAERSK ESSEN 447E)");
	words_for("ISSU", "ACT", NULL, "Bill of lading", "Bill of lading issued");
	words_for("CONF", "ACT", NULL, "Booking 254147891", "Booking 254147891 confirmed");
	words_for("ISSU", "PLN", NULL, NULL, "Document issued (planned)");
	words_for("CUSI", "ACT", "USLAX", NULL, "Selected for customs inspection at USLAX");
	words_for("WAYP", "ACT", NULL, NULL, "Passed waypoint");
}

static void words_for_the_v22_sample_read_as_a_timeline(void **state)
{
	(void)state;
	cJSON *ev = parse_file("tnt-v2.2-events.json");
	char out[256];
	dcsa_words(cJSON_GetArrayItem(ev, 3), NULL, out, sizeof out);
	assert_string_equal(out, "Loaded on vessel at CNYTN (MAERSK ESSEN 447E, MSKU7045125)");
	dcsa_words(cJSON_GetArrayItem(ev, 11), NULL, out, sizeof out);
	assert_string_equal(out, "Bill of lading MAEU254147891 issued");
	dcsa_words(cJSON_GetArrayItem(ev, 6), NULL, out, sizeof out);
	assert_string_equal(out, "Estimated arrival at USLAX (MAERSK ESSEN 447E)");
	cJSON_Delete(ev);
}

static void escape_sequence_in_location_never_reaches_the_words(void **state)
{
	(void)state;
	/* straight from a DCSA file: the parser strips it */
	cJSON *ev = parse_ok("[{\"eventType\":\"EQUIPMENT\",\"eventClassifierCode\":\"ACT\","
	                     "\"equipmentEventTypeCode\":\"GTOT\","
	                     "\"eventDateTime\":\"2026-11-20T08:00:00Z\","
	                     "\"eventLocation\":{\"locationName\":"
	                     "\"US\\u001b[31mLAX\\u001b]0;pwned\\u0007\"}}]");
	EXPECT(ev, 0, "location", "USLAX");
	cJSON_Delete(ev);
	/* an event object from elsewhere (the node's cache) with the ESC still in it */
	cJSON *raw = cJSON_CreateObject();
	cJSON_AddStringToObject(raw, "code", "GTOT");
	cJSON_AddStringToObject(raw, "classifier", "ACT");
	cJSON_AddStringToObject(raw, "at", "2026-11-20T08:00:00Z");
	cJSON_AddStringToObject(raw, "location", "US\x1b[2JLAX\x1b");
	cJSON_AddStringToObject(raw, "note",
	                        "\xc2\x9b"
	                        "31mred\x07");
	char out[128];
	dcsa_words(raw, NULL, out, sizeof out);
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, 0x07));
	assert_string_equal(out, "Gate out at USLAX (red)");
	cJSON_Delete(raw);
}

static void words_truncate_at_cap_on_a_character_boundary(void **state)
{
	(void)state;
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "code", "ARRI");
	cJSON_AddStringToObject(ev, "classifier", "ACT");
	cJSON_AddStringToObject(ev, "location", "Zürich");
	char out[16];
	/* "Arrived at Zürich" is 18 bytes; ü is bytes 12-13: cut before it at cap 13 */
	size_t n = dcsa_words(ev, NULL, out, 14);
	assert_int_equal(n, 12);
	assert_string_equal(out, "Arrived at Z");
	n = dcsa_words(ev, NULL, out, 15);
	assert_string_equal(out, "Arrived at Z\xc3\xbc");
	assert_int_equal(n, 14);
	assert_int_equal(dcsa_words(ev, NULL, out, 0), 0);
	cJSON_Delete(ev);
	/* unknown code from outside: shown, but safely */
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "code", "Z\x1bZ");
	dcsa_words(ev, NULL, out, sizeof out);
	assert_null(strchr(out, 0x1b));
	assert_true(strncmp(out, "Event '", 7) == 0);
	cJSON_Delete(ev);
}

/* ---------------------------------------------------------------- ETA, order, customs */

static cJSON *events_of(const char *const rows[][3], int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", rows[i][0]);
		cJSON_AddStringToObject(o, "classifier", rows[i][1]);
		cJSON_AddStringToObject(o, "at", rows[i][2]);
		cJSON_AddStringToObject(o, "location", "USLAX");
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void eta_is_the_latest_est_arrival_in_array_order(void **state)
{
	(void)state;
	static const char *const rows[][3] = {
	    {"DEPA", "ACT", "2026-11-20T08:00:00Z"},
	    {"ARRI", "EST", "2026-12-04T14:00:00Z"},
	    {"ARRI", "EST", "2026-12-01T14:00:00Z"}, /* revised earlier: the last one counts */
	    {"ARRI", "PLN", "2026-12-09T14:00:00Z"},
	};
	cJSON *ev = events_of(rows, 4);
	assert_string_equal(dcsa_eta(ev), "2026-12-01T14:00:00Z");
	cJSON_Delete(ev);
	/* the v2.2 sample: its latest estimate is the revised one */
	ev = parse_file("tnt-v2.2-events.json");
	assert_string_equal(dcsa_eta(ev), "2026-12-04T14:00:00Z");
	cJSON_Delete(ev);
	assert_null(dcsa_eta(NULL));
	static const char *const none[][3] = {{"LOAD", "ACT", "2026-11-20T08:00:00Z"}};
	ev = events_of(none, 1);
	assert_null(dcsa_eta(ev));
	cJSON_Delete(ev);
}

static void no_eta_once_delivered(void **state)
{
	(void)state;
	static const char *const rows[][3] = {
	    {"ARRI", "EST", "2026-12-04T14:00:00Z"},
	    {"DLVD", "EST", "2026-12-08T10:00:00Z"},
	    {"DLVD", "ACT", "2026-12-08T09:00:00Z"},
	};
	cJSON *ev = events_of(rows, 2);
	assert_string_equal(dcsa_eta(ev), "2026-12-08T10:00:00Z"); /* DLVD EST counts */
	cJSON_Delete(ev);
	ev = events_of(rows, 3);
	assert_null(dcsa_eta(ev));
	cJSON_Delete(ev);
}

static void recent_first_orders_by_time_with_ties_later_received_first(void **state)
{
	(void)state;
	static const char *const rows[][3] = {
	    {"GTIN", "ACT", "2026-11-14T08:00:00Z"}, /* 0 */
	    {"LOAD", "ACT", "2026-11-20T08:00:00Z"}, /* 1 */
	    {"DEPA", "ACT", "2026-11-20T08:00:00Z"}, /* 2: ties with 1, received later */
	    {"GTOT", "ACT", "2026-11-12T08:00:00Z"}, /* 3: received late, happened first */
	    {"ARRI", "EST", "2026-12-04T14:00:00Z"}, /* 4 */
	    {"LOAD", "ACT", "2026-11-20T08:00:00Z"}, /* 5: a third tie */
	};
	cJSON *ev = events_of(rows, 6);
	size_t idx[8];
	assert_int_equal(dcsa_recent_first(ev, idx, 8), 6);
	static const size_t want[] = {4, 5, 2, 1, 0, 3};
	for (int i = 0; i < 6; i++)
		if (idx[i] != want[i])
			fail_msg("idx[%d] = %zu, wanted %zu", i, idx[i], want[i]);
	/* cap bounds the count: the cap most recent of all the events */
	assert_int_equal(dcsa_recent_first(ev, idx, 3), 3);
	assert_int_equal(idx[0], 4);
	assert_int_equal(idx[1], 5);
	assert_int_equal(idx[2], 2);
	/* cap 1 is the latest event, whichever place it was received in */
	assert_int_equal(dcsa_recent_first(ev, idx, 1), 1);
	assert_int_equal(idx[0], 4);
	assert_int_equal(dcsa_recent_first(NULL, idx, 8), 0);
	cJSON_Delete(ev);
}

/* Delivered: an estimate for after the delivery is left out (it will not come to pass);
 * one from before it, and everything that happened, stay. */
static void recent_first_leaves_out_estimates_after_the_delivery(void **state)
{
	(void)state;
	static const char *const rows[][3] = {
	    {"LOAD", "ACT", "2026-12-07T20:11:00Z"}, /* 0 */
	    {"ARRI", "EST", "2027-01-20T12:00:00Z"}, /* 1: after the delivery: out */
	    {"ARRI", "EST", "2026-12-07T20:12:00Z"}, /* 2: before it: history, kept */
	    {"DLVD", "ACT", "2026-12-07T20:14:00Z"}, /* 3 */
	    {"DLVD", "PLN", "2027-01-25T12:00:00Z"}, /* 4: out */
	};
	cJSON *ev = events_of(rows, 5);
	size_t idx[8];
	assert_int_equal(dcsa_recent_first(ev, idx, 8), 3);
	assert_int_equal(idx[0], 3);
	assert_int_equal(idx[1], 2);
	assert_int_equal(idx[2], 0);
	cJSON_Delete(ev);
	ev = events_of(rows, 3); /* not delivered yet: the estimate to come leads */
	assert_int_equal(dcsa_recent_first(ev, idx, 8), 3);
	assert_int_equal(idx[0], 1);
	cJSON_Delete(ev);
}

/* A list row's last event: what happened last, not the estimate to come; an estimate only
 * while nothing has happened; none without events. */
static void latest_is_the_last_that_happened_else_the_last_estimate(void **state)
{
	(void)state;
	static const char *const rows[][3] = {
	    {"GTIN", "ACT", "2026-11-14T08:00:00Z"}, /* 0 */
	    {"ARRI", "EST", "2026-12-04T14:00:00Z"}, /* 1: the newest, but to come */
	    {"LOAD", "ACT", "2026-11-20T08:00:00Z"}, /* 2: the last that happened */
	    {"GTOT", "ACT", "2026-11-12T08:00:00Z"}, /* 3: received last, happened first */
	};
	cJSON *ev = events_of(rows, 4);
	assert_ptr_equal(dcsa_latest(ev), cJSON_GetArrayItem(ev, 2));
	cJSON_Delete(ev);
	static const char *const plans[][3] = {
	    {"DEPA", "PLN", "2026-11-20T08:00:00Z"},
	    {"ARRI", "EST", "2026-12-04T14:00:00Z"},
	};
	ev = events_of(plans, 2);
	assert_ptr_equal(dcsa_latest(ev), cJSON_GetArrayItem(ev, 1));
	cJSON_Delete(ev);
	ev = cJSON_CreateArray();
	assert_null(dcsa_latest(ev));
	cJSON_Delete(ev);
	assert_null(dcsa_latest(NULL));
}

static void customs_status_from_the_events(void **state)
{
	(void)state;
	char out[64];
	static const char *const insp[][3] = {
	    {"ARRI", "ACT", "2026-12-04T14:00:00Z"},
	    {"CUSI", "ACT", "2026-12-05T14:00:00Z"},
	};
	cJSON *ev = events_of(insp, 2);
	assert_string_equal(dcsa_customs(ev, out, sizeof out), "selected for inspection at USLAX");
	cJSON_Delete(ev);
	static const char *const rel[][3] = {
	    {"CUSI", "ACT", "2026-12-05T14:00:00Z"},
	    {"CUSR", "ACT", "2026-12-06T14:00:00Z"},
	    {"CUSS", "EST", "2026-12-07T14:00:00Z"}, /* an estimate after the act does not win */
	};
	ev = events_of(rel, 3);
	assert_string_equal(dcsa_customs(ev, out, sizeof out), "released at USLAX");
	cJSON_Delete(ev);
	/* scan without a location */
	cJSON *a = cJSON_CreateArray(), *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", "CUSS");
	cJSON_AddStringToObject(o, "classifier", "ACT");
	cJSON_AddStringToObject(o, "at", "2026-12-05T14:00:00Z");
	cJSON_AddItemToArray(a, o);
	assert_string_equal(dcsa_customs(a, out, sizeof out), "selected for scan");
	cJSON_Delete(a);
	/* none */
	static const char *const none[][3] = {{"LOAD", "ACT", "2026-11-20T08:00:00Z"}};
	ev = events_of(none, 1);
	assert_null(dcsa_customs(ev, out, sizeof out));
	cJSON_Delete(ev);
	/* the sample files */
	ev = parse_file("tnt-v3-events.json");
	assert_string_equal(dcsa_customs(ev, out, sizeof out), "released at USLAX");
	cJSON_Delete(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(v22_sample_codes_times_locations_notes_in_created_order),
	    cmocka_unit_test(v3_sample_codes_times_locations_notes),
	    cmocka_unit_test(facility_code_is_the_last_resort_location),
	    cmocka_unit_test(utc_normalisation_of_offsets_and_fractions),
	    cmocka_unit_test(utc_edges_leap_days_and_years_0000_to_9999),
	    cmocka_unit_test(object_with_events_and_plain_array_both_accepted),
	    cmocka_unit_test(file_order_kept_when_some_event_lacks_created_time),
	    cmocka_unit_test(bad_time_names_the_event),
	    cmocka_unit_test(unknown_code_names_the_event_and_the_code),
	    cmocka_unit_test(unknown_classifier_refused),
	    cmocka_unit_test(not_an_array_refused),
	    cmocka_unit_test(too_many_events_refused),
	    cmocka_unit_test(too_big_refused_before_parsing),
	    cmocka_unit_test(words_for_code_and_classifier_pairs),
	    cmocka_unit_test(words_for_the_v22_sample_read_as_a_timeline),
	    cmocka_unit_test(escape_sequence_in_location_never_reaches_the_words),
	    cmocka_unit_test(words_truncate_at_cap_on_a_character_boundary),
	    cmocka_unit_test(loading_is_said_of_what_the_mode_goes_on),
	    cmocka_unit_test(eta_is_the_latest_est_arrival_in_array_order),
	    cmocka_unit_test(no_eta_once_delivered),
	    cmocka_unit_test(recent_first_orders_by_time_with_ties_later_received_first),
	    cmocka_unit_test(recent_first_leaves_out_estimates_after_the_delivery),
	    cmocka_unit_test(latest_is_the_last_that_happened_else_the_last_estimate),
	    cmocka_unit_test(customs_status_from_the_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
