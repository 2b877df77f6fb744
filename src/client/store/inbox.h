/* store/inbox — the cache's candidates for "what waits for this account" (inbox.c decides,
 * asking the trade rules): the SQL only. Each walk hands the callback one row at a time,
 * newest first; a non-zero return from the callback stops the walk and is returned. The
 * cJSON passed is the cache's parsed copy, freed after the callback returns. */
#ifndef KONTOR_STORE_INBOX_H
#define KONTOR_STORE_INBOX_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "kontor/crypto.h"
#include "kontor/err.h"
#include "kontor/model.h"

struct store;

#define STORE_INBOX_MAX 200 /* rows of one kind an inbox looks at */

/* Open RFQs of others (not expired at now, RFC 3339) that self has not answered: no
 * contract or conversation tied to the RFQ, and no message from self to the RFQ's buyer
 * since it was posted, and whose category, HS code and listing (each NULL when none)
 * wanted(ctx, category, hs, listing) takes (the caller's rule, inbox_rfq_hers), asked before the
 * cap of STORE_INBOX_MAX rows so a crowd of RFQs for others never hides hers. */
int store_inbox_rfqs(struct store *s, const char *self, const char *now,
                     int (*wanted)(void *ctx, const char *category, const char *hs,
                                   const char *listing),
                     int (*cb)(void *ctx, const cJSON *rfq), void *ctx, struct kerr *e);
/* Contracts self is party to that are offers or counter-offers (not binding, not
 * cancelled); updated is when the cache last took it. */
int store_inbox_contracts(struct store *s, const char *self,
                          int (*cb)(void *ctx, const cJSON *contract, const char *updated),
                          void *ctx, struct kerr *e);
/* Orders self is buyer or seller of, by their last change. */
int store_inbox_orders(struct store *s, const char *self,
                       int (*cb)(void *ctx, const cJSON *order, const char *updated), void *ctx,
                       struct kerr *e);

/* Conversations with messages self has not read. */
struct inbox_chat_row {
	char conversation[72];
	char peer[KCRYPTO_ID_LEN + 1];
	int unread;
	char updated[MODEL_TIME_LEN + 1];
	const cJSON *last; /* the newest message from the peer (sealed), NULL when none cached */
	const cJSON *conv; /* the conversation itself: what it is about */
};
int store_inbox_chats(struct store *s, const char *self,
                      int (*cb)(void *ctx, const struct inbox_chat_row *row), void *ctx,
                      struct kerr *e);

#endif
