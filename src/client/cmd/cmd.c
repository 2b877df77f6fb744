/* cmd — the command table walk, option parsing and help. The same entries serve batch
 * mode, the TUI's ':' prompt and `help`, so what help says is what the parser accepts. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/papers.h"
#include "kontor/contract.h"
#include "kontor/text.h"

static const struct cmd_entry *const groups[] = {
    cmd_identity_entries, cmd_listing_entries, cmd_import_entries, cmd_search_entries,
    cmd_sync_entries,     cmd_rfq_entries,     cmd_chat_entries,   cmd_contract_entries,
    cmd_order_entries,    cmd_wallet_entries,  cmd_inbox_entries,  cmd_outbox_entries,
    cmd_batch_entries,    cmd_ui_entries,      cmd_help_entries,   cmd_profile_entries,
};
#define NGROUPS (sizeof groups / sizeof groups[0])

const struct cmd_entry *cmd_next(const struct cmd_entry *prev)
{
	if (!prev)
		return groups[0];
	for (size_t g = 0; g < NGROUPS; g++) {
		const struct cmd_entry *e = groups[g];
		for (; e->name; e++) {
			if (e != prev)
				continue;
			if (e[1].name)
				return e + 1;
			return g + 1 < NGROUPS ? groups[g + 1] : NULL;
		}
	}
	return NULL;
}

const char *arg_nth(const struct args *a, const char *name, int i)
{
	for (int k = 0; k < a->nopt; k++)
		if (strcmp(a->opt_name[k], name) == 0 && i-- == 0)
			return a->opt_val[k];
	return NULL;
}

const char *arg_get(const struct args *a, const char *name)
{
	const char *v = NULL;
	for (int k = 0; k < a->nopt; k++)
		if (strcmp(a->opt_name[k], name) == 0)
			v = a->opt_val[k];
	return v;
}

int arg_has(const struct args *a, const char *name)
{
	for (int k = 0; k < a->nopt; k++)
		if (strcmp(a->opt_name[k], name) == 0)
			return 1;
	return 0;
}

int arg_whole(const char *opt, const char *v, long long lo, long long hi, long long *out,
              struct kerr *e)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi)
		return kerr_set(e, K_EUSAGE, "--%s: '%s' is not a whole number from %lld to %lld",
		                opt, v, lo, hi);
	*out = n;
	return K_OK;
}

/* Looks name up in a spec string: 0 unknown, 1 flag, 2 takes a value; *multi set for '*'. */
static int spec_find(const char *spec, const char *name, size_t nlen, int *multi)
{
	const char *p = spec ? spec : "";
	while (*p) {
		while (*p == ' ')
			p++;
		const char *s = p;
		while (*p && *p != ' ' && *p != '=')
			p++;
		size_t len = (size_t)(p - s);
		int takes = *p == '=';
		if (takes)
			p++;
		int m = *p == '*';
		if (m)
			p++;
		if (len == nlen && len > 0 && memcmp(s, name, len) == 0) {
			*multi = m;
			return takes ? 2 : 1;
		}
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

/* The first option of USAGE that takes an object's id ("--listing ID"): its name and length
 * in *len, else NULL. */
static const char *id_option(const char *usage, size_t *len)
{
	for (const char *p = usage; (p = strstr(p, "--")) != NULL; p += 2) {
		size_t n = strcspn(p, " ]=");
		if (strncmp(p + n, " ID", 3) == 0 && strchr(" ]|", p[n + 3] ? p[n + 3] : ' ')) {
			*len = n;
			return p;
		}
	}
	return NULL;
}

/* A missing (EXTRA NULL) or unexpected positional argument: the usage when the sentence
 * holds it whole, else where to read it (a long usage cut at the message's size told the
 * person less than nothing); a word given to a command that takes none, but names its
 * object by an option, is shown under that option. */
static int usage_fail(const struct cmd_entry *ce, const char *extra, struct kerr *e)
{
	char what[KERR_MSG_MAX / 2];
	size_t on = 0;
	const char *opt = extra && ce->max_pos == 0 ? id_option(ce->usage, &on) : NULL;
	if (!extra)
		snprintf(what, sizeof what, "missing argument");
	else if (opt)
		snprintf(what, sizeof what, "unexpected argument '%s' (%.*s '%s'?)", extra, (int)on,
		         opt, extra);
	else
		snprintf(what, sizeof what, "unexpected argument '%s'", extra);
	if (strlen(ce->name) * 2 + strlen(what) + strlen(ce->usage) + 24 < KERR_MSG_MAX)
		return kerr_set(e, K_EUSAGE, "%s: %s; usage: kontor %s %s", ce->name, what,
		                ce->name, ce->usage);
	return kerr_set(e, K_EUSAGE, "%s: %s; `kontor help %s` says how it is used", ce->name, what,
	                ce->name);
}

static int parse_args(const struct cmd_entry *ce, int argc, char **argv, struct args *a,
                      struct kerr *e)
{
	memset(a, 0, sizeof *a);
	int only_pos = 0;
	for (int i = 0; i < argc; i++) {
		char *s = argv[i];
		if (only_pos || s[0] != '-' || s[1] == '\0' || (s[1] >= '0' && s[1] <= '9') ||
		    kcrypto_id_shaped(s) || model_id_prefix_shaped(s)) {
			if (a->npos >= ARGS_MAX)
				return kerr_set(e, K_EUSAGE, "%s: too many arguments", ce->name);
			a->pos[a->npos++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(s, "-o") == 0 && spec_find(ce->spec, "output", 6, &(int){0}))
			s = (char
			         *)"--output"; /* the one short option: -o FILE where --output is */
		if (s[1] != '-')
			return kerr_set(e, K_EUSAGE,
			                "%s: unknown option '%s' (see `kontor help %s`; an id that "
			                "begins with '-' goes after --)",
			                ce->name, s, ce->name);
		const char *name = s + 2, *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		int multi = 0, kind = spec_find(ce->spec, name, nlen, &multi);
		if (kind == 0)
			return kerr_set(e, K_EUSAGE,
			                "%s: unknown option '--%.*s' (see `kontor help %s`)",
			                ce->name, (int)nlen, name, ce->name);
		const char *val = NULL;
		if (kind == 2) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return kerr_set(e, K_EUSAGE, "%s: option '--%.*s' needs a value",
				                ce->name, (int)nlen, name);
		} else if (eq) {
			return kerr_set(e, K_EUSAGE, "%s: option '--%.*s' takes no value", ce->name,
			                (int)nlen, name);
		}
		for (int k = 0; k < a->nopt && !multi; k++)
			if (strlen(a->opt_name[k]) == nlen &&
			    memcmp(a->opt_name[k], name, nlen) == 0)
				return kerr_set(e, K_EUSAGE, "%s: option '--%.*s' given twice",
				                ce->name, (int)nlen, name);
		if (a->nopt >= ARGS_MAX)
			return kerr_set(e, K_EUSAGE, "%s: too many options", ce->name);
		/* Keep the name NUL-terminated: point into the spec-independent argv copy. */
		if (eq)
			*(char *)eq = '\0';
		a->opt_name[a->nopt] = name;
		a->opt_val[a->nopt] = val;
		a->nopt++;
	}
	if (a->npos < ce->min_pos)
		return usage_fail(ce, NULL, e);
	if (a->npos > ce->max_pos)
		return usage_fail(ce, a->pos[ce->max_pos], e);
	return K_OK;
}

/* Number of argv words an entry name takes when it matches, else 0. */
static int name_match(const char *name, int argc, char *const *argv)
{
	int words = 0;
	const char *p = name;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (words >= argc || strlen(argv[words]) != len || memcmp(argv[words], p, len) != 0)
			return 0;
		words++;
		p += len;
		if (*p == ' ')
			p++;
	}
	return words;
}

static const struct cmd_entry *find_entry(int argc, char *const *argv, int *words)
{
	const struct cmd_entry *best = NULL;
	*words = 0;
	for (const struct cmd_entry *ce = cmd_next(NULL); ce; ce = cmd_next(ce)) {
		int w = name_match(ce->name, argc, argv);
		if (w > *words)
			best = ce, *words = w;
	}
	return best;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), bytes;
 * words longer than 31 bytes are never close to a command name. */
static int edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	if (la > 31 || lb > 31)
		return 99;
	int d[32][32];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* Appends to b the words that stand at position `word` (0: the command, 1: a subcommand of
 * `group`) of the command names nearest to `typed`, as git suggests commands: within a
 * third of the length (at least 1, at most 3 edits), the nearest only, each once. */
static void suggest(struct kbuf *b, const char *group, const char *typed)
{
	size_t tl = strlen(typed), gl = group ? strlen(group) : 0;
	int limit = (int)(tl / 3) > 1 ? (int)(tl / 3) : 1;
	if (limit > 3)
		limit = 3;
	int best = limit + 1;
	for (int pass = 0; pass < 2; pass++) {
		const char *last = NULL;
		size_t lastlen = 0;
		for (const struct cmd_entry *ce = cmd_next(NULL); ce; ce = cmd_next(ce)) {
			const char *w = ce->name;
			if (group) {
				if (strncmp(w, group, gl) != 0 || w[gl] != ' ')
					continue;
				w += gl + 1;
			}
			size_t wl = strcspn(w, " ");
			if (last && wl == lastlen && memcmp(w, last, wl) == 0)
				continue; /* "listing add", "listing show": one "listing" */
			last = w, lastlen = wl;
			int dist = edit_distance(typed, tl, w, wl);
			/* A prefix of a command ("sear") is as good as one edit. */
			if (tl >= 3 && tl < wl && strncmp(typed, w, tl) == 0)
				dist = 1;
			if (pass == 0 && dist < best)
				best = dist;
			else if (pass == 1 && dist == best)
				kbuf_printf(b, "%s'%.*s'", b->len ? ", " : "", (int)wl, w);
		}
		if (best > limit)
			return;
	}
}

static void group_usage(struct kbuf *b, const char *group)
{
	size_t gl = strlen(group);
	for (const struct cmd_entry *ce = cmd_next(NULL); ce; ce = cmd_next(ce))
		if (strncmp(ce->name, group, gl) == 0 && ce->name[gl] == ' ')
			kbuf_printf(b, "%s%s", b->len ? ", " : "", ce->name + gl + 1);
}

/* Options whose value names a file or text whose contents are checked: an error there is
 * about what the file holds (exit 1), not about how the command was written. */
static const char *const content_opts[] = {"image",   "photo",           "file", "description",
                                           "ca-file", "passphrase-file", NULL};

/* The model's field names in a validation message, and the option that fills each: a
 * listing, RFQ or account built from options is refused by the model's own check, which
 * names the field ("originCountry: unknown country 'XX'"). */
static const char *const field_opts[][2] = {
    {"originCountry", "origin"},
    {"shipsFrom", "ships-from"},
    {"incoterms[", "incoterm"},
    {"unit", "unit"},
    {"hsCode", "hs-code"},
    {"moq", "moq"},
    {"leadTimeDays", "lead-days"},
    {"stock", "stock"},
    {"title", "title"},
    {"category", "category"},
    {"tags[", "tag"},
    {"handle", "handle"},
    {"currency", "currency"},
    {"sellerSku", "sku"},
    {"quantity", "qty"},
    {"legalName", "legal-name"},
    {"displayName", "name"},
};

static int given(const struct args *a, const char *name, size_t nl)
{
	for (int k = 0; k < a->nopt; k++)
		if (strlen(a->opt_name[k]) == nl && memcmp(a->opt_name[k], name, nl) == 0)
			return 1;
	return 0;
}

/* 1 when e is the refusal of a value the person gave an option of this command: the
 * parsers say which with a leading "--name" (or "COMMAND: --name"), the model's checks with
 * the field the option fills (then "--name: " is put before the message). A bad value is a
 * usage error (exit 2) whichever parser refused it: a currency, a count out of range, a
 * number that is no number, an unknown Incoterm, a date. */
static int names_bad_value(const struct cmd_entry *ce, const struct args *a, struct kerr *e)
{
	const char *msg = e->msg;
	size_t cl = strlen(ce->name);
	if (strncmp(msg, ce->name, cl) == 0 && strncmp(msg + cl, ": ", 2) == 0)
		msg += cl + 2;
	if (strncmp(msg, "--", 2) != 0) {
		for (size_t i = 0; i < sizeof field_opts / sizeof field_opts[0]; i++) {
			size_t fl = strlen(field_opts[i][0]);
			int bracket = field_opts[i][0][fl - 1] == '[';
			if (strncmp(msg, field_opts[i][0], fl) != 0 ||
			    (!bracket && msg[fl] != ':') ||
			    !given(a, field_opts[i][1], strlen(field_opts[i][1])))
				continue;
			char rest[KERR_MSG_MAX];
			snprintf(rest, sizeof rest, "%s", msg);
			snprintf(e->msg, sizeof e->msg, "--%s: %s", field_opts[i][1], rest);
			return 1;
		}
		return 0;
	}
	msg += 2;
	size_t nl = strspn(msg, "abcdefghijklmnopqrstuvwxyz-");
	if (nl == 0 || (msg[nl] != ':' && msg[nl] != ' '))
		return 0;
	for (const char *const *o = content_opts; *o; o++)
		if (strlen(*o) == nl && memcmp(*o, msg, nl) == 0)
			return 0;
	return given(a, msg, nl);
}

/* --node names one of her nodes, or nothing runs: a name mistyped would queue her actions for
 * a node no sync ever reaches. The node commands name theirs as an argument, init has none
 * yet; a home not made yet is the command's own to report. */
static int node_given(struct ctx *c, const struct cmd_entry *ce, struct kerr *e)
{
	if (!c->node || strcmp(ce->name, "init") == 0 || strcmp(ce->name, "help") == 0 ||
	    strncmp(ce->name, "node ", 5) == 0)
		return K_OK;
	char path[4096];
	ctx_path(c, "cache.db", path, sizeof path);
	struct store *s;
	struct node_info n;
	if (access(path, F_OK) != 0 || ctx_store(c, &s, NULL) != K_OK)
		return K_OK;
	int rc = store_node_get(s, c->node, &n, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_EUSAGE, "--node: no node named '%s' (see `kontor node list`)",
		                c->node);
	node_info_free(&n);
	return rc;
}

int cmd_dispatch(struct ctx *c, int argc, char **argv, struct kerr *e)
{
	if (argc == 0)
		return kerr_set(e, K_EUSAGE, "no command given (see `kontor help`)");
	int words;
	const struct cmd_entry *ce = find_entry(argc, argv, &words);
	if (!ce) {
		struct kbuf b = KBUF_INIT;
		group_usage(&b, argv[0]);
		int rc;
		struct kbuf near = KBUF_INIT;
		if (b.len && argc > 1) {
			suggest(&near, argv[0], argv[1]);
			if (near.len)
				rc = kerr_set(
				    e, K_EUSAGE,
				    "%s: unknown subcommand '%s'; did you mean %s? (one of: "
				    "%s)",
				    argv[0], argv[1], near.data, b.data);
			else
				rc = kerr_set(e, K_EUSAGE,
				              "%s: unknown subcommand '%s' (one of: %s)", argv[0],
				              argv[1], b.data);
		} else if (b.len) {
			rc = kerr_set(e, K_EUSAGE, "%s: which one? (one of: %s)", argv[0], b.data);
		} else if (argv[0][0] == '-' && argv[0][1]) {
			rc = kerr_set(
			    e, K_EUSAGE,
			    "unknown option '%s' (the global options: --home, --node, --json, "
			    "-q, -v, --passphrase-file, --help, --version)",
			    text_shown(argv[0], (char[48]){0}, 48));
		} else {
			suggest(&near, NULL, argv[0]);
			if (near.len)
				rc = kerr_set(e, K_EUSAGE,
				              "unknown command '%s'; did you mean %s? (see `kontor "
				              "help`)",
				              argv[0], near.data);
			else
				rc = kerr_set(e, K_EUSAGE,
				              "unknown command '%s' (see `kontor help`)", argv[0]);
		}
		kbuf_free(&near);
		kbuf_free(&b);
		return rc;
	}
	struct args a;
	int rc = parse_args(ce, argc - words, argv + words, &a, e);
	if (rc || (rc = node_given(c, ce, e)))
		return rc;
	cmd_result_clear(&c->res);
	rc = ce->run(c, &a, e);
	if ((rc == K_EINVAL || rc == K_ERANGE) && names_bad_value(ce, &a, e))
		rc = e->code = K_EUSAGE;
	c->res.status = rc;
	return rc;
}

int cmd_exit_code(int status)
{
	switch (status) {
	case K_OK:
		return 0;
	case K_EUSAGE:
		return 2;
	case K_EPARTIAL:
		return 3;
	case K_EQUEUED:
		return 4;
	case K_EVERIFY:
		return 5;
	default:
		return 1;
	}
}

/* What every place that takes an id takes too (resolve.h; man kontor, IDS, NAMES AND TIMES). */
#define HELP_COLS 80 /* help fits a terminal of 80 columns */

/* head, then text's words in lines of at most 80 columns where the words allow (a space
 * between head and the first when sep), each line after the first indented by indent:
 * broken at a space outside brackets ("[--mode sea|air]" stays whole), the text's own line
 * breaks taken as spaces. */
static void wrapped(FILE *f, const char *head, int sep, const char *text, size_t len, int indent)
{
	struct kbuf line = KBUF_INIT, word = KBUF_INIT;
	kbuf_puts(&line, head);
	size_t start = line.len; /* where this line's words begin */
	int depth = 0;
	for (size_t i = 0;; i++) {
		char ch = i < len ? text[i] : '\0';
		int end = !ch || ((ch == ' ' || ch == '\n') && depth == 0);
		if (!end) {
			depth += ch == '[' ? 1 : ch == ']' && depth > 0 ? -1 : 0;
			kbuf_putc(&word, ch == '\n' ? ' ' : ch);
			continue;
		}
		if (word.len) {
			if (line.len > start && line.len + 1 + word.len > HELP_COLS) {
				fprintf(f, "%s\n", kbuf_str(&line));
				kbuf_reset(&line);
				kbuf_printf(&line, "%*s", indent, "");
				start = line.len;
				sep = 0;
			}
			kbuf_printf(&line, "%s%s", sep ? " " : "", kbuf_str(&word));
			kbuf_reset(&word);
			sep = 1;
		}
		if (!ch)
			break;
	}
	fprintf(f, "%s\n", kbuf_str(&line));
	kbuf_free(&line);
	kbuf_free(&word);
}

/* Where a row of an option table puts its text ("  --price AMOUNT       unit price": the
 * column after the run of two or more spaces past the option), 0 for a line that is none. */
static size_t row_text(const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && l[i] == ' ')
		i++;
	if (i == 0 || i >= n || l[i] != '-')
		return 0;
	for (; i + 2 < n; i++)
		if (l[i] == ' ' && l[i + 1] == ' ') {
			while (i < n && l[i] == ' ')
				i++;
			return i < n ? i : 0;
		}
	return 0;
}

