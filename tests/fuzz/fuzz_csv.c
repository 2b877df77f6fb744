/* fuzz_csv — the CSV reader on arbitrary bytes, with each delimiter and with detection: no
 * crash, no hang, sane records; and every record it accepts survives a write and re-read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/csv.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_csv: %s\n", what);
		abort();
	}
}

/* Reads everything with delim, writes the good records to out and a flat copy of their
 * fields (count, then NUL-terminated fields) to flat for comparison. */
static void read_all(const char *data, size_t len, char delim, struct kbuf *out, struct kbuf *flat,
                     char *used)
{
	struct csv_reader *r = csv_reader_new(data, len, delim, "fuzz.csv");
	*used = csv_reader_delim(r);
	check(*used == ',' || *used == ';' || *used == '\t' || *used == delim, "odd delimiter");
	struct csv_record rec;
	struct kerr e;
	long last_line = 0;
	int unterminated = 0;
	/* every call consumes at least one byte, so this many calls must reach the end */
	for (size_t calls = 0;; calls++) {
		check(calls <= len + 1, "reader does not advance");
		memset(&e, 0, sizeof e);
		int rc = csv_next(r, &rec, &e);
		if (rc == 0)
			break;
		if (rc < 0) {
			check(rc == K_EINVAL || rc == K_ETOOBIG, "unexpected error code");
			check(e.code == rc, "error code not in kerr");
			check(strncmp(e.msg, "fuzz.csv: line ", 15) == 0, "message lacks the line");
			check(strstr(e.msg, ", column ") != NULL, "message lacks the column");
			if (strstr(e.msg, "unterminated"))
				check(++unterminated == 1,
				      "second unterminated quote: rescan not linear");
			continue;
		}
		check(rec.line > last_line, "record lines not increasing");
		last_line = rec.line;
		check(rec.nfields >= 1 && rec.nfields <= CSV_MAX_FIELDS,
		      "field count out of range");
		kbuf_append(flat, &rec.nfields, sizeof rec.nfields);
		for (size_t i = 0; i < rec.nfields; i++) {
			size_t n = strlen(rec.fields[i]);
			check(n <= CSV_MAX_FIELD, "field over the limit");
			check(utf8_valid(rec.fields[i], n), "field is not UTF-8");
			kbuf_append(flat, rec.fields[i], n + 1);
		}
		csv_write_record(out, (const char *const *)rec.fields, rec.nfields, *used);
	}
	csv_reader_free(&r);
}

static void round_trip(const struct kbuf *out, const struct kbuf *flat, char delim)
{
	struct csv_reader *r = csv_reader_new(out->data, out->len, delim, "again.csv");
	struct csv_record rec;
	struct kerr e;
	size_t at = 0;
	for (;;) {
		memset(&e, 0, sizeof e);
		int rc = csv_next(r, &rec, &e);
		if (rc < 0) {
			fprintf(stderr, "fuzz_csv: written CSV does not read back: %s\n", e.msg);
			abort();
		}
		if (rc == 0)
			break;
		size_t n;
		check(flat->len - at >= sizeof n, "more records after writing than before");
		memcpy(&n, flat->data + at, sizeof n);
		at += sizeof n;
		check(rec.nfields == n, "field count changed in the round trip");
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(flat->data + at);
			check(strcmp(rec.fields[i], flat->data + at) == 0, "field changed");
			at += len + 1;
		}
	}
	check(at == flat->len, "fewer records after writing than before");
	csv_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = {0, ',', ';', '\t'};
	for (size_t d = 0; d < sizeof delims; d++) {
		struct kbuf out = KBUF_INIT, flat = KBUF_INIT;
		char used;
		read_all((const char *)data, size, delims[d], &out, &flat, &used);
		round_trip(&out, &flat, used);
		kbuf_free(&out);
		kbuf_free(&flat);
	}
	return 0;
}
