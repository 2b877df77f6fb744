/* test_net — the client's network layer (src/client/net) against an in-process
 * libmicrohttpd server over TLS on 127.0.0.1, with a throwaway CA made by openssl and
 * scripted answers per test: gzip both ways and the byte counters, Beckn signatures,
 * retries and backoff (5xx, 429 + Retry-After, cut-short bodies, refused connections),
 * no retry for 4xx and untrusted certificates, the status mapping of knet_api, node key
 * pinning, the TLS key pin (checked before any byte is sent, learned for old pins), the
 * fingerprint of an untrusted certificate, deadlines per call and per run, uploads and
 * downloads, and the session parser. Sleeping between attempts goes
 * through the test hook, so the delays are recorded instead of waited for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zlib.h>

#include "kontor/crypto.h"
#include "kontor/gz.h"
#include "kontor/json.h"
#include "../../src/client/net/http.h"
#include "../../src/client/net/session.h"

/* ---- the scripted server ------------------------------------------------------------ */

#define MAX_STEPS 8
#define MAX_HITS 16

struct step {
	int status;
	const char *body;  /* NULL: "" */
	size_t len;        /* 0: strlen(body) */
	const char *ctype; /* NULL: application/json */
	int gzip;          /* send the body gzip'd */
	const char *retry_after;
	int no_key;           /* leave out Kontor-Node-Key */
	const char *node_key; /* NULL: the server's own key */
	int truncate;         /* promise 1000 bytes more than sent, then drop the connection */
};

struct hit {
	char method[16];
	char url[256];
	char authz[1024];
	char content_encoding[32];
	char accept_encoding[64];
	char content_type[128];
	size_t header_bytes; /* request line + header lines + blank line, as received */
	struct kbuf wire;    /* the body as received */
	struct kbuf plain;   /* ... inflated when it came gzip'd */
	size_t resp_wire;    /* body bytes the server sent back */
};

static struct {
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t mu;
	struct step steps[MAX_STEPS];
	int nsteps;
	int hits;
	int connections;
	struct hit hit[MAX_HITS];
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

static char dir[64];
static char ca_file[128], other_ca_file[128];
static char spki_pin[KNET_TLS_PIN_MAX], fingerprint[KNET_FINGERPRINT_MAX]; /* by openssl(1) */
static struct kkeypair node_kp, user_kp;
static char node_id[KCRYPTO_ID_LEN + 1], user_id[KCRYPTO_ID_LEN + 1];
static char base[64];

static void gz(const void *in, size_t len, struct kbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	uLong bound = deflateBound(&z, (uLong)len);
	kbuf_reserve(out, bound);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)bound;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->len = z.total_out;
	deflateEnd(&z);
}

static int gunzip(const void *in, size_t len, struct kbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	int rc;
	do {
		kbuf_reserve(out, 65536);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = 65536;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += 65536 - z.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

struct req {
	struct kbuf body;
	int started;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *k,
                                    const char *v)
{
	*(size_t *)cls += strlen(k) + 2 + strlen(v) + 2;
	return MHD_YES;
}

struct trunc {
	struct kbuf body;
	int sent;
};

static ssize_t trunc_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct trunc *t = cls;
	if (t->sent)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = t->body.len < max ? t->body.len : max;
	memcpy(buf, t->body.data, n);
	t->sent = 1;
	return (ssize_t)n;
}

static void trunc_free(void *cls)
{
	struct trunc *t = cls;
	kbuf_free(&t->body);
	free(t);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	if (!r) {
		r = calloc(1, sizeof *r);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		kbuf_append(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&S.mu);
	int i = S.hits++;
	const struct step *st = &S.steps[i < S.nsteps ? i : S.nsteps - 1];
	if (i < MAX_HITS) {
		struct hit *h = &S.hit[i];
		snprintf(h->method, sizeof h->method, "%s", method);
		snprintf(h->url, sizeof h->url, "%s", url);
		const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		snprintf(h->authz, sizeof h->authz, "%s", v ? v : "");
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Encoding");
		snprintf(h->content_encoding, sizeof h->content_encoding, "%s", v ? v : "");
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
		snprintf(h->accept_encoding, sizeof h->accept_encoding, "%s", v ? v : "");
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
		snprintf(h->content_type, sizeof h->content_type, "%s", v ? v : "");
		h->header_bytes = strlen(method) + 1 + strlen(url) + 1 + strlen(version) + 2 + 2;
		MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &h->header_bytes);
		kbuf_append(&h->wire, r->body.data ? r->body.data : "", r->body.len);
		if (h->content_encoding[0])
			gunzip(h->wire.data, h->wire.len, &h->plain);
		else
			kbuf_append(&h->plain, h->wire.data ? h->wire.data : "", h->wire.len);
	}
	const char *body = st->body ? st->body : "";
	size_t len = st->len ? st->len : strlen(body);
	struct kbuf out = KBUF_INIT;
	if (st->gzip)
		gz(body, len, &out);
	else
		kbuf_append(&out, body, len);
	if (i < MAX_HITS)
		S.hit[i].resp_wire = out.len;
	pthread_mutex_unlock(&S.mu);

	struct MHD_Response *resp;
	if (st->truncate) {
		struct trunc *t = calloc(1, sizeof *t);
		t->body = out;
		resp = MHD_create_response_from_callback(out.len + 1000, 4096, trunc_read, t,
		                                         trunc_free);
	} else {
		resp = MHD_create_response_from_buffer(out.len, out.data ? out.data : (void *)"",
		                                       MHD_RESPMEM_MUST_COPY);
		kbuf_free(&out);
	}
	MHD_add_response_header(resp, "Content-Type", st->ctype ? st->ctype : "application/json");
	if (st->gzip)
		MHD_add_response_header(resp, "Content-Encoding", "gzip");
	if (st->retry_after)
		MHD_add_response_header(resp, "Retry-After", st->retry_after);
	if (!st->no_key)
		MHD_add_response_header(resp, KNET_NODE_KEY_HEADER,
		                        st->node_key ? st->node_key : node_id);
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)st->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	if (r) {
		kbuf_free(&r->body);
		free(r);
		*con_cls = NULL;
	}
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&S.mu);
		S.connections++;
		pthread_mutex_unlock(&S.mu);
	}
}

/* Sets the answers for the next requests (the last one repeats) and forgets old hits. */
static void script(const struct step *steps, int n)
{
	pthread_mutex_lock(&S.mu);
	if (n > 0)
		memcpy(S.steps, steps, (size_t)n * sizeof *steps);
	S.nsteps = n;
	S.hits = 0;
	S.connections = 0;
	for (int i = 0; i < MAX_HITS; i++) {
		kbuf_free(&S.hit[i].wire);
		kbuf_free(&S.hit[i].plain);
		memset(&S.hit[i], 0, sizeof S.hit[i]);
	}
	pthread_mutex_unlock(&S.mu);
}

static int hits(void)
{
	pthread_mutex_lock(&S.mu);
	int n = S.hits;
	pthread_mutex_unlock(&S.mu);
	return n;
}

