/* xlsx_bench — how long reading a workbook's sheet as CSV takes, apart from the import that
 * follows it (tests/bench/import.sh XLSX=1 times the whole import).
 *   xlsx_bench FILE [REPS]   opens FILE and reads every sheet REPS times (default 3); prints
 *                            the best time per sheet, its rows, the CSV bytes and MB/s of
 *                            workbook read, and the peak RSS of the process */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "../../src/client/import.h"
#include "../../src/client/xlsx.h"
#include "kontor/buf.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: xlsx_bench FILE [REPS]\n");
		return 2;
	}
	int reps = argc > 2 ? atoi(argv[2]) : 3;
	struct kbuf data = KBUF_INIT, csv = KBUF_INIT;
	struct kerr e = {0, ""};
	if (kbuf_read_file(argv[1], IMPORT_MAX_BYTES, &data, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	double t0 = now_ms();
	struct xlsx *x = NULL;
	if (xlsx_open(data.data, data.len, argv[1], &x, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	printf("open (sheet list, shared strings): %.1f ms\n", now_ms() - t0);
	struct xlsx_rows rows = {0};
	for (size_t i = 0; i < xlsx_sheet_count(x); i++) {
		double best = -1;
		for (int r = 0; r < (reps > 0 ? reps : 1); r++) {
			double s = now_ms();
			if (xlsx_sheet_csv(x, i, &csv, &rows, &e)) {
				fprintf(stderr, "%s\n", e.msg);
				return 1;
			}
			double t = now_ms() - s;
			best = best < 0 || t < best ? t : best;
		}
		printf(
		    "sheet '%s': %zu rows, %zu bytes of CSV in %.1f ms (best of %d), %.1f MB/s of "
		    "workbook\n",
		    xlsx_sheet_name(x, i), rows.n, csv.len, best, reps, data.len / 1e3 / best);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %.1f MiB\n", ru.ru_maxrss / 1024.0);
	xlsx_rows_free(&rows);
	xlsx_free(&x);
	kbuf_free(&csv);
	kbuf_free(&data);
	return 0;
}
