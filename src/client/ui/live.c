/* ui/live — the TUI kept in step with the node without ever stopping the screen.
 *
 * A worker thread syncs (push the outbox, pull the changes) with its own store handle
 * (SQLite WAL: the UI keeps reading) and its own network handle: at the start, every
 * sync-interval seconds, at once after a write the UI queued, on `:sync`, and whenever the
 * node's GET /events stream (held open by a second thread while the node answers) says a
 * state moved. The same worker fetches translations. Neither thread touches curses: they
 * leave their news under a mutex and write a byte into a pipe the main loop polls beside
 * the keyboard. On quit a flag aborts every transfer (libcurl's progress callback, about
 * once a second even on a dead link) and the threads are joined. After a failed sync the
 * next one the timer or the node's events would start waits, longer after each failure
 * (5 s doubling to 10 min): a node that fails every sync is not asked again and again. A
 * person's `:sync` or write goes at once. */
#include "ui.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../net/http.h"
#include "../net/sync.h"
#include "../notify.h"
#include "../stock.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/text.h"

#define TQ_MAX 64        /* translations waiting or answered, each way */
#define EV_LINE_MAX 4096 /* an /events line longer than this is dropped */
#define EV_PING_S 10     /* asked of the node: a comment line this often */
#define EV_STALL_S 35    /* no byte for this long: the stream is dead */
#define EV_BACKOFF_MIN_MS 500
#define EV_BACKOFF_MAX_MS 8000
#define TRANSLATE_BODY_MAX (256 * 1024)
#define TRANSLATE_TEXT_MAX (64 * 1024)
#define SYNCING_SHOWN_MS 800 /* a sync says "syncing…" once it takes longer than this */
#define SYNCING_TICK_MS 1000 /* and then redraws its bytes this often */
#define SYNC_BACKOFF_MIN_MS 5000L
#define SYNC_BACKOFF_MAX_MS 600000L
#define STATUS_WHY_COLS 36 /* of a failed sync's reason on the status line */

enum live_state {
	LS_START,   /* nothing tried yet */
	LS_SYNCED,  /* the last sync went through */
	LS_OFFLINE, /* the node could not be reached */
	LS_REFUSED, /* the last push had a refusal, or refused entries wait */
	LS_LOCKED,  /* no key yet to sign with */
	LS_FAILED,  /* something else (a changed node key, the cache) */
};

struct tjob {
	char *url, *lang, *hash, *text;
	ui_translated_fn done; /* called on the main thread with the outcome */
};

struct tdone {
	char *hash, *error; /* error NULL: stored in the cache */
	ui_translated_fn done;
};

struct ui_live {
	pthread_t worker, events;
	int have_worker, have_events;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pipe[2];
	int quit; /* read and written atomically; the knet abort flag */
	/* fixed before the threads start */
	char db[4096];
	int have_node;
	char node[64], self[KCRYPTO_ID_LEN + 1];
	char url[1024], ca[4096], pin[KNET_NODE_KEY_MAX], tls_pin[KNET_TLS_PIN_MAX];
	int interval;
	long timeout;              /* `set sync-timeout` */
	struct notify_conf notify; /* `set notify-command`, `set notify-text` */
	char home[4096];           /* notify.log lives there */
	/* under mu */
	struct kkeypair kp;
	int have_key;
	int want_sync;    /* a person asked (`:sync`, a write): at once */
	int event_sync;   /* the node's events asked: once any backoff is over */
	int fails;        /* failed syncs in a row */
	int64_t retry_at; /* mono_ms before which no timer or event sync starts; 0: none */
	int syncing;
	int64_t sync_started; /* monotonic ms */
	enum live_state state;
	char why[256];
	uint64_t bytes;    /* this session, up and down */
	uint64_t inflight; /* the running sync's bytes as they pass (atomic: knet_set_tap) */
	unsigned changed_seq;
	char stock[512]; /* what the last sync did to her stock, for the status line once */
	char news[NOTIFY_SUMMARY_MAX]; /* what it brought to her inbox ("1 new: ..."), the same */
	struct tjob jobs[TQ_MAX];
	int njobs;
	struct tdone done[TQ_MAX];
	int ndone;
	/* the main thread's own */
	unsigned seen_changed;
};