static char *slurp(const char *path)
{
	struct kbuf b = KBUF_INIT;
	if (kbuf_read_file(path, 1 << 20, &b, NULL) != K_OK)
		return NULL;
	return kbuf_detach(&b, NULL);
}

static int group_setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || knet_global_init(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	kcrypto_keypair_new(&node_kp);
	kcrypto_keypair_new(&user_kp);
	kcrypto_account_id(node_kp.pk, node_id);
	kcrypto_account_id(user_kp.pk, user_id);
	snprintf(dir, sizeof dir, "/tmp/kontor-test-net-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* The commands of t_make_ca (tests/lib.sh), plus a second CA nobody signed with. */
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
	         "cd %s && (openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	         "-days 2 -subj '/CN=kontor test CA' -keyout ca.key -out ca.pem && "
	         "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	         "-subj '/CN=127.0.0.1' -keyout node.key -out node.csr && "
	         "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n"
	         "extendedKeyUsage=serverAuth\\n' >node.ext && "
	         "openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
	         "-extfile node.ext -out node.pem && "
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
	         "-subj '/CN=other CA' -keyout other.key -out other.pem) >openssl.log 2>&1",
	         dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "setup: openssl failed; see %s/openssl.log\n", dir);
		return -1;
	}
	snprintf(ca_file, sizeof ca_file, "%s/ca.pem", dir);
	snprintf(other_ca_file, sizeof other_ca_file, "%s/other.pem", dir);
	/* What the node's certificate is to openssl(1): the pin curl --pinnedpubkey takes and
	 * the fingerprint `openssl x509 -fingerprint -sha256` shows. */
	snprintf(
	    cmd, sizeof cmd,
	    "cd %s && openssl x509 -in node.pem -pubkey -noout | openssl pkey -pubin -outform der "
	    "| openssl dgst -sha256 -binary | base64 >spki.txt && openssl x509 -in node.pem "
	    "-noout -fingerprint -sha256 | sed 's/.*=//' >fpr.txt",
	    dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "setup: openssl could not read node.pem\n");
		return -1;
	}
	char path0[128];
	snprintf(path0, sizeof path0, "%s/spki.txt", dir);
	char *sp = slurp(path0);
	snprintf(path0, sizeof path0, "%s/fpr.txt", dir);
	char *fp = slurp(path0);
	if (!sp || !fp)
		return -1;
	sp[strcspn(sp, "\n")] = '\0';
	fp[strcspn(fp, "\n")] = '\0';
	snprintf(spki_pin, sizeof spki_pin, "sha256//%s", sp);
	snprintf(fingerprint, sizeof fingerprint, "%s", fp);
	free(sp);
	free(fp);
	char path[128];
	snprintf(path, sizeof path, "%s/node.pem", dir);
	char *cert = slurp(path);
	snprintf(path, sizeof path, "%s/node.key", dir);
	char *key = slurp(path);
	if (!cert || !key)
		return -1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	S.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL,
	                       on_request, NULL, MHD_OPTION_HTTPS_MEM_CERT, cert,
	                       MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_NOTIFY_COMPLETED,
	                       on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
	                       NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
	free(cert);
	free(key);
	if (!S.d) {
		fprintf(stderr, "setup: MHD_start_daemon failed\n");
		return -1;
	}
	S.port = MHD_get_daemon_info(S.d, MHD_DAEMON_INFO_BIND_PORT)->port;
	snprintf(base, sizeof base, "https://127.0.0.1:%d", S.port);
	return 0;
}

static int group_teardown(void **state)
{
	if (S.d)
		MHD_stop_daemon(S.d);
	script(NULL, 0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- per test: a knet with a recording sleep ------------------------------------- */

struct fx {
	struct knet *n;
	long slept_ms[16];
	int sleeps;
	struct kerr e;
};

static void record_sleep(void *ctx, long ms)
{
	struct fx *f = ctx;
	if (f->sleeps < 16)
		f->slept_ms[f->sleeps] = ms;
	f->sleeps++;
}

static struct knet *make(struct fx *f, const struct knet_opts *o)
{
	struct knet_opts d = {0};
	if (!o) {
		d.base_url = base;
		d.ca_file = ca_file;
		o = &d;
	}
	struct kerr e = {0, ""};
	struct knet *n = NULL;
	if (knet_new(o, &n, &e) != K_OK)
		fail_msg("knet_new: %s", e.msg);
	knet_set_sleep(n, record_sleep, f);
	return n;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->n = make(f, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	knet_free(f->n);
	free(f);
	return 0;
}

static cJSON *api_request(void)
{
	cJSON *req = NULL;
	const char *s = "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[[\"Listing/get\","
	                "{\"ids\":null},\"c1\"]]}";
	assert_int_equal(json_parse(s, strlen(s), "test", &req, NULL), K_OK);
	return req;
}

#define OK_ANSWER                                                                                  \
	"{\"methodResponses\":[[\"Listing/get\",{\"list\":[]},\"c1\"]],\"sessionState\":\"x\"}"

/* ---- tests ----------------------------------------------------------------------- */

static void test_api_round_trip_inflates_gzip_answer_and_counts_wire_bytes(void **state)
{
	struct fx *f = *state;
	/* A long answer, sent gzip'd: what arrives must be the inflated JSON. */
	struct kbuf big = KBUF_INIT;
	kbuf_puts(&big, "{\"methodResponses\":[[\"Listing/get\",{\"list\":[");
	for (int i = 0; i < 300; i++)
		kbuf_printf(&big, "%s{\"id\":\"listing-%d\",\"title\":\"Steel bolts M%d\"}",
		            i ? "," : "", i, i % 30);
	kbuf_puts(&big, "]},\"c1\"]],\"sessionState\":\"s1\"}");
	struct step st[] = {{.status = 200, .body = big.data, .gzip = 1}};
	script(st, 1);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(f->n, req, &resp, &f->e), K_OK);
	const cJSON *mr = cJSON_GetObjectItemCaseSensitive(resp, "methodResponses");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
	                     cJSON_GetArrayItem(cJSON_GetArrayItem(mr, 0), 1), "list")),
	                 300);
	assert_int_equal(hits(), 1);
	struct hit *h = &S.hit[0];
	assert_string_equal(h->method, "POST");
	assert_string_equal(h->url, "/api");
	assert_string_equal(h->accept_encoding, "gzip");
	assert_string_equal(h->content_type, "application/json");
	assert_string_equal(h->content_encoding, ""); /* small request: sent as is */
	assert_string_equal(h->authz, "");            /* no signer: not signed */
	/* Up: exactly the request line, headers and body the server received. */
	struct knet_counters c;
	knet_counters(f->n, &c);
	assert_int_equal(c.requests, 1);
	assert_int_equal(c.attempts, 1);
	assert_int_equal(c.bytes_up, h->header_bytes + h->wire.len);
	/* Down: the gzip'd body as sent (much smaller than the JSON) plus the status line and
	 * headers; those are MHD's and not known byte for byte here, so bounded. */
	assert_true(h->resp_wire < big.len / 3);
	assert_true(c.bytes_down > h->resp_wire + 100);
	assert_true(c.bytes_down < h->resp_wire + 400);
	assert_string_equal(knet_node_key(f->n), node_id);
	cJSON_Delete(req);
	cJSON_Delete(resp);
	kbuf_free(&big);
}

