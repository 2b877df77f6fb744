/* cmd — the one command table behind batch mode, the TUI's ':' prompt, `help` and the man
 * page. Each command group lives in its own file and exports a NULL-terminated array of
 * entries; a command gets parsed options and a context, and returns a kstatus that main
 * turns into the exit codes of DESIGN §9. Commands never call exit(). */
#ifndef KONTOR_CMD_H
#define KONTOR_CMD_H

#include <stdio.h>

#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/err.h"

struct store;
struct kstrv;
struct cJSON;

/* What a command did, for whichever front end ran it (tmux's cmd_entry returns a status the
 * caller reads): the object it touched, its new state, one sentence for the person and, when
 * the node refused it, the node's SetError type. A command fills it (cmd_result_set); main
 * and batch print it (cmd_result_print: the sentence and its lines, or the --json object);
 * the TUI reads it and prints nothing. cmd_dispatch clears it before a command runs and puts
 * the command's status in after. A command that only reads (list, show) leaves it unset and
 * prints on out itself. */
struct cmd_result {
	int set;        /* a command filled it */
	int status;     /* the command's kstatus (cmd_dispatch) */
	char type[24];  /* the object touched: "Order", "Contract", "Message", "Listing", ... */
	char id[128];   /* its id ("" when none) */
	char state[32]; /* its new state in the model's word: "funded", "queued", "paused" */
	char error_type[40]; /* the node's SetError type when it refused ("stateConflict"), "" */
	struct kbuf text;    /* one sentence for the person, no newline */
	struct kbuf more;    /* lines that follow it in human output, each ending in a newline */
	struct cJSON *json;  /* the --json object (owned); NULL: made from the fields above */
};

/* Everything a command may need, opened lazily so `kontor --help` touches no file. */
struct ctx {
	const char *home;            /* $KONTOR_HOME or the XDG default; owned by main */
	const char *node;            /* --node, or NULL */
	const char *passphrase_file; /* --passphrase-file, or NULL */
	int json;                    /* --json: one JSON object per line on out */
	int verbosity;               /* -1 quiet, 0 normal, 1 verbose */
	FILE *in;                    /* what "-" and "@-" read: stdin, or /dev/null under the TUI */
	FILE *out;                   /* what a command prints: stdout, or the TUI's own buffer */
	FILE *err;
	struct cmd_result res; /* what the last command did (cmd_result_set) */
	struct store *store;   /* see ctx_store */
	struct kkeypair kp;    /* see ctx_identity */
	int have_key;
	char self_id[KCRYPTO_ID_LEN + 1]; /* "" until known */
	int in_batch;                     /* a batch is running: writes queue, batch pushes once */
	long batch_line; /* the batch line running (its --json objects say it), else 0 */
	int pass_typed;  /* ctx_passphrase's last passphrase was typed at the terminal */
	int out_cols;    /* the TUI's width while a command prints into it, else 0 */
};

void ctx_init(struct ctx *c);
/* Closes the store, wipes the key. */
void ctx_done(struct ctx *c);
/* Reads a whole file as kbuf_read_file does, or c->in for "-". Caller frees *out. */
int ctx_read_file(struct ctx *c, const char *path, size_t max, struct kbuf *out, struct kerr *e);
/* Paths under the home: identity.key, cache.db. */
void ctx_path(const struct ctx *c, const char *name, char *out, size_t cap);
/* Makes the home private before anything is read or written there: the directory 0700
 * (made, with its missing parents, when create is set), its files 0600, umask 077 for
 * what comes; says so once on c->err when it tightened something. K_ENOTFOUND when the
 * home is missing and create is not set. */
int ctx_home(struct ctx *c, int create, struct kerr *e);
/* Opens cache.db (K_ENOTFOUND with "run `kontor init` first" when the home is missing). */
int ctx_store(struct ctx *c, struct store **out, struct kerr *e);
/* Loads identity.key, asking for the passphrase when it is encrypted. */
int ctx_identity(struct ctx *c, struct kerr *e);
/* Whether ctx_identity would have to ask: the key is not loaded, it is encrypted, and no
 * passphrase comes from --passphrase-file or KONTOR_PASSPHRASE. */
