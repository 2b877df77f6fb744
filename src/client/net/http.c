/* http — the client's network layer over libcurl (see http.h). One easy handle per knet,
 * reset and set up again for every attempt (curl_easy_reset keeps the live connection, so
 * TLS is kept alive). gzip is done here, not by libcurl, so that the debug callback sees
 * and counts the bytes as they travel. Nothing here prints; every fault is a struct kerr. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "kontor/gz.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "http.h"

#define CONNECT_TIMEOUT_S 10
#define LOW_SPEED_TIME_S 30
#define ATTEMPTS 4
#define BACKOFF_BASE_MS 250
#define BACKOFF_CAP_MS 8000
#define RETRY_AFTER_CAP_S 60
#define SIG_TTL_MIN 240 /* signatures live 240 + 0..59 s: under KBECKN_MAX_TTL */
#define SIG_TTL_SPREAD 60
#define HOSTPORT_MAX 256
#define GARBAGE_SHOWN 60 /* bytes of a bad answer quoted in a message */
#ifndef KONTOR_VERSION
#define KONTOR_VERSION "dev"
#endif

struct knet {
	CURL *curl;
	char *base;                  /* "https://host:port", no trailing '/' */
	char hostport[HOSTPORT_MAX]; /* "host:port" for messages */
	char *ca_file;
	char *user_agent;
	long connect_timeout_s, low_speed_time_s, total_timeout_s;
	int max_attempts;
	long base_ms, cap_ms, retry_after_cap_s;
	size_t max_body;
	char pin[KNET_NODE_KEY_MAX];
	char last_key[KNET_NODE_KEY_MAX];
	char tls_pin[KNET_TLS_PIN_MAX]; /* CURLOPT_PINNEDPUBLICKEY when set */
	/* What the last handshake showed (on_verify), trusted or not. */
	char seen_pin[KNET_TLS_PIN_MAX];
	char seen_fpr[KNET_FINGERPRINT_MAX];
	int untrusted; /* the last call failed on an untrusted certificate */
	int (*prev_verify)(int, X509_STORE_CTX *);
	knet_pin_learned_fn learn_fn;
	void *learn_ctx;
	int learning;           /* the session fetch of knet_learn_tls_pin is under way */
	long call_ms;           /* call_timeout_s in ms; 0: none */
	int64_t deadline;       /* knet_set_deadline; 0: none */
	char deadline_what[96]; /* "the sync-timeout of 300 s" */
	char *repin_hint;       /* after a changed-key error; NULL: none */
	/* Where the API lives: base + path until a session says otherwise. */
	char *api_url, *upload_url, *download_url; /* download_url holds "{blobId}" */
	/* The signer. */
	int signer;
	char account[KCRYPTO_ID_LEN + 1];
	uint8_t sk[KCRYPTO_SK_BYTES];
	int64_t sig_second; /* the second of the last signature */
	uint64_t sig_used;  /* TTL offsets already used in that second (one bit each) */
	struct knet_counters c;
	void (*sleep_fn)(void *ctx, long ms);
	void *sleep_ctx;
	char errbuf[CURL_ERROR_SIZE];
	const int *abort; /* knet_set_abort: non-zero stops a transfer and the waits between */
	uint64_t *tap;    /* knet_set_tap: bytes added as they pass (atomically), or NULL */
	int plain;        /* khttp_post_json to loopback: http:// allowed */
	char session_state[64]; /* knet_session_state */
};

/* One attempt's response as it comes in. */
struct xfer {
	struct knet *n;
	struct kbuf raw; /* the body as received */
	size_t raw_max;
	int too_big;
	long status;
	int gzip; /* Content-Encoding: gzip */
	char encoding[32];
	char content_type[128];
	long retry_after;
	long retry_after_cap;
	int key_seen;
	char node_key[KNET_NODE_KEY_MAX];
	/* knet_stream: the body goes to sfn as it comes (a 200 whose pin checks) */
	knet_stream_fn sfn;
	void *sctx;
	int pin_checked, pin_bad, stopped;
	struct kerr pin_err;
	int64_t until; /* when this call must end (knet_now_ms); 0: never */
	const char *until_what;
};

/* ---- process-wide init ----------------------------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;
static int ctx_index = -1; /* SSL_CTX ex-data slot for the knet that made the context */

static void global_init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

int knet_global_init(struct kerr *e)
{
	pthread_once(&init_once, global_init);
	if (init_rc != CURLE_OK)
		return kerr_set(e, K_ENET, "libcurl failed to start: %s",
		                curl_easy_strerror(init_rc));
	return K_OK;
}

/* ---- small helpers -------------------------------------------------------------- */

static int knet_tls_pin_ok(const char *p);

/* Copies at most max bytes of s[0..n) into out[cap] as printable ASCII ('?' for the
 * rest), adding "..." when cut: outside text made safe for a message or a terminal. */
static void sanitise(const char *s, size_t n, size_t max, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return;
	for (size_t i = 0; i < n && i < max && o + 4 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	if ((n > max || o + 4 >= cap) && n > 0 && o + 3 < cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The node's error as "type: description" (DESIGN §4: {"type", "description"}), or the
 * first bytes of whatever the body was. */
static void node_error(const struct kbuf *body, char *out, size_t cap)
{
	cJSON *j = NULL;
	out[0] = '\0';
	if (body->len && json_parse(body->data, body->len, "error", &j, NULL) == K_OK &&
	    cJSON_IsObject(j)) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "description");
		char ts[80] = "", ds[300] = "";
		if (cJSON_IsString(t))
			sanitise(t->valuestring, strlen(t->valuestring), 64, ts, sizeof ts);
		if (cJSON_IsString(d))
			sanitise(d->valuestring, strlen(d->valuestring), 280, ds, sizeof ds);
		if (ts[0] || ds[0])
			snprintf(out, cap, "%s%s%s", ts, ts[0] && ds[0] ? ": " : "", ds);
	}
	cJSON_Delete(j);
	if (!out[0]) {
		if (body->len) {
			char g[GARBAGE_SHOWN + 8];
			sanitise(body->data, body->len, GARBAGE_SHOWN, g, sizeof g);
			snprintf(out, cap, "\"%s\"", g);
		} else {
			snprintf(out, cap, "no description");
		}
	}
}

static const char *reason(long status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "";
	}
}

static void real_sleep(void *ctx, long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A uniformly random number in [0, bound] (bound < 2^32). */
static long random_upto(long bound)
{
	if (bound <= 0)
		return 0;
	return (long)randombytes_uniform((uint32_t)bound + 1);
}

/* ---- setup ----------------------------------------------------------------------- */

static char *url_join(const char *base, const char *path)
{
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "%s%s", base, path);
	return kbuf_detach(&b, NULL);
}