static void test_request_that_gzip_shrinks_travels_gzipped_and_inflates_to_same_bytes(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	struct kbuf body = KBUF_INIT;
	kbuf_puts(&body, "{\"using\":[],\"methodCalls\":[[\"Listing/set\",{\"create\":{");
	for (int i = 0; i < 100; i++)
		kbuf_printf(&body, "%s\"c%d\":{\"title\":\"Cotton shirt size %d\"}", i ? "," : "",
		            i, i);
	kbuf_puts(&body, "}},\"c1\"]]}");
	assert_true(body.len > KNET_GZIP_MIN);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(f->n, "POST", "/api", "application/json", body.data, body.len,
	                              0, &r, &f->e),
	                 K_OK);
	assert_int_equal(r.status, 200);
	struct hit *h = &S.hit[0];
	assert_string_equal(h->content_encoding, "gzip");
	assert_true(h->wire.len < body.len);
	assert_int_equal(h->plain.len, body.len);
	assert_memory_equal(h->plain.data, body.data, body.len);
	struct knet_counters c;
	knet_counters(f->n, &c);
	assert_int_equal(c.bytes_up, h->header_bytes + h->wire.len);
	knet_response_free(&r);
	kbuf_free(&body);
}

/* A body that gzip shrinks by less than the Content-Encoding header costs goes as it is:
 * random bytes (nothing to find) and then a run of one letter just long enough for gzip to
 * win a few bytes, no more. */
static void test_request_gzip_saving_less_than_its_header_travels_plain(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	uint8_t r[KNET_GZIP_MIN + 200];
	kcrypto_random(r, sizeof r);
	struct kbuf body = KBUF_INIT, gz = KBUF_INIT;
	size_t hdr = sizeof "Content-Encoding: gzip\r\n" - 1;
	int found = 0;
	for (int run = 0; run < 400 && !found; run++) {
		kbuf_reset(&body);
		kbuf_append(&body, r, sizeof r);
		for (int i = 0; i < run; i++)
			kbuf_putc(&body, 'a');
		kbuf_reset(&gz);
		kgz_deflate(body.data, body.len, 6, &gz);
		found = gz.len < body.len && gz.len + hdr >= body.len;
	}
	assert_true(found);
	struct knet_response resp;
	knet_response_init(&resp);
	assert_int_equal(knet_request(f->n, "POST", "/api", "application/octet-stream", body.data,
	                              body.len, 0, &resp, &f->e),
	                 K_OK);
	struct hit *h = &S.hit[0];
	assert_string_equal(h->content_encoding, "");
	assert_int_equal(h->wire.len, body.len);
	knet_response_free(&resp);
	kbuf_free(&body);
	kbuf_free(&gz);
}

static void test_signature_verifies_on_server_over_uncompressed_body(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	assert_int_equal(knet_set_signer(f->n, user_id, user_kp.sk, &f->e), K_OK);
	/* Big enough to be gzip'd: the digest is over the JSON, not the gzip. */
	struct kbuf body = KBUF_INIT;
	for (int i = 0; i < 500; i++)
		kbuf_printf(&body, "%s%d", i ? "," : "[", i);
	kbuf_puts(&body, "]");
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(f->n, "POST", "/api", "application/json", body.data, body.len,
	                              KNET_SIGN, &r, &f->e),
	                 K_OK);
	struct hit *h = &S.hit[0];
	assert_string_equal(h->content_encoding, "gzip");
	struct kbeckn_sig s;
	struct kerr e = {0, ""};
	assert_int_equal(kcrypto_beckn_parse(h->authz, strlen(h->authz), &s, &e), K_OK);
	assert_string_equal(s.subscriber_id, user_id);
	assert_string_equal(s.unique_key_id, "k1");
	assert_string_equal(s.algorithm, "ed25519");
	int64_t now = (int64_t)time(NULL);
	assert_true(s.created <= now && s.created >= now - 5);
	assert_true(s.expires - s.created >= 240 && s.expires - s.created <= KBECKN_MAX_TTL);
	if (kcrypto_beckn_verify(&s, h->plain.data, h->plain.len, user_kp.pk, now, 0, &e) != K_OK)
		fail_msg("verify: %s", e.msg);
	/* And not over the gzip bytes. */
	assert_int_equal(
	    kcrypto_beckn_verify(&s, h->wire.data, h->wire.len, user_kp.pk, now, 0, &e), K_EVERIFY);
	/* knet_api signs when a signer is set. */
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(f->n, req, &resp, &f->e), K_OK);
	assert_true(strncmp(S.hit[1].authz, "Signature keyId=\"", 17) == 0);
	cJSON_Delete(req);
	cJSON_Delete(resp);
	knet_response_free(&r);
	kbuf_free(&body);
}

static void test_identical_signed_calls_in_one_second_carry_different_signatures(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	assert_int_equal(knet_set_signer(f->n, user_id, user_kp.sk, &f->e), K_OK);
	struct knet_response r;
	knet_response_init(&r);
	/* More than fit in one second would wrap: every one must still differ. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(knet_request(f->n, "POST", "/api", "application/json", "{}", 2,
		                              KNET_SIGN, &r, &f->e),
		                 K_OK);
	assert_int_equal(hits(), 10);
	for (int i = 0; i < 10; i++)
		for (int j = i + 1; j < 10; j++)
			assert_string_not_equal(S.hit[i].authz, S.hit[j].authz);
	knet_response_free(&r);
}

/* One signed POST of "{}" to /api, as the user; K_OK whatever the status. */
static void signed_post(struct fx *f, struct knet_response *r)
{
	assert_int_equal(knet_set_signer(f->n, user_id, user_kp.sk, &f->e), K_OK);
	knet_response_init(r);
	assert_int_equal(
	    knet_request(f->n, "POST", "/api", "application/json", "{}", 2, KNET_SIGN, r, &f->e),
	    K_OK);
}

static void test_signed_call_taken_for_a_replay_is_signed_anew_and_retried(void **state)
{
	struct fx *f = *state;
	/* two processes that push one outbox can sign one body alike in one second */
	struct step st[] = {{.status = 401,
	                     .body = "{\"type\":\"unauthorized\",\"description\":\"replayed "
	                             "signature: this Authorization was already used; sign every "
	                             "request anew\"}"},
	                    {.status = 200, .body = OK_ANSWER}};
	script(st, 2);
	struct knet_response r;
	signed_post(f, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(hits(), 2);
	assert_string_not_equal(S.hit[0].authz, S.hit[1].authz);
	knet_response_free(&r);
}

static void test_signed_call_refused_for_another_reason_is_not_retried(void **state)
{
	struct fx *f = *state;
	struct step st[] = {
	    {.status = 401,
	     .body = "{\"type\":\"unauthorized\",\"description\":\"signature does not verify\"}"}};
	script(st, 1);
	struct knet_response r;
	signed_post(f, &r);
	assert_int_equal(r.status, 401);
	assert_int_equal(hits(), 1);
	knet_response_free(&r);
}

static void test_500_then_200_is_retried_and_succeeds(void **state)
{
	struct fx *f = *state;
	struct step st[] = {
	    {.status = 500, .body = "{\"type\":\"serverFail\",\"description\":\"db hiccup\"}"},
	    {.status = 200, .body = OK_ANSWER}};
	script(st, 2);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(f->n, req, &resp, &f->e), K_OK);
	assert_int_equal(hits(), 2);
	assert_int_equal(f->sleeps, 1);
	assert_true(f->slept_ms[0] >= 0 && f->slept_ms[0] <= 250); /* full jitter under base */
	struct knet_counters c;
	knet_counters(f->n, &c);
	assert_int_equal(c.requests, 1);
	assert_int_equal(c.attempts, 2);
	cJSON_Delete(req);
	cJSON_Delete(resp);
}

static void test_5xx_every_time_is_enet_naming_status_and_description(void **state)
{
	struct fx *f = *state;
	struct step st[] = {
	    {.status = 503, .body = "{\"type\":\"unavailable\",\"description\":\"node is busy\"}"}};
	script(st, 1);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(f->n, req, &resp, &f->e), K_ENET);
	assert_null(resp);
	assert_int_equal(hits(), 4);
	/* Backoff ceilings 250, 500, 1000 ms with full jitter. */
	assert_int_equal(f->sleeps, 3);
	assert_true(f->slept_ms[0] <= 250 && f->slept_ms[1] <= 500 && f->slept_ms[2] <= 1000);
	assert_non_null(strstr(f->e.msg, "503"));
	assert_non_null(strstr(f->e.msg, "node is busy"));
	assert_non_null(strstr(f->e.msg, "4 attempts"));
	cJSON_Delete(req);
}

