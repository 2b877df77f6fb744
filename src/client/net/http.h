/* http — the client's network layer: the only file in the client that calls libcurl.
 * HTTPS only, always verified (system CAs or a given CA file); one kept-alive connection
 * per struct knet; gzip both ways done here (so the byte counters are the bytes on the
 * wire); timeouts; retries with exponential backoff and full jitter for network faults,
 * 5xx and 429; Beckn request signatures (DESIGN §4); pinning of the node's key and of its
 * TLS public key (the SPKI hash, checked by libcurl before a byte of a request is sent);
 * deadlines per call and per run of calls (a sync), so a node that drips cannot hold us.
 *
 * A struct knet is used by one thread at a time. knet_global_init is called once by the
 * program before any thread starts (knet_new calls it too, under pthread_once). */
#ifndef KONTOR_CLIENT_NET_HTTP_H
#define KONTOR_CLIENT_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/err.h"
#include "session.h"

#define KNET_MAX_BODY_DEFAULT (64u * 1024 * 1024) /* decoded response body bound */
/* Request bodies over this are tried gzip'd, and sent so when that saves more than the
 * Content-Encoding header costs: a sync with nothing new (~650 B of JSON that repeats its
 * method names) goes in ~40% fewer bytes (DESIGN §11: one request, 1.5 KiB). */
#define KNET_GZIP_MIN 256
#define KNET_NODE_KEY_MAX 128 /* room for a Kontor-Node-Key value */
#define KNET_NODE_KEY_HEADER "Kontor-Node-Key"
#define KNET_TLS_PIN_MAX 64     /* "sha256//" + 44 base64 characters, as curl --pinnedpubkey */
#define KNET_FINGERPRINT_MAX 96 /* "AB:CD:...": SHA-256 of a certificate, 32 hex pairs */

struct knet_opts {
	const char *base_url;   /* "https://host:port" (a trailing '/' is dropped); required */
	const char *ca_file;    /* PEM bundle to trust instead of the system CAs; NULL: system */
	const char *node_key;   /* pinned node key; NULL or "": no pin */
	const char *tls_pin;    /* pinned TLS public key "sha256//BASE64" (the SHA-256 of the
	                           certificate's SubjectPublicKeyInfo); NULL or "": none */
	const char *repin_hint; /* a sentence put after a changed-key error: how to re-add the
	                           node (copied); NULL: none */
	long connect_timeout_s; /* 0: 10 */
	long low_speed_time_s;  /* abort below 1 byte/s for this long; 0: 30 */
	long total_timeout_s;   /* whole attempt; 0: none */
	long call_timeout_s;    /* one call, its every attempt and wait included; 0: none */
	int max_attempts;       /* per call, >= 1; 0: 4 */
	long backoff_base_ms;   /* 0: 250 */
	long backoff_cap_ms;    /* 0: 8000 */
	long retry_after_cap_s; /* the longest Retry-After honoured; 0: 60 */
	size_t max_body;        /* decoded response body bound; 0: KNET_MAX_BODY_DEFAULT */
	const char *user_agent; /* NULL: "kontor/<version>" */
};

struct knet_response {
	long status;                      /* HTTP status; 0 when no response arrived */
	struct kbuf body;                 /* decoded (gunzipped) body; the caller frees it */
	char content_type[128];           /* "" when none (cut at 127 bytes) */
	long retry_after;                 /* seconds from Retry-After (capped), -1 when absent */
	char node_key[KNET_NODE_KEY_MAX]; /* the Kontor-Node-Key header, "" when absent */
};

/* Byte counters since knet_new. up: request line + headers + body as sent; down: status
 * line + response headers + body as received (gzip'd bytes when gzip'd, chunk framing
 * included). These are the HTTP/1.1 bytes libcurl hands to TLS and gets back from it;
 * TLS record and handshake overhead is not counted. Failed attempts count too. */
struct knet_counters {
	uint64_t bytes_up;
	uint64_t bytes_down;
	uint64_t requests; /* calls of knet_request */
	uint64_t attempts; /* transfers tried, retries included */
};

/* Call flags. */
#define KNET_SIGN 1u     /* sign with the signer (K_EINVAL when none is set) */
#define KNET_NO_RETRY 2u /* one attempt only */
#define KNET_NO_GZIP 4u  /* never gzip the request body (for services that cannot read it) */

struct knet;

