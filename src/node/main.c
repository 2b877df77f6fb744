/* kontord — argv only: options (anywhere on the line), the database path, then one of init,
 * serve, seed or admin. The work itself lives in node.c, http.c, api.c, seed.c, pay_sim.c
 * and store/. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/text.h"
#include "node.h"
#include "pay.h"
#include "store/nstore.h"

enum cmd { C_NONE, C_INIT, C_SERVE, C_SEED, C_HELP, C_ADMIN };

/* Which command takes which option, as bits. */
#define ON_INIT (1u << C_INIT)
#define ON_SERVE (1u << C_SERVE)
#define ON_SEED (1u << C_SEED)
#define ON_ADMIN (1u << C_ADMIN)
#define ON_ALL (ON_INIT | ON_SERVE | ON_SEED | ON_ADMIN)

enum optid {
	O_DB,
	O_NAME,
	O_LISTEN,
	O_TLS_CERT,
	O_TLS_KEY,
	O_PLAIN_HTTP,
	O_THREADS,
	O_LISTINGS,
	O_ACCOUNTS,
	O_SEED,
	O_QUIET,
	O_RATE_ADDR,
	O_RATE_ACCOUNT,
	O_MAX_CONNECTIONS,
	O_MAX_CONN_PER_ADDR,
	O_MAX_STREAMS,
	O_MAX_STREAMS_PER_ADDR,
	O_REQUEST_TIMEOUT,
	O_BODY_RATE,
	O_TRUSTED_PROXY,
	O_REFERENCE,
	O_BUYER_PCT,
	O_NOTE,
	O_NOW,
	O_LEGAL_NAME,
	O_COUNTRY,
	O_REGISTRATION,
	O_LEVEL,
	O_EXPIRES,
	O_DAYS,
	O_REVOKE,
	O_ACCOUNT,
	O_CLEAR,
	O_COUNT
};

/* One option's bit in a mask of the options a subcommand takes (O_COUNT is past 32). */
#define OPT_BIT(k) ((uint64_t)1 << (k))

static const struct opt {
	const char *name; /* long form, without "--" */
	char shortc;      /* 0 when none */
	int has_value;
	unsigned on;
} opts[O_COUNT] = {
    [O_DB] = {"db", 0, 1, ON_ALL},
    [O_NAME] = {"name", 0, 1, ON_INIT},
    [O_LISTEN] = {"listen", 0, 1, ON_SERVE},
    [O_TLS_CERT] = {"tls-cert", 0, 1, ON_SERVE},
    [O_TLS_KEY] = {"tls-key", 0, 1, ON_SERVE},
    [O_PLAIN_HTTP] = {"plain-http", 0, 0, ON_SERVE},
    [O_THREADS] = {"threads", 0, 1, ON_SERVE},
    [O_LISTINGS] = {"listings", 0, 1, ON_SEED},
    [O_ACCOUNTS] = {"accounts", 0, 1, ON_SEED},
    [O_SEED] = {"seed", 0, 1, ON_SEED},
    [O_QUIET] = {"quiet", 'q', 0, ON_SEED},
    [O_RATE_ADDR] = {"rate-addr", 0, 1, ON_SERVE},
    [O_RATE_ACCOUNT] = {"rate-account", 0, 1, ON_SERVE},
    [O_MAX_CONNECTIONS] = {"max-connections", 0, 1, ON_SERVE},
    [O_MAX_CONN_PER_ADDR] = {"max-conn-per-addr", 0, 1, ON_SERVE},
    [O_MAX_STREAMS] = {"max-streams", 0, 1, ON_SERVE},
    [O_MAX_STREAMS_PER_ADDR] = {"max-streams-per-addr", 0, 1, ON_SERVE},
    [O_REQUEST_TIMEOUT] = {"request-timeout", 0, 1, ON_SERVE},
    [O_BODY_RATE] = {"body-rate", 0, 1, ON_SERVE},
    [O_TRUSTED_PROXY] = {"trusted-proxy", 0, 1, ON_SERVE},
    [O_REFERENCE] = {"reference", 0, 1, ON_ADMIN},
    [O_BUYER_PCT] = {"buyer-pct", 0, 1, ON_ADMIN},
    [O_NOTE] = {"note", 0, 1, ON_ADMIN},
    [O_NOW] = {"now", 0, 1, ON_ADMIN},
    [O_LEGAL_NAME] = {"legal-name", 0, 1, ON_ADMIN},
    [O_COUNTRY] = {"country", 0, 1, ON_ADMIN},
    [O_REGISTRATION] = {"registration", 0, 1, ON_ADMIN},
    [O_LEVEL] = {"level", 0, 1, ON_ADMIN},
    [O_EXPIRES] = {"expires", 0, 1, ON_ADMIN},
    [O_DAYS] = {"days", 0, 1, ON_ADMIN},
    [O_REVOKE] = {"revoke", 0, 0, ON_ADMIN},
    [O_ACCOUNT] = {"account", 0, 1, ON_ADMIN},
    [O_CLEAR] = {"clear", 0, 0, ON_ADMIN},
};