/* A command's help within 80 columns: a paragraph (lines from the margin) joined and
 * wrapped; a row of an option table, with the lines under it that start where its text
 * does, wrapped under that text; any other indented line wrapped at its own indent. */
static void help_text(FILE *f, const char *text)
{
	struct kbuf block = KBUF_INIT;
	char head[128] = "";
	int kind = 0; /* the block: 0 none, 1 paragraph, 2 row or indented line */
	size_t hang = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t lead = 0, r = row_text(p, n);
		while (lead < n && p[lead] == ' ')
			lead++;
		int joins = n && ((kind == 1 && lead == 0) || (kind == 2 && !r && lead == hang));
		if (!joins && kind) { /* the block before ends */
			wrapped(f, head, 0, kbuf_str(&block), block.len, (int)hang);
			kbuf_reset(&block);
			kind = 0;
		}
		if (!n) {
			fputc('\n', f);
		} else if (joins) {
			kbuf_putc(&block, ' ');
			kbuf_append(&block, p + lead, n - lead);
		} else {
			hang =
			    r ? r
			      : lead; /* a row's head is its option; another line's, its indent */
			if (hang >= sizeof head)
				hang = sizeof head - 1;
			memcpy(head, p, hang);
			head[hang] = '\0';
			kbuf_append(&block, p + hang, n - hang);
			kind = lead ? 2 : 1;
		}
		p += n + (nl ? 1 : 0);
	}
	if (kind)
		wrapped(f, head, 0, kbuf_str(&block), block.len, (int)hang);
	kbuf_free(&block);
}

