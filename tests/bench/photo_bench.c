/* photo_bench — what the photo hash finds, and how fast the scan is (tests/bench/photo.sh
 * drives it; DESIGN §11: recall@1 >= 95% for a 50% resize + JPEG q30, a scan of 1,000,000
 * hashes <= 10 ms).
 *   photo_bench eval ORIGDIR QUERYDIR NRANDOM SEED T...
 *       hashes every original in ORIGDIR and hides them among NRANDOM random hashes; for each
 *       transformation T, looks up every QUERYDIR/T/NAME.jpg (NAME an original's name) and
 *       prints recall@1 and recall@10 (asked as one hash, and as four: the mirror image and
 *       both quarter turns too), the distances, and the false matches between unrelated
 *       originals and against the random hashes at the KIMG_DIST_* thresholds.
 *   photo_bench pairs FILE      each line "A B": two photos of the same thing; their distances
 *   photo_bench scan N REPS SEED      times kimg_scan over N random hashes
 *   photo_bench hashtime FILE REPS    times hashing one file */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/buf.h"
#include "kontor/imagehash.h"

#define MAXPHOTOS 512
#define RADIUS KIMG_DIST_SIMILAR /* the default search radius */
#define NSTEPS 7
static const int steps[NSTEPS] = {4, 6, 8, 10, 12, 14, 16};
static const int ways[3] = {1, 2, 4};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

/* A hash shaped as real ones are: bit 0 clear, 31 of the other 63 bits set. */
static uint64_t random_hash(uint64_t *s)
{
	uint64_t h = 0;
	int set = 0;
	while (set < 31) {
		int b = 1 + (int)(rnd(s) % 63);
		if (!(h >> b & 1))
			h |= (uint64_t)1 << b, set++;
	}
	return h;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int hash_path(const char *path, uint64_t *h, struct kimg_info *info)
{
	struct kerr e = {0, ""};
	if (kimg_hash_file(path, NULL, h, info, &e) < 0) {
		fprintf(stderr, "photo_bench: %s\n", e.msg);
		return -1;
	}
	return 0;
}

struct photo {
	char name[128];
	uint64_t hash;
	struct kimg_info info;
};

static int cmp_photo(const void *a, const void *b)
{
	return strcmp(((const struct photo *)a)->name, ((const struct photo *)b)->name);
}

static size_t load_originals(const char *dir, struct photo *ph)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "photo_bench: cannot open %s\n", dir);
		exit(2);
	}
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < MAXPHOTOS) {
		const char *dot = strrchr(de->d_name, '.');
		if (de->d_name[0] == '.' || !dot || (size_t)(dot - de->d_name) >= sizeof ph[n].name)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		memcpy(ph[n].name, de->d_name, (size_t)(dot - de->d_name));
		ph[n].name[dot - de->d_name] = '\0';
		if (hash_path(path, &ph[n].hash, &ph[n].info) == 0)
			n++;
	}
	closedir(d);
	qsort(ph, n, sizeof *ph, cmp_photo);
	return n;
}

/* One query's rank of the original it came from: 0 for first, -1 when not within RADIUS or
 * not among the first 10 answers. */
static int rank_of(const uint64_t *db, size_t ndb, const uint64_t *q, size_t nq, size_t want)
{
	struct kimg_match m[10];
	size_t got = kimg_scan(db, ndb, q, nq, RADIUS, m, 10, NULL);
	for (size_t k = 0; k < got; k++)
		if (m[k].index == want)
			return (int)k;
	return -1;
}

static int least_distance(const uint64_t *q, size_t nq, uint64_t h)
{
	int best = 65;
	for (size_t k = 0; k < nq; k++) {
		int d = kimg_distance(q[k], h);
		best = d < best ? d : best;
	}
	return best;
}

