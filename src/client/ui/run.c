/* ui/run — a batch command run from the TUI (its output kept off the terminal, its result
 * on the status line) and the identity, with curses stepping aside for a passphrase. */
#include "ui.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/crypto.h"

/* The key is encrypted and not open yet: a passphrase would be asked. */
int ui_key_locked(struct ui *u)
{
	return ctx_key_locked(u->c);
}

/* Curses steps aside while ctx asks for the passphrase on the terminal. */
static void leave_curses(void)
{
	def_prog_mode();
	endwin();
}

static void back_to_curses(struct ui *u)
{
	reset_prog_mode();
	clearok(curscr, TRUE);
	u->dirty |= DIRTY_ALL;
}

int ui_identity(struct ui *u, struct kerr *e)
{
	if (u->c->have_key)
		return K_OK;
	int ask = ui_key_locked(u) && !u->script;
	if (ui_key_locked(u) && u->script)
		return kerr_set(e, K_EPASS,
		                "the key is locked: give KONTOR_PASSPHRASE or "
		                "--passphrase-file to a scripted run");
	if (ask) {
		leave_curses();
		fputs("kontor: your key opens the messages.\n", stderr);
	}
	int rc = ctx_identity(u->c, e);
	if (ask)
		back_to_curses(u);
	return rc;
}

/* Counts the non-empty lines of text[0..len); the first into *first (malloc'd) if unset. */
static int count_lines(const char *text, size_t len, char **first)
{
	int n = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (l && p[l - 1] == '\r')
			l--;
		if (l) {
			if (!*first)
				*first = xstrndup(p, l);
			n++;
		}
		p = nl ? nl + 1 : end;
	}
	return n;
}

int ui_run_command(struct ui *u, int argc, char **argv, struct ui_ran *ran)
{
	struct ctx *c = u->c;
	struct ui_ran mine;
	if (!ran)
		ran = &mine;
	memset(ran, 0, sizeof *ran);
	struct kerr *e = &ran->e;
	if (argc < 1)
		return K_OK;
	if (strcmp(argv[0], "tui") == 0) {
		ui_say(u, "already in the terminal UI");
		return ran->rc = K_EUSAGE;
	}
	/* What a command prints goes to a buffer of ours and what it reads from standard input
	 * is /dev/null: the terminal stays curses', whose descriptors are never touched. What
	 * the command did comes back as its result (cmd.h), not as text to search. */
	char *text = NULL;
	size_t len = 0;
	FILE *sink = open_memstream(&text, &len), *nul = fopen("/dev/null", "re");
	if (!sink || !nul) {
		ui_say(u, "cannot run a command: %s", strerror(errno));
		if (sink)
			fclose(sink);
		if (nul)
			fclose(nul);
		free(text);
		return ran->rc = K_EIO;
	}
	int need = ui_key_locked(u), ask = need && !u->script;
	const char *old_pf = c->passphrase_file;
	if (ask)
		leave_curses();
	else if (need)
		c->passphrase_file = "/dev/null"; /* a scripted run never waits on a prompt */
	FILE *old_in = c->in, *old_out = c->out, *old_err = c->err;
	c->in = nul;
	c->out = c->err = sink;
	c->out_cols = COLS; /* a list's rows fit the screen they are read on */
	/* With the background sync running a write only queues (as in a batch): the worker
	 * pushes it, so a dead link never holds the screen. */
	int live = ui_live_active(u) && !c->in_batch;
	if (live)
		c->in_batch = 1;
	int rc = cmd_dispatch(c, argc, argv, e);
	if (live) {
		c->in_batch = 0;
		if (rc == K_EQUEUED) {
			snprintf(e->msg, sizeof e->msg, "sending in the background");
			ui_live_kick(u);
		}
	}
	c->in = old_in, c->out = old_out, c->err = old_err;
	c->out_cols = 0;
	c->passphrase_file = old_pf;
	fclose(nul);
	fclose(sink);
	if (ask)
		back_to_curses(u);
	if (need && !ask && rc == K_EPASS)
		kerr_set(e, K_EPASS,
		         "the key is locked: give KONTOR_PASSPHRASE or "
		         "--passphrase-file to a scripted run");
	ran->rc = rc;
	const struct cmd_result *r = &c->res;
	snprintf(ran->type, sizeof ran->type, "%s", r->type);
	snprintf(ran->id, sizeof ran->id, "%s", r->id);
	snprintf(ran->state, sizeof ran->state, "%s", r->state);
	snprintf(ran->error_type, sizeof ran->error_type, "%s", r->error_type);

	/* The status line: the result's sentence, else the first line the command printed
	 * (a list, a note), with how many lines there were in all. */
	char *first = NULL;
	int lines = 0;
	if (r->set && r->text.len)
		lines += count_lines(r->text.data, r->text.len, &first);
	if (r->set)
		lines += count_lines(kbuf_str(&r->more), r->more.len, &first);
	lines += count_lines(text ? text : "", len, &first);
	if (u->from_prompt && lines > 1) {
		/* more than the status line holds: all of it over the view, q closes it (a failed
		 * import names each bad row there, a list shows whole) */
		kbuf_reset(&u->output);
		kbuf_append(&u->output, text ? text : "", len);
		if (r->set && r->text.len)
			kbuf_printf(&u->output, "%s\n", kbuf_str(&r->text));
		if (r->set && r->more.len)
			kbuf_printf(&u->output, "%s\n", kbuf_str(&r->more));
		if (rc != K_OK && rc != K_EQUEUED)
			kbuf_printf(&u->output, "error: %s\n",
			            e->msg[0] ? e->msg : kstatus_str(rc));
		u->help = 2;
		u->views[VIEW_HELP].top = 0;
		u->views[VIEW_HELP].built_width = -1;
		u->dirty |= DIRTY_ALL;
	}
	free(text);
	cmd_result_clear(&c->res); /* read: the TUI prints none of it */
	char more[40] = "";
	if (lines > 1) /* in front: a long first line is clipped at its end */
		snprintf(more, sizeof more, "[%d lines] ", lines);
	if (rc == K_OK)
		ui_say(u, "%s%s", more, first ? first : "done");
	else if (rc == K_EQUEUED)
		ui_say(u, "%s%s — %s", more, first ? first : "saved",
		       e->msg[0] ? e->msg : "queued");
	else
		ui_say(u, "error: %s", e->msg[0] ? e->msg : kstatus_str(rc));
	free(first);
	/* what the command changed shows at once, as after a sync */
	ui_live_reload(u);
	return rc;
}