static void test_429_honours_retry_after_then_succeeds(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 429,
	                     .body = "{\"type\":\"rateLimited\",\"description\":\"slow down\"}",
	                     .retry_after = "1"},
	                    {.status = 200, .body = OK_ANSWER}};
	script(st, 2);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(f->n, req, &resp, &f->e), K_OK);
	assert_int_equal(hits(), 2);
	assert_int_equal(f->sleeps, 1);
	assert_true(f->slept_ms[0] >= 1000);
	cJSON_Delete(req);
	cJSON_Delete(resp);
}

static void test_default_sleep_really_waits_for_retry_after(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 429, .retry_after = "1"},
	                    {.status = 200, .body = OK_ANSWER}};
	script(st, 2);
	knet_set_sleep(f->n, NULL, NULL); /* the real nanosleep */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(f->n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 1000);
	assert_int_equal(hits(), 2);
	assert_int_equal(f->sleeps, 0);
	knet_response_free(&r);
}

static void test_retry_after_http_date_and_cap(void **state)
{
	struct fx *f = *state;
	/* An HTTP-date far ahead is capped at 60 s. */
	struct step st[] = {{.status = 503, .retry_after = "Wed, 21 Oct 2099 07:28:00 GMT"},
	                    {.status = 200, .body = OK_ANSWER}};
	script(st, 2);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(f->n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_OK);
	assert_int_equal(f->sleeps, 1);
	assert_int_equal(f->slept_ms[0], 60000);
	knet_response_free(&r);
}

static void test_4xx_are_not_retried_and_map_to_k_codes_with_description(void **state)
{
	struct fx *f = *state;
	static const struct {
		int status, code;
	} cases[] = {{400, K_EINVAL},    {401, K_EVERIFY},   {403, K_EPERM},
	             {404, K_ENOTFOUND}, {409, K_ECONFLICT}, {413, K_ETOOBIG}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char body[128];
		snprintf(body, sizeof body,
		         "{\"type\":\"err%d\",\"description\":\"because %d said so\"}",
		         cases[i].status, cases[i].status);
		struct step st[] = {{.status = cases[i].status, .body = body}};
		script(st, 1);
		cJSON *req = api_request(), *resp = NULL;
		f->sleeps = 0;
		assert_int_equal(knet_api(f->n, req, &resp, &f->e), cases[i].code);
		assert_null(resp);
		assert_int_equal(hits(), 1);
		assert_int_equal(f->sleeps, 0);
		char want[64];
		snprintf(want, sizeof want, "because %d said so", cases[i].status);
		assert_non_null(strstr(f->e.msg, want));
		snprintf(want, sizeof want, "err%d", cases[i].status);
		assert_non_null(strstr(f->e.msg, want));
		cJSON_Delete(req);
	}
}

static void test_garbage_200_is_efail_naming_garbage(void **state)
{
	struct fx *f = *state;
	static const char *const bodies[] = {"<html>\x01 oops</html>", "[1,2,3]",
	                                     "{\"sessionState\":\"x\"}", ""};
	for (size_t i = 0; i < 4; i++) {
		struct step st[] = {{.status = 200, .body = bodies[i], .ctype = "text/html"}};
		script(st, 1);
		cJSON *req = api_request(), *resp = NULL;
		assert_int_equal(knet_api(f->n, req, &resp, &f->e), K_EFAIL);
		assert_null(resp);
		assert_non_null(strstr(f->e.msg, "garbage"));
		assert_null(strchr(f->e.msg, '\x01')); /* sanitised */
		assert_int_equal(hits(), 1);
		cJSON_Delete(req);
	}
}

static void test_truncated_body_is_enet_after_retries(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER, .truncate = 1}};
	script(st, 1);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(f->n, "GET", "/api", NULL, NULL, 0, 0, &r, &f->e), K_ENET);
	assert_int_equal(hits(), 4);
	assert_int_equal(f->sleeps, 3);
	assert_non_null(strstr(f->e.msg, "cut short"));
	assert_non_null(strstr(f->e.msg, "4 attempts"));
	knet_response_free(&r);
}