static const char ids_help[] =
    "Where a command takes an ID it takes what you know too: one of your SKUs, a\n"
    "listing's title, an @handle or a name, or their start or whole words of them\n"
    "(\"Hoa Phat\"), the first 4 or more characters of an id, and for an order or a\n"
    "contract the other party (`kontor order ship @buyer` ships the one you can ship)\n"
    "or its product, by its title or, when you sell it, your SKU of it.\n";

/* Whether a usage line names an ID (as a word: "ID", "ID|SKU"). */
static int takes_id(const char *usage)
{
	for (const char *p = usage; (p = strstr(p, "ID")) != NULL; p += 2) {
		/* not a value's part: "--tax-id SCHEME:ID" takes no object's id */
		int before =
		    p == usage || !((p[-1] >= 'A' && p[-1] <= 'Z') || p[-1] == '_' || p[-1] == ':');
		int after = !((p[2] >= 'A' && p[2] <= 'Z') || p[2] == '_');
		if (before && after)
			return 1;
	}
	return 0;
}

void cmd_help_all(FILE *f)
{
	fputs("usage: kontor [--home DIR] [--node NAME] [--json] [-q|-v]\n"
	      "              [--passphrase-file FILE] COMMAND [ARGS...]\n\n"
	      "kontor finds suppliers and buyers, lists products, and trades with them, from a\n"
	      "terminal or a script. Global options may stand before or after the command.\n\n"
	      "Commands:\n",
	      f);
	for (const struct cmd_entry *ce = cmd_next(NULL); ce; ce = cmd_next(ce)) {
		char head[64];
		snprintf(head, sizeof head, "  %-16s", ce->name);
		wrapped(f, head, 1, ce->summary, strlen(ce->summary), 19);
	}
	fprintf(f, "\n%s", ids_help);
	fputs("\nExit status: 0 done, 1 failed, 2 usage, 3 partly done, 4 queued offline,\n"
	      "5 verification failed. `kontor help COMMAND` for one command; man kontor(1).\n",
	      f);
}

