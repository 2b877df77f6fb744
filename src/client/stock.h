/* stock — a seller's stock follows her sales. A listing's stock, and each variant's where they
 * keep their own, is what she had on hand when she last said it: at its version's `updated`.
 * An order of hers for it that the node made after that took its quantity; one made before
 * that was cancelled after, before anything shipped, gave it back. stock_follow makes each of
 * her listings whose stock that moves a new version saying what is left, signed and queued for
 * the node like `listing edit --stock`, and dated after every order it counted: so no order is
 * counted twice, here or by her kontor on another machine, which comes to the same numbers.
 * Times are in whole seconds: an order made in the second she said it counts as after.
 * Orders the node made before this kontor first kept stock (its cache's "stock-since") are
 * never counted: what she said before then stands. A shop import sets what the shop says. */
#ifndef KONTOR_CLIENT_STOCK_H
#define KONTOR_CLIENT_STOCK_H

#include "kontor/crypto.h"
#include "kontor/err.h"
#include "kontor/model.h"

struct store;

/* For self (whose key kp signs) on node: each listing changed gets one line for a person in
 * said ("GIO-TRE: stock 65 -> 25, 40 sold since you last said it (Lớn 25 -> 0: 15 more than
 * you had)") and a short one in brief for a status line ("GIO-TRE: stock 65 -> 25, 15 sold
 * beyond it"); either may be NULL. K_OK with nothing said when nothing moved; on an error
 * the listings said so far are queued, the rest as they were. */
int stock_follow(struct store *s, const char *self, const struct kkeypair *kp, const char *node,
                 struct kstrv *said, struct kstrv *brief, struct kerr *e);

/* Signs l with kp, caches it and queues it for node as Listing/set op ("create", "update"),
 * with its image uploads first (may be NULL), in one transaction: what `listing add`, `edit`,
 * `pause` and stock_follow write. */
int listing_queue_signed(struct store *s, struct listing *l, const struct kkeypair *kp,
                         const char *node, const char *op, const struct kstrv *uploads,
                         struct kerr *e);

#endif