/* knet_new, and for khttp_post_json (plain set) a loopback http:// URL too. */
static int knet_make(const struct knet_opts *o, int plain, struct knet **out, struct kerr *e)
{
	*out = NULL;
	int rc = knet_global_init(e);
	if (rc != K_OK)
		return rc;
	if (!o || !o->base_url || !*o->base_url)
		return kerr_set(e, K_EINVAL, "no node URL given");
	const char *u = o->base_url;
	size_t skip = 8;
	if (plain && strncasecmp(u, "http://", 7) == 0)
		skip = 7;
	/* TLS always: a plain http:// node is refused here, not merely warned about. */
	else if (strncasecmp(u, "https://", 8) != 0)
		return kerr_set(e, K_EINVAL, "node URL \"%.100s\" must start with https://", u);
	size_t ul = strlen(u);
	while (ul > skip && u[ul - 1] == '/')
		ul--;
	const char *hp = u + skip;
	size_t hl = strcspn(hp, "/?#");
	if (hl == 0 || hl >= HOSTPORT_MAX)
		return kerr_set(e, K_EINVAL, "node URL \"%.100s\" has no host", u);
	for (size_t i = 0; i < ul; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
			return kerr_set(e, K_EINVAL,
			                "node URL \"%.100s\" has a space or a "
			                "control character",
			                u);
	if (memchr(u, '?', ul) || memchr(u, '#', ul))
		return kerr_set(e, K_EINVAL, "node URL \"%.100s\" has a query or fragment", u);
	if (o->ca_file && access(o->ca_file, R_OK) != 0)
		return kerr_set(e, K_EINVAL, "CA file %s: %s", o->ca_file, strerror(errno));
	if (o->max_attempts < 0 || o->connect_timeout_s < 0 || o->low_speed_time_s < 0 ||
	    o->total_timeout_s < 0 || o->backoff_base_ms < 0 || o->backoff_cap_ms < 0 ||
	    o->retry_after_cap_s < 0 || o->backoff_cap_ms > 3600000L ||
	    o->retry_after_cap_s > 3600 || o->call_timeout_s < 0 || o->call_timeout_s > 86400)
		return kerr_set(e, K_EINVAL, "network options out of range");
	if (o->node_key && strlen(o->node_key) >= KNET_NODE_KEY_MAX)
		return kerr_set(e, K_EINVAL, "node key is over %d bytes", KNET_NODE_KEY_MAX - 1);
	if (o->tls_pin && *o->tls_pin && !knet_tls_pin_ok(o->tls_pin))
		return kerr_set(e, K_EINVAL,
		                "TLS pin \"%.80s\" is not sha256// and 44 base64 characters",
		                o->tls_pin);

	struct knet *n = xcalloc(1, sizeof *n);
	n->curl = curl_easy_init();
	if (!n->curl) {
		free(n);
		return kerr_set(e, K_ENET, "libcurl could not make a handle");
	}
	n->base = xstrndup(u, ul);
	memcpy(n->hostport, hp, hl);
	n->hostport[hl] = '\0';
	n->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
	n->user_agent = xstrdup(o->user_agent ? o->user_agent : "kontor/" KONTOR_VERSION);
	n->connect_timeout_s = o->connect_timeout_s ? o->connect_timeout_s : CONNECT_TIMEOUT_S;
	n->low_speed_time_s = o->low_speed_time_s ? o->low_speed_time_s : LOW_SPEED_TIME_S;
	n->total_timeout_s = o->total_timeout_s;
	n->max_attempts = o->max_attempts ? o->max_attempts : ATTEMPTS;
	n->base_ms = o->backoff_base_ms ? o->backoff_base_ms : BACKOFF_BASE_MS;
	n->cap_ms = o->backoff_cap_ms ? o->backoff_cap_ms : BACKOFF_CAP_MS;
	n->retry_after_cap_s = o->retry_after_cap_s ? o->retry_after_cap_s : RETRY_AFTER_CAP_S;
	n->max_body = o->max_body ? o->max_body : KNET_MAX_BODY_DEFAULT;
	knet_set_pin(n, o->node_key);
	knet_set_tls_pin(n, o->tls_pin);
	n->call_ms = o->call_timeout_s * 1000;
	n->repin_hint = o->repin_hint && *o->repin_hint ? xstrdup(o->repin_hint) : NULL;
	n->api_url = url_join(n->base, "/api");
	n->upload_url = url_join(n->base, "/upload");
	n->download_url = url_join(n->base, "/download/{blobId}");
	n->sleep_fn = real_sleep;
	n->plain = skip == 7;
	*out = n;
	return K_OK;
}

int knet_new(const struct knet_opts *o, struct knet **out, struct kerr *e)
{
	return knet_make(o, 0, out, e);
}

void knet_set_abort(struct knet *n, const int *flag)
{
	n->abort = flag;
}

void knet_set_tap(struct knet *n, uint64_t *tap)
{
	n->tap = tap;
}

void knet_free(struct knet *n)
{
	if (!n)
		return;
	curl_easy_cleanup(n->curl);
	sodium_memzero(n->sk, sizeof n->sk);
	free(n->base);
	free(n->ca_file);
	free(n->repin_hint);
	free(n->user_agent);
	free(n->api_url);
	free(n->upload_url);
	free(n->download_url);
	free(n);
}

int knet_set_signer(struct knet *n, const char *account_id, const uint8_t sk[KCRYPTO_SK_BYTES],
                    struct kerr *e)
{
	sodium_memzero(n->sk, sizeof n->sk);
	n->signer = 0;
	n->account[0] = '\0';
	if (!account_id)
		return K_OK;
	uint8_t pk[KCRYPTO_PK_BYTES];
	if (strlen(account_id) != KCRYPTO_ID_LEN ||
	    kcrypto_account_pk(account_id, pk, NULL) != K_OK)
		return kerr_set(e, K_EINVAL, "signer \"%.64s\" is not an account id", account_id);
	/* libsodium's secret key ends with the public key: it must be this account's. */
	if (memcmp(sk + 32, pk, KCRYPTO_PK_BYTES) != 0)
		return kerr_set(e, K_EINVAL, "the secret key does not belong to account %s",
		                account_id);
	memcpy(n->account, account_id, KCRYPTO_ID_LEN + 1);
	memcpy(n->sk, sk, KCRYPTO_SK_BYTES);
	n->signer = 1;
	return K_OK;
}

void knet_set_pin(struct knet *n, const char *node_key)
{
	snprintf(n->pin, sizeof n->pin, "%s", node_key ? node_key : "");
}

const char *knet_node_key(const struct knet *n)
{
	return n->last_key;
}

/* "sha256//" and the base64 (with padding) of 32 bytes. */
static int knet_tls_pin_ok(const char *p)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	if (strncmp(p, "sha256//", 8) != 0 || strlen(p) != 8 + 44 || p[8 + 43] != '=')
		return 0;
	return strspn(p + 8, b64) == 43;
}