static const struct command {
	const char *name;
	enum cmd id;
	const char *synopsis;
	const char *help; /* the lines under the synopsis in `kontord help COMMAND` */
} commands[] = {
    {"init", C_INIT, "kontord init [--db FILE] [--name NAME]",
     "Creates the node database (SQLite, WAL) and the node key FILE.key (mode 0600).\n"
     "NAME is shown to clients in the session object; it defaults to the host name.\n"
     "An existing database or key is never overwritten.\n"},
    {"serve", C_SERVE,
     "kontord serve [--db FILE] [--listen ADDR:PORT] (--tls-cert PEM --tls-key PEM | "
     "--plain-http) [--threads N] [--rate-addr N] [--rate-account N] [--max-connections N] "
     "[--max-conn-per-addr N] [--max-streams N] [--max-streams-per-addr N] "
     "[--request-timeout S] [--body-rate B] [--trusted-proxy ADDR[,ADDR...]]...",
     "Serves the API over HTTPS until SIGINT or SIGTERM.\n"
     "  --listen ADDR:PORT  address to bind (default 127.0.0.1:8443; [::1]:8443 for IPv6)\n"
     "  --tls-cert PEM      certificate chain, PEM\n"
     "  --tls-key PEM       its private key, PEM\n"
     "  --plain-http        no TLS, only on a loopback address (behind a reverse proxy)\n"
     "  --threads N         worker threads (default: one per core)\n"
     "  --rate-addr N       requests per minute from one client address (default 3000;\n"
     "                      0 turns it off, e.g. behind a proxy that limits, or to benchmark)\n"
     "  --rate-account N    signed requests per minute per account (default 600; 0 = off)\n"
     "  --max-connections N        open connections in all (default 1024)\n"
     "  --max-conn-per-addr N      open connections from one address (default 64; 0 = off)\n"
     "  --max-streams N            open /events streams in all (default 7/8 of\n"
     "                             --max-connections, so other requests find room)\n"
     "  --max-streams-per-addr N   open /events streams from one address (default 8;\n"
     "                             0 = off)\n"
     "  --request-timeout S        seconds a request's headers have to arrive, and its body\n"
     "                             on top of its size at --body-rate (default 10)\n"
     "  --body-rate B              bytes per second a request body must average\n"
     "                             (default 16384)\n"
     "  --trusted-proxy ADDR       a reverse proxy (address or ADDR/BITS; repeat it or list\n"
     "                             with commas) whose X-Forwarded-For names the client for\n"
     "                             the logs, rates and per-address limits\n"},
    {"seed", C_SEED, "kontord seed [--db FILE] --listings N [--accounts N] [--seed S] [-q]",
     "Fills the database with deterministic demo data: suppliers in many countries,\n"
     "listings in many languages and currencies, signed by their sellers; the same S\n"
     "always gives the same data.\n"
     "  --listings N   listings to make (1 to 100000000)\n"
     "  --accounts N   accounts to make, 1 in 5 of them buyers (default: one per 25\n"
     "                 listings, at least 100 or N; at most 1000000)\n"
     "  --seed S       64-bit seed (default 1)\n"
     "  -q, --quiet    no progress on standard error\n"},
    {"help", C_HELP, "kontord help [COMMAND]", "Shows the commands, or one command's options.\n"},
    {"admin", C_ADMIN,
     "kontord admin deposit|funding|payouts|disputes|resolve|release-due|attest|carrier ...",
     "kontord admin deposit ACCOUNT AMOUNT CURRENCY [--reference R] [--db FILE]\n"
     "Credits ACCOUNT's wallet through the simulated payment provider (the node's\n"
     "double-entry ledger: provider:sim -> wallet). ACCOUNT is a registered account id\n"
     "or handle; AMOUNT a decimal such as 120 or 99.50, with no more decimals than\n"
     "CURRENCY (ISO 4217) has. Prints the new balance.\n"
     "  --reference R  the payment's id: the same R again deposits nothing (default:\n"
     "                 a fresh one each time)\n"
     "kontord admin funding [TEXT | --clear] [--db FILE]\n"
     "How a buyer adds money to his wallet here, in one line (such as the bank account to\n"
     "transfer to, quoting his account id, which you credit with admin deposit): clients\n"
     "show it with their wallet and when a payment is refused for want of money, from\n"
     "their next sync (the session's state changes with it). Without TEXT it prints\n"
     "what is set; --clear removes it.\n"
     "kontord admin payouts [ACCOUNT] [--db FILE]\n"
     "Lists the payouts accounts asked for with `kontor wallet withdraw` (the wallet paid\n"
     "out through the simulated provider: wallet -> provider:sim), newest first, one per\n"
     "line: CREATED, ACCOUNT, AMOUNT CURRENCY, TRANSACTION and REFERENCE separated by\n"
     "tabs. ACCOUNT (an id or handle) keeps to that account's.\n"
     "kontord admin disputes [--db FILE]\n"
     "Lists the disputed orders waiting for a ruling, the oldest dispute first, one per\n"
     "line: SINCE (UTC), ORDER, what escrow holds (AMOUNT CURRENCY), who disputed and the\n"
     "parties (buyer and seller, by @handle), the reason given and the other party's\n"
     "answer (`kontor order dispute` by that party), separated by tabs; the start of ORDER\n"
     "is what admin resolve takes.\n"
     "kontord admin resolve ORDER --buyer-pct N --note TEXT [--db FILE]\n"
     "Rules on a disputed order as its escrow agent: signs a \"ruling\" section with the\n"
     "node key, appends it to the contract and pays N percent of the escrow to the buyer\n"
     "(rounded down) and the rest to the seller; the order becomes resolved. ORDER is its\n"
     "id or the start of it that clients show (4 characters or more). An order that is\n"
     "not disputed is refused (exit 1).\n"
     "kontord admin release-due [--now RFC3339] [--db FILE]\n"
     "Releases to the seller every order delivered more than its auto-release days ago\n"
     "and not disputed (kontord serve does this once a minute). --now (such as\n"
     "2027-01-31T12:00:00Z) stands in for the clock.\n"
     "kontord admin attest ACCOUNT --legal-name N --country CC --registration R\n"
     "        [--level business|factory] [--expires DATE | --days N] [--db FILE]\n"
     "kontord admin attest ACCOUNT --revoke [--db FILE]\n"
     "Vouches for a business whose papers you checked: signs an attestation (legal\n"
     "name, country, registration number, level, issued now, expires) with the node\n"
     "key into ACCOUNT's profile (an account id or handle registered on this node);\n"
     "clients show it as verified once they sync. Attesting again replaces it; --revoke\n"
     "removes it. Prints what was signed.\n"
     "  --legal-name N      the name on the papers (one line)\n"
     "  --country CC        where it is registered (ISO 3166-1 alpha-2, such as DE)\n"
     "  --registration R    its registration number (such as HRB 12345)\n"
     "  --level L           business (default) or factory (its factory was checked too)\n"
     "  --expires DATE      the last day it holds (YYYY-MM-DD, or RFC 3339 UTC)\n"
     "  --days N            or N days from now (1 to 3650; default 365)\n"
     "kontord admin carrier add NAME --account ACCOUNT_ID [--db FILE]\n"
     "kontord admin carrier list [--db FILE]\n"
     "kontord admin carrier rm NAME [--db FILE]\n"
     "Registers the kontor account that speaks for carrier NAME (as orders name it in\n"
     "their shipment, compared without case): it may post shipment events for orders\n"
     "shipped with that carrier. The carrier runs `kontor init` and gives you its\n"
     "account id; it need not have registered on this node yet. One account per\n"
     "carrier. list prints NAME, ACCOUNT and CREATED separated by tabs, one per line.\n"
     "Exit status: 0 done, 1 refused or failed (unknown account, name taken), 2 usage.\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage_all(FILE *f)
{
	fputs("usage: kontord COMMAND [--db FILE] [OPTIONS]\n\n"
	      "kontord is the marketplace node kontor clients sync with over HTTPS.\n\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].synopsis)
			fprintf(f, "  %s\n", commands[i].synopsis);
	fputs("  kontord --version\n\n"
	      "--db defaults to $KONTORD_DB, then ./kontord.db. Options take --opt VALUE or\n"
	      "--opt=VALUE. See kontord(8).\n",
	      f);
}

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kontord: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (see kontord --help)\n", stderr);
	va_end(ap);
	return 2;
}

#define ADMIN_ARGS_MAX 8

struct args {
	const struct command *cmd;
	const char *val[O_COUNT]; /* the value, or "" for a flag that was given */
	const char *help_topic;
	int help, version;
	const char *pos[ADMIN_ARGS_MAX]; /* admin: the subcommand and its operands */
	int npos;
	const char *admin_bad; /* admin: the first unknown option (refused for deposit) */
	const char *proxies[SERVE_PROXIES_MAX]; /* every --trusted-proxy value */
	int nproxies;
};

/* Returns 0, or 2 after printing a usage error. */
static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	int only_args = 0;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!only_args && strcmp(s, "--") == 0) {
			only_args = 1;
			continue;
		}
		/* "-5" is a (negative) amount for admin deposit to refuse, not an option. */
		int negative =
		    a->cmd && a->cmd->id == C_ADMIN && s[0] == '-' && s[1] >= '0' && s[1] <= '9';
		/* an order's id, or the 8 characters clients show of it, may begin with '-' */
		int id_arg = a->cmd && a->cmd->id == C_ADMIN && model_id_prefix_shaped(s);
		if (only_args || s[0] != '-' || s[1] == '\0' || negative || id_arg ||
		    kcrypto_id_shaped(s)) {
			if (!a->cmd) {
				a->cmd = command_find(s);
				if (!a->cmd)
					return usage_error("unknown command '%s'", s);
			} else if (a->cmd->id == C_HELP && !a->help_topic) {
				a->help_topic = s;
			} else if (a->cmd->id == C_HELP && strcmp(a->help_topic, "admin") == 0) {
				continue; /* help admin resolve: the admin commands' help has them
				             all */
			} else if (a->cmd->id != C_ADMIN) {
				return usage_error("%s takes no argument '%s'", a->cmd->name, s);
			} else if (a->npos < ADMIN_ARGS_MAX) {
				a->pos[a->npos++] = s;
			} else {
				return usage_error("admin: too many arguments at '%s'", s);
			}
			continue;
		}
		if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
			a->help = 1;
			continue;
		}
		if (strcmp(s, "--version") == 0) {
			a->version = 1;
			continue;
		}
		const char *eq = NULL;
		int id = -1;
		if (s[1] == '-') {
			eq = strchr(s + 2, '=');
			size_t n = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
			for (int k = 0; k < O_COUNT; k++)
				if (strlen(opts[k].name) == n &&
				    strncmp(opts[k].name, s + 2, n) == 0)
					id = k;
		} else if (s[2] == '\0') {
			for (int k = 0; k < O_COUNT; k++)
				if (opts[k].shortc && opts[k].shortc == s[1])
					id = k;
		}
		if (id < 0 && a->cmd && a->cmd->id == C_ADMIN) {
			/* admin attest/resolve/carrier take options deposit does not: which
			 * subcommand it is may come later on the line. */
			if (!a->admin_bad)
				a->admin_bad = s;
			continue;
		}
		if (id < 0)
			return usage_error("unknown option '%.*s'",
			                   (int)(eq ? eq - s : (long)strlen(s)), s);
		const struct opt *o = &opts[id];
		if (a->val[id] && id != O_TRUSTED_PROXY)
			return usage_error("--%s is given twice", o->name);
		if (!o->has_value) {
			if (eq)
				return usage_error("--%s takes no value", o->name);
			a->val[id] = "";
			continue;
		}
		if (eq)
			a->val[id] = eq + 1;
		else if (i + 1 < argc)
			a->val[id] = argv[++i];
		else
			return usage_error("--%s needs a value", o->name);
		if (!*a->val[id])
			return usage_error("--%s needs a non-empty value", o->name);
		if (id == O_TRUSTED_PROXY) {
			if (a->nproxies >= SERVE_PROXIES_MAX)
				return usage_error("--trusted-proxy is given more than %d times",
				                   SERVE_PROXIES_MAX);
			a->proxies[a->nproxies++] = a->val[id];
		}
	}
	if (a->cmd && a->cmd->id != C_HELP) {
		for (int k = 0; k < O_COUNT; k++)
			if (a->val[k] && !(opts[k].on & (1u << a->cmd->id)))
				return usage_error("--%s is not an option of %s", opts[k].name,
				                   a->cmd->name);
	}
	return 0;
}

