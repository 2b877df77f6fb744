/* ui/editor — a long message written in $VISUAL or $EDITOR (vi when neither is set): curses
 * steps aside, the editor runs on a private temporary file (0600, in $TMPDIR, removed
 * after), the screen comes back, and the text is handed to the conversation view, which
 * sends it through `chat send` as a message typed on the line. */
#include "ui.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EDIT_MAX (16 * 1024) /* a sealed message's text is bounded */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Runs $KONTOR_EDITOR on path with the terminal given back; its exit status, -1 when it
 * could not run. */
static int run_editor(const char *path)
{
	struct sigaction ign, old_int, old_quit;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	/* as system(3): a ^C in the editor is the editor's */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		/* $EDITOR may carry arguments ("emacs -nw"): the shell splits it */
		execl("/bin/sh", "sh", "-c", "exec $KONTOR_EDITOR \"$1\"", "sh", path,
		      (char *)NULL);
		_exit(127);
	}
	int status = -1;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (pid < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *ui_compose_editor(struct ui *u)
{
	char *msg = NULL;
	const char *editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/kontor-message-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	mode_t old_mask = umask(077);
	int fd = mkstemp(path);
	umask(old_mask);
	if (fd < 0) {
		ui_say(u, "error: no temporary file in %s: %s", tmp && *tmp ? tmp : "/tmp",
		       strerror(errno));
		return NULL;
	}
	fchmod(fd, 0600);
	close(fd);
	setenv("KONTOR_EDITOR", editor, 1);
	def_prog_mode();
	endwin();
	int rc = run_editor(path);
	unsetenv("KONTOR_EDITOR");
	reset_prog_mode();
	clearok(curscr, TRUE);
	u->dirty |= DIRTY_ALL;
	struct kbuf text = KBUF_INIT;
	struct kerr e = {0};
	int rd = kbuf_read_file(path, EDIT_MAX, &text, &e);
	unlink(path);
	if (rc != 0) {
		ui_say(u, "error: the editor (%s) exited with %d: nothing sent", editor, rc);
	} else if (rd != K_OK) {
		ui_say(u, "error: %s: nothing sent",
		       rd == K_ETOOBIG ? "the message is over 16 KiB" : e.msg);
	} else {
		size_t a = 0, b = text.len;
		while (a < b && is_blank(text.data[a]))
			a++;
		while (b > a && is_blank(text.data[b - 1]))
			b--;
		if (a == b) {
			ui_say(u, "the message was empty: nothing sent");
		} else {
			if (memchr(text.data + a, '\0', b - a))
				ui_say(u, "error: the message holds a NUL byte: nothing sent");
			else
				msg = xstrndup(text.data + a, b - a);
		}
	}
	kbuf_free(&text);
	return msg;
}
