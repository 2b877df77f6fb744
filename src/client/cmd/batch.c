/* batch — many commands from a file or standard input, one per line, through the same
 * command table as the command line and the TUI's ':' prompt. The identity and the cache are
 * opened once for the whole file, so a script listing thousands of products asks for the
 * passphrase once; what the lines queued is pushed once at the end. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/json.h"
#include "kontor/text.h"

void cmd_words_free(struct cmd_words *w)
{
	for (int i = 0; i < w->argc; i++)
		free(w->argv[i]);
	free(w->argv);
	memset(w, 0, sizeof *w);
}

static void push_word(struct cmd_words *w, struct kbuf *cur)
{
	w->argv = xrealloc(w->argv, (size_t)(w->argc + 2) * sizeof *w->argv);
	w->argv[w->argc++] = xstrndup(cur->data ? cur->data : "", cur->len);
	w->argv[w->argc] = NULL;
	kbuf_reset(cur);
}

int cmd_split_line(const char *line, size_t len, struct cmd_words *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	if (len > CMD_LINE_MAX)
		return kerr_set(e, K_ETOOBIG, "line is over %u bytes", CMD_LINE_MAX);
	if (!utf8_valid(line, len))
		return kerr_set(e, K_EINVAL, "line is not valid UTF-8");
	out->argv = xcalloc(1, sizeof *out->argv); /* argv[argc] is NULL even for no words */
	struct kbuf cur = KBUF_INIT;
	int in_word = 0, rc = K_OK;
	size_t i = 0;
	while (i < len && rc == K_OK) {
		char ch = line[i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			if (in_word)
				push_word(out, &cur);
			in_word = 0;
			i++;
			continue;
		}
		if (ch == '#' && !in_word)
			break; /* a comment runs to the end of the line */
		if ((unsigned char)ch < 0x20 || ch == 0x7f) {
			rc = kerr_set(e, K_EINVAL, "column %zu: control character 0x%02x", i + 1,
			              (unsigned)(unsigned char)ch);
			break;
		}
		if (out->argc >= CMD_WORDS_MAX) {
			rc = kerr_set(e, K_ETOOBIG, "more than %d words", CMD_WORDS_MAX);
			break;
		}
		in_word = 1;
		if (ch == '\'') { /* literal up to the next quote */
			size_t j = i + 1;
			while (j < len && line[j] != '\'')
				j++;
			if (j == len) {
				rc = kerr_set(e, K_EINVAL, "column %zu: unterminated ' quote",
				              i + 1);
				break;
			}
			kbuf_append(&cur, line + i + 1, j - i - 1);
			kbuf_putc(&cur, '\0');
			cur.len--;
			i = j + 1;
		} else if (ch == '"') { /* \" and \\ are the only escapes inside */
			size_t j = i + 1;
			for (; j < len && line[j] != '"'; j++) {
				if (line[j] == '\\' && j + 1 < len &&
				    (line[j + 1] == '"' || line[j + 1] == '\\'))
					j++;
				kbuf_putc(&cur, line[j]);
			}
			if (j == len) {
				rc = kerr_set(e, K_EINVAL, "column %zu: unterminated \" quote",
				              i + 1);
				break;
			}
			kbuf_putc(&cur, '\0');
			cur.len--;
			i = j + 1;
		} else if (ch == '\\' && i + 1 < len) {
			kbuf_putc(&cur, line[i + 1]);
			i += 2;
		} else {
			kbuf_putc(&cur, ch);
			i++;
		}
	}
	if (rc == K_OK && in_word) {
		if (out->argc >= CMD_WORDS_MAX)
			rc = kerr_set(e, K_ETOOBIG, "more than %d words", CMD_WORDS_MAX);
		else
			push_word(out, &cur);
	}
	kbuf_free(&cur);
	if (rc)
		cmd_words_free(out);
	return rc;
}

struct tally {
	long lines, ok, queued, failed;
};