int ctx_key_locked(struct ctx *c);
/* Our account id from the cache (no passphrase needed). */
int ctx_self(struct ctx *c, struct kerr *e);
/* Your profile's country (ISO 3166 alpha-2) into out, "" when the cache has none: what your
 * listings ship from and your shop's files are priced and encoded in unless they say. */
void ctx_self_country(struct ctx *c, char out[3]);
/* src into dst (cap bytes, cut), ASCII letters upper-cased: a code as typed ("vn", "fob"). */
void cmd_copy_upper(char *dst, size_t cap, const char *src);
/* "12.5" kg -> grams (papers_kg_parse), at most max, or a usage error naming --flag. */
int cmd_parse_kg(const char *flag, const char *v, int64_t max, int64_t *grams, struct kerr *e);
/* "20:CT" -> a count and a UN/ECE Rec 21 code (papers_packages_parse), or a usage error
 * naming --flag and the codes. */
int cmd_parse_packages(const char *flag, const char *v, int64_t *count, char code[3],
                       struct kerr *e);
/* What a list command does: our id known, then each(c, obj) for every cached object of type
 * (of parent when not NULL), as store_object_each walks them. */
int ctx_list_objects(struct ctx *c, const char *type, const char *parent,
                     int (*each)(void *c, const struct cJSON *obj), struct kerr *e);
/* Reads a passphrase: --passphrase-file, $KONTOR_PASSPHRASE, or a no-echo prompt on the
 * terminal (asked twice when confirm is set). K_EPASS when there is no way to ask. */
int ctx_passphrase(struct ctx *c, const char *prompt, int confirm, char *out, size_t cap,
                   struct kerr *e);
/* Asks question on the terminal: 1 when the answer starts with y or Y, 0 otherwise or when
 * there is no terminal. ctx_tty_say writes text there (nothing without one). */
int ctx_confirm(const char *question);
void ctx_tty_say(const char *text);

/* Parsed options of one command. Values point into argv (not owned). */
#define ARGS_MAX 128
struct args {
	int npos;
	char *pos[ARGS_MAX];
	int nopt;
	const char *opt_name[ARGS_MAX];
	const char *opt_val[ARGS_MAX]; /* NULL for flags */
};
/* The last value given for --name, or NULL. */
const char *arg_get(const struct args *a, const char *name);
int arg_has(const struct args *a, const char *name);
/* v, the value of --opt, as a whole number from lo to hi into *out; K_EUSAGE "--opt: 'v' is
 * not a whole number from lo to hi" otherwise. */
int arg_whole(const char *opt, const char *v, long long lo, long long hi, long long *out,
              struct kerr *e);
/* The i-th value of a repeatable option, or NULL past the end. */
const char *arg_nth(const struct args *a, const char *name, int i);

struct cmd_entry {
	const char *name;    /* "listing add" */
	const char *usage;   /* what follows the name in a usage line */
	const char *summary; /* one line for help */
	const char *spec;    /* options: "title= price= tag=* dry-run" ('=' takes a value,
	                        '*' may repeat) */
	int min_pos, max_pos;
	int (*run)(struct ctx *c, const struct args *a, struct kerr *e);
	const char *help; /* longer text for `help COMMAND`, may be NULL */
};

extern const struct cmd_entry cmd_identity_entries[];
extern const struct cmd_entry cmd_listing_entries[];
extern const struct cmd_entry cmd_import_entries[];
extern const struct cmd_entry cmd_search_entries[];
extern const struct cmd_entry cmd_outbox_entries[];
extern const struct cmd_entry cmd_batch_entries[];
extern const struct cmd_entry cmd_sync_entries[];
extern const struct cmd_entry cmd_chat_entries[];
extern const struct cmd_entry cmd_rfq_entries[];
extern const struct cmd_entry cmd_contract_entries[];
extern const struct cmd_entry cmd_order_entries[];
extern const struct cmd_entry cmd_wallet_entries[];
extern const struct cmd_entry cmd_inbox_entries[];
extern const struct cmd_entry cmd_profile_entries[]; /* profile.c: factory profile, supplier */
extern const struct cmd_entry cmd_help_entries[];
extern const struct cmd_entry cmd_ui_entries[];