/* curl_global_init, once per process (pthread_once); K_ENET when libcurl fails. */
int knet_global_init(struct kerr *e);

/* A handle for one node. K_EINVAL for a missing or non-https base URL, an unreadable CA
 * file or a bad option. */
int knet_new(const struct knet_opts *o, struct knet **out, struct kerr *e);
/* Closes the connection, wipes the signer's key. NULL is fine. */
void knet_free(struct knet *n);

/* Sets (or with account_id NULL, clears) the signer: keyId
 * "<account_id>|k1|ed25519". The secret key is copied and wiped by knet_free. */
int knet_set_signer(struct knet *n, const char *account_id, const uint8_t sk[KCRYPTO_SK_BYTES],
                    struct kerr *e);
/* Pins the node key (NULL or "" unpins). */
void knet_set_pin(struct knet *n, const char *node_key);
/* The Kontor-Node-Key of the last response ("" before any or when it had none), for
 * pinning on first contact. */
const char *knet_node_key(const struct knet *n);
/* Pins the node's TLS public key, "sha256//BASE64" (NULL or "" unpins). From then on
 * libcurl compares it with the key of every connection right after the handshake, before
 * any byte of a request is sent (CURLOPT_PINNEDPUBLICKEY); a different key is K_EVERIFY
 * and nothing was sent. */
void knet_set_tls_pin(struct knet *n, const char *tls_pin);
/* What the last TLS handshake showed of the node's certificate (also when it was not
 * trusted, so a person can be shown what to compare): its public key as a pin
 * ("sha256//BASE64") and the SHA-256 fingerprint of the whole certificate ("AB:CD:..."
 * as `openssl x509 -fingerprint -sha256` prints it). "" before any handshake. */
const char *knet_tls_pin_seen(const struct knet *n);
const char *knet_fingerprint_seen(const struct knet *n);
/* Non-zero when the last call failed because the certificate is not trusted (no CA that
 * signed it is known): the case for --ca-file. */
int knet_untrusted(const struct knet *n);
/* Learning the TLS pin of a node pinned before TLS pins existed: when a node key is pinned
 * and no TLS pin is, the next call first fetches the session (no body, unsigned), which
 * must name the pinned node key in its header and its body; the TLS key it came over is
 * pinned from then on and handed to fn (to be kept; a non-zero return fails the call). */
typedef int (*knet_pin_learned_fn)(void *ctx, const char *tls_pin, struct kerr *e);
void knet_learn_tls_pin(struct knet *n, knet_pin_learned_fn fn, void *ctx);
/* Every call and every wait between attempts ends by at_ms (knet_now_ms's clock; 0: no
 * deadline): a call still running then stops, not retried, with K_ENET "... stopped: WHAT
 * ran out" (what is, say, "the sync-timeout of 300 s"; copied). */
void knet_set_deadline(struct knet *n, int64_t at_ms, const char *what);
/* Milliseconds on a monotonic clock. */
int64_t knet_now_ms(void);
void knet_counters(const struct knet *n, struct knet_counters *out);

/* Test hook: the sleep between attempts (default: nanosleep, really sleeping). NULL
 * restores the default. */
void knet_set_sleep(struct knet *n, void (*sleep_ms)(void *ctx, long ms), void *ctx);

/* A response must be initialised before its first use; free leaves it initialised. */
void knet_response_init(struct knet_response *r);
void knet_response_free(struct knet_response *r);

/* One call, retried as described above. path is "/..." under the base URL, or a full URL
 * that starts with the base URL. body may be NULL (len 0); content_type NULL means none.
 * Returns K_OK when a response arrived (any status) and fills *r; K_ENET naming the cause
 * when none did, or when 5xx/429 persisted through every attempt (*r then holds the last
 * one); K_ENET "TLS: ..." for a certificate that is not trusted (never retried);
 * K_EVERIFY when the node key or its TLS key differs from the pin (for the TLS key,
 * nothing was sent); K_ENET "... stopped: ... ran out" past the call's time or the
 * deadline; K_ETOOBIG for a body over the bound or a gzip bomb. r is reset first, and the
 * caller frees it in every case. */
int knet_request(struct knet *n, const char *method, const char *path, const char *content_type,
                 const void *body, size_t len, unsigned flags, struct knet_response *r,
                 struct kerr *e);