static int eval(const char *origdir, const char *qdir, size_t nrandom, uint64_t seed,
                char **transforms, int ntrans)
{
	static struct photo ph[MAXPHOTOS];
	size_t n = load_originals(origdir, ph);
	if (n < 2) {
		fprintf(stderr, "photo_bench: fewer than two originals in %s\n", origdir);
		return 2;
	}
	/* the database: random hashes with the originals at random places */
	size_t ndb = nrandom + n;
	uint64_t *db = xmalloc(ndb * sizeof *db);
	size_t *where = xmalloc(n * sizeof *where);
	for (size_t i = 0; i < nrandom; i++)
		db[i] = random_hash(&seed);
	for (size_t k = 0; k < n; k++) {
		size_t at = rnd(&seed) % (nrandom + k + 1);
		if (at != nrandom + k) { /* move what was there to the end */
			db[nrandom + k] = db[at];
			for (size_t j = 0; j < k; j++)
				if (where[j] == at)
					where[j] = nrandom + k;
		}
		db[at] = ph[k].hash;
		where[k] = at;
	}
	printf("%zu originals among %zu random hashes; recall within distance %d (the search "
	       "radius), nearest first, asking with 1, 2 (and the mirror image) or 4 hashes (and "
	       "both quarter turns)\n\n",
	       n, nrandom, RADIUS);
	printf("%-10s %3s | %7s %7s | %7s %7s | %7s %7s | copies within distance d of their "
	       "original (1 hash)\n",
	       "", "", "1 hash", "", "2", "", "4", "");
	printf("%-10s %3s | %7s %7s | %7s %7s | %7s %7s |", "transform", "n", "@1", "@10", "@1",
	       "@10", "@1", "@10");
	for (int k = 0; k < NSTEPS; k++)
		printf(" %5s%-2d", "d<=", steps[k]);
	printf("\n");
	for (int t = 0; t < ntrans; t++) {
		int hit1[3] = {0}, hit10[3] = {0}, cnt = 0, dist[MAXPHOTOS];
		for (size_t k = 0; k < n; k++) {
			char path[1024];
			snprintf(path, sizeof path, "%s/%s/%s.jpg", qdir, transforms[t],
			         ph[k].name);
			uint64_t h;
			struct kimg_info info;
			if (hash_path(path, &h, &info) < 0)
				continue;
			uint64_t q[KIMG_TURNS];
			for (int w = 0; w < 3; w++) {
				size_t nq = kimg_query_turns(&info, ways[w], q);
				int r = rank_of(db, ndb, q, nq, where[k]);
				hit1[w] += r == 0;
				hit10[w] += r >= 0;
			}
			dist[cnt++] = kimg_distance(h, ph[k].hash);
		}
		if (!cnt)
			continue;
		printf("%-10s %3d |", transforms[t], cnt);
		for (int w = 0; w < 3; w++)
			printf(" %6.1f%% %6.1f%% |", 100.0 * hit1[w] / cnt, 100.0 * hit10[w] / cnt);
		for (int k = 0; k < NSTEPS; k++) {
			int in = 0;
			for (int j = 0; j < cnt; j++)
				in += dist[j] <= steps[k];
			printf(" %6.1f%%", 100.0 * in / cnt);
		}
		printf("\n");
	}

	/* unrelated originals, every pair; and random hashes near an original */
	size_t pairs = 0, within[3][NSTEPS] = {{0}}, near[3][NSTEPS] = {{0}};
	int least[3] = {64, 64, 64};
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			uint64_t q[KIMG_TURNS];
			pairs++;
			for (int w = 0; w < 3; w++) {
				size_t nq = kimg_query_turns(&ph[i].info, ways[w], q);
				int d = least_distance(q, nq, ph[j].hash);
				least[w] = d < least[w] ? d : least[w];
				for (int k = 0; k < NSTEPS; k++)
					within[w][k] += d <= steps[k];
			}
		}
	for (size_t k = 0; k < n; k++) {
		uint64_t q[KIMG_TURNS];
		for (int w = 0; w < 3; w++) {
			size_t nq = kimg_query_turns(&ph[k].info, ways[w], q);
			for (size_t i = 0; i < ndb; i++) {
				if (i == where[k])
					continue;
				int d = least_distance(q, nq, db[i]);
				for (int s2 = 0; s2 < NSTEPS; s2++)
					near[w][s2] += d <= steps[s2];
			}
		}
	}
	printf("\nfalse matches          |");
	for (int k = 0; k < NSTEPS; k++)
		printf(" %5s%-2d", "d<=", steps[k]);
	printf("\n");
	for (int w = 0; w < 3; w++) {
		printf("unrelated pairs, %d way |", ways[w]);
		for (int k = 0; k < NSTEPS; k++)
			printf(" %7zu", within[w][k]);
		printf("   of %zu pairs; the nearest at %d\n", pairs, least[w]);
	}
	for (int w = 0; w < 3; w++) {
		printf("random per 1M, %d way   |", ways[w]);
		for (int k = 0; k < NSTEPS; k++)
			printf(" %7.1f", (double)near[w][k] / n / nrandom * 1e6);
		printf("   hashes within d of a query, a query\n");
	}
	free(db);
	free(where);
	return 0;
}