void knet_set_tls_pin(struct knet *n, const char *tls_pin)
{
	snprintf(n->tls_pin, sizeof n->tls_pin, "%s",
	         tls_pin && knet_tls_pin_ok(tls_pin) ? tls_pin : "");
}

const char *knet_tls_pin_seen(const struct knet *n)
{
	return n->seen_pin;
}

const char *knet_fingerprint_seen(const struct knet *n)
{
	return n->seen_fpr;
}

int knet_untrusted(const struct knet *n)
{
	return n->untrusted;
}

void knet_learn_tls_pin(struct knet *n, knet_pin_learned_fn fn, void *ctx)
{
	n->learn_fn = fn;
	n->learn_ctx = ctx;
}

int64_t knet_now_ms(void)
{
	return ktime_mono_us() / 1000;
}

void knet_set_deadline(struct knet *n, int64_t at_ms, const char *what)
{
	n->deadline = at_ms > 0 ? at_ms : 0;
	snprintf(n->deadline_what, sizeof n->deadline_what, "%s",
	         what && *what ? what : "the deadline");
}

void knet_counters(const struct knet *n, struct knet_counters *out)
{
	*out = n->c;
}

void knet_set_sleep(struct knet *n, void (*sleep_ms)(void *ctx, long ms), void *ctx)
{
	n->sleep_fn = sleep_ms ? sleep_ms : real_sleep;
	n->sleep_ctx = sleep_ms ? ctx : NULL;
}

void knet_response_init(struct knet_response *r)
{
	memset(r, 0, sizeof *r);
	kbuf_init(&r->body);
	r->retry_after = -1;
}

void knet_response_free(struct knet_response *r)
{
	kbuf_free(&r->body);
	knet_response_init(r);
}

/* ---- libcurl callbacks ----------------------------------------------------------- */

/* Counts what goes over the connection: headers and data, each way (HTTP level). */
static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *userp)
{
	struct knet *n = userp;
	int out = type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT;
	int in = type == CURLINFO_HEADER_IN || type == CURLINFO_DATA_IN;
	if (out)
		n->c.bytes_up += size;
	else if (in)
		n->c.bytes_down += size;
	if ((out || in) && n->tap)
		__atomic_fetch_add(n->tap, (uint64_t)size, __ATOMIC_RELAXED);
	return 0;
}

static int check_pin(struct knet *n, const struct xfer *x, struct kerr *e);

/* A changed key: the sentence that says how to re-add the node goes after the error. */
static int repin_hint(const struct knet *n, struct kerr *e)
{
	if (e && n->repin_hint) {
		size_t ml = strlen(e->msg);
		snprintf(e->msg + ml, sizeof e->msg - ml, ". %s", n->repin_hint);
	}
	return K_EVERIFY;
}

/* What the node's certificate shows: its public key as a pin (SHA-256 of the DER
 * SubjectPublicKeyInfo, base64, as CURLOPT_PINNEDPUBLICKEY takes it) and the SHA-256
 * fingerprint of the whole certificate. OpenSSL has parsed the certificate already; this
 * only re-encodes what it holds. */
static void note_peer(struct knet *n, X509 *cert)
{
	unsigned char *der = NULL;
	uint8_t h[32];
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (len > 0) {
		crypto_hash_sha256(h, der, (unsigned long long)len);
		char b64[64];
		sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
		snprintf(n->seen_pin, sizeof n->seen_pin, "sha256//%s", b64);
	}
	OPENSSL_free(der);
	der = NULL;
	len = i2d_X509(cert, &der);
	if (len > 0) {
		crypto_hash_sha256(h, der, (unsigned long long)len);
		size_t o = 0;
		for (size_t i = 0; i < sizeof h; i++)
			o += (size_t)snprintf(n->seen_fpr + o, sizeof n->seen_fpr - o, "%s%02X",
			                      i ? ":" : "", h[i]);
	}
	OPENSSL_free(der);
}

/* OpenSSL's verify callback, only to look: the verdict (ok) goes back as it came, so
 * verification stays exactly as libcurl set it up. It sees the leaf certificate also when
 * the chain does not verify, which is when a person needs its fingerprint. */
static int on_verify(int ok, X509_STORE_CTX *sc)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(sc, SSL_get_ex_data_X509_STORE_CTX_idx());
	SSL_CTX *ctx = ssl ? SSL_get_SSL_CTX(ssl) : NULL;
	struct knet *n = ctx && ctx_index >= 0 ? SSL_CTX_get_ex_data(ctx, ctx_index) : NULL;
	if (!n)
		return ok;
	X509 *leaf = X509_STORE_CTX_get0_cert(sc);
	if (leaf)
		note_peer(n, leaf);
	return n->prev_verify ? n->prev_verify(ok, sc) : ok;
}

/* CURLOPT_SSL_CTX_FUNCTION: libcurl (built on OpenSSL) hands over each new connection's
 * context once it has set it up; the mode is kept, the callback only watches. */
static CURLcode on_ssl_ctx(CURL *c, void *sslctx, void *userp)
{
	SSL_CTX *ctx = sslctx;
	struct knet *n = userp;
	if (ctx_index < 0 || !SSL_CTX_set_ex_data(ctx, ctx_index, n))
		return CURLE_OK;
	int (*cur)(int, X509_STORE_CTX *) = SSL_CTX_get_verify_callback(ctx);
	if (cur != on_verify)
		n->prev_verify = cur;
	SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), on_verify);
	return CURLE_OK;
}

static int aborted(const struct knet *n)
{
	return n->abort && __atomic_load_n(n->abort, __ATOMIC_ACQUIRE);
}

/* libcurl calls this about once a second even while nothing moves: the way out of a
 * transfer stuck on a dead link when the program wants to stop. */