/* POST /api, signed when a signer is set, JSON in and out. *response (the caller frees
 * it) is an object with "methodResponses". HTTP 400 K_EINVAL, 401 K_EVERIFY, 403 K_EPERM,
 * 404 K_ENOTFOUND, 409 K_ECONFLICT, 413 K_ETOOBIG, other non-200 K_EFAIL, each with the
 * node's type and description; a 200 that is not such JSON K_EFAIL "node answered
 * garbage: ...". */
int knet_api(struct knet *n, const cJSON *request, cJSON **response, struct kerr *e);

/* The sessionState of the last answer knet_api took ("" before one, or when it said none):
 * when it is not the kept session's state, the session changed and is to be fetched again
 * (RFC 8620 §3.4). */
const char *knet_session_state(const struct knet *n);

/* GET /.well-known/kontor, parsed (session.h). The session's nodeKey must agree with the
 * Kontor-Node-Key header when both are present (K_EVERIFY). Later api/upload/download
 * calls use the session's URLs when they lie under the base URL. */
int knet_session(struct knet *n, struct knet_session *out, struct kerr *e);

/* POST /upload (signed; a signer is required) of len bytes; blob_id gets the node's
 * blobId, which must equal kcrypto_hash_b64url of the bytes (else K_EVERIFY). */
int knet_upload(struct knet *n, const void *data, size_t len, const char *content_type,
                char blob_id[KCRYPTO_HASH_B64_LEN + 1], struct kerr *e);
/* GET /download/{blob_id} into out (appended after a reset); the bytes must hash to
 * blob_id (else K_EVERIFY). 404 K_ENOTFOUND. */
int knet_download(struct knet *n, const char *blob_id, struct kbuf *out, struct kerr *e);
/* GET /download/{blob_id}?w=width: an image blob as the node scaled it to fit width × width,
 * a JPEG it made (so not checked against blob_id: the caller treats it as outside bytes).
 * K_ETOOBIG when the body is over max bytes. Errors as knet_download. */
int knet_download_scaled(struct knet *n, const char *blob_id, unsigned width, size_t max,
                         struct kbuf *out, struct kerr *e);
/* The full download URL of blob_id (for a person to fetch it with another tool). */
int knet_download_url(struct knet *n, const char *blob_id, struct kbuf *out, struct kerr *e);

/* Stops n's transfers (and its waits between attempts) soon after *flag becomes non-zero
 * (set from another thread, read atomically): the call returns K_ENET "stopped". NULL:
 * never. The flag must outlive n. */
void knet_set_abort(struct knet *n, const int *flag);
/* Adds the bytes of n's transfers to *tap as they pass (atomically, for another thread to
 * read while a long call runs: the TUI's status line); NULL stops. *tap outlives n's calls. */
void knet_set_tap(struct knet *n, uint64_t *tap);

/* A long GET of a text/event-stream (GET /events): on_data gets the body's bytes as they
 * arrive; returning non-zero ends the stream. One attempt, never retried; verified and
 * pinned as every request (the pin is checked before the first byte is handed over; a
 * different key is K_EVERIFY); no deadline applies to it. *status gets the HTTP status. K_OK when a
 * 200 stream ended (the node closed it, or on_data asked); K_ENET for a fault, an abort or a
 * non-200 answer (with the node's reason). */
typedef int (*knet_stream_fn)(void *ctx, const char *data, size_t len);
int knet_stream(struct knet *n, const char *path, knet_stream_fn on_data, void *ctx, long *status,
                struct kerr *e);

/* K_OK when url may be used for a service that is not a node (a translation endpoint):
 * https://, or http:// to 127.0.0.1, [::1] or localhost only; no user name, query or
 * fragment. K_EINVAL saying why otherwise. */
int khttp_url_ok(const char *url, struct kerr *e);
/* POST of a JSON body (len bytes) to url (khttp_url_ok), not a node: TLS verified against
 * ca_file or the system's CAs, not signed, not pinned, not gzip'd; 2 attempts; a response
 * body over max_body (0: KNET_MAX_BODY_DEFAULT) is K_ETOOBIG. abort as knet_set_abort (may
 * be NULL). counters (may be NULL) gets the bytes used. Returns as knet_request. */
int khttp_post_json(const char *url, const char *ca_file, const char *json, size_t len,
                    size_t max_body, const int *abort, struct knet_response *r,
                    struct knet_counters *counters, struct kerr *e);

#endif