static int quitting(struct ui_live *l)
{
	return __atomic_load_n(&l->quit, __ATOMIC_ACQUIRE);
}

/* Wakes the main loop (never blocks: the pipe is non-blocking, and a full pipe already
 * says there is news). */
static void wake(struct ui_live *l)
{
	char b = 1;
	ssize_t r = write(l->pipe[1], &b, 1);
	(void)r;
}

/* Waits on the condition for up to ms (mu held). */
static void nap(struct ui_live *l, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&l->cv, &l->mu, &until);
}

/* --- the worker: syncs ------------------------------------------------------------ */

static void do_sync(struct ui_live *l, struct store *s, const struct kkeypair *kp)
{
	struct sync_stats st;
	memset(&st, 0, sizeof st);
	struct kerr e = {0};
	struct ksync *k = NULL;
	struct notify_watch nw; /* what this sync brings new: the status line, the notify-command */
	struct kstrv brief = {
	    0}; /* the listings whose stock its orders moved, for the status line */
	notify_watch_begin(&nw, &l->notify, s, l->node, l->self, 1);
	/* A fresh handle each time: ksync_finish adds the handle's bytes to the node's. */
	int rc = ksync_open(s, l->node, l->self, kp, KSYNC_QUICK, &k, &e);
	if (rc == K_OK) {
		ksync_set_timeout(k, l->timeout);
		knet_set_abort(ksync_net(k), &l->quit);
		knet_set_tap(ksync_net(k), &l->inflight); /* the status line counts as they come */
		rc = ksync_push(k, &st, &e);
		if (rc == K_OK)
			rc = ksync_pull(k, &st, &e);
		/* her stock follows the orders the pull brought, and goes up in this sync */
		struct kerr se = {0};
		if (rc == K_OK && kp &&
		    stock_follow(s, l->self, kp, l->node, NULL, &brief, &se) == K_OK && brief.n)
			rc = ksync_push(k, &st, &e);
		struct kerr fe = {0};
		ksync_finish(k, &st, &fe);
	}
	ksync_close(&k);
	int64_t changed = st.pushed + st.refused;
	for (int t = 0; t < SYNC_NTYPES; t++)
		changed += st.got[t] + st.gone[t];
	struct inbox news;
	char line[NOTIFY_SUMMARY_MAX] = "";
	if (notify_watch_end(&nw, &l->notify, s, l->node, l->self, kp, &news) > 0)
		notify_news_line(&news, line, sizeof line);
	pthread_mutex_lock(&l->mu);
	l->syncing = 0;
	l->bytes += st.bytes_up + st.bytes_down;
	__atomic_store_n(&l->inflight, 0, __ATOMIC_RELAXED); /* counted in bytes now */
	if (rc == K_OK && (st.refused || st.held)) {
		l->state = LS_REFUSED;
		snprintf(l->why, sizeof l->why, "%s", st.first_refusal);
	} else if (rc == K_OK) {
		l->state = LS_SYNCED;
		l->why[0] = '\0';
	} else {
		l->state = rc == K_ENET ? LS_OFFLINE : LS_FAILED;
		snprintf(l->why, sizeof l->why, "%s", e.msg);
	}
	if (rc == K_OK) {
		l->fails = 0;
		l->retry_at = 0;
	} else {
		/* Doubling, with half of it random so many clients do not come back at once. */
		long b = SYNC_BACKOFF_MIN_MS;
		for (int i = 1; i < l->fails + 1 && b < SYNC_BACKOFF_MAX_MS; i++)
			b *= 2;
		if (b > SYNC_BACKOFF_MAX_MS)
			b = SYNC_BACKOFF_MAX_MS;
		l->fails++;
		l->retry_at = ktime_mono_us() / 1000 + b / 2 +
		              (long)randombytes_uniform((uint32_t)(b / 2) + 1);
	}
	if (changed)
		l->changed_seq++;
	if (brief.n) /* the first, and how many more: the status line has one row */
		snprintf(l->stock, sizeof l->stock, "%s%s", brief.v[0],
		         brief.n > 1 ? "; more in Listings" : "");
	if (line[0])
		snprintf(l->news, sizeof l->news, "%s", line);
	pthread_mutex_unlock(&l->mu);
	kstrv_free(&brief);
	wake(l);
	/* Run in a thread of its own: a slow or hanging command never holds the next sync. */
	notify_news_run(&l->notify, &news, l->home, 1, NULL);
	inbox_free(&news);
}