static int on_progress(void *userp, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	return aborted(userp);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;
	if (x->sfn && x->status == 200) {
		if (!x->pin_checked) { /* before the first byte is believed */
			x->pin_checked = 1;
			if (check_pin(x->n, x, &x->pin_err) != K_OK) {
				x->pin_bad = 1;
				return 0;
			}
		}
		if (x->sfn(x->sctx, p, n)) {
			x->stopped = 1;
			return 0;
		}
		return n;
	}
	if (x->raw.len + n > x->raw_max) {
		x->too_big = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	kbuf_append(&x->raw, p, n);
	return n;
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); -1 when unreadable. */
static long parse_retry_after(const char *v, long cap)
{
	long s;
	if (*v >= '0' && *v <= '9') {
		char *end;
		errno = 0;
		unsigned long long u = strtoull(v, &end, 10);
		if (*end != '\0')
			return -1;
		s = errno || u > (unsigned long long)cap ? cap : (long)u;
	} else {
		time_t t = curl_getdate(v, NULL);
		if (t == (time_t)-1)
			return -1;
		time_t now = time(NULL);
		s = t <= now ? 0 : (t - now > cap ? cap : (long)(t - now));
	}
	return s;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;
	char line[1024];
	size_t l = n < sizeof line - 1 ? n : sizeof line - 1;
	memcpy(line, p, l);
	line[l] = '\0';
	while (l && (line[l - 1] == '\r' || line[l - 1] == '\n' || line[l - 1] == ' ' ||
	             line[l - 1] == '\t'))
		line[--l] = '\0';
	if (strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after a 1xx, say): forget the previous one's headers. */
		x->gzip = x->key_seen = 0;
		x->encoding[0] = x->content_type[0] = x->node_key[0] = '\0';
		x->retry_after = -1;
		const char *sp = strchr(line, ' ');
		x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return n;
	}
	char *colon = strchr(line, ':');
	if (!colon)
		return n;
	*colon = '\0';
	char *v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (strcasecmp(line, "Content-Type") == 0) {
		snprintf(x->content_type, sizeof x->content_type, "%s", v);
	} else if (strcasecmp(line, "Content-Encoding") == 0) {
		snprintf(x->encoding, sizeof x->encoding, "%s", v);
		x->gzip = strcasecmp(v, "gzip") == 0 || strcasecmp(v, "x-gzip") == 0;
	} else if (strcasecmp(line, "Retry-After") == 0) {
		x->retry_after = parse_retry_after(v, x->retry_after_cap);
	} else if (strcasecmp(line, KNET_NODE_KEY_HEADER) == 0) {
		x->key_seen = 1;
		sanitise(v, strlen(v), sizeof x->node_key - 4, x->node_key, sizeof x->node_key);
	}
	return n;
}

/* ---- one attempt ----------------------------------------------------------------- */

struct call {
	const char *method;
	const char *url;
	const char *content_type;
	const void *body; /* as sent (gzip'd or not) */
	size_t len;
	int gzipped;
	const char *authorization; /* NULL: unsigned */
	int stream;                /* knet_stream: text/event-stream, not gzip'd */
};

/* Sets the handle up for one attempt and runs it. */
static CURLcode attempt(struct knet *n, const struct call *c, struct xfer *x)
{
	CURL *h = n->curl;
	curl_easy_reset(h); /* options only: the connection and TLS session stay */
	n->errbuf[0] = '\0';
	struct curl_slist *hdr = NULL;
	struct kbuf line = KBUF_INIT;
	if (c->stream) {
		hdr = curl_slist_append(hdr, "Accept: text/event-stream");
	} else {
		hdr = curl_slist_append(hdr, "Accept-Encoding: gzip");
		hdr = curl_slist_append(hdr,
		                        "Accept:"); /* drops curl's default, which says nothing */
	}
	hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
	if (c->content_type) {
		kbuf_printf(&line, "Content-Type: %s", c->content_type);
		hdr = curl_slist_append(hdr, kbuf_str(&line));
	}
	if (c->gzipped)
		hdr = curl_slist_append(hdr, "Content-Encoding: gzip");
	if (c->authorization) {
		kbuf_reset(&line);
		kbuf_printf(&line, "Authorization: %s", c->authorization);
		hdr = curl_slist_append(hdr, kbuf_str(&line));
	}
	kbuf_free(&line);

	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, n->plain ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* Verification is on by default; said again so no reset or build can turn it off. */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (n->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, n->ca_file);
	/* The node's TLS key, checked after the handshake and before the request goes out. */
	if (n->tls_pin[0])
		curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, n->tls_pin);
	curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, n);
	/* HTTP/1.1, so the counted header bytes are the header bytes sent. */
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, n->connect_timeout_s);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, n->low_speed_time_s);
	long limit_ms = n->total_timeout_s * 1000;
	if (x->until) {
		int64_t left = x->until - knet_now_ms();
		if (left < 1)
			left = 1;
		if (!limit_ms || left < limit_ms)
			limit_ms = (long)left;
	}
	if (limit_ms)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, limit_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, n->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, n->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	/* The debug callback is how the bytes are counted; nothing is printed. */
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, n);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	if (n->abort) {
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, n);
	}
	if (strcmp(c->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(c->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body ? c->body : "");
	}
	CURLcode rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	n->c.attempts++;
	return rc;
}

/* Names a transfer fault in e and returns its status; *retry says whether another
 * attempt may help (the network) or not (a verdict, or our own limit). */
static int transfer_fault(struct knet *n, CURLcode rc, const struct xfer *x, const char *url,
                          int *retry, struct kerr *e)
{
	const char *why = n->errbuf[0] ? n->errbuf : curl_easy_strerror(rc);
	*retry = 0;
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return kerr_set(e, K_ENET, "%s: stopped (kontor is closing)", url);
	if (rc == CURLE_OPERATION_TIMEDOUT && x->until && knet_now_ms() >= x->until - 50)
		return kerr_set(e, K_ENET, "%s: stopped: %s ran out", url, x->until_what);
	switch (rc) {
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		/* libcurl stopped right after the handshake: not a byte of the request left. */
		kerr_set(e, K_EVERIFY,
		         "the TLS key of the node at %s changed: pinned %s, it now shows %s "
		         "(certificate SHA-256 %s); nothing was sent",
		         n->hostport, n->tls_pin, n->seen_pin[0] ? n->seen_pin : "(unknown)",
		         n->seen_fpr[0] ? n->seen_fpr : "(unknown)");
		return repin_hint(n, e);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		n->untrusted = 1;
		if (n->seen_fpr[0])
			return kerr_set(e, K_ENET,
			                "TLS: certificate of %s not trusted (%s); its SHA-256 "
			                "fingerprint is %s",
			                n->hostport, why, n->seen_fpr);
		return kerr_set(e, K_ENET, "TLS: certificate of %s not trusted (%s)", n->hostport,
		                why);
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CRL_BADFILE:
		return kerr_set(e, K_ENET, "TLS: cannot use the CA file %s (%s)",
		                n->ca_file ? n->ca_file : "(system)", why);
	case CURLE_WRITE_ERROR:
		if (x->too_big)
			return kerr_set(e, K_ETOOBIG, "the answer from %s is over %zu bytes", url,
			                x->raw_max);
		return kerr_set(e, K_ENET, "%s: %s", url, why);
	default:
		break;
	}
	*retry = 1;
	switch (rc) {
	case CURLE_COULDNT_CONNECT: {
		long oserr = 0;
		curl_easy_getinfo(n->curl, CURLINFO_OS_ERRNO, &oserr);
		return kerr_set(e, K_ENET, "cannot connect to %s: %s", n->base,
		                oserr ? strerror((int)oserr) : why);
	}
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return kerr_set(e, K_ENET, "cannot connect to %s: %s", n->base, why);
	case CURLE_OPERATION_TIMEDOUT:
		return kerr_set(e, K_ENET, "%s timed out: %s", url, why);
	case CURLE_SSL_CONNECT_ERROR: /* the handshake broke off (I/O), not a verdict */
		return kerr_set(e, K_ENET, "TLS handshake with %s failed: %s", n->hostport, why);
	case CURLE_PARTIAL_FILE:
		return kerr_set(e, K_ENET, "the answer from %s was cut short: %s", url, why);
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return kerr_set(e, K_ENET, "connection to %s broke: %s", n->hostport, why);
	default:
		*retry = 0;
		return kerr_set(e, K_ENET, "%s: %s", url, why);
	}
}

