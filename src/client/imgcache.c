/* imgcache — a directory of files, the least recently used (oldest mtime) removed first. */
#include "imgcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

void imgcache_key(const char *blob_id, unsigned width, char out[IMGCACHE_KEY_MAX + 1])
{
	if (width)
		snprintf(out, IMGCACHE_KEY_MAX + 1, "%.43s-w%u", blob_id, width);
	else
		snprintf(out, IMGCACHE_KEY_MAX + 1, "%.43s", blob_id);
}

static int key_ok(const char *key)
{
	size_t n = strlen(key);
	return n > 0 && n <= IMGCACHE_KEY_MAX && strspn(key, KEY_CHARS) == n;
}

static void dir_of(const char *home, struct kbuf *out)
{
	kbuf_printf(out, "%s/images", home);
}

int imgcache_get(const char *home, const char *key, size_t max, struct kbuf *out, struct kerr *e)
{
	kbuf_reset(out);
	if (!key_ok(key))
		return kerr_set(e, K_EINVAL, "image cache: '%.70s' is not a key", key);
	struct kbuf path = KBUF_INIT;
	dir_of(home, &path);
	kbuf_printf(&path, "/%s", key);
	struct stat sb;
	int rc;
	if (stat(kbuf_str(&path), &sb) != 0 || !S_ISREG(sb.st_mode))
		rc = kerr_set(e, K_ENOTFOUND, "image %s is not in the cache", key);
	else
		rc = kbuf_read_file(kbuf_str(&path), max, out, e);
	if (rc == K_OK)
		utimensat(AT_FDCWD, kbuf_str(&path), NULL, 0); /* used now */
	kbuf_free(&path);
	return rc;
}

struct entry {
	char name[IMGCACHE_KEY_MAX + 8];
	uint64_t size;
	struct timespec used;
};

static int by_used(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Every file of the cache with its size and time; *used gets the sum. */
static struct entry *list(const char *dir, size_t *n, uint64_t *used)
{
	*n = 0;
	*used = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	struct entry *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof v->name)
			continue;
		struct stat sb;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		snprintf(v[*n].name, sizeof v->name, "%s", de->d_name);
		v[*n].size = (uint64_t)sb.st_size;
		v[*n].used = sb.st_mtim;
		*used += (uint64_t)sb.st_size;
		(*n)++;
	}
	closedir(d);
	return v;
}

uint64_t imgcache_used(const char *home)
{
	struct kbuf dir = KBUF_INIT;
	dir_of(home, &dir);
	size_t n;
	uint64_t used;
	free(list(kbuf_str(&dir), &n, &used));
	kbuf_free(&dir);
	return used;
}

/* Removes the least recently used files of dir until it holds at most keep bytes. */
static void make_room(const char *dir, uint64_t keep)
{
	size_t n;
	uint64_t used;
	struct entry *v = list(dir, &n, &used);
	if (n > 1)
		qsort(v, n, sizeof *v, by_used);
	for (size_t i = 0; i < n && used > keep; i++) {
		struct kbuf p = KBUF_INIT;
		kbuf_printf(&p, "%s/%s", dir, v[i].name);
		if (unlink(kbuf_str(&p)) == 0)
			used -= v[i].size;
		kbuf_free(&p);
	}
	free(v);
}

int imgcache_put(const char *home, const char *key, const void *data, size_t len, uint64_t limit,
                 struct kerr *e)
{
	if (!key_ok(key))
		return kerr_set(e, K_EINVAL, "image cache: '%.70s' is not a key", key);
	if (len > limit)
		return kerr_set(
		    e, K_ETOOBIG,
		    "image %s is %zu bytes, more than the whole image cache (%llu bytes;"
		    " `set image-cache-mb`)",
		    key, len, (unsigned long long)limit);
	struct kbuf dir = KBUF_INIT, path = KBUF_INIT, tmp = KBUF_INIT;
	dir_of(home, &dir);
	int rc = K_OK;
	if (mkdir(kbuf_str(&dir), 0700) != 0 && errno != EEXIST)
		rc = kerr_set(e, K_EIO, "%s: %s", kbuf_str(&dir), strerror(errno));
	kbuf_printf(&path, "%s/%s", kbuf_str(&dir), key);
	kbuf_printf(&tmp, "%s/.%s.%ld", kbuf_str(&dir), key, (long)getpid());
	if (!rc) {
		unlink(kbuf_str(&path)); /* a new copy of the same key replaces it */
		make_room(kbuf_str(&dir), limit - len);
	}
	int fd = rc ? -1 : open(kbuf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!rc && fd < 0)
		rc = kerr_set(e, K_EIO, "%s: %s", kbuf_str(&tmp), strerror(errno));
	const char *p = data;
	size_t left = len;
	while (!rc && left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = kerr_set(e, K_EIO, "%s: %s", kbuf_str(&tmp), strerror(errno));
		else
			p += w, left -= (size_t)w;
	}
	if (fd >= 0 && close(fd) != 0 && !rc)
		rc = kerr_set(e, K_EIO, "%s: %s", kbuf_str(&tmp), strerror(errno));
	if (!rc && rename(kbuf_str(&tmp), kbuf_str(&path)) != 0)
		rc = kerr_set(e, K_EIO, "%s: %s", kbuf_str(&path), strerror(errno));
	if (rc && fd >= 0)
		unlink(kbuf_str(&tmp));
	if (!rc)
		make_room(kbuf_str(&dir), limit); /* another process wrote meanwhile */
	kbuf_free(&dir);
	kbuf_free(&path);
	kbuf_free(&tmp);
	return rc;
}
