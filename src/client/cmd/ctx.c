/* ctx — what commands share: the home directory, the cache, the identity and the
 * passphrase prompt. Everything opens on first use so `kontor help` touches no file. */
#include "cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/crypto.h"

void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof *c);
	c->in = stdin;
	c->out = stdout;
	c->err = stderr;
}

void ctx_done(struct ctx *c)
{
	cmd_result_clear(&c->res);
	store_close(&c->store);
	if (c->have_key)
		kcrypto_keypair_wipe(&c->kp);
	c->have_key = 0;
}

int ctx_read_file(struct ctx *c, const char *path, size_t max, struct kbuf *out, struct kerr *e)
{
	if (strcmp(path, "-") != 0)
		return kbuf_read_file(path, max, out, e);
	/* the front end's standard input: the TUI gives /dev/null, never the keyboard */
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, c->in)) > 0) {
		if (out->len + n > max)
			return kerr_set(e, K_ETOOBIG, "%s: larger than the limit of %zu bytes",
			                path, max);
		kbuf_append(out, chunk, n);
	}
	if (ferror(c->in))
		return kerr_set(e, K_EIO, "%s: read error: %s", path, strerror(errno));
	if (!out->data)
		kbuf_reserve(out, 0), out->data[0] = '\0';
	return K_OK;
}

void ctx_path(const struct ctx *c, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", c->home, name);
}

/* mkdir -p with mode 0700 for the parts we create. */
static int make_dirs(const char *path, struct kerr *e)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char save = *p;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return kerr_set(e, K_EIO, "cannot create %s: %s", tmp, strerror(errno));
		*p = save;
		if (!save)
			break;
	}
	return K_OK;
}

/* Makes each regular file directly in dir 0600 (symlinks and subdirectories are left
 * alone); returns how many it changed. */