/* The Authorization header for one attempt. Each gets a fresh created and a TTL not used
 * before in the same second, so two identical bodies never carry the same signature (the
 * node would take the second for a replay). */
static void sign(struct knet *n, const void *body, size_t len, struct kbuf *out)
{
	int64_t created = (int64_t)time(NULL);
	if (created != n->sig_second) {
		n->sig_second = created;
		n->sig_used = 0;
	}
	if (n->sig_used == (UINT64_C(1) << SIG_TTL_SPREAD) - 1) {
		/* Sixty signatures in this second already: wait for the next one. */
		while ((created = (int64_t)time(NULL)) == n->sig_second)
			real_sleep(NULL, 50);
		n->sig_second = created;
		n->sig_used = 0;
	}
	long off = random_upto(SIG_TTL_SPREAD - 1);
	while (n->sig_used & (UINT64_C(1) << off))
		off = (off + 1) % SIG_TTL_SPREAD;
	n->sig_used |= UINT64_C(1) << off;
	char key_id[3 * KCRYPTO_ID_LEN + 16];
	/* "k1": the account's one key (the node reads the subscriber part); the account id
	 * twice would be 42 more bytes on every request of a slow link. */
	snprintf(key_id, sizeof key_id, "%s|k1|ed25519", n->account);
	kbuf_reset(out);
	kcrypto_beckn_authorization(key_id, created, created + SIG_TTL_MIN + off, body, len, n->sk,
	                            out);
}

/* The delay before attempt `next` (2, 3, ...): full jitter over base * 2^(next-2), capped,
 * or the node's Retry-After when it gave one. */
static long backoff_ms(const struct knet *n, int next, long retry_after)
{
	if (retry_after >= 0)
		return retry_after * 1000;
	long ceiling = n->base_ms;
	for (int i = 2; i < next && ceiling < n->cap_ms; i++)
		ceiling *= 2;
	if (ceiling > n->cap_ms)
		ceiling = n->cap_ms;
	return random_upto(ceiling);
}

/* Checks the node key against the pin (when there is one). */
static int check_pin(struct knet *n, const struct xfer *x, struct kerr *e)
{
	snprintf(n->last_key, sizeof n->last_key, "%s", x->key_seen ? x->node_key : "");
	if (!n->pin[0])
		return K_OK;
	if (!x->key_seen)
		kerr_set(e, K_EVERIFY,
		         "node key changed: pinned %s, node at %s now sends no %s header", n->pin,
		         n->hostport, KNET_NODE_KEY_HEADER);
	else if (strcmp(x->node_key, n->pin) != 0)
		kerr_set(e, K_EVERIFY, "node key changed: pinned %s, node now says %s", n->pin,
		         x->node_key);
	else
		return K_OK;
	return repin_hint(n, e);
}

/* Resolves path against the base URL: "/x" goes under it; a full URL must lie under it. */
static char *resolve(const struct knet *n, const char *path, struct kerr *e)
{
	if (path[0] == '/')
		return url_join(n->base, path);
	size_t bl = strlen(n->base);
	if (strncmp(path, n->base, bl) == 0 && (path[bl] == '/' || path[bl] == '\0'))
		return xstrdup(path);
	kerr_set(e, K_EINVAL, "URL \"%.100s\" is not on node %s", path, n->base);
	return NULL;
}

static int refused(const struct knet_response *r, const char *what, struct kerr *e);

/* A node pinned before TLS pins: its session first, over a connection whose key is then
 * pinned (see knet_learn_tls_pin). */
static int learn_tls_pin(struct knet *n, struct kerr *e)
{
	struct knet_session sess;
	struct knet_response r;
	knet_response_init(&r);
	/* Not knet_session: the caller's path may be one of the URLs a session replaces. */
	n->learning = 1;
	int rc = knet_request(n, "GET", "/.well-known/kontor", NULL, NULL, 0, 0, &r, e);
	n->learning = 0;
	if (rc == K_OK && r.status != 200)
		rc = refused(&r, "the session request", e);
	if (rc == K_OK &&
	    (rc = knet_session_parse(r.body.data ? r.body.data : "", r.body.len, &sess, e)) != K_OK)
		kerr_prefix(e, "node %s answered a bad session", n->hostport);
	knet_response_free(&r);
	if (rc)
		return rc;
	if (strcmp(sess.node_key, n->pin) != 0 || strcmp(n->last_key, n->pin) != 0) {
		kerr_set(e, K_EVERIFY, "node key changed: pinned %s, node now says %s", n->pin,
		         sess.node_key);
		return repin_hint(n, e);
	}
	if (!n->seen_pin[0])
		return kerr_set(e, K_EVERIFY,
		                "the TLS key of the node at %s could not be read to pin it (this "
		                "libcurl is not built on OpenSSL)",
		                n->hostport);
	knet_set_tls_pin(n, n->seen_pin);
	return n->learn_fn(n->learn_ctx, n->tls_pin, e);
}

/* When the call must end: its own time or the deadline, whichever comes first. */
static int64_t call_until(const struct knet *n, const char **what, char *buf, size_t cap)
{
	int64_t until = n->call_ms ? knet_now_ms() + n->call_ms : 0;
	*what = buf;
	snprintf(buf, cap, "the time for one request (%ld s)", n->call_ms / 1000);
	if (n->deadline && (!until || n->deadline < until)) {
		until = n->deadline;
		*what = n->deadline_what;
	}
	return until;
}

