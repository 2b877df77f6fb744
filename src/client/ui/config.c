/* ui/config — the TUI's config file and its themes (kontor.conf(5)): `set`, `bind`,
 * `color`, `source`, `node` lines. The parser is a pure function over bytes, bounded in size
 * and lines, that reports "FILE:LINE: reason"; only the include callback touches files.
 * It never draws and never changes curses: ui.c applies colours, keys.c the bindings. */
#include "ui.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "../imgcache.h"
#include "../net/http.h"
#include "../picture.h"
#include "../net/sync.h"
#include "kontor/err.h"

/* The built-in theme is themes/default; mono is what NO_COLOR gets. */
const struct ui_slot_def ui_slots[SLOT_N] = {
    [SLOT_NORMAL] = {"normal",
                     "the screen's background and plain text",
                     {-1, -1, A_NORMAL},
                     A_NORMAL},
    [SLOT_TABS] = {"tabs", "the tab bar along the top", {-1, -1, A_NORMAL}, A_NORMAL},
    [SLOT_TAB_ACTIVE] = {"tab-active",
                         "the current tab",
                         {COLOR_BLACK, COLOR_YELLOW, A_BOLD},
                         A_REVERSE | A_BOLD},
    [SLOT_TITLE] = {"title",
                    "a view's head line and the column heads",
                    {COLOR_CYAN, -1, A_BOLD},
                    A_BOLD},
    [SLOT_LIST] = {"list",
                   "the rows of a list and the lines of a text",
                   {-1, -1, A_NORMAL},
                   A_NORMAL},
    [SLOT_CURSOR] = {"cursor",
                     "the mark on the selected row",
                     {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
                     A_REVERSE},
    [SLOT_DIM] = {"dim", "secondary text: the filter bar", {-1, -1, A_NORMAL}, A_NORMAL},
    [SLOT_STATUS] = {"status", "the status line", {COLOR_BLACK, COLOR_WHITE, A_NORMAL}, A_REVERSE},
    [SLOT_ERROR] = {"error",
                    "the status line when it reports an error",
                    {COLOR_WHITE, COLOR_RED, A_BOLD},
                    A_REVERSE | A_BOLD},
    [SLOT_PROMPT] = {"prompt",
                     "the line being edited: the query, a ':' command, a message",
                     {-1, -1, A_NORMAL},
                     A_NORMAL},
};

static const char *const colour_names[8] = {"black", "red",     "green", "yellow",
                                            "blue",  "magenta", "cyan",  "white"};

static const struct {
	const char *name;
	attr_t attr;
} attr_names[] = {
    {"normal", A_NORMAL}, {"none", A_NORMAL},         {"bold", A_BOLD},
    {"dim", A_DIM},       {"underline", A_UNDERLINE}, {"reverse", A_REVERSE},
    {"blink", A_BLINK},   {"italic", A_ITALIC},       {"standout", A_STANDOUT},
};

void ui_config_init(struct ui_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	kbuf_init(&cfg->notes);
	for (int i = 0; i < SLOT_N; i++)
		cfg->color[i] = ui_slots[i].dflt;
	cfg->sync_interval = 60;
	cfg->sync_timeout = KSYNC_TIMEOUT_S;
}

void ui_config_free(struct ui_config *cfg)
{
	kbuf_free(&cfg->notes);
}

/* --- words ------------------------------------------------------------------------- */

#define WORDS_MAX 16

struct words {
	char buf[UI_CONFIG_MAX_LINE + 1];
	char *w[WORDS_MAX];
	int n;
};

/* Splits one line into words: blanks between them, "double quotes" around blanks (with \"
 * and \\ inside), and # at the start of a word begins a comment. */
static int split(const char *line, size_t len, struct words *out, const char **why)
{
	size_t o = 0, i = 0;
	out->n = 0;
	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		if (out->n == WORDS_MAX) {
			*why = "too many words";
			return -1;
		}
		out->w[out->n++] = out->buf + o;
		int quoted = 0;
		while (i < len) {
			char ch = line[i];
			if (!quoted && (ch == ' ' || ch == '\t'))
				break;
			i++;
			if (ch == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && ch == '\\' && i < len && (line[i] == '"' || line[i] == '\\'))
				ch = line[i++];
			out->buf[o++] = ch;
		}
		if (quoted) {
			*why = "a quote is not closed";
			return -1;
		}
		out->buf[o++] = '\0';
	}
	return 0;
}