/* help for words that name no command: the group and the word after it, as typed */
static int no_command(struct kerr *e, int argc, char *const *argv)
{
	return argc > 1 ? kerr_set(e, K_EUSAGE, "help: no command '%s %s'", argv[0], argv[1])
	                : kerr_set(e, K_EUSAGE, "help: no command '%s'", argv[0]);
}

int cmd_help_one(FILE *f, int argc, char *const *argv, struct kerr *e)
{
	int words;
	/* the words after a command's name are its arguments (`order ship X --help`) */
	const struct cmd_entry *ce = find_entry(argc, argv, &words);
	if (!ce) {
		struct kbuf b = KBUF_INIT;
		group_usage(&b, argv[0]);
		if (b.len && argc == 1) {
			fprintf(f, "%s commands:\n", argv[0]);
			size_t gl = strlen(argv[0]);
			int ids = 0;
			for (ce = cmd_next(NULL); ce; ce = cmd_next(ce))
				if (strncmp(ce->name, argv[0], gl) == 0 && ce->name[gl] == ' ') {
					char head[64];
					snprintf(head, sizeof head, "  kontor %s", ce->name);
					wrapped(f, head, 1, ce->usage, strlen(ce->usage), 8);
					wrapped(f, "      ", 0, ce->summary, strlen(ce->summary),
					        6);
					ids |= takes_id(ce->usage);
				}
			if (ids)
				fprintf(f, "\n%s", ids_help);
			kbuf_free(&b);
			return K_OK;
		}
		kbuf_free(&b);
		return no_command(e, argc, argv);
	}
	char head[64];
	snprintf(head, sizeof head, "usage: kontor %s", ce->name);
	wrapped(f, head, 1, ce->usage, strlen(ce->usage), 8);
	fputc('\n', f);
	wrapped(f, "", 0, ce->summary, strlen(ce->summary), 0);
	if (ce->help) {
		fputc('\n', f);
		help_text(f, ce->help);
	}
	if (takes_id(ce->usage))
		fprintf(f, "\n%s", ids_help);
	return K_OK;
}