int knet_request(struct knet *n, const char *method, const char *path, const char *content_type,
                 const void *body, size_t len, unsigned flags, struct knet_response *r,
                 struct kerr *e)
{
	knet_response_free(r);
	n->untrusted = 0;
	if ((flags & KNET_SIGN) && !n->signer)
		return kerr_set(e, K_EINVAL, "this request must be signed, and no account is set");
	if (n->learn_fn && n->pin[0] && !n->tls_pin[0] && !n->learning) {
		int lrc = learn_tls_pin(n, e);
		if (lrc)
			return lrc;
	}
	char what_buf[64];
	const char *until_what = NULL;
	int64_t until = call_until(n, &until_what, what_buf, sizeof what_buf);
	if (until && knet_now_ms() >= until)
		return kerr_set(e, K_ENET, "node %s: stopped: %s ran out", n->hostport, until_what);
	char *url = resolve(n, path, e);
	if (!url)
		return K_EINVAL;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			free(url);
			return kerr_set(e, K_EINVAL, "URL path has a space or control character");
		}
	n->c.requests++;

	/* Bodies travel gzip'd when that is smaller, its header counted. */
	struct kbuf gz = KBUF_INIT;
	struct call c = {method, url, content_type, body, len, 0, NULL, 0};
	if (!(flags & KNET_NO_GZIP) && len > KNET_GZIP_MIN)
		kgz_deflate(body, len, 6, &gz);
	if (gz.len && gz.len + sizeof "Content-Encoding: gzip\r\n" - 1 < len) {
		c.body = gz.data;
		c.len = gz.len;
		c.gzipped = 1;
	}
	struct kbuf auth = KBUF_INIT;
	struct xfer x;
	int attempts = (flags & KNET_NO_RETRY) ? 1 : n->max_attempts;
	int rc = K_ENET;
	int i;
	for (i = 1; i <= attempts; i++) {
		if (flags & KNET_SIGN) {
			/* The digest covers the body before gzip, as the node reads it. */
			sign(n, body, len, &auth);
			c.authorization = kbuf_str(&auth);
		}
		memset(&x, 0, sizeof x);
		x.n = n;
		kbuf_init(&x.raw);
		x.raw_max = n->max_body;
		x.retry_after = -1;
		x.retry_after_cap = n->retry_after_cap_s;
		x.until = until;
		x.until_what = until_what;
		CURLcode cc = attempt(n, &c, &x);
		long wait = -1;
		if (cc != CURLE_OK) {
			int retry;
			rc = transfer_fault(n, cc, &x, url, &retry, e);
			kbuf_free(&x.raw);
			if (!retry)
				goto out;
		} else {
			curl_easy_getinfo(n->curl, CURLINFO_RESPONSE_CODE, &x.status);
			if ((rc = check_pin(n, &x, e)) != K_OK) {
				kbuf_free(&x.raw);
				goto out;
			}
			kbuf_free(&r->body);
			r->status = x.status;
			snprintf(r->content_type, sizeof r->content_type, "%s", x.content_type);
			r->retry_after = x.retry_after;
			snprintf(r->node_key, sizeof r->node_key, "%s", x.node_key);
			if (x.gzip) {
				rc = kgz_inflate(x.raw.data, x.raw.len, n->max_body, &r->body, e);
				if (rc != K_OK)
					kerr_prefix(e, "the node's answer");
				kbuf_free(&x.raw);
				if (rc != K_OK)
					goto out;
			} else if (x.encoding[0] && strcasecmp(x.encoding, "identity") != 0) {
				kbuf_free(&x.raw);
				rc =
				    kerr_set(e, K_EFAIL,
				             "node answered with Content-Encoding %.20s, which was "
				             "not asked for",
				             x.encoding);
				goto out;
			} else {
				r->body = x.raw;
			}
			/* Two processes that push one outbox (a script's sync beside the TUI's) can
			 * sign one body in one second with one expiry: the node takes the later for
			 * a replay. Signed anew, with another expiry, it goes through. */
			char desc[400] = "";
			int replay = 0;
			if (x.status == 401 && (flags & KNET_SIGN) && i < attempts) {
				node_error(&r->body, desc, sizeof desc);
				replay = strstr(desc, "replayed signature") != NULL;
			}
			if (x.status < 500 && x.status != 429 && !replay) {
				rc = K_OK;
				goto out;
			}
			if (!replay)
				node_error(&r->body, desc, sizeof desc);
			kerr_set(e, K_ENET, "node %s answered %ld%s%s: %s", n->hostport, x.status,
			         reason(x.status)[0] ? " " : "", reason(x.status), desc);
			rc = K_ENET;
			wait = x.retry_after;
		}
		if (i < attempts) {
			long ms = backoff_ms(n, i + 1, wait);
			if (until && knet_now_ms() + ms >= until) {
				/* No time for another attempt: the last fault, and why no more. */
				if (e) {
					size_t ml = strlen(e->msg);
					snprintf(e->msg + ml, sizeof e->msg - ml,
					         " (%d attempt%s; stopped: %s ran out)", i,
					         i == 1 ? "" : "s", until_what);
				}
				goto out;
			}
			if (n->abort && n->sleep_fn == real_sleep) {
				for (; ms > 0 && !aborted(n); ms -= 100)
					real_sleep(NULL, ms < 100 ? ms : 100);
			} else {
				n->sleep_fn(n->sleep_ctx, ms);
			}
			if (aborted(n)) {
				rc = kerr_set(e, K_ENET, "%s: stopped (kontor is closing)", url);
				goto out;
			}
		}
	}
	/* Every attempt failed: say how many. */
	if (e) {
		size_t ml = strlen(e->msg);
		while (ml && e->msg[ml - 1] == ' ') /* curl's texts may end in a space */
			e->msg[--ml] = '\0';
		snprintf(e->msg + ml, sizeof e->msg - ml, " (%d attempt%s)", attempts,
		         attempts == 1 ? "" : "s");
	}
out:
	kbuf_free(&auth);
	kbuf_free(&gz);
	free(url);
	return rc;
}

/* ---- the API on top ------------------------------------------------------------- */

/* The K_ status for a refusal by the node, with its type and description. */
static int refused(const struct knet_response *r, const char *what, struct kerr *e)
{
	int code;
	switch (r->status) {
	case 400:
		code = K_EINVAL;
		break;
	case 401:
		code = K_EVERIFY;
		break;
	case 403:
		code = K_EPERM;
		break;
	case 404:
		code = K_ENOTFOUND;
		break;
	case 409:
		code = K_ECONFLICT;
		break;
	case 413:
		code = K_ETOOBIG;
		break;
	default:
		code = K_EFAIL;
		break;
	}
	char desc[400];
	node_error(&r->body, desc, sizeof desc);
	return kerr_set(e, code, "node refused %s (%ld%s%s): %s", what, r->status,
	                reason(r->status)[0] ? " " : "", reason(r->status), desc);
}