static void test_connection_refused_is_enet_naming_cause_and_attempts(void **state)
{
	struct fx *f = *state;
	/* A port nobody listens on: bound, read back, closed. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	char url[64];
	snprintf(url, sizeof url, "https://127.0.0.1:%d", ntohs(a.sin_port));
	struct knet_opts o = {.base_url = url, .ca_file = ca_file};
	struct knet *n = make(f, &o);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(n, req, &resp, &f->e), K_ENET);
	char want[128];
	snprintf(want, sizeof want, "cannot connect to %s: Connection refused (4 attempts)", url);
	assert_string_equal(f->e.msg, want);
	assert_int_equal(f->sleeps, 3);
	knet_free(n);
	cJSON_Delete(req);
}

static void test_silent_server_times_out_and_is_retried(void **state)
{
	struct fx *f = *state;
	/* Accepts connections (the backlog does) and never says a word: the TLS handshake
	 * hangs until the connect timeout. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s, 8), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	char url[64];
	snprintf(url, sizeof url, "https://127.0.0.1:%d", ntohs(a.sin_port));
	struct knet_opts o = {
	    .base_url = url, .ca_file = ca_file, .connect_timeout_s = 1, .max_attempts = 2};
	struct knet *n = make(f, &o);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ENET);
	assert_non_null(strstr(f->e.msg, "timed out"));
	assert_non_null(strstr(f->e.msg, "(2 attempts)"));
	assert_int_equal(f->sleeps, 1);
	knet_response_free(&r);
	knet_free(n);
	close(s);
}

static void test_certificate_from_another_ca_is_refused_and_not_retried(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	struct knet_opts o = {.base_url = base, .ca_file = other_ca_file};
	struct knet *n = make(f, &o);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(n, req, &resp, &f->e), K_ENET);
	char want[64];
	snprintf(want, sizeof want, "TLS: certificate of 127.0.0.1:%d not trusted (", S.port);
	assert_true(strncmp(f->e.msg, want, strlen(want)) == 0);
	assert_non_null(strstr(f->e.msg, "certificate"));
	assert_int_equal(f->sleeps, 0);
	assert_int_equal(hits(), 0);
	knet_free(n);
	cJSON_Delete(req);
}

static void test_pin_mismatch_and_missing_header_are_everify(void **state)
{
	struct fx *f = *state;
	struct knet_opts o = {.base_url = base, .ca_file = ca_file, .node_key = node_id};
	struct knet *n = make(f, &o);
	struct knet_response r;
	knet_response_init(&r);
	/* The pinned key: fine. */
	struct step good[] = {{.status = 200, .body = OK_ANSWER}};
	script(good, 1);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_OK);
	/* Another key. */
	struct step other[] = {{.status = 200, .body = OK_ANSWER, .node_key = user_id}};
	script(other, 1);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_EVERIFY);
	char want[256];
	snprintf(want, sizeof want, "node key changed: pinned %s, node now says %s", node_id,
	         user_id);
	assert_string_equal(f->e.msg, want);
	assert_string_equal(knet_node_key(n), user_id);
	assert_int_equal(hits(), 1); /* not retried */
	/* No header at all. */
	struct step none[] = {{.status = 200, .body = OK_ANSWER, .no_key = 1}};
	script(none, 1);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_EVERIFY);
	assert_non_null(strstr(f->e.msg, "node key changed"));
	assert_non_null(strstr(f->e.msg, "no " KNET_NODE_KEY_HEADER " header"));
	assert_string_equal(knet_node_key(n), "");
	/* Unpinned, the same answer is fine. */
	knet_set_pin(n, NULL);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_OK);
	knet_response_free(&r);
	knet_free(n);
}

static void test_connection_is_kept_alive_across_calls(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	cJSON *req = api_request(), *resp = NULL;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(knet_api(f->n, req, &resp, &f->e), K_OK);
		cJSON_Delete(resp);
	}
	assert_int_equal(hits(), 3);
	pthread_mutex_lock(&S.mu);
	int conns = S.connections;
	pthread_mutex_unlock(&S.mu);
	assert_int_equal(conns, 1);
	cJSON_Delete(req);
}

static void test_gzip_bomb_and_oversized_answer_are_etoobig(void **state)
{
	struct fx *f = *state;
	struct knet_opts o = {.base_url = base, .ca_file = ca_file, .max_body = 1 << 20};
	struct knet *n = make(f, &o);
	size_t big = 8u << 20;
	char *zeros = calloc(1, big);
	struct step st[] = {{.status = 200, .body = zeros, .len = big, .gzip = 1}};
	script(st, 1);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ETOOBIG);
	assert_true(S.hit[0].resp_wire < 64 * 1024); /* a few KiB inflating to 8 MiB */
	assert_int_equal(hits(), 1);
	/* Plain, over the bound. */
	memset(zeros, 'a', big);
	struct step st2[] = {{.status = 200, .body = zeros, .len = (2u << 20)}};
	script(st2, 1);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ETOOBIG);
	assert_int_equal(hits(), 1);
	knet_response_free(&r);
	knet_free(n);
	free(zeros);
}

static void session_doc(struct kbuf *b, const char *key)
{
	kbuf_printf(b,
	            "{\"name\":\"Hamburg Kontor\",\"nodeKey\":\"%s\","
	            "\"apiUrl\":\"%s/api\",\"uploadUrl\":\"%s/upload\","
	            "\"downloadUrl\":\"%s/download/{blobId}\",\"eventSourceUrl\":\"%s/events\","
	            "\"capabilities\":{\"urn:ietf:params:jmap:core\":{\"maxSizeUpload\":"
	            "10485760,\"maxSizeRequest\":1048576,\"maxCallsInRequest\":16,"
	            "\"maxObjectsInGet\":500,\"maxObjectsInSet\":100,\"collationAlgorithms\":[]},"
	            "\"urn:kontor:trade\":{\"maxSizeRequest\":1048576,\"maxCallsInRequest\":16,"
	            "\"maxObjectsInGet\":500,\"maxObjectsInSet\":100,\"maxQueryLimit\":200,"
	            "\"maxQueryDepth\":5000,\"maxSizeUpload\":10485760,\"maxChanges\":1000,"
	            "\"types\":[\"Account\",\"Listing\"]}},\"state\":\"AbCdEfGh01234567\"}",
	            key, base, base, base, base);
}

static void test_session_fetch_parses_and_allows_pinning_on_first_contact(void **state)
{
	struct fx *f = *state;
	struct kbuf doc = KBUF_INIT;
	session_doc(&doc, node_id);
	struct step st[] = {{.status = 200, .body = doc.data, .gzip = 1}};
	script(st, 1);
	struct knet_session s;
	assert_int_equal(knet_session(f->n, &s, &f->e), K_OK);
	assert_string_equal(S.hit[0].url, "/.well-known/kontor");
	assert_string_equal(S.hit[0].method, "GET");
	assert_string_equal(s.name, "Hamburg Kontor");
	assert_string_equal(s.node_key, node_id);
	assert_int_equal(s.max_size_request, 1048576);
	assert_int_equal(s.max_calls_in_request, 16);
	assert_int_equal(s.max_objects_in_get, 500);
	assert_int_equal(s.max_objects_in_set, 100);
	assert_int_equal(s.max_size_upload, 10485760);
	assert_string_equal(s.state, "AbCdEfGh01234567");
	assert_string_equal(knet_node_key(f->n), node_id);
	knet_set_pin(f->n, knet_node_key(f->n));
	assert_int_equal(knet_session(f->n, &s, &f->e), K_OK);
	/* A session whose key disagrees with the header is refused. */
	kbuf_reset(&doc);
	session_doc(&doc, user_id);
	struct step st2[] = {{.status = 200, .body = doc.data}};
	script(st2, 1);
	knet_set_pin(f->n, NULL);
	assert_int_equal(knet_session(f->n, &s, &f->e), K_EVERIFY);
	kbuf_free(&doc);
}

/* ---- the TLS key pin, learning it, an untrusted certificate, deadlines ------------- */

