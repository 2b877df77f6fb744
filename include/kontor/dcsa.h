/* dcsa — DCSA Track & Trace shipment events: reading a carrier's events document into
 * kontor's event objects, and saying them in words for people (the `kontor track` timeline,
 * the TUI). Pure: no I/O, no clock; every input is outside text and bounded.
 *
 * kontor's event object (the "shipment.events" entries of the Order; see DESIGN §4):
 *   {"code": "LOAD", "classifier": "ACT", "at": "2026-11-20T08:00:00Z",
 *    "location": "CNSZX", "note": "MAERSK ESSEN 123W, MSKU1234565"}
 * location and note are optional; at is RFC 3339 UTC with seconds and Z. */
#ifndef KONTOR_DCSA_H
#define KONTOR_DCSA_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kontor/buf.h"
#include "kontor/err.h"

#define DCSA_MAX_BYTES (4u << 20) /* a file larger than this is refused (K_ETOOBIG) */
#define DCSA_MAX_EVENTS 1000

/* Parses a DCSA Track & Trace events document: the event shapes of DCSA's published
 * Track & Trace OpenAPI, v2.2 and v3 — a JSON array of events, or an object with an
 * "events" array (accept both). Each event becomes kontor's event object
 * {"code","classifier","at","location"?,"note"?} (see shapes.md), in the file's order,
 * sorted stably by eventCreatedDateTime when every event has one (so the latest estimate
 * comes last). code: equipmentEventTypeCode / transportEventTypeCode / shipmentEventTypeCode
 * by eventType (EQUIPMENT/TRANSPORT/SHIPMENT; v3 spells them the same); classifier:
 * eventClassifierCode; at: eventDateTime normalised to UTC "YYYY-MM-DDTHH:MM:SSZ" (DCSA
 * sends offsets like +01:00 and fractional seconds: convert, drop fractions); location:
 * eventLocation.UNLocationCode, else transportCall's UNLocationCode (v2.2:
 * transportCall.UNLocationCode or transportCall.location.UNLocationCode; v3:
 * transportCall.location.UNLocationCode), else eventLocation.locationName, else facility
 * code; note: short words that help a person: vessel name + voyage (v2.2
 * transportCall.vessel.vesselName / exportVoyageNumber; v3 transportCall.vessel.name /
 * carrierExportVoyageNumber), equipment reference (container number), document type and
 * reference for shipment events; at most 500 bytes, control chars removed.
 * Refuses with K_EINVAL naming the event ("events[3]: eventDateTime: not an RFC 3339
 * time"), an unknown code ("events[2]: unknown DCSA event code 'XXXX'"), an unknown
 * classifier; K_ETOOBIG over DCSA_MAX_BYTES or DCSA_MAX_EVENTS. Every object produced passes
 * model_validate("event", ...) (include/kontor/model.h; check how model_validate is called
 * for a nested type — if "event" is not reachable by name, validate with the same rules
 * yourself via codes_dcsa_event/codes_dcsa_classifier). *out is a new cJSON array.
 *
 * Details: "event" is not a top-level model type, so each object is checked against the
 * same rules here (code known, classifier known, at via model_check_time, location 1..200
 * and note 1..500 bytes of UTF-8 without control characters); wrapped in a "Shipment" it
 * passes model_validate. A code must belong to its eventType (an ARRI under EQUIPMENT is
 * refused). A v3 beta event split into "metadata" and "payload" objects is read from its
 * payload. Location and note are sanitised (escape sequences and control characters
 * removed) and cut at a character boundary; one that is empty after that is left out.
 * On error *out is NULL and e names the event. */
int dcsa_parse(const char *json, size_t len, cJSON **out, struct kerr *e);

/* One event in words, for people: "Loaded on vessel at CNSZX", "Departed from CNSZX",
 * "Estimated arrival at USLAX", "Customs released at USLAX", "Gate out at USLAX",
 * "Out for delivery", "Delivered at Rotterdam", "Exception at USLAX: <note>",
 * "Planned departure from CNSZX", "Bill of lading issued" (shipment events use the
 * document, e.g. note), "Discharged from vessel at USLAX". Classifier EST says
 * "Estimated ...", PLN "Planned ...", REQ "Requested ...", ACT the plain past tense.
 * Vessel/voyage from the note may follow in parentheses when present. Use the code tables
 * (codes_dcsa_event) for any code without a hand-written phrase. The location and note are
 * outside text: strip control characters (see include/kontor/text.h for an existing helper).
 * Writes a NUL-terminated string, truncated at cap (UTF-8 safe). Returns length written.
 *
 * Shipment events read "<note> <status>" ("Bill of lading MAEU123456789 issued"), or
 * "Document issued" without a note; a shipment event that is not ACT ends in
 * "(estimated)", "(planned)" or "(requested)". An event without a known code reads
 * "Event 'XXXX'" (shown safely). cap 0 writes nothing and returns 0.
 *
 * mode is the shipment's ("sea", "air", "road", "rail", "courier"; NULL or another word is
 * the sea, as DCSA's codes are): LOAD and DISC name what the goods go on, "Loaded on
 * aircraft", "Unloaded from truck", "Loaded" for a courier; the sea's are "Loaded on vessel"
 * and "Discharged from vessel". */
size_t dcsa_words(const cJSON *event, const char *mode, char *out, size_t cap);

/* The ETA: the "at" of the latest EST arrival event (code ARRI or DLVD with classifier EST;
 * "latest" = last in array order, since the node appends in arrival order), or NULL when
 * there is none or an ACT DLVD has come (delivered: no ETA). Returns a pointer into events. */
const char *dcsa_eta(const cJSON *events);

/* Fills idx[0..n) with the indexes of the cap most recent events, sorted most recent first
 * by "at" (stable: equal times keep the later-received first). Returns n (<= cap). For
 * `kontor track` and the TUI's timeline and LAST EVENT column.
 * Every event is considered (the first DCSA_MAX_EVENTS); an entry without a string "at"
 * sorts last. Once an actual DLVD has come, an estimate, plan or request dated after it is
 * left out: the goods came, it will not come to pass. */
size_t dcsa_recent_first(const cJSON *events, size_t *idx, size_t cap);

/* The shipment's last event, as a list row says it: the most recent that happened (ACT), or,
 * while nothing has, the most recent estimate or plan; NULL when there is no event. A pointer
 * into events. For `kontor track`'s list and the TUI's LAST EVENT column. */
const cJSON *dcsa_latest(const cJSON *events);

/* Customs status in a few words from the events: "released at USLAX" (CUSR ACT),
 * "selected for inspection at USLAX" (CUSI), "selected for scan" (CUSS), or NULL when no
 * customs event. Writes into out.
 * The last ACT customs event in array order decides (a release after an inspection is
 * "released"); estimated or planned customs events count only when no ACT one exists,
 * and then read "expected release at USLAX" and so on. The location is sanitised.
 * Returns out, or NULL (out untouched) when there is no customs event or cap is 0. */
const char *dcsa_customs(const cJSON *events, char *out, size_t cap);

#endif