/* The node's JSON answer as an object, or K_EFAIL "node answered garbage". */
static int parse_answer(const struct knet_response *r, cJSON **out, struct kerr *e)
{
	struct kerr pe = {0, ""};
	*out = NULL;
	if (json_parse(r->body.data ? r->body.data : "", r->body.len, "answer", out, &pe) != K_OK) {
		char g[GARBAGE_SHOWN + 8];
		sanitise(r->body.data ? r->body.data : "", r->body.len, GARBAGE_SHOWN, g, sizeof g);
		return kerr_set(e, K_EFAIL, "node answered garbage: \"%s\" (%s)", g, pe.msg);
	}
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		char g[GARBAGE_SHOWN + 8];
		sanitise(r->body.data, r->body.len, GARBAGE_SHOWN, g, sizeof g);
		return kerr_set(e, K_EFAIL, "node answered garbage: \"%s\" is not a JSON object",
		                g);
	}
	return K_OK;
}

int knet_api(struct knet *n, const cJSON *request, cJSON **response, struct kerr *e)
{
	*response = NULL;
	struct kbuf req = KBUF_INIT;
	json_print(request, &req);
	struct knet_response r;
	knet_response_init(&r);
	int rc = knet_request(n, "POST", n->api_url, "application/json", req.data, req.len,
	                      n->signer ? KNET_SIGN : 0, &r, e);
	kbuf_free(&req);
	if (rc == K_OK && r.status != 200)
		rc = refused(&r, "the request", e);
	if (rc == K_OK && (rc = parse_answer(&r, response, e)) == K_OK &&
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(*response, "methodResponses"))) {
		char g[GARBAGE_SHOWN + 8];
		sanitise(r.body.data, r.body.len, GARBAGE_SHOWN, g, sizeof g);
		rc =
		    kerr_set(e, K_EFAIL, "node answered garbage: \"%s\" has no methodResponses", g);
		cJSON_Delete(*response);
		*response = NULL;
	}
	if (rc == K_OK) {
		const cJSON *ss = cJSON_GetObjectItemCaseSensitive(*response, "sessionState");
		int fits = cJSON_IsString(ss) && strlen(ss->valuestring) < sizeof n->session_state;
		snprintf(n->session_state, sizeof n->session_state, "%s",
		         fits ? ss->valuestring : "");
	}
	knet_response_free(&r);
	return rc;
}

const char *knet_session_state(const struct knet *n)
{
	return n->session_state;
}

/* Takes url from the session when it lies under the base URL (a session cannot send us
 * to another host). */
static void adopt_url(const struct knet *n, const char *url, char **slot)
{
	size_t bl = strlen(n->base);
	if (strncmp(url, n->base, bl) == 0 && url[bl] == '/') {
		free(*slot);
		*slot = xstrdup(url);
	}
}

int knet_session(struct knet *n, struct knet_session *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	struct knet_response r;
	knet_response_init(&r);
	int rc = knet_request(n, "GET", "/.well-known/kontor", NULL, NULL, 0, 0, &r, e);
	if (rc == K_OK && r.status != 200)
		rc = refused(&r, "the session request", e);
	if (rc == K_OK &&
	    (rc = knet_session_parse(r.body.data ? r.body.data : "", r.body.len, out, e)) != K_OK)
		kerr_prefix(e, "node %s answered a bad session", n->hostport);
	if (rc == K_OK && r.node_key[0] && strcmp(r.node_key, out->node_key) != 0)
		rc = kerr_set(e, K_EVERIFY,
		              "node %s says two keys: %s in its %s header, %s in its session",
		              n->hostport, r.node_key, KNET_NODE_KEY_HEADER, out->node_key);
	if (rc == K_OK) {
		adopt_url(n, out->api_url, &n->api_url);
		adopt_url(n, out->upload_url, &n->upload_url);
		adopt_url(n, out->download_url, &n->download_url);
	} else {
		struct kerr keep = e ? *e : (struct kerr){0, ""};
		memset(out, 0, sizeof *out);
		if (e)
			*e = keep;
	}
	knet_response_free(&r);
	return rc;
}

int knet_upload(struct knet *n, const void *data, size_t len, const char *content_type,
                char blob_id[KCRYPTO_HASH_B64_LEN + 1], struct kerr *e)
{
	blob_id[0] = '\0';
	struct knet_response r;
	knet_response_init(&r);
	int rc = knet_request(n, "POST", n->upload_url,
	                      content_type ? content_type : "application/octet-stream", data, len,
	                      KNET_SIGN, &r, e);
	cJSON *j = NULL;
	if (rc == K_OK && r.status != 200 && r.status != 201)
		rc = refused(&r, "the upload", e);
	if (rc == K_OK)
		rc = parse_answer(&r, &j, e);
	if (rc == K_OK) {
		char want[KCRYPTO_HASH_B64_LEN + 1];
		kcrypto_hash_b64url(data, len, want);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "blobId");
		if (!cJSON_IsString(id)) {
			rc = kerr_set(e, K_EFAIL,
			              "node answered garbage: the upload's answer has "
			              "no blobId");
		} else if (strcmp(id->valuestring, want) != 0) {
			char g[80];
			sanitise(id->valuestring, strlen(id->valuestring), 60, g, sizeof g);
			rc = kerr_set(e, K_EVERIFY,
			              "node stored the upload as %s, but its bytes hash to %s", g,
			              want);
		} else {
			memcpy(blob_id, want, sizeof want);
		}
	}
	cJSON_Delete(j);
	knet_response_free(&r);
	return rc;
}