static void test_tls_pin_seen_is_the_spki_hash_and_fingerprint_is_openssls(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	assert_string_equal(knet_tls_pin_seen(f->n), "");
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(f->n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_OK);
	assert_string_equal(knet_tls_pin_seen(f->n), spki_pin);
	assert_string_equal(knet_fingerprint_seen(f->n), fingerprint);
	assert_int_equal(knet_untrusted(f->n), 0);
	knet_response_free(&r);
}

static void test_changed_tls_key_is_everify_and_nothing_reaches_the_node(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	/* A pin of another key (well formed): the node's key does not match it. */
	char other[KNET_TLS_PIN_MAX] = "sha256//";
	memset(other + 8, 'A', 43);
	other[8 + 43] = '=';
	struct knet_opts o = {.base_url = base,
	                      .ca_file = ca_file,
	                      .tls_pin = other,
	                      .repin_hint = "Re-add it with --replace"};
	struct knet *n = make(f, &o);
	knet_set_signer(n, user_id, user_kp.sk, &f->e);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(n, req, &resp, &f->e), K_EVERIFY);
	assert_int_equal(hits(), 0); /* not a byte of the signed request: no request at all */
	assert_int_equal(f->sleeps, 0);
	char want[512];
	snprintf(want, sizeof want,
	         "the TLS key of the node at 127.0.0.1:%d changed: pinned %s, it now shows %s "
	         "(certificate SHA-256 %s); nothing was sent. Re-add it with --replace",
	         S.port, other, spki_pin, fingerprint);
	assert_string_equal(f->e.msg, want);
	/* The right pin: through. */
	knet_set_tls_pin(n, spki_pin);
	assert_int_equal(knet_api(n, req, &resp, &f->e), K_OK);
	assert_int_equal(hits(), 1);
	cJSON_Delete(resp);
	/* A pin that is not one is refused when given. */
	knet_free(n);
	o.tls_pin = "sha256//short";
	assert_int_equal(knet_new(&o, &n, &f->e), K_EINVAL);
	assert_non_null(strstr(f->e.msg, "is not sha256// and 44 base64 characters"));
	cJSON_Delete(req);
}

static void test_untrusted_certificate_shows_its_fingerprint(void **state)
{
	struct fx *f = *state;
	struct step st[] = {{.status = 200, .body = OK_ANSWER}};
	script(st, 1);
	struct knet_opts o = {.base_url = base, .ca_file = other_ca_file};
	struct knet *n = make(f, &o);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ENET);
	assert_int_equal(knet_untrusted(n), 1);
	assert_string_equal(knet_fingerprint_seen(n), fingerprint); /* seen, not trusted */
	char want[160];
	snprintf(want, sizeof want, "; its SHA-256 fingerprint is %s", fingerprint);
	assert_non_null(strstr(f->e.msg, want));
	assert_int_equal(hits(), 0);
	knet_response_free(&r);
	knet_free(n);
	/* The next call that is trusted clears it. */
	assert_int_equal(knet_request(f->n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_OK);
	assert_int_equal(knet_untrusted(f->n), 0);
	knet_response_free(&r);
}

struct learned {
	int calls;
	char pin[KNET_TLS_PIN_MAX];
};

static int on_learned(void *ctx, const char *tls_pin, struct kerr *e)
{
	struct learned *l = ctx;
	l->calls++;
	snprintf(l->pin, sizeof l->pin, "%s", tls_pin);
	return K_OK;
}

static void test_old_pin_learns_the_tls_key_from_a_session_with_the_pinned_key(void **state)
{
	struct fx *f = *state;
	struct kbuf doc = KBUF_INIT;
	session_doc(&doc, node_id);
	struct step st[] = {{.status = 200, .body = doc.data}, {.status = 200, .body = OK_ANSWER}};
	script(st, 2);
	struct knet_opts o = {.base_url = base, .ca_file = ca_file, .node_key = node_id};
	struct knet *n = make(f, &o);
	struct learned got = {0, ""};
	knet_learn_tls_pin(n, on_learned, &got);
	cJSON *req = api_request(), *resp = NULL;
	assert_int_equal(knet_api(n, req, &resp, &f->e), K_OK);
	cJSON_Delete(resp);
	assert_int_equal(hits(), 2);
	assert_string_equal(S.hit[0].method, "GET");
	assert_string_equal(S.hit[0].url, "/.well-known/kontor");
	assert_string_equal(S.hit[1].url, "/api");
	assert_int_equal(got.calls, 1);
	assert_string_equal(got.pin, spki_pin);
	/* Learned once: the next call goes straight to the API. */
	assert_int_equal(knet_api(n, req, &resp, &f->e), K_OK);
	cJSON_Delete(resp);
	assert_int_equal(hits(), 3);
	assert_int_equal(got.calls, 1);
	knet_free(n);
	/* A session naming another key: nothing learned, and the API call never made. */
	kbuf_reset(&doc);
	session_doc(&doc, user_id);
	struct step bad[] = {{.status = 200, .body = doc.data, .node_key = user_id},
	                     {.status = 200, .body = OK_ANSWER}};
	script(bad, 2);
	n = make(f, &o);
	knet_learn_tls_pin(n, on_learned, &got);
	assert_int_equal(knet_api(n, req, &resp, &f->e), K_EVERIFY);
	assert_non_null(strstr(f->e.msg, "node key changed"));
	assert_int_equal(hits(), 1);
	assert_int_equal(got.calls, 1);
	knet_free(n);
	cJSON_Delete(req);
	kbuf_free(&doc);
}

/* A port that accepts connections (the backlog does) and never says a word. */
static int silent_port(int *fd)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s, 8), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	*fd = s;
	return ntohs(a.sin_port);
}

static void test_deadline_and_call_time_stop_a_call_without_retrying(void **state)
{
	struct fx *f = *state;
	int s;
	char url[64];
	snprintf(url, sizeof url, "https://127.0.0.1:%d", silent_port(&s));
	struct knet_opts o = {.base_url = url, .ca_file = ca_file};
	struct knet *n = make(f, &o);
	struct knet_response r;
	knet_response_init(&r);
	/* The run's deadline (a sync's), well before the 10 s to connect. */
	knet_set_deadline(n, knet_now_ms() + 800, "the sync-timeout of 1 s");
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ENET);
	assert_non_null(strstr(f->e.msg, "stopped: the sync-timeout of 1 s ran out"));
	assert_int_equal(f->sleeps, 0);
	/* Past it, a call does not even start. */
	struct knet_counters c0, c1;
	knet_counters(n, &c0);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ENET);
	knet_counters(n, &c1);
	assert_int_equal(c1.attempts, c0.attempts);
	assert_non_null(strstr(f->e.msg, "stopped: the sync-timeout of 1 s ran out"));
	knet_free(n);
	/* One call's own time. */
	o.call_timeout_s = 1;
	n = make(f, &o);
	assert_int_equal(knet_request(n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ENET);
	assert_non_null(strstr(f->e.msg, "stopped: the time for one request (1 s) ran out"));
	assert_int_equal(f->sleeps, 0);
	knet_free(n);
	close(s);
	/* A wait between attempts that would pass the deadline is not waited. */
	struct step st[] = {{.status = 503,
	                     .body = "{\"type\":\"serverFail\",\"description\":\"busy\"}",
	                     .retry_after = "30"},
	                    {.status = 200, .body = OK_ANSWER}};
	script(st, 2);
	knet_set_deadline(f->n, knet_now_ms() + 5000, "the sync-timeout of 5 s");
	assert_int_equal(knet_request(f->n, "GET", "/x", NULL, NULL, 0, 0, &r, &f->e), K_ENET);
	assert_non_null(strstr(f->e.msg, "answered 503"));
	assert_non_null(strstr(f->e.msg, "(1 attempt; stopped: the sync-timeout of 5 s ran out)"));
	assert_int_equal(hits(), 1);
	assert_int_equal(f->sleeps, 0);
	knet_set_deadline(f->n, 0, NULL);
	knet_response_free(&r);
}

