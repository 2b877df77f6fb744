/* notify — the notify-command (kontor.conf(5) `set notify-command`, as newsboat's
 * notify-program): after a sync, or an /events batch in the TUI, that brought something new
 * for the account (an inbox item that was not there before), it runs once with a one-line
 * summary as its last argument ("2 new: order 3fAx… paid 5,520.00 USD; message from Berlin
 * Interiors"), so a seller can forward it by SMS or mail with a script of her own.
 *
 * It is never a shell: the command is split into words as batch lines are (quotes, no
 * expansion) and run with posix_spawnp, the summary one more argv element; remote text in
 * it can never become a command. Message text sealed to her is in the summary only with
 * `set notify-text yes`. It runs with stdin from /dev/null in a process group of its own;
 * at its time limit (10 s, KONTOR_NOTIFY_TIMEOUT) the group gets SIGTERM, then SIGKILL.
 * Its end (exit status, signal, killed, could not start) is logged one line a run in
 * KONTOR_HOME/notify.log (and, for `kontor sync`, said on stderr when it failed). Whatever
 * it does, the sync it follows is done and stays done. */
#ifndef KONTOR_CLIENT_NOTIFY_H
#define KONTOR_CLIENT_NOTIFY_H

#include "inbox.h"
#include "kontor/crypto.h"
#include "kontor/err.h"

struct store;

#define NOTIFY_COMMAND_MAX 1024
#define NOTIFY_TIMEOUT_S 10    /* the time limit when none is set */
#define NOTIFY_TIMEOUT_MAX 600 /* KONTOR_NOTIFY_TIMEOUT takes 1..this */
#define NOTIFY_SUMMARY_MAX 400 /* bytes of the summary argument */

struct notify_conf {
	char command[NOTIFY_COMMAND_MAX]; /* "" : none */
	int text;                         /* `set notify-text yes`: quote message text */
	int timeout_s;                    /* 1..NOTIFY_TIMEOUT_MAX */
};
void notify_conf_init(struct notify_conf *c); /* no command, no text, 10 s */
/* The environment over what the config said: KONTOR_NOTIFY_COMMAND (set and empty: none
 * for this run), KONTOR_NOTIFY_TEXT (yes or no), KONTOR_NOTIFY_TIMEOUT (whole seconds,
 * 1..600). K_EUSAGE naming the variable for a bad value (c keeps what it had). */
int notify_conf_env(struct notify_conf *c, struct kerr *e);
/* What `kontor sync` uses: the user's config file read as the TUI reads it (only
 * notify-command and notify-text are taken), then the environment. A config that does not
 * parse leaves no command and the reason in e (K_EINVAL naming FILE:LINE). */
int notify_conf_load(struct notify_conf *c, struct kerr *e);

struct notify_result {
	int ran;       /* the command started */
	int exit_code; /* its exit status, -1 when it did not exit on its own */
	int signal;    /* the signal that ended it, 0 when none */
	int timed_out; /* killed at the time limit */
	int stopped;   /* ended early: kontor was quitting (notify_wait_detached(1)) */
	char why[200]; /* why it could not start (ran = 0) */
	int ms;        /* how long it ran */
};
/* "exited 0", "exited 3", "killed by signal 9", "killed after 10 s (it did not finish)",
 * "ended as kontor quit", "could not start: ..." */
void notify_result_words(const struct notify_result *r, char *out, size_t cap);
/* 1 when the run went wrong (not started, non-zero exit, a signal, killed). */
int notify_result_failed(const struct notify_result *r);

/* Runs c's command with summary as its last argument and waits for it (up to its time
 * limit). quiet: its stdout and stderr go to /dev/null (the TUI's screen is the terminal);
 * otherwise its stdout joins our stderr, so `kontor sync --json` stays clean. Logs the run
 * in home/notify.log when home is not NULL. */
void notify_run(const struct notify_conf *c, const char *summary, int quiet, const char *home,
                struct notify_result *r);
/* The same without waiting: a thread of its own waits, kills and logs; the TUI's worker
 * goes on syncing. At most a few at once (a further one is logged as skipped). */
void notify_run_detached(const struct notify_conf *c, const char *summary, const char *home);
/* Waits for the detached runs to end: each within its time limit plus a moment, or, with
 * now set (the TUI is quitting), ended at once as a time limit ends them (and logged so). */
void notify_wait_detached(int now);

/* Around a sync: notify_watch_begin notes the inbox's keys (nothing when c has no command
 * and news is 0); notify_watch_end collects it again (opening messages only when c->text
 * and kp, so their news may quote them): *news gets a copy of the items that are new,
 * newest first (the caller frees it with inbox_free). Returns how many. Neither fails the
 * caller: a cache that cannot be read is no news. */
struct notify_watch {
	struct inbox before;
	int on;
};
void notify_watch_begin(struct notify_watch *w, const struct notify_conf *c, struct store *s,
                        const char *node, const char *self, int news);
int notify_watch_end(struct notify_watch *w, const struct notify_conf *c, struct store *s,
                     const char *node, const char *self, const struct kkeypair *kp,
                     struct inbox *news);
/* The one-line summary of news into out: "2 new: order 3fAx… paid 5,520.00 USD; message
 * from Berlin Interiors" (inbox_summary's), "" when news holds nothing. */
void notify_news_line(const struct inbox *news, char *out, size_t cap);
/* Runs c's command, when it has one and news holds something, with the one-line summary of
 * news: waiting (detached 0; *r, which may be NULL, gets the result) or not. Returns 1 when
 * it ran or was started, 0 when there was nothing to run. */
int notify_news_run(const struct notify_conf *c, const struct inbox *news, const char *home,
                    int detached, struct notify_result *r);

#endif