int cmd_out_width(const struct ctx *c)
{
	const char *v = getenv("COLUMNS");
	char *end;
	long n = v && *v ? strtol(v, &end, 10) : 0;
	if (n >= 20 && n <= 1000 && *end == '\0')
		return (int)n;
	struct winsize ws;
	int fd = c->out ? fileno(c->out) : -1;
	if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

int cmd_table_width(const struct ctx *c)
{
	if (c->out_cols > 0)
		return c->out_cols;
	const char *v = getenv("COLUMNS");
	int fd = c->out ? fileno(c->out) : -1;
	return (v && *v) || (fd >= 0 && isatty(fd)) ? cmd_out_width(c) : 0;
}

void cmd_widen(size_t *cols, const char *s)
{
	size_t w = text_width(s);
	if (w > *cols)
		*cols = w;
}

int cmd_flex_cols(int width, int rest, int want, int least)
{
	if (width <= 0 || width - rest >= want || least >= want)
		return want;
	return width - rest > least ? width - rest : least;
}

void cmd_hanging(const struct ctx *c, struct kbuf *out, const char *head, const char *text)
{
	int width = cmd_table_width(c), hw = (int)text_width(head);
	kbuf_puts(out, head);
	if (width <= 0 || hw + (int)text_width(text) <= width || width - hw < CMD_HANG_LEAST) {
		kbuf_puts(out, text);
		return;
	}
	/* enough lines for any text: a line holds at least half its columns but for a wide
	 * character, which is at most as wide as the text is long */
	size_t cols = (size_t)(width - hw), max = 2 * text_width(text) / cols + 2;
	struct kbuf *lines = xcalloc(max, sizeof *lines);
	size_t n = text_wrap(text, cols, lines, max);
	for (size_t i = 0; i < n; i++) {
		if (i)
			kbuf_printf(out, "\n%*s", hw, "");
		kbuf_puts(out, kbuf_str(&lines[i]));
		kbuf_free(&lines[i]);
	}
	free(lines);
}

void cmd_field(const struct ctx *c, struct kbuf *out, const char *head, const char *text)
{
	size_t n = strcspn(text, "\n");
	struct kbuf first = KBUF_INIT;
	kbuf_append(&first, text, n);
	cmd_hanging(c, out, head, kbuf_str(&first));
	kbuf_free(&first);
	if (text[n] == '\n' && text[n + 1]) {
		struct kbuf under = KBUF_INIT;
		kbuf_printf(&under, "%*s", (int)text_width(head), "");
		kbuf_putc(out, '\n');
		cmd_wrap_lines(c, out, kbuf_str(&under), text + n + 1);
		kbuf_free(&under);
	}
}

void cmd_wrap_lines(const struct ctx *c, struct kbuf *out, const char *indent, const char *text)
{
	const char *p = text;
	do {
		size_t n = strcspn(p, "\n"), sp = strspn(p, " "); /* sp <= n: "\n" is no space */
		/* a line's own indent stays, under its first line too */
		struct kbuf head = KBUF_INIT, line = KBUF_INIT;
		kbuf_printf(&head, "%s%.*s", indent, (int)sp, p);
		kbuf_append(&line, p + sp, n - sp);
		if (n > sp) /* a blank line stays blank, no spaces at its end */
			cmd_hanging(c, out, kbuf_str(&head), kbuf_str(&line));
		kbuf_free(&head);
		kbuf_free(&line);
		p += n;
		if (*p == '\n' && *++p)
			kbuf_putc(out, '\n');
	} while (*p);
}

/* The length of the shell word p starts with: up to a space outside quotes. */
static size_t shell_word(const char *p)
{
	size_t n = 0;
	char q = 0;
	for (; p[n] && (q || p[n] != ' '); n++)
		q = q ? (p[n] == q ? 0 : q) : (p[n] == '"' || p[n] == '\'' ? p[n] : 0);
	return n;
}

void cmd_command_line(const struct ctx *c, struct kbuf *out, int indent, const char *cmd)
{
	int width = cmd_table_width(c), used = indent;
	kbuf_printf(out, "%*s", indent, "");
	if (width <= 0 || indent + (int)text_width(cmd) <= width) {
		kbuf_puts(out, cmd);
		return;
	}
	/* words split at spaces outside quotes, so that each line ends where the shell reads
	 * on; an option stays with its value ("--qty 120") */
	const char *p = cmd;
	while (*p) {
		size_t n = shell_word(p);
		if (p[0] == '-' && p[1] == '-' && p[n] == ' ' && p[n + 1] && p[n + 1] != '-')
			n += 1 + shell_word(p + n + 1);
		struct kbuf w = KBUF_INIT;
		kbuf_append(&w, p, n);
		int ww = (int)text_width(kbuf_str(&w));
		if (used > indent && used + 1 + ww + 2 > width) {
			kbuf_printf(out, " \\\n%*s", indent + 4, "");
			used = indent + 4;
		} else if (used > indent) {
			kbuf_putc(out, ' ');
			used++;
		}
		kbuf_puts(out, kbuf_str(&w));
		used += ww;
		kbuf_free(&w);
		p += n;
		while (*p == ' ')
			p++;
	}
}

void cmd_fit_row(struct ctx *c, const char *head, const char *flex, int want, int least,
                 const char *mid, const char *name)
{
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, head);
	int width = cmd_table_width(c), rest = (int)(text_width(head) + text_width(mid));
	const char *at = strstr(name, " @");
	int bare = at ? (int)text_width(name) - (int)text_width(at) : (int)text_width(name);
	int cols = cmd_flex_cols(width, rest + bare, want, least);
	text_clip_mark(&b, flex, (size_t)cols, 1);
	kbuf_puts(&b, mid);
	if (width > 0 && rest + cols + (int)text_width(name) > width) {
		struct kbuf n = KBUF_INIT;
		kbuf_append(&n, name, at ? (size_t)(at - name) : strlen(name));
		int left = width - rest - cols;
		text_clip_mark(&b, kbuf_str(&n),
		               (size_t)(left > CMD_NAME_LEAST ? left : CMD_NAME_LEAST), 0);
		kbuf_free(&n);
	} else {
		kbuf_puts(&b, name);
	}
	kbuf_putc(&b, '\n');
	text_fprintf(c->out, "%s", kbuf_str(&b));
	kbuf_free(&b);
}