/* --- values ------------------------------------------------------------------------ */

/* A colour: default, a name, bright-NAME (8..15), colorN or N (0..255). -2 when bad. */
static int parse_colour(const char *s)
{
	if (strcmp(s, "default") == 0 || strcmp(s, "-1") == 0)
		return UI_COLOR_DEFAULT;
	int bright = 0;
	if (strncmp(s, "bright-", 7) == 0)
		s += 7, bright = 8;
	else if (strncmp(s, "bright", 6) == 0)
		s += 6, bright = 8;
	for (int i = 0; i < 8; i++)
		if (strcmp(s, colour_names[i]) == 0)
			return i + bright;
	if (bright)
		return -2;
	if (strncmp(s, "colour", 6) == 0)
		s += 6;
	else if (strncmp(s, "color", 5) == 0)
		s += 5;
	int64_t v = strlen(s) <= 3 ? kdigits(s, strlen(s)) : -1;
	return v >= 0 && v <= 255 ? (int)v : -2;
}

static int find_slot(const char *s)
{
	for (int i = 0; i < SLOT_N; i++)
		if (strcmp(ui_slots[i].name, s) == 0)
			return i;
	return -1;
}

static int view_known(const char *s)
{
	if (strcmp(s, "any") == 0)
		return 1;
	for (int i = 0; i < VIEW_N; i++)
		if (ui_view_ops[i].name && strcmp(ui_view_ops[i].name, s) == 0)
			return 1;
	return 0;
}

/* The key table's entry naming action s; NULL when no entry does. */
static const struct ui_keydef *action_entry(const char *s)
{
	for (const struct ui_keydef *k = ui_keys; k->view; k++)
		if (strcmp(k->name, s) == 0)
			return k;
	return NULL;
}

/* --- lines ------------------------------------------------------------------------- */

struct pctx {
	struct ui_config *cfg;
	const char *file;
	int line;
	int theme_only, depth;
	ui_config_include_fn include;
	void *arg;
	struct kerr *e;
};

#define BAD(p, ...) bad((p), __VA_ARGS__)
static int bad(struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct pctx *p, const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return kerr_set(p->e, K_EINVAL, "%s:%d: %s", p->file, p->line, why);
}

/* val as a whole number from lo to hi into *out (left alone when it is not one); 0 when it is
 * not. */
static int whole(const char *val, long lo, long hi, int *out)
{
	char *end;
	long v = strtol(val, &end, 10);
	if (!*val || *end || v < lo || v > hi)
		return 0;
	*out = (int)v;
	return 1;
}

static int line_color(struct pctx *p, struct words *w)
{
	if (w->n < 4)
		return BAD(p, "color needs SLOT FG BG [ATTR...]");
	int slot = find_slot(w->w[1]);
	if (slot < 0)
		return BAD(p, "unknown colour slot '%.40s' (see kontor.conf(5))", w->w[1]);
	int fg = parse_colour(w->w[2]), bg = parse_colour(w->w[3]);
	if (fg == -2)
		return BAD(p, "unknown colour '%.40s'", w->w[2]);
	if (bg == -2)
		return BAD(p, "unknown colour '%.40s'", w->w[3]);
	attr_t a = A_NORMAL;
	for (int i = 4; i < w->n; i++) {
		size_t j, n = sizeof attr_names / sizeof attr_names[0];
		for (j = 0; j < n; j++)
			if (strcmp(attr_names[j].name, w->w[i]) == 0)
				break;
		if (j == n)
			return BAD(p,
			           "bad attribute '%.40s' (bold, dim, underline, reverse, blink, "
			           "italic, standout, normal)",
			           w->w[i]);
		a |= attr_names[j].attr;
	}
	p->cfg->color[slot].fg = (short)fg;
	p->cfg->color[slot].bg = (short)bg;
	p->cfg->color[slot].attr = a;
	return K_OK;
}

