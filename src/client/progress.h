/* progress — one line on stderr for a long run (a sync's pages, a listing import, picture
 * uploads), redrawn in place with \r while stderr is a terminal: what is done so far, the
 * total when known, bytes, the rate and the time left. Nothing is drawn when stderr is not a
 * terminal or with -q; the final line (progress_end) is written either way, except with -q.
 * The first line is drawn once the run has taken PROGRESS_FIRST_MS, and redraws are at most
 * PROGRESS_EVERY_MS apart, so a short run draws nothing and a slow link is not flooded. */
#ifndef KONTOR_CLIENT_PROGRESS_H
#define KONTOR_CLIENT_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#define PROGRESS_FIRST_MS 300
#define PROGRESS_EVERY_MS 200
#define PROGRESS_LINE_MAX 160

struct progress {
	FILE *f;      /* where the lines go (stderr); NULL: an inert progress */
	int live;     /* redrawn in place: f is a terminal and not quiet */
	int quiet;    /* -q: not even the final line */
	int drawn;    /* a line is on the terminal now (cleared before anything else) */
	int64_t t0;   /* when it began (ms, monotonic) */
	int64_t last; /* the last redraw */
	int handler;  /* it holds SIGINT: Ctrl-C ends the live line with a word, until the end */
	char what[32];
};

/* Begins a progress of what ("sync", "import", "upload") on f; quiet for -q. live is
 * decided here: f is a terminal (isatty) and not quiet. */
void progress_begin(struct progress *p, FILE *f, int quiet, const char *what);
/* Redraws: "WHAT: DONE[ of TOTAL] NOUN[, BYTES][, RATE][, T left][ (NOTE)]". total < 0 when
 * unknown; bytes 0 leaves bytes and a byte rate out (the rate is then NOUN/s); note may be
 * NULL. Throttled unless force. */
void progress_update(struct progress *p, int64_t done, int64_t total, const char *noun,
                     uint64_t bytes, const char *note, int force);
/* Clears the live line, so another line can be written to stderr (cmd_note). */
void progress_clear(struct progress *p);
/* Ends it with one final line (printf-style), on a terminal in place of the live one; fmt
 * NULL clears the live line and writes nothing. Until then, on a terminal, Ctrl-C ends the
 * live line with "WHAT: interrupted; what is done is kept: run it again to go on" before the
 * signal does what it always does. */
void progress_end(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Milliseconds since progress_begin. */
int64_t progress_elapsed_ms(const struct progress *p);
/* n with thousands separators ("20,031") into buf; returns buf. */
char *progress_count(int64_t n, char *buf, size_t cap);
/* bytes as "812 B", "41.9 KB", "2.3 MB" (1000s, as on the wire) into buf; returns buf. */
char *progress_bytes(uint64_t bytes, char *buf, size_t cap);

#endif
