/* resolve — what a person knows, taken wherever a command takes an id (DESIGN §8, Names): a
 * listing by one of her SKUs (or the SKU as she wrote it, sellerSku) or an id prefix; an
 * account by @handle, by the start of its name as cached (display or legal name, folded as
 * search folds it: case, accents) or its id; an order or a contract also by the other party,
 * named as an account is (the ones between us and them; a command that acts takes the ones
 * it can act on, resolve_id_for); an order, contract, RFQ or conversation by the start of
 * its id (at least RESOLVE_PREFIX_MIN characters, as git takes short hashes). A whole id is
 * taken as it is, cached or not, so ids work as they always did. A name that
 * fits several objects, or none, is a usage error (exit 2) naming the candidates (name,
 * handle, short id) or saying none matched. Reads the cache only. */
#ifndef KONTOR_RESOLVE_H
#define KONTOR_RESOLVE_H

#include <stddef.h>

#include "cmd.h"

enum resolve_kind {
	RESOLVE_LISTING = 1 << 0,
	RESOLVE_ACCOUNT = 1 << 1,
	RESOLVE_ORDER = 1 << 2,
	RESOLVE_CONTRACT = 1 << 3,
	RESOLVE_RFQ = 1 << 4,
	RESOLVE_CONVERSATION = 1 << 5,
};

#define RESOLVE_ID_MAX 64
#define RESOLVE_PREFIX_MIN 4
#define RESOLVE_WORD_MAX 256 /* bytes of a name looked up */

struct resolved {
	int kind; /* the one enum resolve_kind it is */
	char id[RESOLVE_ID_MAX + 1];
};

/* word -> the one object of the kinds (an OR of enum resolve_kind) it names. K_EUSAGE when
 * it names none or several (the message lists up to what fits, with "and N more"); K_EDB
 * when the cache cannot be read. Opens the store (ctx_store) and reads our id (ctx_self:
 * no passphrase) for our own SKUs. */
int resolve_word(struct ctx *c, int kinds, const char *word, struct resolved *out, struct kerr *e);
/* The same for one kind: the id into out (cap at least RESOLVE_ID_MAX + 1). */
int resolve_id(struct ctx *c, int kind, const char *word, char *out, size_t cap, struct kerr *e);

/* Whether a command can act on the object id now (an order it may ship, an offer that waits
 * for our signature), as the cache holds it; arg is the command's. */
typedef int (*resolve_fit_cb)(struct ctx *c, const char *id, void *arg);
/* What a command that acts can act on: fit with its arg, and the verb for people ("ship",
 * "sign": "none of which you can ship now"). */
struct resolve_for {
	resolve_fit_cb fit;
	void *arg;
	const char *verb;
};
/* resolve_id for a command that acts (rf may be NULL): where the other party's name or a
 * product fits several orders or contracts, those rf->fit says it cannot act on are left
 * out as long as
 * one is left ("order ship @buyer" ships the one funded order with him beside the ones
 * shipped already; all between us are read, not only the first few); where none is left,
 * all are listed, saying none can be acted on now. A whole id or an id prefix is never
 * narrowed: it names what it names, and the command says why not. */
int resolve_id_for(struct ctx *c, int kind, const char *word, const struct resolve_for *rf,
                   char *out, size_t cap, struct kerr *e);

/* How lists name an account: "Display Name @handle" from the cache (sanitised), or the
 * first 12 characters of the id and "…" when the profile is not cached. Appends to out. */
struct kbuf;
void resolve_account_name(struct ctx *c, const char *id, struct kbuf *out);
/* --json beside an id: "counterpartyName" as resolve_account_name says account, unless
 * account is NULL or our own (then nothing is added). */
void resolve_json_name(struct ctx *c, struct cJSON *j, const char *account);
/* The other party of an object with buyerId and sellerId (an order, a contract) or with
 * participants (a conversation): its id, or NULL. */
const char *resolve_peer_of(struct ctx *c, const struct cJSON *o);

#endif