static int line_bind(struct pctx *p, struct words *w)
{
	if (w->n != 4)
		return BAD(p, "bind needs VIEW KEY ACTION");
	if (!view_known(w->w[1]))
		return BAD(p,
		           "unknown view '%.40s' (any, search, listing, chat, messages, orders, "
		           "order, contracts, contract, shipments, shipment, help)",
		           w->w[1]);
	int key = ui_key_parse(w->w[2], strlen(w->w[2]));
	if (key < 0)
		return BAD(p, "unknown key '%.40s'", w->w[2]);
	enum ui_action act = ACT_NONE;
	const char *name = "none";
	if (strcmp(w->w[3], "none") != 0) {
		const struct ui_keydef *k = action_entry(w->w[3]);
		if (!k)
			return BAD(p, "unknown action '%.40s' (`?` in kontor tui lists them)",
			           w->w[3]);
		act = k->action;
		name = k->name;
	}
	struct ui_config *cfg = p->cfg;
	int i;
	for (i = 0; i < cfg->nbind; i++) /* a later line for the same key wins */
		if (cfg->bind[i].key == key && strcmp(cfg->bind[i].view, w->w[1]) == 0)
			break;
	if (i == cfg->nbind) {
		if (cfg->nbind == UI_CONFIG_MAX_BINDS)
			return BAD(p, "more than %d bind lines", UI_CONFIG_MAX_BINDS);
		cfg->nbind++;
	}
	snprintf(cfg->bind[i].view, sizeof cfg->bind[i].view, "%s", w->w[1]);
	cfg->bind[i].key = key;
	cfg->bind[i].action = act;
	cfg->bind[i].name = name;
	return K_OK;
}

static int include(struct pctx *p, const char *name, int theme)
{
	if (p->depth + 1 > UI_CONFIG_MAX_DEPTH)
		return BAD(p, "%s nested more than %d deep (a loop?)", theme ? "themes" : "source",
		           UI_CONFIG_MAX_DEPTH);
	if (!p->include)
		return K_OK;
	struct kerr sub = {0};
	int rc = p->include(p->arg, p->cfg, p->file, name, theme, p->depth + 1, &sub);
	if (rc == K_EINVAL) /* a bad line inside it, which names its own FILE:LINE */
		return kerr_set(p->e, rc, "%s (from %s:%d)", sub.msg, p->file, p->line);
	if (rc != K_OK)
		return BAD(p, "%s", sub.msg);
	return K_OK;
}