void cmd_list_line(struct ctx *c, const char *id, const char *state, int state_cols, int buying,
                   const char *total, const char *cur, const char *product, const char *name)
{
	struct kbuf head = KBUF_INIT;
	kbuf_printf(&head, "%-8.8s  %-*s %-8s %14s %-3s  ", id ? id : "?", state_cols,
	            state ? state : "?", buying ? "buy from" : "sell to", total, cur);
	cmd_fit_row(c, kbuf_str(&head), product, CMD_PRODUCT_COLS, CMD_PRODUCT_LEAST, "  ", name);
	kbuf_free(&head);
}

void cmd_print_json(struct ctx *c, struct cJSON *obj)
{
	struct kbuf b = KBUF_INIT, safe = KBUF_INIT;
	/* in a batch, each object says the line it came from */
	if (c->batch_line > 0 && cJSON_IsObject(obj) &&
	    !cJSON_GetObjectItemCaseSensitive(obj, "line"))
		cJSON_AddNumberToObject(obj, "line", (double)c->batch_line);
	json_print(obj, &b);
	kbuf_putc(&b, '\n');
	/* Same JSON, but a bidi control or C1 byte in a value is written as \uXXXX. */
	text_json_guard(&safe, b.data, b.len);
	fwrite(safe.data, 1, safe.len, c->out);
	kbuf_free(&b);
	kbuf_free(&safe);
	cJSON_Delete(obj);
}

