/* notify — running the notify-command (see notify.h). */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "kontor/ktime.h"
#include "kontor/text.h"
#include "ui/ui.h"

#define DETACHED_MAX 4     /* runs of the TUI's at once */
#define TERM_GRACE_MS 1000 /* from SIGTERM to SIGKILL */

extern char **environ;

void notify_conf_init(struct notify_conf *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_s = NOTIFY_TIMEOUT_S;
}

int notify_conf_env(struct notify_conf *c, struct kerr *e)
{
	const char *v = getenv("KONTOR_NOTIFY_TIMEOUT");
	int timeout = c->timeout_s, text = c->text;
	if (v && *v) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || *end || n < 1 || n > NOTIFY_TIMEOUT_MAX)
			return kerr_set(
			    e, K_EUSAGE,
			    "KONTOR_NOTIFY_TIMEOUT=%.20s: whole seconds from 1 to %d, please", v,
			    NOTIFY_TIMEOUT_MAX);
		timeout = (int)n;
	}
	if ((v = getenv("KONTOR_NOTIFY_TEXT")) && *v) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return kerr_set(e, K_EUSAGE, "KONTOR_NOTIFY_TEXT=%.20s: yes or no, please",
			                v);
		text = strcmp(v, "yes") == 0;
	}
	if ((v = getenv("KONTOR_NOTIFY_COMMAND"))) {
		if (strlen(v) >= sizeof c->command)
			return kerr_set(e, K_EUSAGE, "KONTOR_NOTIFY_COMMAND: longer than %d bytes",
			                NOTIFY_COMMAND_MAX - 1);
		snprintf(c->command, sizeof c->command, "%s", v);
	}
	c->timeout_s = timeout;
	c->text = text;
	return K_OK;
}

int notify_conf_load(struct notify_conf *c, struct kerr *e)
{
	notify_conf_init(c);
	struct ui_config *cfg = xmalloc(sizeof *cfg);
	ui_config_init(cfg);
	int rc = ui_config_load(cfg, e);
	if (rc == K_OK) {
		snprintf(c->command, sizeof c->command, "%s", cfg->notify_cmd);
		c->text = cfg->notify_text;
	}
	ui_config_free(cfg);
	free(cfg);
	int erc = notify_conf_env(c, rc ? NULL : e);
	return rc ? rc : erc;
}

void notify_result_words(const struct notify_result *r, char *out, size_t cap)
{
	if (!r->ran)
		snprintf(out, cap, "could not start: %s", r->why);
	else if (r->stopped)
		snprintf(out, cap, "ended as kontor quit (it had not finished)");
	else if (r->timed_out)
		snprintf(out, cap, "killed after %d s (it did not finish)", (r->ms + 500) / 1000);
	else if (r->signal)
		snprintf(out, cap, "killed by signal %d", r->signal);
	else
		snprintf(out, cap, "exited %d", r->exit_code);
}

int notify_result_failed(const struct notify_result *r)
{
	return !r->ran || r->timed_out || r->stopped || r->signal || r->exit_code != 0;
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Waits for pid until deadline (monotonic ms) or *stop; 1 when it ended (status filled). */
static int wait_until(pid_t pid, int64_t deadline, const int *stop, int *status)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 1;
		if (w < 0 && errno != EINTR)
			return 1; /* not ours to wait for any more: gone */
		if (ktime_mono_us() / 1000 >= deadline ||
		    (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)))
			return 0;
		nap_ms(20);
	}
}

static void log_run(const char *home, const struct notify_result *r, const char *summary)
{
	if (!home)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/notify.log", home);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return; /* a log that cannot be written changes nothing else */
	char now[MODEL_TIME_LEN + 1], words[256];
	model_now(now);
	notify_result_words(r, words, sizeof words);
	struct kbuf line = KBUF_INIT, safe = KBUF_INIT;
	text_sanitize(&safe, summary, strlen(summary), 0);
	kbuf_printf(&line, "%s notify-command %s (%d ms): %s\n", now, words, r->ms,
	            kbuf_str(&safe));
	ssize_t w = write(fd, line.data, line.len);
	(void)w;
	close(fd);
	kbuf_free(&line);
	kbuf_free(&safe);
}

static void run(const struct notify_conf *c, const char *summary, int quiet, const char *home,
                const int *stop, struct notify_result *r)
{
	memset(r, 0, sizeof *r);
	r->exit_code = -1;
	struct cmd_words words = {0, NULL};
	struct kerr e = {0, ""};
	if (cmd_split_line(c->command, strlen(c->command), &words, &e) != K_OK || words.argc == 0) {
		snprintf(r->why, sizeof r->why, "%s",
		         words.argc == 0 && !e.msg[0] ? "the command is empty" : e.msg);
		cmd_words_free(&words);
		log_run(home, r, summary);
		return;
	}
	/* argv: the command's own words, then the summary as one more argument. */
	char **argv = xcalloc((size_t)words.argc + 2, sizeof *argv);
	for (int i = 0; i < words.argc; i++)
		argv[i] = words.argv[i];
	argv[words.argc] = (char *)summary;

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	} else {
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	}
	posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* the cache, sockets, the pipe */
	sigset_t none, dflt;
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, 0); /* its own group: a time limit takes its children too */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	                                  POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int64_t start = ktime_mono_us() / 1000;
	int err = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (err) {
		snprintf(r->why, sizeof r->why, "%.100s: %s", argv[0], strerror(err));
	} else {
		r->ran = 1;
		int status = 0;
		if (!wait_until(pid, start + (int64_t)c->timeout_s * 1000, stop, &status)) {
			r->timed_out = 1;
			r->stopped = stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE);
			kill(-pid, SIGTERM);
			if (!wait_until(pid, ktime_mono_us() / 1000 + TERM_GRACE_MS, NULL,
			                &status)) {
				kill(-pid, SIGKILL);
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
			}
		} else if (WIFEXITED(status)) {
			r->exit_code = WEXITSTATUS(status);
		} else if (WIFSIGNALED(status)) {
			r->signal = WTERMSIG(status);
		}
		r->ms = (int)(ktime_mono_us() / 1000 - start);
	}
	free(argv);
	cmd_words_free(&words);
	log_run(home, r, summary);
}