/* Runs argv[0..argc) (global options already removed) and returns a kstatus. */
int cmd_dispatch(struct ctx *c, int argc, char **argv, struct kerr *e);
/* The exit status of DESIGN §9 for a kstatus. */
int cmd_exit_code(int status);
/* Prints the general help (all commands) or one command's help. */
void cmd_help_all(FILE *f);
int cmd_help_one(FILE *f, int argc, char *const *argv, struct kerr *e);
/* Walks the table (for the TUI, completion and the man page check). */
const struct cmd_entry *cmd_next(const struct cmd_entry *prev);

/* Columns to lay human output out in: $COLUMNS (20..1000), else the width of the terminal
 * c->out is, else 80. */
int cmd_out_width(const struct ctx *c);
/* Columns a list's rows must fit in: the TUI's (c->out_cols), $COLUMNS, or the terminal's
 * width when c->out is a terminal; 0 when it is a file or a pipe, where rows keep their
 * whole width for a script to cut. */
int cmd_table_width(const struct ctx *c);
/* The width of a row's one column that gives way (a title, a product): want where width is
 * 0 or leaves room for it beside the rest of the row (rest columns), else what is left, but
 * never under least (the row then wraps). */
int cmd_flex_cols(int width, int rest, int want, int least);
/* Widens *cols to s's width in columns where s is wider: a column as wide as its widest row. */
void cmd_widen(size_t *cols, const char *s);

/* Output helpers: a JSON object as one line (consumes obj). */
void cmd_print_json(struct ctx *c, struct cJSON *obj);
/* One line of `order list` and `contract list`: the id's first 8 characters (what every
 * command that takes an ID takes), the state padded to state_cols, the side, the total and
 * its currency, the product in CMD_PRODUCT_COLS columns (cut with "…"), the counterparty.
 * Where cmd_table_width is too narrow for that, the product gives way down to
 * CMD_PRODUCT_LEAST columns, then the name its @handle, then its end (to CMD_NAME_LEAST).
 * product and name must be clean text already. */
#define CMD_PRODUCT_COLS 30
#define CMD_PRODUCT_LEAST 12
#define CMD_NAME_LEAST 8
/* What order o is, as `order list` says it: its product (contract_product_of of its cached
 * contract; the caller frees it) and, onto name, the other party's name. doc (may be NULL)
 * gets that contract for more (the caller deletes it), NULL when the cache lacks it. */
char *cmd_order_product(struct ctx *c, const struct cJSON *o, struct kbuf *name,
                        struct cJSON **doc);
void cmd_list_line(struct ctx *c, const char *id, const char *state, int state_cols, int buying,
                   const char *total, const char *cur, const char *product, const char *name);
/* head, then text; where cmd_table_width is too narrow for both on one line, text wrapped
 * at spaces in the columns head leaves, each line after the first under its first (a
 * hanging indent); whole where head leaves fewer than CMD_HANG_LEAST columns. No newline at
 * the end. */
#define CMD_HANG_LEAST 24
void cmd_hanging(const struct ctx *c, struct kbuf *out, const char *head, const char *text);
/* Each line of text (a message, a note, a result) after indent, wrapped as cmd_hanging wraps
 * it under the line's own leading spaces; a blank line stays empty. No newline at the end. */
void cmd_wrap_lines(const struct ctx *c, struct kbuf *out, const char *indent, const char *text);
/* A "label   value" field: head, then text (cmd_hanging); its later lines (a description
 * of many) each under the first, wrapped as cmd_wrap_lines does. No newline at the end. */
void cmd_field(const struct ctx *c, struct kbuf *out, const char *head, const char *text);
/* cmd (a command for the person to run), indented by indent; where cmd_table_width is too
 * narrow for it, broken at spaces outside quotes into lines that end in a backslash and go on
 * 4 further in, so that it pastes into a shell as one command. No newline at the end. */