static void test_upload_checks_blob_id_and_download_checks_hash(void **state)
{
	struct fx *f = *state;
	const char data[] = "\x89PNG fake image bytes";
	char id[KCRYPTO_HASH_B64_LEN + 1];
	kcrypto_hash_b64url(data, sizeof data - 1, id);
	char ans[256];
	snprintf(ans, sizeof ans, "{\"blobId\":\"%s\",\"size\":%zu,\"type\":\"image/png\"}", id,
	         sizeof data - 1);
	struct step st[] = {{.status = 201, .body = ans}};
	script(st, 1);
	char got[KCRYPTO_HASH_B64_LEN + 1];
	/* Uploads must be signed. */
	assert_int_equal(knet_upload(f->n, data, sizeof data - 1, "image/png", got, &f->e),
	                 K_EINVAL);
	assert_int_equal(hits(), 0);
	assert_int_equal(knet_set_signer(f->n, user_id, user_kp.sk, &f->e), K_OK);
	assert_int_equal(knet_upload(f->n, data, sizeof data - 1, "image/png", got, &f->e), K_OK);
	assert_string_equal(got, id);
	assert_string_equal(S.hit[0].url, "/upload");
	assert_string_equal(S.hit[0].content_type, "image/png");
	assert_true(S.hit[0].authz[0]);
	/* A node that names another blob id. */
	char bad[256];
	snprintf(bad, sizeof bad, "{\"blobId\":\"%s\",\"size\":1,\"type\":\"image/png\"}",
	         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	struct step st2[] = {{.status = 201, .body = bad}};
	script(st2, 1);
	assert_int_equal(knet_upload(f->n, data, sizeof data - 1, "image/png", got, &f->e),
	                 K_EVERIFY);
	/* Download: the right bytes, then wrong ones, then a 404. */
	struct step st3[] = {
	    {.status = 200, .body = data, .ctype = "image/png"},
	    {.status = 200, .body = "tampered", .ctype = "image/png"},
	    {.status = 404, .body = "{\"type\":\"notFound\",\"description\":\"no such blob\"}"}};
	script(st3, 3);
	struct kbuf out = KBUF_INIT;
	assert_int_equal(knet_download(f->n, id, &out, &f->e), K_OK);
	assert_int_equal(out.len, sizeof data - 1);
	assert_memory_equal(out.data, data, out.len);
	char want[128];
	snprintf(want, sizeof want, "/download/%s", id);
	assert_string_equal(S.hit[0].url, want);
	assert_int_equal(knet_download(f->n, id, &out, &f->e), K_EVERIFY);
	assert_int_equal(knet_download(f->n, id, &out, &f->e), K_ENOTFOUND);
	assert_non_null(strstr(f->e.msg, "no such blob"));
	assert_int_equal(knet_download(f->n, "../etc/passwd", &out, &f->e), K_EINVAL);
	kbuf_free(&out);
}

static void test_options_refuse_plain_http_and_bad_ca_file(void **state)
{
	struct knet *n = NULL;
	struct kerr e = {0, ""};
	struct knet_opts o = {.base_url = "http://127.0.0.1:8080"};
	assert_int_equal(knet_new(&o, &n, &e), K_EINVAL);
	assert_null(n);
	o.base_url = base;
	o.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(knet_new(&o, &n, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "/nonexistent/ca.pem"));
	o.ca_file = NULL;
	o.base_url = "https://";
	assert_int_equal(knet_new(&o, &n, &e), K_EINVAL);
	/* Signing needs a signer. */
	o.base_url = base;
	assert_int_equal(knet_new(&o, &n, &e), K_OK);
	struct knet_response r;
	knet_response_init(&r);
	assert_int_equal(knet_request(n, "POST", "/api", NULL, "{}", 2, KNET_SIGN, &r, &e),
	                 K_EINVAL);
	/* A key that is not the account's. */
	assert_int_equal(knet_set_signer(n, node_id, user_kp.sk, &e), K_EINVAL);
	knet_free(n);
}

/* ---- the session parser alone --------------------------------------------------- */

static void test_session_parser_reads_a_real_looking_session(void **state)
{
	struct kbuf doc = KBUF_INIT;
	session_doc(&doc, node_id);
	struct knet_session s;
	struct kerr e = {0, ""};
	assert_int_equal(knet_session_parse(doc.data, doc.len, &s, &e), K_OK);
	char want[128];
	snprintf(want, sizeof want, "%s/download/{blobId}", base);
	assert_string_equal(s.download_url, want);
	snprintf(want, sizeof want, "%s/events", base);
	assert_string_equal(s.event_source_url, want);
	/* maxSizeUpload is optional. */
	const char *no_upload =
	    "{\"name\":\"n\",\"nodeKey\":\"%s\",\"apiUrl\":\"https://h/api\","
	    "\"uploadUrl\":\"https://h/upload\",\"downloadUrl\":\"https://h/d/{blobId}\","
	    "\"eventSourceUrl\":\"https://h/events\",\"capabilities\":{\"urn:kontor:trade\":"
	    "{\"maxSizeRequest\":1,\"maxCallsInRequest\":2,\"maxObjectsInGet\":3,"
	    "\"maxObjectsInSet\":4}},\"state\":\"s\"}";
	kbuf_reset(&doc);
	kbuf_printf(&doc, no_upload, node_id);
	assert_int_equal(knet_session_parse(doc.data, doc.len, &s, &e), K_OK);
	assert_int_equal(s.max_size_upload, 0);
	assert_int_equal(s.max_objects_in_set, 4);
	assert_string_equal(s.funding, ""); /* the node says nothing of adding money */
	kbuf_free(&doc);
}

static void test_session_funding_is_read_and_a_bad_one_left_out_without_failing(void **state)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
	    {"\"Chuyển khoản tới Vietcombank 0071000123456, ghi mã tài khoản kontor\"",
	     "Chuyển khoản tới Vietcombank 0071000123456, ghi mã tài khoản kontor"},
	    {"\"IBAN DE89\\u0007 ref\"", ""}, /* a control character: left out */
	    {"\"line one\\nline two\"", ""},  /* not one line */
	    {"42", ""},                       /* not text */
	    {"\"\"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kbuf doc = KBUF_INIT, with = KBUF_INIT;
		session_doc(&doc, node_id);
		kbuf_puts(&with, "{\"funding\":");
		kbuf_puts(&with, cases[i].value);
		kbuf_putc(&with, ',');
		kbuf_puts(&with, doc.data + 1);
		struct knet_session s;
		struct kerr e = {0, ""};
		assert_int_equal(knet_session_parse(with.data, with.len, &s, &e), K_OK);
		assert_string_equal(s.funding, cases[i].want);
		assert_string_equal(s.name, "Hamburg Kontor"); /* the rest is read as ever */
		kbuf_free(&doc);
		kbuf_free(&with);
	}
	/* Longer than KNET_FUNDING_MAX: left out, the session stands. */
	struct kbuf doc = KBUF_INIT, with = KBUF_INIT;
	session_doc(&doc, node_id);
	kbuf_puts(&with, "{\"funding\":\"");
	for (int i = 0; i < KNET_FUNDING_MAX + 1; i++)
		kbuf_putc(&with, 'x');
	kbuf_puts(&with, "\",");
	kbuf_puts(&with, doc.data + 1);
	struct knet_session s;
	struct kerr e = {0, ""};
	assert_int_equal(knet_session_parse(with.data, with.len, &s, &e), K_OK);
	assert_string_equal(s.funding, "");
	kbuf_free(&doc);
	kbuf_free(&with);
}