void cmd_note(struct ctx *c, const char *fmt, ...)
{
	if (c->verbosity < 0)
		return;
	struct kbuf b = KBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	struct kbuf w = KBUF_INIT; /* on a terminal, in lines that fit it */
	cmd_wrap_lines(c, &w, "", kbuf_str(&b));
	text_fprintf(c->err, "%s\n", kbuf_str(&w)); /* notes quote names from the cache */
	kbuf_free(&w);
	kbuf_free(&b);
}

/* --- the result of a command ------------------------------------------------------ */

void cmd_result_clear(struct cmd_result *r)
{
	kbuf_free(&r->text);
	kbuf_free(&r->more);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof *r);
}

void cmd_result_set(struct ctx *c, const char *type, const char *id, const char *state,
                    const char *fmt, ...)
{
	struct cmd_result *r = &c->res;
	r->set = 1;
	snprintf(r->type, sizeof r->type, "%s", type ? type : "");
	snprintf(r->id, sizeof r->id, "%s", id ? id : "");
	snprintf(r->state, sizeof r->state, "%s", state ? state : "");
	kbuf_reset(&r->text);
	va_list ap;
	va_start(ap, fmt);
	kbuf_vprintf(&r->text, fmt, ap);
	va_end(ap);
}

void cmd_result_more(struct ctx *c, const char *fmt, ...)
{
	struct cmd_result *r = &c->res;
	size_t at = r->more.len;
	va_list ap;
	va_start(ap, fmt);
	kbuf_vprintf(&r->more, fmt, ap);
	va_end(ap);
	if (r->more.len > at && r->more.data[r->more.len - 1] != '\n')
		kbuf_putc(&r->more, '\n');
}

void cmd_result_json(struct ctx *c, cJSON *obj)
{
	cJSON_Delete(c->res.json);
	c->res.json = obj;
}

void cmd_result_refused(struct ctx *c, const char *type, const char *id, const char *error_type)
{
	struct cmd_result *r = &c->res;
	if (type && !r->type[0])
		snprintf(r->type, sizeof r->type, "%s", type);
	if (id && !r->id[0])
		snprintf(r->id, sizeof r->id, "%s", id);
	snprintf(r->error_type, sizeof r->error_type, "%s", error_type ? error_type : "");
}

struct refusal_find {
	const char *object_id;
	char type[40];
};

static int refusal_one(void *vctx, const struct outbox_item *it)
{
	struct refusal_find *f = vctx;
	if (it->object_id && strcmp(it->object_id, f->object_id) == 0 && it->error_type)
		snprintf(f->type, sizeof f->type, "%s", it->error_type); /* the newest wins */
	return 0;
}

