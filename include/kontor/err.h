/* err — the one way kontor fails: a negative status from one project-wide enum, and a
 * struct kerr carrying a human sentence that names the file, line, field or method.
 * Never exits; never allocates (the message lives inside the struct). */
#ifndef KONTOR_ERR_H
#define KONTOR_ERR_H

#include <stddef.h>

enum kstatus {
	K_OK = 0,
	K_EFAIL = -1,      /* generic failure */
	K_EINVAL = -2,     /* bad input: a field, a value, a line */
	K_ENOMEM = -3,     /* allocation failed (normally we abort instead) */
	K_EIO = -4,        /* file or OS error */
	K_ENOTFOUND = -5,  /* no such object, file or command */
	K_EEXIST = -6,     /* already exists */
	K_EVERIFY = -7,    /* a signature or hash does not check out */
	K_EUSAGE = -8,     /* wrong command-line usage */
	K_ECRYPTO = -9,    /* crypto library failure */
	K_EPASS = -10,     /* wrong passphrase */
	K_ERANGE = -11,    /* number out of range or overflow */
	K_EDB = -12,       /* database error */
	K_ENEWER = -13,    /* data written by a newer kontor */
	K_ENET = -14,      /* network unreachable or broken */
	K_ETOOBIG = -15,   /* input over its limit */
	K_ECONFLICT = -16, /* state conflict */
	K_EPARTIAL = -17,  /* some items failed */
	K_EQUEUED = -18,   /* queued offline, not yet on the node */
	K_EPERM = -19,     /* not yours */
};

#define KERR_MSG_MAX 512

struct kerr {
	int code;               /* one of enum kstatus */
	char msg[KERR_MSG_MAX]; /* one sentence, no trailing newline */
};

/* Human name of a status ("bad input", "verification failed", ...). Never NULL. */
const char *kstatus_str(int code);

/* Fills e (which may be NULL) and returns code, so callers write
 * `return kerr_set(e, K_EINVAL, "line %d: ...", n);`. */
int kerr_set(struct kerr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of the message already in e (for adding context). */
void kerr_prefix(struct kerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void kerr_clear(struct kerr *e);

#endif