static int tighten_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 077))
			continue;
		if (fchmodat(dirfd(d), de->d_name, st.st_mode & 0700, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int ctx_home(struct ctx *c, int create, struct kerr *e)
{
	static int done; /* one home per process */
	if (done)
		return K_OK;
	/* Everything kontor writes from here on (cache.db and its WAL and SHM, identity.key,
	 * temporary files) is created 0600 whatever the caller's umask. */
	umask(077);
	struct stat st;
	if (stat(c->home, &st) != 0) {
		if (!create)
			return kerr_set(e, K_ENOTFOUND,
			                "no kontor home at %s: run `kontor init` first", c->home);
		int rc = make_dirs(c->home, e);
		if (rc)
			return rc;
		if (stat(c->home, &st) != 0)
			return kerr_set(e, K_EIO, "%s: %s", c->home, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return kerr_set(e, K_EIO, "kontor home %s is not a directory", c->home);
	done = 1;
	/* Contracts, orders and message text live here: a home that others may read (a
	 * directory made by hand, or by an older kontor under umask 022) is made private. */
	int dir = (st.st_mode & 077) != 0;
	if (dir && chmod(c->home, 0700) != 0) {
		fprintf(c->err,
		        "kontor: warning: %s is readable by others (mode %04o) and cannot "
		        "be made private: %s\n",
		        c->home, (unsigned)(st.st_mode & 07777), strerror(errno));
		return K_OK;
	}
	int files = tighten_files(c->home);
	if (dir || files) {
		struct kbuf m = KBUF_INIT;
		if (dir)
			kbuf_printf(&m, "%s was readable by others (mode %04o): made it 0700",
			            c->home, (unsigned)(st.st_mode & 07777));
		if (files)
			kbuf_printf(&m, "%s%d file%s in %s could be read by others: made 0600",
			            dir ? "; " : "", files, files == 1 ? "" : "s",
			            dir ? "it" : c->home);
		fprintf(c->err, "kontor: %s\n", kbuf_str(&m));
		kbuf_free(&m);
	}
	return K_OK;
}

int ctx_store(struct ctx *c, struct store **out, struct kerr *e)
{
	if (!c->store) {
		int rc = ctx_home(c, 0, e);
		if (rc)
			return rc;
		char path[4096];
		ctx_path(c, "cache.db", path, sizeof path);
		rc = store_open(path, &c->store, e);
		if (rc)
			return rc;
	}
	*out = c->store;
	return K_OK;
}

int ctx_self(struct ctx *c, struct kerr *e)
{
	if (c->self_id[0])
		return K_OK;
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	char *id = NULL;
	rc = store_meta_get(s, "self.id", &id, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no identity in %s: run `kontor init` first",
		                c->home);
	if (rc)
		return rc;
	snprintf(c->self_id, sizeof c->self_id, "%s", id);
	free(id);
	return K_OK;
}

void cmd_copy_upper(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < cap; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
	dst[i] = '\0';
}

void ctx_self_country(struct ctx *c, char out[3])
{
	out[0] = 0;
	struct store *s;
	struct kerr e;
	struct account acc;
	if (ctx_self(c, &e) || ctx_store(c, &s, &e) ||
	    store_account_get(s, c->self_id, &acc, NULL) != K_OK)
		return;
	snprintf(out, 3, "%.2s", acc.country);
	account_free(&acc);
}

int ctx_list_objects(struct ctx *c, const char *type, const char *parent,
                     int (*each)(void *c, const struct cJSON *obj), struct kerr *e)
{
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = ctx_self(c, e);
	if (!rc)
		rc = store_object_each(s, type, parent, each, c, e);
	return rc;
}

static int read_line_fd(int fd, char *out, size_t cap)
{
	size_t n = 0;
	char ch;
	ssize_t r;
	while ((r = read(fd, &ch, 1)) == 1 && ch != '\n') {
		if (n + 1 < cap)
			out[n++] = ch;
	}
	out[n] = '\0';
	if (n > 0 && out[n - 1] == '\r')
		out[--n] = '\0';
	return r < 0 ? -1 : (int)n;
}

/* Asks on the terminal (not stdin: a script's input stays its own), without echo unless
 * echo is set. -1 when there is no terminal. */
static int ask_tty_mode(const char *prompt, char *out, size_t cap, int echo)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct termios old, quiet;
	int have = !echo && tcgetattr(fd, &old) == 0;
	if (have) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		/* nothing to do: the read below still works */
	}
	int n = read_line_fd(fd, out, cap);
	if (have)
		tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	return n;
}

static int ask_tty(const char *prompt, char *out, size_t cap)
{
	return ask_tty_mode(prompt, out, cap, 0);
}

void ctx_tty_say(const char *text)
{
	int fd = open("/dev/tty", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0) {
		/* nothing to do: the person misses a line, the command goes on */
	}
	close(fd);
}

static int ask_tty_echo(const char *prompt, char *out, size_t cap)
{
	return ask_tty_mode(prompt, out, cap, 1);
}

int ctx_passphrase(struct ctx *c, const char *prompt, int confirm, char *out, size_t cap,
                   struct kerr *e)
{
	if (c->passphrase_file) {
		int fd = open(c->passphrase_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return kerr_set(e, K_EIO, "%s: %s", c->passphrase_file, strerror(errno));
		int n = read_line_fd(fd, out, cap);
		close(fd);
		if (n <= 0)
			return kerr_set(e, K_EPASS, "%s: the passphrase file is empty",
			                c->passphrase_file);
		return K_OK;
	}
	const char *env = getenv("KONTOR_PASSPHRASE");
	if (env) {
		if (!*env)
			return kerr_set(e, K_EPASS, "KONTOR_PASSPHRASE is set but empty");
		snprintf(out, cap, "%s", env);
		return K_OK;
	}
	c->pass_typed = 0;
	int n = ask_tty(prompt, out, cap);
	if (n < 0)
		return kerr_set(e, K_EPASS,
		                "a passphrase is needed and there is no terminal to ask on: use "
		                "--passphrase-file FILE or KONTOR_PASSPHRASE");
	if (n == 0)
		return kerr_set(e, K_EPASS, "empty passphrase");
	if (confirm) {
		char again[1024];
		ask_tty("Same passphrase again: ", again, sizeof again);
		int same = strcmp(again, out) == 0;
		explicit_bzero(again, sizeof again);
		if (!same)
			return kerr_set(e, K_EPASS,
			                "the two passphrases differ; nothing was changed");
	}
	c->pass_typed = 1;
	return K_OK;
}

int ctx_confirm(const char *question)
{
	char answer[16];
	int n = ask_tty_echo(question, answer, sizeof answer);
	return n > 0 && (answer[0] == 'y' || answer[0] == 'Y');
}

int ctx_key_locked(struct ctx *c)
{
	if (c->have_key || c->passphrase_file || getenv("KONTOR_PASSPHRASE"))
		return 0;
	char path[4096];
	ctx_path(c, "identity.key", path, sizeof path);
	return kcrypto_identity_encrypted(path, NULL) == 1;
}

int ctx_identity(struct ctx *c, struct kerr *e)
{
	if (c->have_key)
		return K_OK;
	int hrc = ctx_home(c, 0, e);
	if (hrc == K_ENOTFOUND) {
		char key[4096];
		ctx_path(c, "identity.key", key, sizeof key);
		return kerr_set(e, K_ENOTFOUND, "no identity at %s: run `kontor init` first", key);
	}
	if (hrc)
		return hrc;
	char path[4096];
	ctx_path(c, "identity.key", path, sizeof path);
	int enc = kcrypto_identity_encrypted(path, e);
	if (enc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no identity at %s: run `kontor init` first", path);
	if (enc < 0)
		return enc;
	char pass[1024] = "";
	int rc = K_OK;
	/* A passphrase typed at the terminal gets three tries; one from a file or
	 * KONTOR_PASSPHRASE gets one (a script that retried would only retry the same). */
	for (int tries = 1;; tries++) {
		if (enc && (rc = ctx_passphrase(c, "Passphrase for your kontor identity: ", 0, pass,
		                                sizeof pass, e)))
			return rc;
		rc = kcrypto_identity_load(path, enc ? pass : NULL, &c->kp, e);
		explicit_bzero(pass, sizeof pass);
		if (rc != K_EPASS || !c->pass_typed || tries >= 3)
			break;
		ctx_tty_say("Wrong passphrase; try again.\n");
	}
	if (rc == K_EPASS && c->pass_typed)
		kerr_set(e, K_EPASS, "wrong passphrase for %s, three times", path);
	if (rc)
		return rc;
	c->have_key = 1;
	kcrypto_account_id(c->kp.pk, c->self_id);
	return K_OK;
}