/* Runs one line; reports a failure as NAME:LINE: message. Returns the line's status. */
static int run_line(struct ctx *c, const char *name, long lineno, const char *line, size_t len,
                    struct tally *t)
{
	struct cmd_words w;
	struct kerr e = {0};
	int rc = cmd_split_line(line, len, &w, &e);
	if (rc == K_OK && w.argc == 0) {
		cmd_words_free(&w);
		return K_OK; /* blank or comment */
	}
	t->lines++;
	if (rc == K_OK && strcmp(w.argv[0], "batch") == 0)
		rc = kerr_set(&e, K_EUSAGE, "batch cannot run batch");
	if (rc == K_OK && w.argv[0][0] == '-')
		rc = kerr_set(&e, K_EUSAGE,
		              "'%s': global options go on the batch command line, not on a line",
		              w.argv[0]);
	c->batch_line = lineno;
	if (rc == K_OK)
		rc = cmd_dispatch(c, w.argc, w.argv, &e);
	cmd_result_print(c, &e); /* each line's outcome as it runs, as on the command line */
	if (rc == K_OK) {
		t->ok++;
	} else if (rc == K_EQUEUED) {
		t->queued++;
	} else {
		t->failed++;
		/* Messages quote the line's own words: no escape sequence reaches the terminal. */
		const char *m = e.msg[0] ? e.msg : kstatus_str(rc);
		struct kbuf msg = KBUF_INIT;
		text_sanitize(&msg, m, strlen(m), 0);
		fprintf(c->err, "%s:%ld: %s\n", name, lineno, kbuf_str(&msg));
		if (c->json) { /* a script reading stdout learns of it too, by the line */
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "error", kbuf_str(&msg));
			json_add_int(o, "exit", cmd_exit_code(rc));
			cmd_print_json(c, o);
		}
		kbuf_free(&msg);
	}
	c->batch_line = 0;
	cmd_words_free(&w);
	return rc;
}

static int run_batch(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *path = a->npos ? a->pos[0] : "-";
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	FILE *f = is_stdin ? c->in : fopen(path, "r");
	if (!f)
		return kerr_set(e, K_EIO, "batch: %s: %s", path, strerror(errno));
	int stop = arg_has(a, "stop-on-error");
	struct tally t = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int stopped = 0, read_err = 0;
	c->in_batch = 1;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		int rc = run_line(c, name, lineno, line, (size_t)n, &t);
		if (rc != K_OK && rc != K_EQUEUED && stop) {
			stopped = 1;
			break;
		}
	}
	if (ferror(f))
		read_err = errno ? errno : EIO;
	free(line);
	if (!is_stdin)
		fclose(f);
	c->in_batch = 0;
	if (read_err)
		return kerr_set(e, K_EIO, "batch: %s: read error after line %ld: %s", name, lineno,
		                strerror(read_err));

	/* What the lines queued goes out once, now. */
	int pushed = K_OK;
	struct kerr pe = {0};
	if (t.queued)
		pushed = cmd_push(c, &pe);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "file", name);
		json_add_int(o, "lines", t.lines);
		json_add_int(o, "ok", t.ok);
		json_add_int(o, "queued", t.queued);
		json_add_int(o, "failed", t.failed);
		cJSON_AddBoolToObject(o, "stopped", stopped);
		cJSON_AddBoolToObject(o, "delivered", t.queued && pushed == K_OK);
		cmd_print_json(c, o);
	} else if (c->verbosity >= 0) {
		fprintf(c->err, "batch %s: %ld command%s, %ld done, %ld queued, %ld failed%s%s\n",
		        name, t.lines, t.lines == 1 ? "" : "s", t.ok, t.queued, t.failed,
		        stopped ? ", stopped at the first failure" : "",
		        t.queued ? (pushed == K_OK ? "; queued work delivered"
		                                   : "; queued work waits for `kontor sync`")
		                 : "");
	}
	if (t.failed)
		return kerr_set(e, K_EPARTIAL, "batch %s: %ld of %ld commands failed", name,
		                t.failed, t.lines);
	if (t.queued && pushed != K_OK)
		return kerr_set(e, K_EQUEUED, "%s", pe.msg[0] ? pe.msg : "queued in the outbox");
	return K_OK;
}

const struct cmd_entry cmd_batch_entries[] = {
    {"batch", "[FILE|-] [--stop-on-error]", "run commands from a file, one per line",
     "stop-on-error", 0, 1, run_batch,
     "Reads FILE (or standard input when FILE is - or absent) and runs each line as a\n"
     "kontor command, without the word kontor: `listing add --title \"Oak desk\" ...`.\n"
     "Words are split at spaces; '...' quotes literally, \"...\" quotes with \\\" and \\\\\n"
     "as the only escapes, a backslash outside quotes escapes the next character, and #\n"
     "at the start of a word begins a comment. Global options (--home, --node, --json,\n"
     "-q, -v, --passphrase-file) go on the batch command line and hold for every line.\n"
     "The identity and the cache are opened once; work the lines queue is pushed to the\n"
     "node once, at the end. A failed line is reported as FILE:LINE: reason and the\n"
     "others still run, unless --stop-on-error stops at the first. A summary follows.\n"
     "With --json every object a line prints says its \"line\", a failed line prints\n"
     "{\"error\", \"exit\", \"line\"} on standard output too, and the summary comes last.\n"
     "Exit status: 0 all done, 3 some lines failed, 4 all worked but some work is still\n"
     "queued (no node reachable), 1 the file could not be read."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
