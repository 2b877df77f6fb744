/* ctx — what commands share: the home directory, the cache, the identity and the
 * passphrase prompt. Everything opens on first use so `kontor help` touches no file. */
#include "cmd.h"

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
	c->out = stdout;
	c->err = stderr;
}

void ctx_done(struct ctx *c)
{
	store_close(&c->store);
	if (c->have_key)
		kcrypto_keypair_wipe(&c->kp);
	c->have_key = 0;
}

void ctx_path(const struct ctx *c, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", c->home, name);
}

int ctx_store(struct ctx *c, struct store **out, struct kerr *e)
{
	if (!c->store) {
		struct stat st;
		if (stat(c->home, &st) != 0)
			return kerr_set(e, K_ENOTFOUND,
			                "no kontor home at %s: run `kontor init` first", c->home);
		char path[4096];
		ctx_path(c, "cache.db", path, sizeof path);
		int rc = store_open(path, &c->store, e);
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

static int ask_tty(const char *prompt, char *out, size_t cap)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct termios old, quiet;
	int have = tcgetattr(fd, &old) == 0;
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
	return K_OK;
}

int ctx_identity(struct ctx *c, struct kerr *e)
{
	if (c->have_key)
		return K_OK;
	char path[4096];
	ctx_path(c, "identity.key", path, sizeof path);
	int enc = kcrypto_identity_encrypted(path, e);
	if (enc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no identity at %s: run `kontor init` first", path);
	if (enc < 0)
		return enc;
	char pass[1024] = "";
	if (enc) {
		int rc = ctx_passphrase(c, "Passphrase for your kontor identity: ", 0, pass,
		                        sizeof pass, e);
		if (rc)
			return rc;
	}
	int rc = kcrypto_identity_load(path, enc ? pass : NULL, &c->kp, e);
	explicit_bzero(pass, sizeof pass);
	if (rc)
		return rc;
	c->have_key = 1;
	kcrypto_account_id(c->kp.pk, c->self_id);
	return K_OK;
}
