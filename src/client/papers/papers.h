/* papers (client) — writing the trade papers of kontor/papers.h: UBL 2.1 XML through libxml2's
 * xmlTextWriter (never by string concatenation), PDF laid out with cairo and pango (Noto fonts
 * through fontconfig, a QR code of the contract hash from libqrencode on every page), and
 * text; and the whole job for one order (contract from the cache, the seller's unsigned
 * amendment from the home, files written), which the CLI's `order docs` and the TUI call.
 * Writers print only what the model holds: no number is computed here. */
#ifndef KONTOR_CLIENT_PAPERS_H
#define KONTOR_CLIENT_PAPERS_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "kontor/buf.h"
#include "kontor/err.h"
#include "kontor/papers.h"

struct store;

enum papers_format { PAPERS_PDF, PAPERS_UBL, PAPERS_TEXT };
enum papers_size { PAPERS_A4, PAPERS_LETTER };

/* UBL 2.1: the invoice and the proforma as Invoice (type codes 380 and 325), the packing list
 * as PackingList, the origin application as CertificateOfOrigin holding a
 * CertificateOfOriginApplication. Appends UTF-8 XML to out. */
int papers_write_ubl(const struct paper *p, struct kbuf *out, struct kerr *e);
/* The same content for a terminal or an email, in lang. */
void papers_write_text(const struct paper *p, int lang, struct kbuf *out);
/* A4 or Letter pages, in lang; appends the PDF bytes to out. K_EIO when cairo fails. */
int papers_write_pdf(const struct paper *p, int lang, int size, struct kbuf *out, struct kerr *e);
/* Hands back the font caches the PDF writer filled (pango, cairo, fontconfig). */
void papers_pdf_release(void);

/* The amendment the seller keeps for order_id: $home/papers/<order_id>.json (an object of
 * KEY: VALUE, papers.h), read (an empty object when there is none; *out the caller's to
 * cJSON_Delete) and written (0600, atomically). */
int papers_amend_load(const char *home, const char *order_id, cJSON **out, struct kerr *e);
int papers_amend_save(const char *home, const char *order_id, const cJSON *amend, struct kerr *e);

/* One `order docs` job. */
struct papers_job {
	unsigned types;   /* bits 1u << enum paper_type; 0: all four */
	int format;       /* enum papers_format */
	int lang;         /* enum paper_lang */
	int size;         /* enum papers_size */
	const char *out;  /* -o: the one file (needs one type; "-": to_stdout), or NULL */
	const char *dir;  /* where default names go ("." when NULL) */
	const char *date; /* YYYY-MM-DD, NULL: today (UTC) */
	int force;        /* overwrite existing files */
	FILE *to_stdout;  /* where "-o -" writes (the command's standard output; NULL: stdout) */
};

/* What a job wrote, and what it needs when it could not. */
struct papers_result {
	int nwritten;
	char written[PAPER_NTYPES][4096]; /* the paths */
	struct papers_missing missing;    /* filled when K_EUSAGE: fields the papers lack */
};

/* Writes the papers of order_id (its contract from the cache s, verified) as job says:
 * the file names ORDERPREFIX-invoice.pdf etc. under job->dir unless job->out. Refuses to
 * overwrite a file unless job->force (K_EEXIST naming it), a contract that does not verify
 * (K_EVERIFY), fields the papers lack (K_EUSAGE with r->missing), amounts that do not sum to
 * the signed total (K_EVERIFY naming the line). Nothing is written unless every paper of
 * the job could be made. This is the function the TUI's order view calls. */
int papers_order_docs(struct store *s, const char *home, const char *order_id,
                      const struct papers_job *job, struct papers_result *r, struct kerr *e);

/* The contract of order_id from the cache (the Order's contractId, else the cached contract
 * whose binding offer it is); *doc the caller's to cJSON_Delete. */
int papers_contract_of(struct store *s, const char *order_id, cJSON **doc, struct kerr *e);

#endif