static int pairs_cmd(const char *file)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "photo_bench: cannot open %s\n", file);
		return 2;
	}
	char a[1024], b[1024];
	while (fscanf(f, "%1023s %1023s", a, b) == 2) {
		uint64_t ha, hb;
		struct kimg_info ia;
		if (hash_path(a, &ha, &ia) < 0 || hash_path(b, &hb, NULL) < 0)
			continue;
		uint64_t q[KIMG_TURNS];
		size_t nq = kimg_query_turns(&ia, 4, q);
		const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
		int d = kimg_distance(ha, hb);
		printf("  %-22s %-22s distance %2d (4-way %2d): %s\n", sa ? sa + 1 : a,
		       sb ? sb + 1 : b, d, least_distance(q, nq, hb), kimg_distance_words(d));
	}
	fclose(f);
	return 0;
}

static int scan_cmd(size_t n, int reps, uint64_t seed)
{
	uint64_t *db = xmalloc(n * sizeof *db);
	for (size_t i = 0; i < n; i++)
		db[i] = random_hash(&seed);
	double *ms = xmalloc((size_t)reps * sizeof *ms), *cpu = xmalloc((size_t)reps * sizeof *cpu);
	struct kimg_match m[50];
	static const size_t nqs[] = {1, 2, 4, 8};
	for (size_t v = 0; v < 4; v++) {
		size_t nq = nqs[v], found = 0;
		for (int r = 0; r < reps; r++) {
			uint64_t q[8];
			for (size_t k = 0; k < nq; k++)
				q[k] = db[rnd(&seed) % n] ^ 0x10101; /* a near copy is there */
			double t0 = now_ms(), c0 = cpu_ms();
			found += kimg_scan(db, n, q, nq, RADIUS, m, 50, NULL);
			cpu[r] = cpu_ms() - c0;
			ms[r] = now_ms() - t0;
		}
		qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
		qsort(cpu, (size_t)reps, sizeof *cpu, cmp_double);
		int p99 = (reps * 99) / 100 < reps ? (reps * 99) / 100 : reps - 1;
		printf(
		    "scan of %zu hashes, %zu quer%s, radius %d: CPU median %.2f ms, p99 %.2f ms; "
		    "wall median %.2f ms, p99 %.2f ms (%d runs, %.1f found a run)\n",
		    n, nq, nq == 1 ? "y" : "ies", RADIUS, cpu[reps / 2], cpu[p99], ms[reps / 2],
		    ms[p99], reps, (double)found / reps);
	}
	free(ms);
	free(cpu);
	free(db);
	return 0;
}

static int hashtime_cmd(const char *file, int reps)
{
	double *ms = xmalloc((size_t)reps * sizeof *ms), *cpu = xmalloc((size_t)reps * sizeof *cpu);
	struct kimg_info info = {0};
	for (int r = 0; r < reps; r++) {
		uint64_t h;
		double t0 = now_ms(), c0 = cpu_ms();
		if (hash_path(file, &h, &info) < 0)
			return 1;
		cpu[r] = cpu_ms() - c0;
		ms[r] = now_ms() - t0;
	}
	qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
	qsort(cpu, (size_t)reps, sizeof *cpu, cmp_double);
	printf("hashing a %u×%u %s (decoded at %u×%u), file read included: CPU median %.1f ms, "
	       "wall %.1f ms\n",
	       info.width, info.height, kimg_format_name(info.format), info.decoded_width,
	       info.decoded_height, cpu[reps / 2], ms[reps / 2]);
	free(ms);
	free(cpu);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && strcmp(argv[1], "eval") == 0)
		return eval(argv[2], argv[3], strtoull(argv[4], NULL, 10),
		            strtoull(argv[5], NULL, 10), argv + 6, argc - 6);
	if (argc == 3 && strcmp(argv[1], "pairs") == 0)
		return pairs_cmd(argv[2]);
	if (argc == 5 && strcmp(argv[1], "scan") == 0)
		return scan_cmd(strtoull(argv[2], NULL, 10), atoi(argv[3]),
		                strtoull(argv[4], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "hashtime") == 0)
		return hashtime_cmd(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: photo_bench eval ORIGDIR QUERYDIR NRANDOM SEED TRANSFORM...\n"
	                "       photo_bench pairs FILE\n"
	                "       photo_bench scan N REPS SEED\n"
	                "       photo_bench hashtime FILE REPS\n");
	return 2;
}
