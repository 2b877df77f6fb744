/* session — the node's session object (GET /.well-known/kontor, DESIGN §4) read into a
 * struct. A pure function from bytes, so it can be fuzzed: every field is checked for
 * type, length and form, and nothing is truncated (too long is refused). */
#ifndef KONTOR_CLIENT_NET_SESSION_H
#define KONTOR_CLIENT_NET_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/crypto.h"
#include "kontor/err.h"

#define KNET_SESSION_MAX (256 * 1024) /* a session document larger than this is refused */
#define KNET_URL_MAX 512

#define KNET_FUNDING_MAX 600 /* the node's one line on adding money (kontord takes 500) */

struct knet_session {
	char name[128];                      /* the node's name (printable UTF-8) */
	char node_key[KCRYPTO_ID_LEN + 1];   /* the node's account-id-style key */
	char api_url[KNET_URL_MAX];          /* https://host:port/api */
	char upload_url[KNET_URL_MAX];       /* .../upload */
	char download_url[KNET_URL_MAX];     /* .../download/{blobId} (contains "{blobId}") */
	char event_source_url[KNET_URL_MAX]; /* .../events */
	/* From capabilities["urn:kontor:trade"]; all >= 1. */
	int64_t max_size_request;
	int64_t max_calls_in_request;
	int64_t max_objects_in_get;
	int64_t max_objects_in_set;
	int64_t max_size_upload;     /* 0 when the node does not say */
	int64_t default_max_changes; /* what Foo/changes gives without maxChanges; 0: unsaid */
	int changes_own_sets;        /* Foo/changes takes ownSets: our own writes stay up */
	char state[64];              /* the session state string */
	char funding[KNET_FUNDING_MAX + 1]; /* how to add money to a wallet there; "" unsaid */
};

/* Parses len bytes of a session document into *out (zeroed first). K_EINVAL naming the
 * field that is missing or wrong, K_ETOOBIG over KNET_SESSION_MAX. */
int knet_session_parse(const char *data, size_t len, struct knet_session *out, struct kerr *e);

#endif