/* --- the worker: translations ------------------------------------------------------ */

static void job_free(struct tjob *j)
{
	free(j->url);
	free(j->lang);
	free(j->hash);
	free(j->text);
	memset(j, 0, sizeof *j);
}

static void do_translate(struct ui_live *l, struct store *s, struct tjob *j)
{
	struct kerr e = {0};
	struct knet_response r;
	knet_response_init(&r);
	struct knet_counters cnt;
	memset(&cnt, 0, sizeof cnt);
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "q", j->text);
	cJSON_AddStringToObject(req, "source", "auto");
	cJSON_AddStringToObject(req, "target", j->lang);
	cJSON_AddStringToObject(req, "format", "text");
	struct kbuf body = KBUF_INIT, url = KBUF_INIT;
	json_print(req, &body);
	cJSON_Delete(req);
	size_t ul = strlen(j->url);
	while (ul && j->url[ul - 1] == '/')
		ul--;
	kbuf_append(&url, j->url, ul);
	if (ul < 10 || strcmp(kbuf_str(&url) + ul - 10, "/translate") != 0)
		kbuf_puts(&url, "/translate");
	char *error = NULL;
	int rc = khttp_post_json(kbuf_str(&url), NULL, body.data, body.len, TRANSLATE_BODY_MAX,
	                         &l->quit, &r, &cnt, &e);
	cJSON *ans = NULL;
	if (rc == K_OK && r.status != 200) {
		/* LibreTranslate says {"error": "..."}; shown sanitised by the status line */
		const cJSON *er = NULL;
		if (json_parse(r.body.data ? r.body.data : "", r.body.len, "answer", &ans, NULL) ==
		    K_OK)
			er = cJSON_GetObjectItemCaseSensitive(ans, "error");
		kerr_set(&e, K_EFAIL, "the service answered HTTP %ld%s%.200s", r.status,
		         cJSON_IsString(er) ? ": " : "", cJSON_IsString(er) ? er->valuestring : "");
		rc = K_EFAIL;
	} else if (rc == K_OK) {
		const cJSON *tt = NULL, *dl = NULL;
		if (json_parse(r.body.data ? r.body.data : "", r.body.len, "answer", &ans, &e) ==
		    K_OK) {
			tt = cJSON_GetObjectItemCaseSensitive(ans, "translatedText");
			dl = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(ans, "detectedLanguage"), "language");
		}
		if (!cJSON_IsString(tt) || strlen(tt->valuestring) > TRANSLATE_TEXT_MAX) {
			rc =
			    kerr_set(&e, K_EFAIL,
			             "the service answered without a translatedText (of at most %d "
			             "bytes)",
			             TRANSLATE_TEXT_MAX);
		} else {
			char det[17] = "";
			if (cJSON_IsString(dl) && strlen(dl->valuestring) < sizeof det)
				snprintf(det, sizeof det, "%s", dl->valuestring);
			rc = store_translation_put(s, j->lang, j->hash, tt->valuestring, det, &e);
		}
	}
	cJSON_Delete(ans);
	if (rc != K_OK)
		error = xstrdup(e.msg[0] ? e.msg : kstatus_str(rc));
	knet_response_free(&r);
	kbuf_free(&body);
	kbuf_free(&url);
	pthread_mutex_lock(&l->mu);
	l->bytes += cnt.bytes_up + cnt.bytes_down;
	if (l->ndone < TQ_MAX) {
		l->done[l->ndone].hash = j->hash;
		l->done[l->ndone].error = error;
		l->done[l->ndone].done = j->done;
		l->ndone++;
		j->hash = NULL;
	} else {
		free(error);
	}
	pthread_mutex_unlock(&l->mu);
	job_free(j);
	wake(l);
}