void cmd_result_outbox(struct ctx *c, struct store *s, const char *type, const char *id)
{
	struct refusal_find f = {id, ""};
	if (!s || !id || store_outbox_each(s, refusal_one, &f, NULL) != K_OK || !f.type[0])
		return;
	cmd_result_refused(c, type, id, f.type);
}

void cmd_result_print(struct ctx *c, const struct kerr *e)
{
	struct cmd_result *r = &c->res;
	if (!r->set && c->json && r->error_type[0]) {
		/* refused: the error goes to err as always; a script reads its type here */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", r->type);
		json_add_opt(o, "id", r->id);
		cJSON_AddStringToObject(o, "status", "refused");
		cJSON_AddStringToObject(o, "errorType", r->error_type);
		if (e && e->msg[0])
			cJSON_AddStringToObject(o, "error", e->msg);
		cmd_print_json(c, o);
	}
	if (!r->set) {
		cmd_result_clear(r);
		return;
	}
	if (c->json) {
		cJSON *o = r->json;
		r->json = NULL;
		if (!o) { /* a command with no object of its own: its fields */
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "type", r->type);
			json_add_opt(o, "id", r->id);
			json_add_opt(o, "state", r->state);
			json_add_opt(o, "message", kbuf_str(&r->text));
			json_add_opt(o, "errorType", r->error_type);
		} else if (r->error_type[0] && !cJSON_GetObjectItemCaseSensitive(o, "errorType")) {
			cJSON_AddStringToObject(o, "errorType", r->error_type);
		}
		cmd_print_json(c, o);
	} else if (c->verbosity >= 0 && r->text.len) {
		/* the words carry names from the cache and the node; on a terminal, in lines that
		 * fit it */
		struct kbuf b = KBUF_INIT;
		cmd_wrap_lines(c, &b, "", kbuf_str(&r->text));
		kbuf_putc(&b, '\n');
		if (r->more.len) {
			cmd_wrap_lines(c, &b, "", kbuf_str(&r->more));
			kbuf_putc(&b, '\n');
		}
		text_fprintf(c->out, "%s", kbuf_str(&b));
		kbuf_free(&b);
	}
	cmd_result_clear(r);
}

static cJSON *entry_json(const struct cmd_entry *ce, int with_help)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "command", ce->name);
	cJSON_AddStringToObject(o, "usage", ce->usage);
	cJSON_AddStringToObject(o, "summary", ce->summary);
	if (with_help && ce->help)
		cJSON_AddStringToObject(o, "help", ce->help);
	return o;
}

/* help --json: one object per command (name, usage, summary; help too for one command). */
static int help_json(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (a->npos == 0) {
		for (const struct cmd_entry *ce = cmd_next(NULL); ce; ce = cmd_next(ce))
			cmd_print_json(c, entry_json(ce, 0));
		return K_OK;
	}
	int words;
	const struct cmd_entry *ce = find_entry(a->npos, a->pos, &words);
	if (ce) {
		cmd_print_json(c, entry_json(ce, 1));
		return K_OK;
	}
	size_t gl = strlen(a->pos[0]);
	int n = 0;
	if (a->npos == 1)
		for (ce = cmd_next(NULL); ce; ce = cmd_next(ce))
			if (strncmp(ce->name, a->pos[0], gl) == 0 && ce->name[gl] == ' ') {
				cmd_print_json(c, entry_json(ce, 1));
				n++;
			}
	return n ? K_OK : no_command(e, a->npos, a->pos);
}

static int run_help(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (c->json)
		return help_json(c, a, e);
	if (a->npos == 0) {
		cmd_help_all(c->out);
		return K_OK;
	}
	return cmd_help_one(c->out, a->npos, a->pos, e);
}

const struct cmd_entry cmd_help_entries[] = {
    {"help", "[COMMAND...]", "show the commands, or one command's usage", "", 0, 4, run_help, NULL},
    {0},
};

int cmd_parse_kg(const char *flag, const char *v, int64_t max, int64_t *grams, struct kerr *e)
{
	int64_t g;
	if (papers_kg_parse(v, &g) == 0 && g <= max) {
		*grams = g;
		return K_OK;
	}
	char sh[48];
	return kerr_set(
	    e, K_EUSAGE,
	    "--%s: '%s' is not a weight in kg like 12.5 (at most 3 decimals: 1 g to %lld t)", flag,
	    text_shown(v, sh, sizeof sh), (long long)(max / 1000000));
}

int cmd_parse_packages(const char *flag, const char *v, int64_t *count, char code[3],
                       struct kerr *e)
{
	if (papers_packages_parse(v, count, code) == 0)
		return K_OK;
	char sh[48];
	return kerr_set(e, K_EUSAGE,
	                "--%s: '%s' is not COUNT:CODE like 20:CT (UN/ECE Rec 21 codes: CT carton, "
	                "BX box, PX pallet, CS case, BG bag, ...)",
	                flag, text_shown(v, sh, sizeof sh));
}