/* Whole numbers only: "1e6", "10k" or "-3" would be guesses. */
static int parse_count(const char *opt, const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		goto bad;
	*out = v;
	return 0;
bad:
	return usage_error("--%s needs a whole number from %lld to %lld, not '%s'", opt, lo, hi, s);
}

static const char *db_path(const struct args *a)
{
	if (a->val[O_DB])
		return a->val[O_DB];
	const char *env = getenv("KONTORD_DB");
	return env && *env ? env : "kontord.db";
}

static int fail(const struct kerr *e, int rc)
{
	fprintf(stderr, "kontord: %s\n", e->msg[0] ? e->msg : kstatus_str(rc));
	return rc == K_EUSAGE ? 2 : 1;
}

/* The code lists loaded and the node's database opened: K_OK with *n for node_close, else the
 * failure in e. */
static int open_node(const struct args *a, struct node **n, struct kerr *e)
{
	int rc = codes_load(e);
	return rc == K_OK ? node_open(db_path(a), n, e) : rc;
}

static int cmd_init(const struct args *a)
{
	const char *db = db_path(a);
	char host[64];
	const char *name = a->val[O_NAME];
	if (!name) {
		/* The host name is what an operator with one node would type anyway. */
		if (gethostname(host, sizeof host) == 0 && host[0]) {
			host[sizeof host - 1] = '\0';
			name = host;
		} else {
			name = "kontord";
		}
	}
	struct kerr e = {0, ""};
	int rc = node_init(db, name, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	struct node *n = NULL;
	rc = node_open(db, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	printf("Created node '%s' in %s\n"
	       "Node key %s.key (mode 0600, unencrypted: keep a backup, never share it)\n"
	       "Node key id %s\n",
	       n->name, db, db, n->key_id);
	node_close(&n);
	return 0;
}

/* ADDR:PORT with ADDR a numeric IPv4 or bracketed IPv6 address (port 0: the system picks
 * one, and http_serve prints it). Returns 0 and sets *loopback, or 2 after a usage error. */
static int check_listen(const char *listen, int *loopback)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	const char *h = listen;
	size_t hn = colon ? (size_t)(colon - listen) : 0;
	if (colon && hn >= 2 && listen[0] == '[' && listen[hn - 1] == ']') {
		h++;
		hn -= 2;
	} else if (colon && memchr(listen, ':', hn)) {
		colon = NULL; /* an unbracketed IPv6 address: the port cannot be told apart */
	}
	long long port;
	if (!colon || hn == 0 || hn >= sizeof host || !colon[1])
		return usage_error("--listen needs ADDR:PORT such as 127.0.0.1:8443 or [::1]:8443, "
		                   "not '%s'",
		                   listen);
	if (parse_count("listen port", colon + 1, 0, 65535, &port))
		return 2;
	memcpy(host, h, hn);
	host[hn] = '\0';
	unsigned char bin[16];
	if (inet_pton(AF_INET, host, bin) == 1)
		*loopback = bin[0] == 127;
	else if (inet_pton(AF_INET6, host, bin) == 1)
		*loopback = memcmp(bin, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
	else
		return usage_error("--listen needs a numeric address such as 127.0.0.1 or [::1], "
		                   "not '%s'",
		                   host);
	return 0;
}

static int readable(const char *opt, const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	fprintf(stderr, "kontord: --%s %s: %s\n", opt, path, strerror(errno));
	return 1;
}

static int cmd_serve(const struct args *a)
{
	struct serve_opts o = {0};
	o.listen = a->val[O_LISTEN] ? a->val[O_LISTEN] : "127.0.0.1:8443";
	o.tls_cert = a->val[O_TLS_CERT];
	o.tls_key = a->val[O_TLS_KEY];
	o.plain_http = a->val[O_PLAIN_HTTP] != NULL;
	int loopback = 0;
	if (check_listen(o.listen, &loopback))
		return 2;
	if (o.plain_http && (o.tls_cert || o.tls_key))
		return usage_error("--plain-http and --tls-cert/--tls-key exclude each other");
	if (o.plain_http && !loopback)
		return usage_error("--plain-http is only allowed on a loopback address such as "
		                   "127.0.0.1 (put a TLS reverse proxy in front), not '%s'",
		                   o.listen);
	if (!o.plain_http && (!o.tls_cert || !o.tls_key))
		return usage_error("serve needs --tls-cert PEM and --tls-key PEM, or --plain-http "
		                   "on a loopback address");
	if (a->val[O_THREADS]) {
		long long t;
		if (parse_count("threads", a->val[O_THREADS], 1, 1024, &t))
			return 2;
		o.threads = (int)t;
	}
	long long rate_addr = -1, rate_account = -1;
	if (a->val[O_RATE_ADDR] &&
	    parse_count("rate-addr", a->val[O_RATE_ADDR], 0, 10000000, &rate_addr))
		return 2;
	if (a->val[O_RATE_ACCOUNT] &&
	    parse_count("rate-account", a->val[O_RATE_ACCOUNT], 0, 10000000, &rate_account))
		return 2;
	/* The guards of kontord(8), LIMITS; 0 turns a per-address limit off (-1 to http.c). */
	static const struct {
		enum optid id;
		long long lo, hi;
	} guards[] = {
	    {O_MAX_CONNECTIONS, 2, 100000}, {O_MAX_CONN_PER_ADDR, 0, 100000},
	    {O_MAX_STREAMS, 1, 100000},     {O_MAX_STREAMS_PER_ADDR, 0, 100000},
	    {O_REQUEST_TIMEOUT, 1, 3600},   {O_BODY_RATE, 1, 1000000000},
	};
	long long g[O_COUNT];
	for (size_t i = 0; i < sizeof guards / sizeof guards[0]; i++) {
		g[guards[i].id] = 0;
		if (a->val[guards[i].id] &&
		    parse_count(opts[guards[i].id].name, a->val[guards[i].id], guards[i].lo,
		                guards[i].hi, &g[guards[i].id]))
			return 2;
	}
	o.max_conn_per_addr = a->val[O_MAX_CONN_PER_ADDR] ? (int)g[O_MAX_CONN_PER_ADDR] : 0;
	if (a->val[O_MAX_CONN_PER_ADDR] && o.max_conn_per_addr == 0)
		o.max_conn_per_addr = -1;
	o.max_streams_per_addr =
	    a->val[O_MAX_STREAMS_PER_ADDR] ? (int)g[O_MAX_STREAMS_PER_ADDR] : 0;
	if (a->val[O_MAX_STREAMS_PER_ADDR] && o.max_streams_per_addr == 0)
		o.max_streams_per_addr = -1;
	o.max_streams = (int)g[O_MAX_STREAMS];
	o.request_timeout = (int)g[O_REQUEST_TIMEOUT];
	o.body_rate = (int)g[O_BODY_RATE];
	struct node_limits dl;
	node_limits_default(&dl);
	long long max_conn = a->val[O_MAX_CONNECTIONS] ? g[O_MAX_CONNECTIONS] : dl.max_connections;
	if (o.max_streams >= max_conn)
		return usage_error("--max-streams %d must be under the %lld connections, so other "
		                   "requests find one",
		                   o.max_streams, max_conn);
	for (int i = 0; i < a->nproxies; i++) {
		struct kerr pe = {0, ""};
		if (serve_proxies_add(&o, a->proxies[i], &pe) != K_OK)
			return usage_error("%s", pe.msg);
	}
	if (!o.plain_http && (readable("tls-cert", o.tls_cert) || readable("tls-key", o.tls_key)))
		return 1;

	struct kerr e = {0, ""};
	struct node *n = NULL;
	int rc = open_node(a, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	if (rate_addr >= 0)
		n->limits.rate_addr_per_min = (int)rate_addr;
	if (rate_account >= 0)
		n->limits.rate_account_per_min = (int)rate_account;
	if (a->val[O_MAX_CONNECTIONS])
		n->limits.max_connections = (int)g[O_MAX_CONNECTIONS];
	rc = http_serve(n, &o, &e);
	node_close(&n);
	return rc == K_OK ? 0 : fail(&e, rc);
}

static int cmd_seed(const struct args *a)
{
	struct seed_opts o = {0, 0, 1};
	long long v;
	if (!a->val[O_LISTINGS])
		return usage_error("seed needs --listings N");
	if (parse_count("listings", a->val[O_LISTINGS], 1, 100000000, &v))
		return 2;
	o.listings = (long)v;
	if (a->val[O_ACCOUNTS]) {
		if (parse_count("accounts", a->val[O_ACCOUNTS], 1, 1000000, &v))
			return 2;
		o.accounts = (long)v;
	}
	if (a->val[O_SEED]) {
		char *end;
		errno = 0;
		const char *s = a->val[O_SEED];
		unsigned long long sv = strtoull(s, &end, 10);
		if (*s < '0' || *s > '9' || errno || *end)
			return usage_error("--seed needs a whole number from 0 to %llu, not '%s'",
			                   (unsigned long long)UINT64_MAX, s);
		o.seed = (uint64_t)sv;
	}
	struct kerr e = {0, ""};
	struct node *n = NULL;
	int rc = open_node(a, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);

	/* seed_run reports progress on stderr; -q sends that to /dev/null for the run (the
	 * error, if any, is printed after stderr is back). */
	int saved = -1;
	if (a->val[O_QUIET]) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		fflush(stderr);
		saved = dup(2);
		if (devnull >= 0 && saved >= 0)
			dup2(devnull, 2);
		if (devnull >= 0)
			close(devnull);
	}
	double t0 = (double)ktime_mono_us() / 1e6;
	rc = seed_run(n, &o, &e);
	double secs = (double)ktime_mono_us() / 1e6 - t0;
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
	}
	node_close(&n);
	if (rc != K_OK)
		return fail(&e, rc);
	if (!a->val[O_QUIET])
		printf("Seeded %ld listings (seed %llu) into %s in %.1f s\n", o.listings,
		       (unsigned long long)o.seed, db_path(a), secs);
	return 0;
}

/* An account id, or the handle of one ("@handle" or "handle"). */
static int find_account(struct nstore *s, const char *arg, char id[KCRYPTO_ID_LEN + 1],
                        struct kerr *e)
{
	struct nobj o = {KBUF_INIT, "", ""};
	int rc = strlen(arg) <= NSTORE_ID_MAX ? nstore_get(s, NT_ACCOUNT, arg, &o, e) : K_ENOTFOUND;
	nobj_free(&o);
	if (rc == K_OK) {
		snprintf(id, KCRYPTO_ID_LEN + 1, "%s", arg);
		return K_OK;
	}
	if (rc != K_ENOTFOUND)
		return rc;
	const char *h = arg[0] == '@' ? arg + 1 : arg;
	rc = nstore_account_by_handle(s, h, id, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(
		    e, K_ENOTFOUND,
		    "ACCOUNT: no account '%.64s' is registered on this node (an account id"
		    " or handle)",
		    arg);
	return rc;
}

static int cmd_deposit(const struct args *a)
{
	if (a->admin_bad)
		return usage_error("unknown option '%s' for admin deposit", a->admin_bad);
	if (a->npos != 4)
		return usage_error("admin deposit needs ACCOUNT AMOUNT CURRENCY (%d given)",
		                   a->npos - 1);
	const char *account = a->pos[1], *amount_s = a->pos[2], *cur = a->pos[3];
	struct kerr e = {0, ""};
	int rc = codes_load(&e);
	if (rc != K_OK)
		return fail(&e, rc);
	if (codes_check_currency(cur, "CURRENCY", &e) != K_OK)
		return usage_error("%s", e.msg);
	int64_t amount = 0;
	if (amount_s[0] == '-')
		return usage_error("AMOUNT: %s is negative; a deposit must be more than zero",
		                   amount_s);
	if ((rc = money_parse(amount_s, cur, &amount, &e)) != K_OK)
		return usage_error("AMOUNT: %s", e.msg);
	if (amount <= 0)
		return usage_error("AMOUNT: a deposit must be more than zero, not '%s'", amount_s);
	char ref[NLEDGER_REF_MAX + 1];
	if (a->val[O_REFERENCE]) {
		snprintf(ref, sizeof ref, "%s", a->val[O_REFERENCE]);
	} else {
		/* Without a reference every run is a new payment. */
		api_random_ref("admin-", 12, ref, sizeof ref);
	}
	struct node *n = NULL;
	if ((rc = node_open(db_path(a), &n, &e)) != K_OK)
		return fail(&e, rc);
	char id[KCRYPTO_ID_LEN + 1];
	struct pay_provider sim;
	struct pay_result res;
	pay_sim_init(&sim, n->store);
	rc = find_account(n->store, account, id, &e);
	if (rc == K_OK)
		rc = sim.deposit(sim.ctx, id, amount, cur, ref, &res, &e);
	node_close(&n);
	if (rc != K_OK)
		return fail(&e, rc);
	char amt[MONEY_FMT_MAX], bal[MONEY_FMT_MAX];
	money_format(amount, cur, amt);
	money_format(res.balance, cur, bal);
	if (res.posted)
		printf("Deposited %s %s into %s (simulated provider, reference %s, transaction"
		       " %s)\n",
		       amt, cur, id, ref, res.tx);
	else
		printf("Reference %s was already deposited (transaction %s); nothing new was"
		       " posted\n",
		       ref, res.tx);
	printf("Balance %s %s\n", bal, cur);
	return 0;
}

static int print_payout(void *ctx, const struct npayout *p)
{
	int *n = ctx;
	char amt[MONEY_FMT_MAX];
	money_format(p->amount, p->currency, amt);
	printf("%s\t%s\t%s %s\t%s\t%s\n", p->created, p->account, amt, p->currency, p->tx,
	       p->reference);
	(*n)++;
	return 0;
}

static int admin_opts_only(const struct args *a, const char *sub, uint64_t allowed);

static int cmd_payouts(const struct args *a)
{
	if (admin_opts_only(a, "payouts", 0))
		return 2;
	if (a->npos > 2)
		return usage_error("admin payouts takes at most ACCOUNT ('%s' is one too many)",
		                   a->pos[2]);
	struct kerr e = {0, ""};
	struct node *n = NULL;
	int rc = open_node(a, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	char id[KCRYPTO_ID_LEN + 1] = "";
	if (a->npos == 2)
		rc = find_account(n->store, a->pos[1], id, &e);
	int count = 0;
	if (rc == K_OK)
		rc = nledger_payouts(n->store, id[0] ? id : NULL, print_payout, &count, &e);
	node_close(&n);
	if (rc != K_OK)
		return fail(&e, rc);
	if (!count)
		fprintf(stderr, "kontord: no payouts%s%s\n", id[0] ? " of " : "", id);
	return 0;
}

/* Options given that subcommand sub does not take (allowed: a mask of O_ bits). */
static int admin_opts_only(const struct args *a, const char *sub, uint64_t allowed)
{
	if (a->admin_bad)
		return usage_error("unknown option '%s' for admin %s", a->admin_bad, sub);
	for (int k = 0; k < O_COUNT; k++)
		if (k != O_DB && a->val[k] && !(allowed & OPT_BIT(k)))
			return usage_error("--%s is not an option of admin %s", opts[k].name, sub);
	return 0;
}

/* ORDER as the clients show it: a whole order id, or the start of a disputed one's, 4
 * characters or more ("e7NCpAgV"), which must name exactly one. */
static int disputed_order(struct nstore *s, const char *word, char id[NSTORE_ID_MAX + 1],
                          struct kerr *e)
{
	size_t len = strlen(word);
	snprintf(id, NSTORE_ID_MAX + 1, "%.*s", NSTORE_ID_MAX, word);
	if (len >= KCRYPTO_ID_LEN || len < 4)
		return K_OK; /* a whole id, or too short to be the start of one: as it is */
	struct kstrv ids = {0};
	int rc = nstore_orders_in_state(s, "disputed", &ids, e);
	size_t hits = 0;
	struct kbuf all = KBUF_INIT;
	for (size_t i = 0; rc == K_OK && i < ids.n; i++)
		if (strncmp(ids.v[i], word, len) == 0) {
			if (!hits++)
				snprintf(id, NSTORE_ID_MAX + 1, "%s", ids.v[i]);
			kbuf_printf(&all, "%s%s", hits > 1 ? ", " : "", ids.v[i]);
		}
	if (rc == K_OK && hits > 1)
		rc = kerr_set(e, K_EINVAL,
		              "%zu disputed orders start with %.64s: %s; give more of its id", hits,
		              word, kbuf_str(&all));
	else if (rc == K_OK && !hits)
		rc = kerr_set(e, K_ENOTFOUND,
		              "no disputed order on this node starts with %.64s (give its id, or "
		              "its first 4 or more characters)",
		              word);
	kbuf_free(&all);
	kstrv_free(&ids);
	return rc;
}

/* An account as the operator knows it: "@handle", else its id. */
static void account_word(struct nstore *s, const char *id, char *out, size_t cap)
{
	struct nobj o = {KBUF_INIT, "", ""};
	cJSON *j = NULL;
	if (id && strlen(id) <= NSTORE_ID_MAX && nstore_get(s, NT_ACCOUNT, id, &o, NULL) == K_OK)
		j = cJSON_Parse(kbuf_str(&o.json));
	const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "handle"));
	if (h)
		snprintf(out, cap, "@%s", h);
	else
		snprintf(out, cap, "%s", id ? id : "?");
	cJSON_Delete(j);
	nobj_free(&o);
}

/* Text from a party as one cell of a tab-separated line: sanitised, its tabs and line
 * breaks spaces. */
static void one_cell(struct kbuf *out, const char *text)
{
	if (!text)
		return;
	text_sanitize(out, text, strlen(text), 0);
	for (size_t i = 0; i < out->len; i++)
		if (out->data[i] == '\t' || out->data[i] == '\n' || out->data[i] == '\r')
			out->data[i] = ' ';
}

struct disputes_out {
	struct nstore *s;
	int n;
};

static int print_dispute(void *ctx, const struct order_dispute *d)
{
	struct disputes_out *w = ctx;
	char amt[MONEY_FMT_MAX], buyer[80], seller[80];
	money_format(d->escrow, d->currency ? d->currency : "", amt);
	account_word(w->s, d->buyer, buyer, sizeof buyer);
	account_word(w->s, d->seller, seller, sizeof seller);
	struct kbuf why = KBUF_INIT, answer = KBUF_INIT;
	one_cell(&why, d->reason);
	one_cell(&answer, d->answer);
	const char *other = strcmp(d->by, "buyer") == 0 ? "seller" : "buyer";
	printf("%s\t%s\t%s %s\tby the %s\tbuyer %s\tseller %s\t%s\t", d->since[0] ? d->since : "?",
	       d->id, amt, d->currency ? d->currency : "?", d->by[0] ? d->by : "?", buyer, seller,
	       why.len ? kbuf_str(&why) : "(no reason given)");
	if (answer.len)
		printf("the %s answers: %s\n", other, kbuf_str(&answer));
	else
		printf("no answer from the %s yet\n", other);
	kbuf_free(&why);
	kbuf_free(&answer);
	w->n++;
	return 0;
}

static int cmd_disputes(const struct args *a)
{
	if (admin_opts_only(a, "disputes", 0))
		return 2;
	if (a->npos != 1)
		return usage_error("admin disputes takes no operand ('%s')", a->pos[1]);
	struct kerr e = {0, ""};
	struct node *n = NULL;
	int rc = open_node(a, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	struct disputes_out w = {n->store, 0};
	rc = order_disputes(n, print_dispute, &w, &e);
	node_close(&n);
	if (rc != K_OK)
		return fail(&e, rc);
	if (!w.n)
		fprintf(stderr, "kontord: no disputed order waits for a ruling\n");
	return 0;
}

static int cmd_resolve(const struct args *a)
{
	if (admin_opts_only(a, "resolve", OPT_BIT(O_BUYER_PCT) | OPT_BIT(O_NOTE)))
		return 2;
	if (a->npos != 2)
		return usage_error("admin resolve needs ORDER (%d operands given)", a->npos - 1);
	long long pct;
	if (!a->val[O_BUYER_PCT])
		return usage_error("admin resolve needs --buyer-pct N (0 to 100: the buyer's share "
		                   "of the escrow)");
	if (parse_count("buyer-pct", a->val[O_BUYER_PCT], 0, 100, &pct))
		return 2;
	if (!a->val[O_NOTE])
		return usage_error("admin resolve needs --note TEXT (the ruling's reasons, signed "
		                   "into the contract)");
	struct kerr e = {0, ""};
	struct node *n = NULL;
	int rc = open_node(a, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	struct order_ruling r;
	char oid[NSTORE_ID_MAX + 1];
	rc = disputed_order(n->store, a->pos[1], oid, &e);
	if (rc == K_OK)
		rc = order_resolve(n, oid, (int)pct, a->val[O_NOTE], &r, &e);
	node_close(&n);
	if (rc != K_OK) {
		fprintf(stderr, "kontord: admin resolve %s: %s\n", a->pos[1],
		        e.msg[0] ? e.msg : kstatus_str(rc));
		return rc == K_EINVAL ? 2 : 1;
	}
	char esc[MONEY_FMT_MAX], b[MONEY_FMT_MAX], sl[MONEY_FMT_MAX];
	money_format(r.escrow, r.currency, esc);
	money_format(r.buyer, r.currency, b);
	money_format(r.seller, r.currency, sl);
	printf("Order %s resolved (ruling section %s)\n"
	       "Escrow %s %s: %s %s to the buyer (%lld%%), %s %s to the seller\n",
	       oid, r.section, esc, r.currency, b, r.currency, pct, sl, r.currency);
	return 0;
}

static int cmd_release_due(const struct args *a)
{
	if (admin_opts_only(a, "release-due", OPT_BIT(O_NOW)))
		return 2;
	if (a->npos != 1)
		return usage_error("admin release-due takes no operand ('%s')", a->pos[1]);
	int64_t now = (int64_t)time(NULL);
	if (a->val[O_NOW]) {
		struct kerr ce = {0, ""};
		if (model_check_time(a->val[O_NOW], "--now", &ce) != K_OK ||
		    (now = order_time_of(a->val[O_NOW])) < 0)
			return usage_error("--now needs an RFC 3339 UTC time such as "
			                   "2027-01-31T12:00:00Z, not '%s'",
			                   a->val[O_NOW]);
	}
	struct kerr e = {0, ""};
	struct node *n = NULL;
	int rc = open_node(a, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	int released = 0;
	rc = order_auto_release(n, now, &released, &e);
	node_close(&n);
	if (rc != K_OK)
		return fail(&e, rc);
	printf("Released %d order%s to the seller\n", released, released == 1 ? "" : "s");
	return 0;
}

/* One line of 1 to max bytes without control characters, for a value the node signs or
 * keys on. Returns 0 or 2 after a usage error naming what. */
static int check_line(const char *what, const char *v, size_t max)
{
	size_t n = strlen(v);
	if (n == 0 || n > max)
		return usage_error("%s needs 1 to %zu bytes, not %zu", what, max, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return usage_error("%s is one line without control characters (byte %zu is "
			                   "0x%02x)",
			                   what, i + 1, (unsigned)(unsigned char)v[i]);
	if (v[0] == ' ' || v[n - 1] == ' ')
		return usage_error("%s has a space at its start or end: '%s'", what, v);
	return 0;
}

/* --expires DATE (the end of that day, UTC) or RFC 3339, else --days N (default 365) from
 * now. Returns 0 or 2 after a usage error. */
static int attest_expiry(const struct args *a, int64_t now, char out[MODEL_TIME_LEN + 1])
{
	const char *x = a->val[O_EXPIRES];
	if (x && a->val[O_DAYS])
		return usage_error("--expires and --days exclude each other");
	if (!x) {
		long long days = 365;
		if (a->val[O_DAYS] && parse_count("days", a->val[O_DAYS], 1, 3650, &days))
			return 2;
		model_time(now + (int64_t)days * 86400, out);
		return 0;
	}
	char t[MODEL_TIME_LEN + 1];
	if (strlen(x) == 10)
		snprintf(t, sizeof t, "%sT23:59:59Z", x);
	else
		snprintf(t, sizeof t, "%.*s", MODEL_TIME_LEN, x);
	struct kerr ce = {0, ""};
	int64_t when;
	if (strlen(x) > MODEL_TIME_LEN || model_check_time(t, "--expires", &ce) != K_OK ||
	    (when = order_time_of(t)) < 0)
		return usage_error("--expires needs a date such as 2027-06-30 or an RFC 3339 UTC "
		                   "time such as 2027-06-30T12:00:00Z, not '%s'",
		                   x);
	if (when <= now)
		return usage_error("--expires %s is not in the future", x);
	if (when > now + (int64_t)3650 * 86400)
		return usage_error("--expires %s is more than ten years away", x);
	snprintf(out, MODEL_TIME_LEN + 1, "%s", t);
	return 0;
}

static int cmd_attest(const struct args *a)
{
	uint64_t attest_opts = OPT_BIT(O_LEGAL_NAME) | OPT_BIT(O_COUNTRY) |
	                       OPT_BIT(O_REGISTRATION) | OPT_BIT(O_LEVEL) | OPT_BIT(O_EXPIRES) |
	                       OPT_BIT(O_DAYS);
	if (admin_opts_only(a, "attest", attest_opts | OPT_BIT(O_REVOKE)))
		return 2;
	if (a->npos != 2)
		return usage_error("admin attest needs ACCOUNT (%d operands given)", a->npos - 1);
	int revoke = a->val[O_REVOKE] != NULL;
	struct node_attestation at = {a->val[O_LEGAL_NAME],
	                              a->val[O_COUNTRY],
	                              a->val[O_REGISTRATION],
	                              a->val[O_LEVEL] ? a->val[O_LEVEL] : "business",
	                              NULL,
	                              NULL};
	char issued[MODEL_TIME_LEN + 1], expires[MODEL_TIME_LEN + 1];
	struct kerr e = {0, ""};
	int rc = codes_load(&e);
	if (rc != K_OK)
		return fail(&e, rc);
	if (revoke) {
		for (int k = 0; k < O_COUNT; k++)
			if (a->val[k] && (attest_opts & OPT_BIT(k)))
				return usage_error("--revoke takes no --%s (it removes ACCOUNT's "
				                   "attestation)",
				                   opts[k].name);
	} else {
		if (!at.legal_name)
			return usage_error("admin attest needs --legal-name N (the name on the "
			                   "business's papers)");
		if (!at.country)
			return usage_error("admin attest needs --country CC (where the business is "
			                   "registered, ISO 3166-1 alpha-2 such as DE)");
		if (!at.registration)
			return usage_error("admin attest needs --registration R (its registration "
			                   "number)");
		if (check_line("--legal-name", at.legal_name, MODEL_TITLE_MAX) ||
		    check_line("--registration", at.registration, 100))
			return 2;
		if (codes_check_country(at.country, "--country", &e) != K_OK)
			return usage_error("%s", e.msg);
		if (strcmp(at.level, "business") != 0 && strcmp(at.level, "factory") != 0)
			return usage_error("--level is business or factory, not '%s'", at.level);
		int64_t now = (int64_t)time(NULL);
		if (attest_expiry(a, now, expires))
			return 2;
		model_time(now, issued);
		at.issued = issued;
		at.expires = expires;
	}
	struct node *n = NULL;
	if ((rc = node_open(db_path(a), &n, &e)) != K_OK)
		return fail(&e, rc);
	char id[KCRYPTO_ID_LEN + 1];
	cJSON *signed_att = NULL;
	rc = find_account(n->store, a->pos[1], id, &e);
	if (rc == K_OK)
		rc = revoke ? node_attest_revoke(n, id, &e)
		            : node_attest(n, id, &at, &signed_att, &e);
	char key_id[KCRYPTO_ID_LEN + 1];
	snprintf(key_id, sizeof key_id, "%s", n->key_id);
	node_close(&n);
	if (rc != K_OK) {
		fprintf(stderr, "kontord: admin attest %s: %s\n", a->pos[1],
		        e.msg[0] ? e.msg : kstatus_str(rc));
		return rc == K_EINVAL ? 2 : 1;
	}
	if (revoke) {
		printf("Revoked the attestation of %s: clients stop showing it as verified when "
		       "they sync\n",
		       id);
		return 0;
	}
	static const struct {
		const char *label, *prop;
	} lines[] = {
	    {"legal name", "legalName"}, {"country", "country"}, {"registration", "registration"},
	    {"level", "level"},          {"issued", "issued"},   {"expires", "expires"},
	    {"signed by", "by"},         {"signature", "sig"},
	};
	printf("Attested %s with node key %s\n", id, key_id);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		printf("  %-13s %s\n", lines[i].label,
		       cJSON_GetStringValue(
		           cJSON_GetObjectItemCaseSensitive(signed_att, lines[i].prop)));
	cJSON_Delete(signed_att);
	return 0;
}

static int print_carrier(void *ctx, const char *name, const char *account, const char *created)
{
	(void)ctx;
	printf("%s\t%s\t%s\n", name, account, created);
	return 0;
}

static int cmd_carrier(const struct args *a)
{
	const char *sub = a->npos >= 2 ? a->pos[1] : NULL;
	if (!sub)
		return usage_error("admin carrier needs add, list or rm");
	int add = strcmp(sub, "add") == 0, rm = strcmp(sub, "rm") == 0;
	if (!add && !rm && strcmp(sub, "list") != 0)
		return usage_error("unknown admin carrier command '%s' (add, list or rm)", sub);
	char what[32];
	snprintf(what, sizeof what, "carrier %s", sub);
	if (admin_opts_only(a, what, add ? OPT_BIT(O_ACCOUNT) : 0))
		return 2;
	if ((add || rm) && a->npos != 3)
		return usage_error("admin carrier %s needs NAME (%d operands given)", sub,
		                   a->npos - 2);
	if (!add && !rm && a->npos != 2)
		return usage_error("admin carrier list takes no operand ('%s')", a->pos[2]);
	struct kerr e = {0, ""};
	const char *name = a->pos[2], *account = a->val[O_ACCOUNT];
	if (add) {
		if (check_line("NAME", name, NSTORE_CARRIER_NAME_MAX))
			return 2;
		if (!account)
			return usage_error("admin carrier add needs --account ACCOUNT_ID (the "
			                   "carrier's account id, as `kontor id show` prints it)");
		uint8_t pk[KCRYPTO_PK_BYTES];
		if (kcrypto_account_pk(account, pk, &e) != K_OK)
			return usage_error(
			    "--account: %s (a kontor account id, as `kontor id show` "
			    "prints it)",
			    e.msg);
	}
	struct node *n = NULL;
	int rc = node_open(db_path(a), &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	int known = 0;
	if (add) {
		rc = nstore_carrier_add(n->store, name, account, &e);
		struct nobj o = {KBUF_INIT, "", ""};
		struct kerr ge = {0, ""};
		known = rc == K_OK && nstore_get(n->store, NT_ACCOUNT, account, &o, &ge) == K_OK;
		nobj_free(&o);
	} else if (rm) {
		rc = nstore_carrier_rm(n->store, name, &e);
	} else {
		rc = nstore_carrier_each(n->store, print_carrier, NULL, &e);
	}
	node_close(&n);
	if (rc != K_OK) {
		fprintf(stderr, "kontord: admin carrier %s: %s\n", sub,
		        e.msg[0] ? e.msg : kstatus_str(rc));
		return rc == K_EINVAL ? 2 : 1;
	}
	if (add)
		printf("Registered carrier '%s' for account %s%s\n", name, account,
		       known ? "" : " (not registered on this node yet)");
	else if (rm)
		printf("Removed carrier '%s'\n", name);
	return 0;
}

static int cmd_funding(const struct args *a)
{
	if (admin_opts_only(a, "funding", OPT_BIT(O_CLEAR)))
		return 2;
	if (a->npos > 2)
		return usage_error("admin funding takes one TEXT (%d given): quote it",
		                   a->npos - 1);
	const char *text = a->npos == 2 ? a->pos[1] : NULL;
	int clear = a->val[O_CLEAR] != NULL;
	if (text && clear)
		return usage_error("admin funding takes TEXT or --clear, not both");
	if (text && (check_line("TEXT", text, NODE_FUNDING_MAX) ||
	             (!utf8_valid(text, strlen(text)) && usage_error("TEXT is not valid UTF-8"))))
		return 2;
	struct kerr e = {0, ""};
	struct node *n = NULL;
	int rc = open_node(a, &n, &e);
	if (rc != K_OK)
		return fail(&e, rc);
	char *now = NULL;
	if (text || clear)
		rc = nstore_meta_set(n->store, NODE_FUNDING_META, text ? text : "", &e);
	else
		rc = nstore_meta_get(n->store, NODE_FUNDING_META, &now, &e);
	node_close(&n);
	if (rc == K_ENOTFOUND)
		rc = K_OK;
	if (rc != K_OK) {
		free(now);
		return fail(&e, rc);
	}
	if (text)
		printf("Funding instructions set; clients show them from their next sync:\n%s\n",
		       text);
	else if (clear)
		printf("Funding instructions removed\n");
	else if (now && *now)
		printf("%s\n", now);
	else
		fprintf(stderr, "kontord: no funding instructions are set (admin funding TEXT "
		                "sets them)\n");
	free(now);
	return 0;
}

static int cmd_admin(const struct args *a)
{
	if (a->npos == 0)
		return usage_error(
		    "admin needs a subcommand: deposit, funding, payouts, disputes, resolve, "
		    "release-due,"
		    " attest or carrier");
	const char *sub = a->pos[0];
	if (strcmp(sub, "deposit") == 0)
		return admin_opts_only(a, "deposit", OPT_BIT(O_REFERENCE)) ? 2 : cmd_deposit(a);
	if (strcmp(sub, "funding") == 0)
		return cmd_funding(a);
	if (strcmp(sub, "resolve") == 0)
		return cmd_resolve(a);
	if (strcmp(sub, "payouts") == 0)
		return cmd_payouts(a);
	if (strcmp(sub, "disputes") == 0)
		return cmd_disputes(a);
	if (strcmp(sub, "release-due") == 0)
		return cmd_release_due(a);
	if (strcmp(sub, "attest") == 0)
		return cmd_attest(a);
	if (strcmp(sub, "carrier") == 0)
		return cmd_carrier(a);
	return usage_error("unknown admin command '%s' (admin deposit, funding, payouts, "
	                   "disputes, resolve, release-due, attest, carrier)",
	                   sub);
}

static int cmd_help(const char *topic)
{
	if (!topic) {
		usage_all(stdout);
		return 0;
	}
	const struct command *c = command_find(topic);
	if (!c || !c->synopsis)
		return usage_error("no help for '%s'; the commands are init, serve, seed and admin",
		                   topic);
	printf("usage: %s\n\n%s", c->synopsis, c->help);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	if (parse_args(argc, argv, &a))
		return 2;
	if (a.version) {
		printf("kontord %s\n", KONTOR_VERSION);
		return 0;
	}
	if (a.help)
		return cmd_help(a.cmd && a.cmd->id != C_HELP ? a.cmd->name : a.help_topic);
	if (!a.cmd) {
		usage_all(stderr);
		return 2;
	}
	if (a.cmd->id == C_HELP)
		return cmd_help(a.help_topic);

	struct kerr e = {0, ""};
	int rc = kcrypto_init(&e);
	if (rc != K_OK)
		return fail(&e, rc);
	/* What runs each command (help was answered above). */
	static int (*const run[])(const struct args *) = {
	    [C_INIT] = cmd_init, [C_SERVE] = cmd_serve, [C_SEED] = cmd_seed, [C_ADMIN] = cmd_admin};
	rc = run[a.cmd->id] ? run[a.cmd->id](&a) : 2;
	if (fflush(stdout) != 0 && rc == 0) {
		fputs("kontord: error writing standard output\n", stderr);
		rc = 1;
	}
	return rc;
}
