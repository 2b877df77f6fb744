/* kontor — argv only: global options (before or after the command), the home directory,
 * then the command table. Everything else lives in cmd/, store/, net/ and ui/. */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "kontor/crypto.h"
#include "kontor/text.h"

static void usage_short(void)
{
	fputs("usage: kontor [--home DIR] [--node NAME] [--json] [-q|-v] COMMAND ...\n"
	      "       kontor help        list the commands\n",
	      stderr);
}

/* Takes the global options out of argv wherever they stand; returns the new argc, or -1
 * after printing a usage error. */
static int take_globals(struct ctx *c, int argc, char **argv, const char **home, int *help,
                        int *version)
{
	int out = 1;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **slot = NULL;
		if (strcmp(s, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(s, "--json") == 0)
			c->json = 1;
		else if (strcmp(s, "-q") == 0 || strcmp(s, "--quiet") == 0 ||
		         strcmp(s, "-v") == 0 || strcmp(s, "--verbose") == 0) {
			int v = s[1] == 'q' || s[2] == 'q' ? -1 : 1;
			if (c->verbosity &&
			    c->verbosity != v) { /* which one she meant is hers to say */
				fprintf(stderr,
				        "kontor: -q (--quiet) and -v (--verbose) go one at a "
				        "time\n");
				return -1;
			}
			c->verbosity = v;
		} else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)
			*help = 1;
		else if (strcmp(s, "--version") == 0)
			*version = 1;
		else if (strcmp(s, "--home") == 0 || strncmp(s, "--home=", 7) == 0)
			slot = home;
		else if (strcmp(s, "--node") == 0 || strncmp(s, "--node=", 7) == 0)
			slot = &c->node;
		else if (strcmp(s, "--passphrase-file") == 0 ||
		         strncmp(s, "--passphrase-file=", 18) == 0)
			slot = &c->passphrase_file;
		else {
			argv[out++] = argv[i];
			continue;
		}
		if (slot) {
			const char *eq = strchr(s, '=');
			if (eq) {
				*slot = eq + 1;
			} else if (i + 1 < argc) {
				*slot = argv[++i];
			} else {
				fprintf(stderr, "kontor: %s needs a value\n", s);
				return -1;
			}
			if (!**slot) {
				fprintf(stderr, "kontor: %.*s needs a non-empty value\n",
				        (int)(eq ? eq - s : (long)strlen(s)), s);
				return -1;
			}
		}
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	text_locale_init();
	struct ctx c;
	ctx_init(&c);
	const char *home = NULL;
	int help = 0, version = 0;
	int n = take_globals(&c, argc, argv, &home, &help, &version);
	if (n < 0)
		return 2;
	if (version) {
		printf("kontor %s\n", KONTOR_VERSION);
		return 0;
	}
	/* No command on a terminal opens the terminal UI, as tig and neomutt do; with no
	 * terminal (a script, a pipe) it is a usage error as before. */
	static char tui_word[] = "tui";
	char *tui_argv[] = {argv[0], tui_word, NULL};
	if (n == 1 && !help && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		argv = tui_argv;
		n = 2;
	}
	if (help && c.json) { /* --help --json: the help command's JSON lines */
		struct kerr e = {0};
		char **hv = calloc((size_t)n + 1, sizeof *hv);
		if (!hv)
			return 1;
		static char help_word[] = "help";
		hv[0] = help_word;
		for (int i = 1; i < n; i++)
			hv[i] = argv[i];
		int rc = cmd_dispatch(&c, n, hv, &e);
		free(hv);
		if (rc != K_OK)
			fprintf(stderr, "kontor: %s\n", e.msg);
		return cmd_exit_code(rc);
	}
	if (help || n == 1) {
		if (n > 1) {
			struct kerr e = {0};
			if (cmd_help_one(stdout, n - 1, argv + 1, &e)) {
				fprintf(stderr, "kontor: %s\n", e.msg);
				return 2;
			}
			return 0;
		}
		cmd_help_all(help ? stdout : stderr);
		return help ? 0 : 2;
	}

	char *home_buf = NULL;
	if (!home)
		home = getenv("KONTOR_HOME");
	if (!home || !*home) {
		const char *xdg = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
		size_t len = 4096;
		home_buf = malloc(len);
		if (!home_buf)
			return 1;
		if (xdg && *xdg)
			snprintf(home_buf, len, "%s/kontor", xdg);
		else if (h && *h)
			snprintf(home_buf, len, "%s/.local/share/kontor", h);
		else {
			fputs("kontor: set KONTOR_HOME or HOME (or give --home DIR)\n", stderr);
			usage_short();
			free(home_buf);
			return 2;
		}
		home = home_buf;
	}
	c.home = home;

	struct kerr e = {0};
	int rc = kcrypto_init(&e);
	if (rc == K_OK)
		rc = cmd_dispatch(&c, n - 1, argv + 1, &e);
	cmd_result_print(&c, &e); /* what a write command did, in words or --json */
	if (rc != K_OK && (rc != K_EQUEUED || c.verbosity >= 0)) {
		/* on a terminal, in lines that fit it, each under the first */
		const char *msg = e.msg[0] ? e.msg : kstatus_str(rc);
		struct kbuf w = KBUF_INIT;
		if (strchr(msg, '\n'))
			kbuf_printf(&w, "kontor: %s", msg);
		else
			cmd_hanging(&c, &w, "kontor: ", msg);
		text_fprintf(stderr, "%s\n", kbuf_str(&w));
		kbuf_free(&w);
	}
	if (fflush(stdout) != 0 && rc == K_OK) {
		fputs("kontor: error writing standard output\n", stderr);
		rc = K_EIO;
	}
	ctx_done(&c);
	free(home_buf);
	return cmd_exit_code(rc);
}