void notify_run(const struct notify_conf *c, const char *summary, int quiet, const char *home,
                struct notify_result *r)
{
	run(c, summary, quiet, home, NULL, r);
}

/* ---------------------------------------------------------------- detached runs */

static pthread_mutex_t det_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t det_cv = PTHREAD_COND_INITIALIZER;
static int det_running;
static int det_stop; /* notify_wait_detached(1): end them now */

struct det_job {
	struct notify_conf conf;
	char summary[NOTIFY_SUMMARY_MAX];
	char *home;
};

static void *det_main(void *arg)
{
	struct det_job *j = arg;
	struct notify_result r;
	run(&j->conf, j->summary, 1, j->home, &det_stop, &r);
	free(j->home);
	free(j);
	pthread_mutex_lock(&det_mu);
	det_running--;
	pthread_cond_broadcast(&det_cv);
	pthread_mutex_unlock(&det_mu);
	return NULL;
}

void notify_run_detached(const struct notify_conf *c, const char *summary, const char *home)
{
	pthread_mutex_lock(&det_mu);
	int busy = det_running >= DETACHED_MAX;
	if (!busy)
		det_running++;
	pthread_mutex_unlock(&det_mu);
	if (busy) {
		struct notify_result r;
		memset(&r, 0, sizeof r);
		snprintf(r.why, sizeof r.why, "%d earlier runs are still going; skipped",
		         DETACHED_MAX);
		log_run(home, &r, summary);
		return;
	}
	struct det_job *j = xcalloc(1, sizeof *j);
	j->conf = *c;
	snprintf(j->summary, sizeof j->summary, "%s", summary);
	j->home = home ? xstrdup(home) : NULL;
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, det_main, j) != 0) {
		struct notify_result r;
		memset(&r, 0, sizeof r);
		snprintf(r.why, sizeof r.why, "no thread to run it in");
		log_run(home, &r, summary);
		free(j->home);
		free(j);
		pthread_mutex_lock(&det_mu);
		det_running--;
		pthread_mutex_unlock(&det_mu);
	}
	pthread_attr_destroy(&a);
}

void notify_wait_detached(int now)
{
	if (now)
		__atomic_store_n(&det_stop, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&det_mu);
	while (det_running > 0)
		pthread_cond_wait(&det_cv, &det_mu);
	pthread_mutex_unlock(&det_mu);
	__atomic_store_n(&det_stop, 0, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- around a sync */

void notify_watch_begin(struct notify_watch *w, const struct notify_conf *c, struct store *s,
                        const char *node, const char *self, int news)
{
	memset(w, 0, sizeof *w);
	if ((!c->command[0] && !news) || !s || !self || !*self)
		return;
	struct kerr e = {0, ""};
	w->on = inbox_collect(s, node, self, NULL, &w->before, &e) == K_OK;
}

int notify_watch_end(struct notify_watch *w, const struct notify_conf *c, struct store *s,
                     const char *node, const char *self, const struct kkeypair *kp,
                     struct inbox *news)
{
	memset(news, 0, sizeof *news);
	struct inbox after;
	struct kerr e = {0, ""};
	if (w->on && inbox_collect(s, node, self, c->text ? kp : NULL, &after, &e) == K_OK) {
		const struct inbox_item **v = xcalloc(after.n ? after.n : 1, sizeof *v);
		size_t got = inbox_news(&w->before, &after, v, after.n);
		news->v = xcalloc(got ? got : 1, sizeof *news->v);
		for (size_t i = 0; i < got; i++)
			news->v[news->n++] = *v[i];
		free(v);
		inbox_free(&after);
	}
	inbox_free(&w->before);
	w->on = 0;
	return (int)news->n;
}

void notify_news_line(const struct inbox *news, char *out, size_t cap)
{
	if (cap)
		out[0] = '\0';
	if (!news->n)
		return;
	size_t n = news->n < 64 ? news->n : 64; /* the line holds fewer */
	const struct inbox_item **v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &news->v[i];
	inbox_summary(v, n, news->n, out, cap);
	free(v);
}

int notify_news_run(const struct notify_conf *c, const struct inbox *news, const char *home,
                    int detached, struct notify_result *r)
{
	if (r)
		memset(r, 0, sizeof *r);
	if (!c->command[0] || !news->n)
		return 0;
	char line[NOTIFY_SUMMARY_MAX];
	notify_news_line(news, line, sizeof line);
	if (detached) {
		notify_run_detached(c, line, home);
	} else {
		struct notify_result tmp;
		notify_run(c, line, 0, home, r ? r : &tmp);
	}
	return 1;
}
