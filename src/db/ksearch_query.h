/* ksearch_query — what a listing search finds: its words and filters, the same for the
 * client's cache (store_search) and kontord (Listing/query). Each store's query embeds one and
 * hands it whole to the planner (db/ksearch.h); the sort order is the store's own and reaches
 * the planner as a flag. Apart from ksearch.h so the stores' public headers, and the views and
 * handlers that fill a query, need no SQLite. */
#ifndef KONTOR_KSEARCH_QUERY_H
#define KONTOR_KSEARCH_QUERY_H

#include <stdint.h>

struct ksearch_query {
	const char *text;      /* words; NULL or "" = everything */
	const char *country;   /* the seller's shipsFrom, else originCountry: ISO 3166 alpha-2 */
	const char *category;  /* a category path also finds its children */
	const char *currency;  /* ISO 4217; a price filter needs it */
	const char *incoterm;  /* an Incoterms rule */
	const char *seller_id; /* one seller's listings (an index with seller tokens) */
	/* Minor units of currency for the unit price at the MOQ; -1 = none. */
	int64_t min_price, max_price;
	int64_t max_moq; /* -1 = none */
	int verified;    /* only sellers with an attestation */
};
/* A query with no filter: every bound "none" (a zeroed one would cap prices at 0). */
#define KSEARCH_QUERY_ANY                                                                          \
	{                                                                                          \
		.min_price = -1, .max_price = -1, .max_moq = -1                                    \
	}

#endif