/* The download URL of blob_id, with ?w=width when width is not 0. K_EINVAL for a bad id. */
static int download_url(struct knet *n, const char *blob_id, unsigned width, struct kbuf *url,
                        struct kerr *e)
{
	size_t il = strlen(blob_id);
	if (il != KCRYPTO_HASH_B64_LEN ||
	    strspn(blob_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
	        il)
		return kerr_set(e, K_EINVAL, "\"%.60s\" is not a blob id", blob_id);
	const char *slot = strstr(n->download_url, "{blobId}");
	kbuf_append(url, n->download_url, (size_t)(slot - n->download_url));
	kbuf_puts(url, blob_id);
	kbuf_puts(url, slot + strlen("{blobId}"));
	if (width)
		kbuf_printf(url, "%sw=%u", strchr(kbuf_str(url), '?') ? "&" : "?", width);
	return K_OK;
}

int knet_download_url(struct knet *n, const char *blob_id, struct kbuf *out, struct kerr *e)
{
	kbuf_reset(out);
	return download_url(n, blob_id, 0, out, e);
}

/* GETs the blob (width 0: as stored) into r, initialised here and the caller's to free; an
 * answer other than 200 is the node's refusal. */
static int get_blob(struct knet *n, const char *blob_id, unsigned width, struct knet_response *r,
                    struct kerr *e)
{
	knet_response_init(r);
	struct kbuf url = KBUF_INIT;
	int rc = download_url(n, blob_id, width, &url, e);
	if (rc == K_OK)
		rc = knet_request(n, "GET", kbuf_str(&url), NULL, NULL, 0, 0, r, e);
	kbuf_free(&url);
	if (rc == K_OK && r->status != 200)
		rc = refused(r, "the download", e);
	return rc;
}

int knet_download_scaled(struct knet *n, const char *blob_id, unsigned width, size_t max,
                         struct kbuf *out, struct kerr *e)
{
	kbuf_reset(out);
	struct knet_response r;
	int rc = get_blob(n, blob_id, width, &r, e);
	if (rc == K_OK && r.body.len > max)
		rc = kerr_set(e, K_ETOOBIG, "image %s from the node is %zu bytes, over %zu",
		              blob_id, r.body.len, max);
	if (rc == K_OK)
		kbuf_append(out, r.body.data ? r.body.data : "", r.body.len);
	knet_response_free(&r);
	return rc;
}

int knet_download(struct knet *n, const char *blob_id, struct kbuf *out, struct kerr *e)
{
	kbuf_reset(out);
	struct knet_response r;
	int rc = get_blob(n, blob_id, 0, &r, e);
	if (rc == K_OK) {
		char got[KCRYPTO_HASH_B64_LEN + 1];
		kcrypto_hash_b64url(r.body.data ? r.body.data : "", r.body.len, got);
		if (strcmp(got, blob_id) != 0)
			rc = kerr_set(e, K_EVERIFY, "blob %s from the node hashes to %s", blob_id,
			              got);
		else
			kbuf_append(out, r.body.data ? r.body.data : "", r.body.len);
	}
	knet_response_free(&r);
	return rc;
}

/* ---- a stream, and services that are not nodes ------------------------------------ */

int knet_stream(struct knet *n, const char *path, knet_stream_fn on_data, void *ctx, long *status,
                struct kerr *e)
{
	*status = 0;
	char *url = resolve(n, path, e);
	if (!url)
		return K_EINVAL;
	n->c.requests++;
	struct call c = {"GET", url, NULL, NULL, 0, 0, NULL, 1};
	struct xfer x;
	memset(&x, 0, sizeof x);
	x.n = n;
	kbuf_init(&x.raw);
	x.raw_max = 64 * 1024; /* a refusal's body */
	x.retry_after = -1;
	x.retry_after_cap = n->retry_after_cap_s;
	x.sfn = on_data;
	x.sctx = ctx;
	CURLcode cc = attempt(n, &c, &x);
	int rc = K_OK;
	*status = x.status;
	if (x.pin_bad) {
		if (e)
			*e = x.pin_err;
		rc = K_EVERIFY;
	} else if (x.stopped || (cc == CURLE_OK && x.status == 200)) {
		rc = K_OK;
	} else if (cc != CURLE_OK) {
		int retry;
		rc = transfer_fault(n, cc, &x, url, &retry, e);
	} else if ((rc = check_pin(n, &x, e)) == K_OK) {
		char desc[400];
		node_error(&x.raw, desc, sizeof desc);
		rc = kerr_set(e, K_ENET, "node %s answered %ld%s%s for %s: %s", n->hostport,
		              x.status, reason(x.status)[0] ? " " : "", reason(x.status), path,
		              desc);
	}
	kbuf_free(&x.raw);
	free(url);
	return rc;
}

/* The host of an http(s) URL: [v6] or name, without userinfo (refused) or port. */
static int url_host(const char *url, char *host, size_t cap, int *https, struct kerr *e)
{
	const char *p;
	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8, *https = 1;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7, *https = 0;
	else
		return kerr_set(e, K_EINVAL, "\"%.100s\" is not an http:// or https:// URL", url);
	size_t al = strcspn(p, "/?#");
	if (memchr(p, '@', al))
		return kerr_set(e, K_EINVAL, "\"%.100s\": a user name in the URL is not taken",
		                url);
	size_t hl;
	if (p[0] == '[') {
		const char *rb = memchr(p, ']', al);
		if (!rb)
			return kerr_set(e, K_EINVAL, "\"%.100s\": the [address] is not closed",
			                url);
		hl = (size_t)(rb - p) + 1;
	} else {
		hl = strcspn(p, ":/?#");
	}
	if (hl == 0 || hl >= cap)
		return kerr_set(e, K_EINVAL, "\"%.100s\" has no host", url);
	memcpy(host, p, hl);
	host[hl] = '\0';
	for (size_t i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			return kerr_set(e, K_EINVAL,
			                "\"%.100s\" has a space or a control character", url);
	return K_OK;
}

int khttp_url_ok(const char *url, struct kerr *e)
{
	char host[HOSTPORT_MAX];
	int https = 0;
	int rc = url_host(url, host, sizeof host, &https, e);
	if (rc != K_OK)
		return rc;
	if (!https && strcasecmp(host, "127.0.0.1") != 0 && strcasecmp(host, "localhost") != 0 &&
	    strcmp(host, "[::1]") != 0)
		return kerr_set(e, K_EINVAL,
		                "\"%.100s\": http:// only for 127.0.0.1 or localhost; any other "
		                "host must be https://",
		                url);
	if (strchr(url, '?') || strchr(url, '#'))
		return kerr_set(e, K_EINVAL, "\"%.100s\" has a query or fragment", url);
	return K_OK;
}

int khttp_post_json(const char *url, const char *ca_file, const char *json, size_t len,
                    size_t max_body, const int *abort, struct knet_response *r,
                    struct knet_counters *counters, struct kerr *e)
{
	knet_response_free(r);
	if (counters)
		memset(counters, 0, sizeof *counters);
	int rc = khttp_url_ok(url, e);
	if (rc != K_OK)
		return rc;
	/* The base is scheme://host:port; the path goes with the request. */
	const char *hp = url + (strncasecmp(url, "https://", 8) == 0 ? 8 : 7);
	size_t bl = (size_t)(hp - url) + strcspn(hp, "/");
	char *base = xstrndup(url, bl);
	struct knet_opts o = {0};
	o.base_url = base;
	o.ca_file = ca_file;
	o.max_attempts = 2;
	o.connect_timeout_s = 10;
	o.low_speed_time_s = 20;
	o.total_timeout_s = 60;
	o.max_body = max_body;
	struct knet *n = NULL;
	rc = knet_make(&o, 1, &n, e);
	if (rc == K_OK) {
		knet_set_abort(n, abort);
		const char *path = url + bl;
		char *full = url_join(n->base, *path ? path : "/");
		rc = knet_request(n, "POST", full, "application/json", json, len, KNET_NO_GZIP, r,
		                  e);
		free(full);
		if (counters)
			*counters = n->c;
	}
	knet_free(n);
	free(base);
	return rc;
}