void cmd_command_line(const struct ctx *c, struct kbuf *out, int indent, const char *cmd);
/* An inbox item as `kontor inbox` prints it: its kind, when (NULL: left out, as a sync's
 * news leaves it), its text (cmd_hanging) and under it its command (cmd_command_line, 8
 * in). No newline at the end. */
struct inbox_item;
void cmd_inbox_item(const struct ctx *c, struct kbuf *out, const struct inbox_item *it,
                    const char *when);
/* A list's row: head, then flex in want columns, then mid, then name ("Name @handle"); where
 * cmd_table_width is too narrow, flex gives way to least columns (cut with "…"), then name
 * its @handle, then its end (to CMD_NAME_LEAST). All must be clean text already. */
void cmd_fit_row(struct ctx *c, const char *head, const char *flex, int want, int least,
                 const char *mid, const char *name);

/* The command's result: type, id and state (each may be NULL for "") and the sentence. */
void cmd_result_set(struct ctx *c, const char *type, const char *id, const char *state,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* More human lines after the sentence (a newline is added when fmt's text has none). */
void cmd_result_more(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The --json object of the result (consumes obj). */
void cmd_result_json(struct ctx *c, struct cJSON *obj);
/* The node refused what the command sent about type id: its SetError type ("stateConflict").
 * The result keeps no sentence for it: the command's error says why. */
void cmd_result_refused(struct ctx *c, const char *type, const char *id, const char *error_type);
/* After a push that came back refused: the SetError type the outbox keeps for type id (its
 * newest entry with one), into the result. Nothing when there is none. */
void cmd_result_outbox(struct ctx *c, struct store *s, const char *type, const char *id);
/* Prints the result on c->out and clears it: under --json its object (or one made of its
 * fields: type, id, state, message, errorType; a refusal with e's words as "error"), else
 * the sentence and its lines (nothing under -q). Nothing when the command left it empty. */
void cmd_result_print(struct ctx *c, const struct kerr *e);
void cmd_result_clear(struct cmd_result *r);
/* Human notes go to err, and are silent under -q. */
void cmd_note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Splits one command line into words (batch files, the TUI's ':' prompt): spaces
 * separate, '...' is literal, "..." takes \" and \\, a backslash outside quotes escapes the
 * next character, '#' at the start of a word comments out the rest. Bounded; K_EINVAL
 * names the column of an unterminated quote or a control character. */
#define CMD_LINE_MAX (1u << 20)
#define CMD_WORDS_MAX ARGS_MAX
struct cmd_words {
	int argc;
	char **argv; /* argc words and a NULL */
};
int cmd_split_line(const char *line, size_t len, struct cmd_words *out, struct kerr *e);
void cmd_words_free(struct cmd_words *w);

/* After a write command committed locally: pushes the outbox to the node now. K_OK when
 * the node took everything; K_EQUEUED (with the reason) when it stays queued: no node,
 * node unreachable, or inside a batch (which pushes once at its end). */
int cmd_push(struct ctx *c, struct kerr *e);
/* The node a command works with: --node, else the current one (*out malloc'd); K_ENOTFOUND
 * with how to add one when there is none. */
int cmd_node_name(struct ctx *c, char **out, struct kerr *e);
/* A local search in a scope without the market: says so (cmd_note) and returns 1. */
int cmd_scope_note(struct ctx *c);
/* 1 when the current node's scope is not the market: its name (*node, malloc'd) and the
 * scope in words ("mine", the categories); else 0 and *node NULL. */
int cmd_cache_scope(struct ctx *c, char **node, char *words, size_t cap);
/* wallet.c, shared with the TUI's wallet view: the cached wallet of the current node (*node
 * malloc'd, w and l the caller's to free; an empty wallet once a sync found none), history
 * lines offset.. (at most limit); and marking its newest line seen (the inbox's money). */
struct wallet_view;
struct wallet_lines;
int cmd_wallet_read(struct ctx *c, int64_t offset, int limit, char **node, struct wallet_view *w,
                    struct wallet_lines *l, struct kerr *e);
void cmd_wallet_seen(struct ctx *c, const char *node);
/* How node says a buyer adds money to his wallet there (the session's "funding", as the
 * last sync brought it), copied to out; 0 when it says nothing. node NULL: the current. */
int cmd_wallet_funding(struct ctx *c, const char *node, char *out, size_t cap);
/* An order escrow holds money for, in words onto out: its product and the other party, as
 * `order list` says them ("Quạt mây đan tay (Cỡ: Lớn), Berlin Interiors GmbH @berlin-...");
 * nothing when the cache lacks the order. */
void cmd_wallet_escrow_about(struct ctx *c, const char *order, struct kbuf *out);
/* The offers in the cache that answer RFQ rfq (contracts naming it), verified, each at its
 * latest terms: an object each into json when not NULL, else a line each into lines
 * ("2uFnTkBj  Mây Tre @may-tre: 200 pieces at 34.50 EUR, 6,940.00 EUR; FOB Hai Phong by
 * sea; ...; offer"). Returns how many. `rfq show` and the TUI's RFQ view. */
int cmd_rfq_quotes(struct ctx *c, struct store *s, const char *rfq, struct cJSON *json,
                   struct kstrv *lines);
/* What escrow's money for order is to its seller: "yours on 2026-12-21 unless disputed" (the
 * local day the node releases a delivered order by itself, inbox_order_release_at), else
 * "yours once released". */
void cmd_wallet_yours_words(struct ctx *c, const char *order, char *out, size_t cap);
/* One line of the wallet's history as `kontor wallet` and the TUI show it: when, in words,
 * the signed amount in its column; *about, when it came by an order, the line under it. */
struct wallet_line;
void cmd_wallet_history_line(struct ctx *c, const struct wallet_line *x, struct kbuf *line,
                             struct kbuf *about);
/* Fetches one listing whole from the node (public, no passphrase), verifies it against its
 * seller and replaces what the cache holds (a summary from a pull). */
int cmd_fetch_listing(struct ctx *c, const char *id, struct kerr *e);
/* Fetches one object of ours of type ("Order") from the node into the cache, and nothing
 * else: what a step the node took made of it, without the news of a whole sync. */
int cmd_fetch(struct ctx *c, const char *type, const char *id, struct kerr *e);
/* After `node add` registered our profile there: when the node gave us another handle
 * (ours was taken there, so it added a suffix), takes it into the cache and tells the person
 * on c->err. Best effort: a failure changes nothing (the next sync brings the profile). */
void cmd_learn_handle(struct ctx *c, const char *node);
/* Brings her listings' stock up to date with her orders in the cache (client/stock.h) when
 * her key is unlocked: 1 when it queued new versions, each said in said; a failure is a
 * note, never the command's. */
int cmd_stock_follow(struct ctx *c, struct store *s, const char *node, struct kstrv *said);
/* A sync session with that node as ourselves (asks for the passphrase when needed). */
struct ksync;
int cmd_sync_open(struct ctx *c, struct ksync **out, struct kerr *e);
/* Commits the contract doc to the cache with its Contract/set outbox entry (contract.c): op
 * "create" sends the whole document, "update" its whole sections (the node checks that what it
 * holds is a strict prefix). cid (may be NULL) gets the entry's creation id. Sends nothing. */
int cmd_contract_queue(struct ctx *c, struct store *s, const struct cJSON *doc, const char *op,
                       char cid[40], struct kerr *e);
/* A connection to the current node for public reads (downloads, a listing's image sizes):
 * no key, no passphrase. */
int cmd_public_open(struct ctx *c, struct ksync **out, struct kerr *e);

/* One --image value or imported image (listing.c): an https URL is kept, http refused, a local
 * file (relative to base_dir when given) hashed into images with an upload for uploads. */
int cmd_image_ref(const char *v, const char *base_dir, struct kstrv *images, struct kstrv *uploads,
                  struct kerr *e);

#endif