static void *worker_main(void *arg)
{
	struct ui_live *l = arg;
	struct store *s = NULL;
	struct kerr e = {0};
	int rc = store_open(l->db, &s, &e);
	pthread_mutex_lock(&l->mu);
	if (rc != K_OK) {
		l->state = LS_FAILED;
		snprintf(l->why, sizeof l->why, "%s", e.msg);
		pthread_mutex_unlock(&l->mu);
		wake(l);
		return NULL;
	}
	int64_t next = 0; /* when the timer syncs next (mono_ms); 0: the first sync, at once */
	while (!quitting(l)) {
		int64_t now = ktime_mono_us() / 1000;
		int held = l->retry_at && now < l->retry_at; /* backing off after a failure */
		int due = l->have_node &&
		          (l->want_sync || !next ||
		           (!held && (l->event_sync || (l->interval > 0 && now >= next))));
		if (due && !l->have_key) {
			if (l->state != LS_LOCKED) {
				l->state = LS_LOCKED;
				wake(l);
			}
			due = 0;
		}
		if (due) {
			struct kkeypair kp = l->kp;
			l->want_sync = 0;
			l->event_sync = 0;
			l->syncing = 1;
			l->sync_started = ktime_mono_us() / 1000;
			pthread_mutex_unlock(&l->mu);
			wake(l); /* the main loop times "syncing…" from now */
			do_sync(l, s, &kp);
			sodium_memzero(&kp, sizeof kp);
			pthread_mutex_lock(&l->mu);
			next = ktime_mono_us() / 1000 + (l->interval > 0 ? l->interval * 1000L : 0);
			continue;
		}
		if (l->njobs) {
			struct tjob j = l->jobs[0];
			memmove(&l->jobs[0], &l->jobs[1], (size_t)(l->njobs - 1) * sizeof j);
			l->njobs--;
			pthread_mutex_unlock(&l->mu);
			do_translate(l, s, &j);
			pthread_mutex_lock(&l->mu);
			continue;
		}
		/* Asleep until the timer, or the end of a backoff an event sync waits for. */
		int64_t wake_at = 0;
		if (l->have_node && l->have_key) {
			if (l->interval > 0)
				wake_at = held && l->retry_at > next ? l->retry_at : next;
			if (l->event_sync && held && (!wake_at || l->retry_at < wake_at))
				wake_at = l->retry_at;
		}
		if (wake_at)
			nap(l, (long)(wake_at > now ? wake_at - now : 1));
		else
			pthread_cond_wait(&l->cv, &l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	store_close(&s);
	return NULL;
}

/* --- the /events thread ----------------------------------------------------------- */

struct evparse {
	struct ui_live *l;
	char line[EV_LINE_MAX];
	size_t len;
	int overflow;
	char event[32];
	int connected;
	uint64_t streamed; /* body bytes, counted as they come */
};

static void ev_line(struct evparse *p)
{
	struct ui_live *l = p->l;
	if (p->len == 0) { /* the end of an event */
		if (strcmp(p->event, "state") == 0) {
			pthread_mutex_lock(&l->mu);
			l->event_sync = 1;
			pthread_cond_broadcast(&l->cv);
			pthread_mutex_unlock(&l->mu);
		}
		p->event[0] = '\0';
		return;
	}
	if (p->len > 6 && memcmp(p->line, "event:", 6) == 0) {
		const char *v = p->line + 6;
		size_t n = p->len - 6;
		if (n && *v == ' ')
			v++, n--;
		if (n >= sizeof p->event)
			n = 0; /* no event of ours has so long a name */
		memcpy(p->event, v, n);
		p->event[n] = '\0';
	}
	/* data: lines (the states) and comments (pings) need nothing: a pull asks anyway */
}

static int ev_data(void *ctx, const char *d, size_t n)
{
	struct evparse *p = ctx;
	struct ui_live *l = p->l;
	if (!p->connected) {
		/* The node answers: catch up on what was missed while the stream was down. */
		p->connected = 1;
		pthread_mutex_lock(&l->mu);
		l->event_sync = 1;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
	}
	p->streamed += n;
	pthread_mutex_lock(&l->mu);
	l->bytes += n;
	pthread_mutex_unlock(&l->mu);
	for (size_t i = 0; i < n; i++) {
		char ch = d[i];
		if (ch == '\n') {
			if (p->len && p->line[p->len - 1] == '\r')
				p->len--;
			if (!p->overflow)
				ev_line(p);
			p->len = 0;
			p->overflow = 0;
		} else if (p->len < sizeof p->line) {
			p->line[p->len++] = ch;
		} else {
			p->overflow = 1;
		}
	}
	return quitting(l);
}

static void *events_main(void *arg)
{
	struct ui_live *l = arg;
	long backoff = EV_BACKOFF_MIN_MS;
	struct evparse *p = xcalloc(1, sizeof *p);
	p->l = l;
	char path[64];
	snprintf(path, sizeof path, "/events?ping=%d", EV_PING_S);
	while (!quitting(l)) {
		struct knet_opts o = {0};
		o.base_url = l->url;
		o.ca_file = l->ca[0] ? l->ca : NULL;
		o.node_key = l->pin;
		o.tls_pin = l->tls_pin;
		o.connect_timeout_s = 5;
		o.low_speed_time_s = EV_STALL_S;
		o.max_attempts = 1;
		struct knet *n = NULL;
		struct kerr e = {0};
		long status = 0;
		p->len = 0;
		p->overflow = 0;
		p->event[0] = '\0';
		p->connected = 0;
		p->streamed = 0;
		int rc = knet_new(&o, &n, &e);
		if (rc == K_OK) {
			knet_set_abort(n, &l->quit);
			rc = knet_stream(n, path, ev_data, p, &status, &e);
			struct knet_counters c;
			knet_counters(n, &c);
			pthread_mutex_lock(&l->mu);
			uint64_t all = c.bytes_up + c.bytes_down;
			l->bytes += all > p->streamed ? all - p->streamed : 0;
			if (rc == K_EVERIFY) { /* a changed node key: say so, never follow it */
				l->state = LS_FAILED;
				snprintf(l->why, sizeof l->why, "%s", e.msg);
			}
			pthread_mutex_unlock(&l->mu);
			if (rc == K_EVERIFY)
				wake(l);
		}
		knet_free(n);
		if (p->connected)
			backoff = EV_BACKOFF_MIN_MS;
		pthread_mutex_lock(&l->mu);
		if (!quitting(l))
			nap(l, backoff);
		pthread_mutex_unlock(&l->mu);
		backoff = backoff * 2 > EV_BACKOFF_MAX_MS ? EV_BACKOFF_MAX_MS : backoff * 2;
	}
	free(p);
	return NULL;
}

/* --- the main thread's side ------------------------------------------------------- */

int ui_live_active(const struct ui *u)
{
	return u->live && u->live->have_node;
}

/* The key goes to the worker once the UI has it (it may be unlocked later, in a chat). */
static void hand_key(struct ui *u)
{
	struct ui_live *l = u->live;
	if (!l || !u->c->have_key)
		return;
	pthread_mutex_lock(&l->mu);
	if (!l->have_key) {
		l->kp = u->c->kp;
		l->have_key = 1;
		l->want_sync = 1;
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
}

void ui_live_start(struct ui *u)
{
	struct ctx *c = u->c;
	struct kerr e = {0};
	if (knet_global_init(&e) != K_OK) {
		ui_say(u, "no background sync: %s", e.msg);
		return;
	}
	struct ui_live *l = xcalloc(1, sizeof *l);
	ctx_path(c, "cache.db", l->db, sizeof l->db);
	l->interval = u->cfg->sync_interval;
	l->timeout = u->cfg->sync_timeout;
	notify_conf_init(&l->notify);
	snprintf(l->notify.command, sizeof l->notify.command, "%s", u->cfg->notify_cmd);
	l->notify.text = u->cfg->notify_text;
	notify_conf_env(&l->notify, NULL); /* the environment over the config, as for sync */
	snprintf(l->home, sizeof l->home, "%s", c->home);
	char *node = NULL;
	struct node_info ni;
	memset(&ni, 0, sizeof ni);
	if (store_meta_get(u->s, "node", &node, NULL) == K_OK && node && *node &&
	    store_node_get(u->s, node, &ni, NULL) == K_OK) {
		l->have_node = 1;
		snprintf(l->node, sizeof l->node, "%s", node);
		snprintf(l->self, sizeof l->self, "%s", c->self_id);
		snprintf(l->url, sizeof l->url, "%s", ni.url);
		snprintf(l->ca, sizeof l->ca, "%s", ni.ca_file ? ni.ca_file : "");
		snprintf(l->pin, sizeof l->pin, "%s", ni.node_key ? ni.node_key : "");
		snprintf(l->tls_pin, sizeof l->tls_pin, "%s", ni.tls_pin ? ni.tls_pin : "");
		node_info_free(&ni);
	}
	free(node);
	/* An unencrypted key (or one a passphrase is given for) is loaded now; an encrypted
	 * one waits until a chat asks for it, and sync waits with it. */
	if (l->have_node && !c->have_key) {
		char path[4096];
		ctx_path(c, "identity.key", path, sizeof path);
		if (c->passphrase_file || getenv("KONTOR_PASSPHRASE") ||
		    kcrypto_identity_encrypted(path, NULL) == 0) {
			struct kerr ie = {0};
			if (ctx_identity(c, &ie) != K_OK)
				ui_say(u, "no background sync: %s", ie.msg);
		}
	}
	if (pipe2(l->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		ui_say(u, "no background sync: pipe: %s", strerror(errno));
		free(l);
		return;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->want_sync = l->have_node;
	u->live = l;
	hand_key(u);
	/* The threads take no signals: SIGWINCH, SIGINT and the rest stay the main loop's. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	l->have_worker = pthread_create(&l->worker, NULL, worker_main, l) == 0;
	if (l->have_node)
		l->have_events = pthread_create(&l->events, NULL, events_main, l) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!l->have_worker)
		ui_say(u, "no background sync: the worker thread did not start");
}

void ui_live_stop(struct ui *u)
{
	struct ui_live *l = u->live;
	if (!l)
		return;
	__atomic_store_n(&l->quit, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&l->mu);
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (l->have_worker)
		pthread_join(l->worker, NULL);
	if (l->have_events)
		pthread_join(l->events, NULL);
	notify_wait_detached(1); /* a notify-command still running ends with us, logged */
	for (int i = 0; i < l->njobs; i++)
		job_free(&l->jobs[i]);
	for (int i = 0; i < l->ndone; i++) {
		free(l->done[i].hash);
		free(l->done[i].error);
	}
	sodium_memzero(&l->kp, sizeof l->kp);
	close(l->pipe[0]);
	close(l->pipe[1]);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
	u->live = NULL;
}

void ui_live_kick(struct ui *u)
{
	struct ui_live *l = u->live;
	if (!l || !l->have_node)
		return;
	hand_key(u);
	pthread_mutex_lock(&l->mu);
	l->want_sync = 1;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

int ui_live_wait(struct ui *u, int ms)
{
	struct ui_live *l = u->live;
	if (l) {
		hand_key(u);
		/* A sync that takes a while is said on the status line ("syncing…") once it
		 * has: wake up then (a quick one never flickers the line). */
		pthread_mutex_lock(&l->mu);
		int64_t left =
		    l->syncing ? l->sync_started + SYNCING_SHOWN_MS - ktime_mono_us() / 1000 : -1;
		int syncing = l->syncing;
		pthread_mutex_unlock(&l->mu);
		if (left >= 0 && left < ms)
			ms = (int)left + 10;
		else if (syncing && ms > SYNCING_TICK_MS)
			ms = SYNCING_TICK_MS; /* the bytes on the status line move while it runs */
	}
	struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {l ? l->pipe[0] : -1, POLLIN, 0}};
	int r = poll(fds, l ? 2 : 1, ms);
	if (r <= 0 || !l || !(fds[1].revents & POLLIN))
		return 0;
	char buf[64];
	while (read(l->pipe[0], buf, sizeof buf) > 0)
		;
	return 1;
}

int ui_live_translate(struct ui *u, const char *url, const char *lang, const char *hash,
                      const char *text, ui_translated_fn done)
{
	struct ui_live *l = u->live;
	if (!l || !l->have_worker)
		return -1;
	pthread_mutex_lock(&l->mu);
	int ok = l->njobs < TQ_MAX;
	if (ok) {
		struct tjob *j = &l->jobs[l->njobs++];
		j->url = xstrdup(url);
		j->lang = xstrdup(lang);
		j->hash = xstrdup(hash);
		j->text = xstrdup(text);
		j->done = done;
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
	return ok ? 0 : -1;
}

void ui_live_reload(struct ui *u)
{
	store_changed_elsewhere(u->s);
	struct kbuf keep = KBUF_INIT;
	kbuf_puts(&keep, kbuf_str(&u->msg));
	int keep_tab = u->msg_tab;
	ui_reload(u, 0, VIEW_N - 1); /* every view with a reload of its own (views.c) */
	/* a tab whose views keep their own state (priv) and have no reload reads the cache
	 * again when shown */
	struct ui_view *v = ui_cur_view(u);
	if (u->views[ui_tabs[u->tab].root].priv && !v->ops->reload && v->ops->shown)
		v->ops->shown(u);
	kbuf_reset(&u->msg);
	kbuf_puts(&u->msg, kbuf_str(&keep));
	u->msg_tab = keep_tab;
	kbuf_free(&keep);
	u->dirty |= DIRTY_ALL;
}

void ui_live_poll(struct ui *u)
{
	struct ui_live *l = u->live;
	if (!l)
		return;
	struct tdone done[TQ_MAX];
	pthread_mutex_lock(&l->mu);
	int nd = l->ndone;
	memcpy(done, l->done, (size_t)nd * sizeof done[0]);
	l->ndone = 0;
	unsigned changed = l->changed_seq;
	char stock[sizeof l->stock], news[sizeof l->news];
	snprintf(stock, sizeof stock, "%s", l->stock);
	snprintf(news, sizeof news, "%s", l->news);
	l->stock[0] = l->news[0] = '\0';
	pthread_mutex_unlock(&l->mu);
	/* her stock moved, and what came into her inbox: said once, as a command's result is */
	if (stock[0] || news[0])
		ui_say(u, "%s%s%s", stock, stock[0] && news[0] ? " · " : "", news);
	if (changed != l->seen_changed) {
		l->seen_changed = changed;
		ui_live_reload(u);
	}
	for (int i = 0; i < nd; i++) {
		done[i].done(u, done[i].hash, done[i].error);
		free(done[i].hash);
		free(done[i].error);
	}
	u->dirty |= DIRTY_STATUS;
}

/* "synced 2m ago": minutes, so the line changes at most once a minute; "just now" only
 * while the last answer is no older than the sync interval (seconds; 0: none set). */
static void ago(const char *rfc3339, int interval, char *out, size_t cap)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		snprintf(out, cap, "never synced");
		return;
	}
	long d = (long)difftime(time(NULL), timegm(&tm));
	if (d < 0)
		d = 0;
	if (d < 60 && (interval <= 0 || d <= interval))
		snprintf(out, cap, "synced just now");
	else if (d < 60)
		snprintf(out, cap, "synced %lds ago", d);
	else if (d < 3600)
		snprintf(out, cap, "synced %ldm ago", d / 60);
	else if (d < 86400)
		snprintf(out, cap, "synced %ldh ago", d / 3600);
	else
		snprintf(out, cap, "synced %ldd ago", d / 86400);
}

static void human_bytes(struct kbuf *out, uint64_t used)
{
	if (used < 1024)
		kbuf_printf(out, "%llu B", (unsigned long long)used);
	else if (used < 1024 * 1024)
		kbuf_printf(out, "%.1f KiB", (double)used / 1024);
	else if (used < 1024ull * 1024 * 1024)
		kbuf_printf(out, "%.1f MiB", (double)used / (1024 * 1024));
	else
		kbuf_printf(out, "%.2f GiB", (double)used / (1024.0 * 1024 * 1024));
}

void ui_live_count(struct ui *u, uint64_t bytes)
{
	struct ui_live *l = u->live;
	if (!l || !bytes)
		return;
	pthread_mutex_lock(&l->mu);
	l->bytes += bytes;
	pthread_mutex_unlock(&l->mu);
}

void ui_live_status(struct ui *u, struct kbuf *out, size_t *bytes_at)
{
	struct ui_live *l = u->live;
	if (bytes_at)
		*bytes_at = (size_t)-1;
	char *node = NULL;
	long long queued = (long long)store_outbox_count(u->s);
	if (store_meta_get(u->s, "node", &node, NULL) != K_OK || !node || !*node) {
		kbuf_printf(out, " no node · %lld queued ", queued);
		free(node);
		return;
	}
	struct node_info ni;
	char when[40] = "never synced";
	memset(&ni, 0, sizeof ni);
	uint64_t total = 0;
	if (store_node_get(u->s, node, &ni, NULL) == K_OK) {
		ago(ni.last_sync, l ? l->interval : 0, when, sizeof when);
		total = (uint64_t)(ni.bytes_up + ni.bytes_down);
		node_info_free(&ni);
	}
	kbuf_printf(out, " node %s · ", node);
	free(node);
	if (!l || !l->have_node) { /* no worker: what the cache says */
		kbuf_printf(out, "%s · %lld queued", when, queued);
		if (bytes_at)
			*bytes_at = out->len;
		kbuf_puts(out, " · ");
		human_bytes(out, total);
		kbuf_puts(out, " used ");
		return;
	}
	pthread_mutex_lock(&l->mu);
	enum live_state st = l->state;
	int syncing = l->syncing && ktime_mono_us() / 1000 - l->sync_started >= SYNCING_SHOWN_MS;
	uint64_t bytes = l->bytes + __atomic_load_n(&l->inflight, __ATOMIC_RELAXED);
	char why[sizeof l->why];
	snprintf(why, sizeof why, "%s", l->why);
	pthread_mutex_unlock(&l->mu);
	if (syncing)
		kbuf_puts(out, "syncing…");
	else if (st == LS_OFFLINE)
		kbuf_printf(out, "offline · %lld queued", queued);
	else if (st == LS_REFUSED)
		kbuf_puts(out, "refused · see :outbox");
	else if (st == LS_LOCKED)
		kbuf_puts(out, "not syncing: key locked (open a chat)");
	else if (st == LS_FAILED) {
		/* What failed, as far as it fits (`:sync` says it whole). */
		struct kbuf clean = KBUF_INIT;
		text_sanitize(&clean, why, strlen(why), 0);
		kbuf_puts(out, "sync failed: ");
		if (text_width(kbuf_str(&clean)) > STATUS_WHY_COLS) {
			text_clip(out, kbuf_str(&clean), STATUS_WHY_COLS - 1, 0);
			kbuf_puts(out, "…");
		} else {
			kbuf_puts(out, kbuf_str(&clean));
		}
		kbuf_free(&clean);
	} else
		kbuf_puts(out, when);
	if (st != LS_OFFLINE && st != LS_REFUSED)
		kbuf_printf(out, " · %lld queued", queued);
	if (bytes_at)
		*bytes_at = out->len;
	kbuf_puts(out, " · ");
	human_bytes(out, bytes);
	kbuf_puts(out, " used ");
}

/* `:sync` in the TUI: the worker syncs; the status line follows it. A failed sync's reason
 * is said here. */
int ui_live_sync_command(struct ui *u)
{
	struct ui_live *l = u->live;
	if (!l || !l->have_node)
		return 0;
	pthread_mutex_lock(&l->mu);
	char why[256];
	snprintf(why, sizeof why, "%s", l->why);
	enum live_state st = l->state;
	pthread_mutex_unlock(&l->mu);
	ui_live_kick(u);
	if (why[0] && st != LS_SYNCED)
		ui_say(u, "syncing in the background (last time: %s)", why);
	else
		ui_say(u, "syncing in the background");
	return 1;
}