static void test_session_parser_refuses_bad_sessions_naming_the_field(void **state)
{
	static const struct {
		const char *from, *to, *why;
	} cases[] = {
	    {"\"name\":\"Hamburg Kontor\",", "", "name"},
	    {"\"Hamburg Kontor\"", "\"Ham\\u0001burg\"", "name"},
	    {"\"Hamburg Kontor\"", "42", "name"},
	    {"\"apiUrl\":\"https", "\"apiUrl\":\"ftp", "apiUrl"},
	    {"/download/{blobId}", "/download/", "downloadUrl"},
	    {"\"maxObjectsInSet\":100,\"maxQuery", "\"maxObjectsInSet\":0,\"maxQuery",
	     "maxObjectsInSet"},
	    {"\"maxCallsInRequest\":16,\"maxObjectsInGet\":500,\"maxObjectsInSet\":100,"
	     "\"maxQuery",
	     "\"maxCallsInRequest\":1.5,\"maxObjectsInGet\":500,\"maxObjectsInSet\":100,"
	     "\"maxQuery",
	     "maxCallsInRequest"},
	    {"\"urn:kontor:trade\"", "\"urn:kontor:other\"", "urn:kontor:trade"},
	    {"\"state\":\"AbCdEfGh01234567\"", "\"state\":\"\"", "state"},
	    {"\"state\":\"AbCdEfGh01234567\"}", "\"state\":\"x\"", "session"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kbuf doc = KBUF_INIT, bad = KBUF_INIT;
		session_doc(&doc, node_id);
		const char *at = strstr(doc.data, cases[i].from);
		if (!at)
			fail_msg("case %zu: \"%s\" not in the document", i, cases[i].from);
		kbuf_append(&bad, doc.data, (size_t)(at - doc.data));
		kbuf_puts(&bad, cases[i].to);
		kbuf_puts(&bad, at + strlen(cases[i].from));
		struct knet_session s;
		struct kerr e = {0, ""};
		int rc = knet_session_parse(bad.data, bad.len, &s, &e);
		if (rc != K_EINVAL || !strstr(e.msg, cases[i].why))
			fail_msg("case %zu: rc %d, \"%s\" (wanted \"%s\")", i, rc, e.msg,
			         cases[i].why);
		assert_string_equal(s.node_key, ""); /* nothing half-filled */
		kbuf_free(&doc);
		kbuf_free(&bad);
	}
	struct knet_session s;
	struct kerr e = {0, ""};
	assert_int_equal(knet_session_parse("[]", 2, &s, &e), K_EINVAL);
	assert_int_equal(knet_session_parse("", 0, &s, &e), K_EINVAL);
	/* A node key that is not a key. */
	struct kbuf doc = KBUF_INIT;
	session_doc(&doc, "not-a-key");
	assert_int_equal(knet_session_parse(doc.data, doc.len, &s, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "nodeKey"));
	kbuf_free(&doc);
	char *huge = calloc(1, KNET_SESSION_MAX + 2);
	memset(huge, ' ', KNET_SESSION_MAX + 1);
	assert_int_equal(knet_session_parse(huge, KNET_SESSION_MAX + 1, &s, &e), K_ETOOBIG);
	free(huge);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_api_round_trip_inflates_gzip_answer_and_counts_wire_bytes),
	    T(test_request_that_gzip_shrinks_travels_gzipped_and_inflates_to_same_bytes),
	    T(test_request_gzip_saving_less_than_its_header_travels_plain),
	    T(test_signature_verifies_on_server_over_uncompressed_body),
	    T(test_identical_signed_calls_in_one_second_carry_different_signatures),
	    T(test_500_then_200_is_retried_and_succeeds),
	    T(test_5xx_every_time_is_enet_naming_status_and_description),
	    T(test_429_honours_retry_after_then_succeeds),
	    T(test_signed_call_taken_for_a_replay_is_signed_anew_and_retried),
	    T(test_signed_call_refused_for_another_reason_is_not_retried),
	    T(test_default_sleep_really_waits_for_retry_after),
	    T(test_retry_after_http_date_and_cap),
	    T(test_4xx_are_not_retried_and_map_to_k_codes_with_description),
	    T(test_garbage_200_is_efail_naming_garbage),
	    T(test_truncated_body_is_enet_after_retries),
	    T(test_connection_refused_is_enet_naming_cause_and_attempts),
	    T(test_silent_server_times_out_and_is_retried),
	    T(test_certificate_from_another_ca_is_refused_and_not_retried),
	    T(test_pin_mismatch_and_missing_header_are_everify),
	    T(test_connection_is_kept_alive_across_calls),
	    T(test_gzip_bomb_and_oversized_answer_are_etoobig),
	    T(test_session_fetch_parses_and_allows_pinning_on_first_contact),
	    T(test_upload_checks_blob_id_and_download_checks_hash),
	    T(test_tls_pin_seen_is_the_spki_hash_and_fingerprint_is_openssls),
	    T(test_changed_tls_key_is_everify_and_nothing_reaches_the_node),
	    T(test_untrusted_certificate_shows_its_fingerprint),
	    T(test_old_pin_learns_the_tls_key_from_a_session_with_the_pinned_key),
	    T(test_deadline_and_call_time_stop_a_call_without_retrying),
	    cmocka_unit_test(test_options_refuse_plain_http_and_bad_ca_file),
	    cmocka_unit_test(test_session_parser_reads_a_real_looking_session),
	    cmocka_unit_test(test_session_funding_is_read_and_a_bad_one_left_out_without_failing),
	    cmocka_unit_test(test_session_parser_refuses_bad_sessions_naming_the_field),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