static int line_set(struct pctx *p, struct words *w)
{
	if (w->n != 3)
		return BAD(p, "set needs NAME VALUE");
	const char *name = w->w[1], *val = w->w[2];
	if (strcmp(name, "theme") == 0) {
		size_t n = strlen(val);
		if (n == 0 || n >= sizeof p->cfg->theme)
			return BAD(p, "theme name too long or empty");
		for (const char *c = val; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return BAD(p, "a control character in the theme name");
		snprintf(p->cfg->theme, sizeof p->cfg->theme, "%s", val);
		return include(p, val, 1);
	}
	if (strcmp(name, "translate-url") == 0) {
		if (strlen(val) >= sizeof p->cfg->translate_url)
			return BAD(p, "translate-url is too long");
		if (strncmp(val, "https://", 8) != 0 && strncmp(val, "http://", 7) != 0)
			return BAD(p, "translate-url must be an http:// or https:// URL");
		struct kerr ue = {0};
		if (khttp_url_ok(val, &ue) != K_OK)
			return BAD(p, "translate-url %s", ue.msg);
		snprintf(p->cfg->translate_url, sizeof p->cfg->translate_url, "%s", val);
		return K_OK;
	}
	if (strcmp(name, "translate-lang") == 0) {
		size_t n = strlen(val);
		int ok = n >= 2 && n <= 8;
		for (const char *c = val; ok && *c; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			     (*c == '-' && c != val);
		if (!ok)
			return BAD(p, "translate-lang needs a language code such as en, de or zh "
			              "(2-8 letters)");
		snprintf(p->cfg->translate_lang, sizeof p->cfg->translate_lang, "%s", val);
		return K_OK;
	}
	if (strcmp(name, "sync-interval") == 0)
		return whole(val, 0, 86400, &p->cfg->sync_interval)
		           ? K_OK
		           : BAD(p, "sync-interval needs whole seconds, 0 (off) to 86400");
	if (strcmp(name, "sync-timeout") == 0)
		return whole(val, 1, KSYNC_TIMEOUT_MAX, &p->cfg->sync_timeout)
		           ? K_OK
		           : BAD(p, "sync-timeout needs whole seconds, 1 to %d", KSYNC_TIMEOUT_MAX);
	if (strcmp(name, "image-cache-mb") == 0)
		return whole(val, 1, IMGCACHE_MB_MAX, &p->cfg->image_cache_mb)
		           ? K_OK
		           : BAD(p, "image-cache-mb needs whole MiB, 1 to %d", IMGCACHE_MB_MAX);
	if (strcmp(name, "image-protocol") == 0) {
		enum picture_allow a;
		if (picture_allow_parse(val, &a) != 0)
			return BAD(p, "image-protocol needs symbols, auto, sixels or kitty");
		p->cfg->image_protocol = (int)a;
		return K_OK;
	}
	if (strcmp(name, "currency") == 0) {
		int ok = strlen(val) == 3;
		for (const char *c = val; ok && *c; c++)
			ok = *c >= 'A' && *c <= 'Z';
		if (!ok)
			return BAD(p, "currency needs an ISO 4217 code in capitals, such as EUR");
		snprintf(p->cfg->currency, sizeof p->cfg->currency, "%s", val);
		return K_OK;
	}
	if (strcmp(name, "notify-command") == 0) {
		if (strlen(val) >= sizeof p->cfg->notify_cmd)
			return BAD(p, "notify-command is longer than %zu bytes",
			           sizeof p->cfg->notify_cmd - 1);
		for (const char *c = val; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return BAD(p, "a control character in notify-command");
		snprintf(p->cfg->notify_cmd, sizeof p->cfg->notify_cmd, "%s", val);
		return K_OK;
	}
	if (strcmp(name, "notify-text") == 0) {
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			return BAD(p, "notify-text needs yes or no");
		p->cfg->notify_text = strcmp(val, "yes") == 0;
		return K_OK;
	}
	return BAD(p,
	           "unknown setting '%.40s' (theme, translate-url, translate-lang, "
	           "sync-interval, sync-timeout, currency, image-cache-mb, image-protocol, "
	           "notify-command, notify-text)",
	           name);
}

static int one_line(struct pctx *p, struct words *w)
{
	const char *cmd = w->w[0];
	if (strcmp(cmd, "color") == 0 || strcmp(cmd, "colour") == 0)
		return line_color(p, w);
	if (p->theme_only)
		return BAD(p, "a theme holds only color lines, not '%.40s'", cmd);
	if (strcmp(cmd, "set") == 0)
		return line_set(p, w);
	if (strcmp(cmd, "bind") == 0)
		return line_bind(p, w);
	if (strcmp(cmd, "source") == 0) {
		if (w->n != 2)
			return BAD(p, "source needs FILE");
		return include(p, w->w[1], 0);
	}
	if (strcmp(cmd, "node") == 0) {
		if (w->n < 3 || w->n > 4 || (w->n == 4 && strncmp(w->w[3], "ca=", 3) != 0))
			return BAD(p, "node needs NAME URL [ca=FILE]");
		kbuf_printf(&p->cfg->notes,
		            "%s:%d: node line ignored: nodes live in the cache (kontor node add)\n",
		            p->file, p->line);
		return K_OK;
	}
	return BAD(p, "unknown command '%.40s' (set, bind, color, source, node)", cmd);
}

int ui_config_parse(struct ui_config *cfg, const char *file, const char *data, size_t len,
                    int theme_only, int depth, ui_config_include_fn include_fn, void *arg,
                    struct kerr *e)
{
	struct pctx p = {cfg, file ? file : "config", 0, theme_only, depth, include_fn, arg, e};
	if (len > UI_CONFIG_MAX_BYTES)
		return kerr_set(e, K_ETOOBIG, "%s: larger than %d bytes", p.file,
		                UI_CONFIG_MAX_BYTES);
	struct words *w = xmalloc(sizeof *w);
	size_t pos = 0;
	int rc = K_OK;
	while (pos < len && rc == K_OK) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl ? 1 : 0);
		p.line++;
		if (p.line > UI_CONFIG_MAX_LINES) {
			rc = kerr_set(e, K_ETOOBIG, "%s:%d: more than %d lines", p.file, p.line,
			              UI_CONFIG_MAX_LINES);
			break;
		}
		if (n && s[n - 1] == '\r')
			n--;
		if (n > UI_CONFIG_MAX_LINE) {
			rc = BAD(&p, "line longer than %d bytes", UI_CONFIG_MAX_LINE);
			break;
		}
		if (memchr(s, '\0', n)) {
			rc = BAD(&p, "a NUL byte");
			break;
		}
		const char *why = NULL;
		if (split(s, n, w, &why) != 0) {
			rc = BAD(&p, "%s", why);
			break;
		}
		if (w->n == 0)
			continue;
		rc = one_line(&p, w);
	}
	free(w);
	return rc;
}

/* --- files ------------------------------------------------------------------------- */

static int load_file(struct ui_config *cfg, const char *path, int theme_only, int depth,
                     struct kerr *e);

/* FILE relative to the directory of from; ~/ is $HOME. */
static void resolve(const char *from, const char *name, char *out, size_t cap)
{
	const char *home = getenv("HOME");
	if (name[0] == '~' && name[1] == '/' && home) {
		snprintf(out, cap, "%s/%s", home, name + 2);
	} else if (name[0] == '/' || !from || !strchr(from, '/')) {
		snprintf(out, cap, "%s", name);
	} else {
		int dl = (int)(strrchr(from, '/') - from);
		snprintf(out, cap, "%.*s/%s", dl, from, name);
	}
}

static int include_files(void *arg, struct ui_config *cfg, const char *from, const char *name,
                         int theme, int depth, struct kerr *e)
{
	char path[4096];
	if (theme) {
		int rc = ui_theme_find(name, path, sizeof path, e);
		if (rc != K_OK)
			return rc;
	} else {
		resolve(from, name, path, sizeof path);
	}
	return load_file(cfg, path, theme, depth, e);
}

static int load_file(struct ui_config *cfg, const char *path, int theme_only, int depth,
                     struct kerr *e)
{
	struct kbuf b = KBUF_INIT;
	/* A file named "-" is that file here, never standard input (the terminal). */
	int rc = kbuf_read_file(strcmp(path, "-") == 0 ? "./-" : path, UI_CONFIG_MAX_BYTES, &b, e);
	if (rc == K_OK)
		rc = ui_config_parse(cfg, path, kbuf_str(&b), b.len, theme_only, depth,
		                     include_files, NULL, e);
	kbuf_free(&b);
	return rc;
}

static int theme_in(const char *dir, size_t dlen, const char *name, char *out, size_t cap)
{
	static const char *const ext[] = {"", ".theme"};
	for (int i = 0; i < 2; i++) {
		snprintf(out, cap, "%.*s/%s%s", (int)dlen, dir, name, ext[i]);
		if (access(out, R_OK) == 0)
			return 1;
	}
	return 0;
}

int ui_theme_find(const char *name, char *out, size_t cap, struct kerr *e)
{
	if (strchr(name, '/')) { /* a path, not a name */
		snprintf(out, cap, "%s", name);
		if (access(out, R_OK) == 0)
			return K_OK;
		return kerr_set(e, K_ENOTFOUND, "theme file %s: %s", name, strerror(errno));
	}
	if (name[0] == '.')
		return kerr_set(e, K_EINVAL, "bad theme name '%.40s'", name);
	const char *env = getenv("KONTOR_THEMES");
	if (env && *env) {
		const char *d = env;
		for (;;) {
			size_t dl = strcspn(d, ":");
			if (dl && theme_in(d, dl, name, out, cap))
				return K_OK;
			if (!d[dl])
				break;
			d += dl + 1;
		}
	}
	/* run from the source tree: ROOT/build-X/kontor, or the ROOT/kontor link to it */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char *up = strrchr(exe, '/');
			if (up) {
				*up = '\0';
				char probe[4200];
				snprintf(probe, sizeof probe, "%s/src/client/ui/config.c", exe);
				if (access(probe, F_OK) == 0) {
					snprintf(probe, sizeof probe, "%s/themes", exe);
					if (theme_in(probe, strlen(probe), name, out, cap))
						return K_OK;
				}
			}
		}
	}
#ifdef KONTOR_DATADIR
	if (theme_in(KONTOR_DATADIR "/themes", strlen(KONTOR_DATADIR "/themes"), name, out, cap))
		return K_OK;
#endif
	return kerr_set(e, K_ENOTFOUND,
	                "no theme '%.60s' (looked in $KONTOR_THEMES, the source tree's themes/ "
	                "and %s/themes)",
	                name,
#ifdef KONTOR_DATADIR
	                KONTOR_DATADIR
#else
	                "the data dir"
#endif
	);
}

int ui_config_load(struct ui_config *cfg, struct kerr *e)
{
	const char *env = getenv("KONTOR_CONFIG");
	if (env && *env)
		return load_file(cfg, env, 0, 0, e);
	char path[4096];
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/kontor/config", xdg);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.config/kontor/config", home);
	else
		return K_OK;
	if (access(path, F_OK) != 0)
		return K_OK; /* no config: the built-in look and keys */
	return load_file(cfg, path, 0, 0, e);
}
