/* test_rfq_hers — the one rule of which RFQs are a seller's (inbox_rfq_hers), that her
 * inbox, her RFQs tab and the node's scope `mine` apply: an RFQ about one of her listings;
 * one whose category is hers or a parent or child path of it, in any ASCII case; or one
 * whose HS code's six-digit heading is that of one of her listings' HS codes, whatever its
 * category is called. Nothing else, and nothing for an RFQ that names none of these. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "kontor/model.h"
#include "../../src/client/inbox.h"

static void sells_of(struct inbox_sells *s, const char *id, char *category, char *hs)
{
	struct listing l;
	memset(&l, 0, sizeof l);
	snprintf(l.id, sizeof l.id, "%s", id);
	l.category = category;
	l.hs_code = hs;
	inbox_sells_add(s, &l);
}

static void test_rfq_hers_by_listing_category_or_hs_heading(void **state)
{
	struct inbox_sells s = {0};
	sells_of(&s, "Lgate", "Home > Gates", "73083090");
	sells_of(&s, "Lrail", NULL, NULL);
	sells_of(&s, "Lgate2", "Home > Gates", "73083010"); /* the same heading: kept once */
	assert_int_equal(s.cats.n, 1);
	assert_int_equal(s.hs.n, 1);
	assert_string_equal(s.hs.v[0], "730830");
	assert_int_equal(s.ids.n, 3);

	assert_true(inbox_rfq_hers(NULL, NULL, "Lrail", &s));        /* her listing, nothing else */
	assert_true(inbox_rfq_hers("home > gates", NULL, NULL, &s)); /* her category, any case */
	assert_true(inbox_rfq_hers("Home", NULL, NULL, &s));         /* a parent path */
	assert_true(inbox_rfq_hers("Home > Gates > Double", NULL, NULL, &s)); /* a child path */
	assert_true(inbox_rfq_hers("Tore", "730830", NULL, &s));   /* her heading, German words */
	assert_true(inbox_rfq_hers(NULL, "7308309000", NULL, &s)); /* another country's 10 */

	assert_false(inbox_rfq_hers("Tore", "730890", NULL, &s)); /* another heading */
	assert_false(inbox_rfq_hers("Homeware", NULL, NULL, &s)); /* a prefix, not a step */
	assert_false(inbox_rfq_hers(NULL, NULL, "Lother", &s));   /* another's listing */
	assert_false(inbox_rfq_hers(NULL, "7308", NULL, &s));     /* no heading in it */
	assert_false(inbox_rfq_hers("", "", "", &s));
	assert_false(inbox_rfq_hers(NULL, NULL, NULL, &s));
	inbox_sells_free(&s);

	struct inbox_sells none = {0}; /* a seller of nothing: no RFQ is hers */
	assert_false(inbox_rfq_hers("Home", "730830", "Lgate", &none));
	inbox_sells_free(&none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfq_hers_by_listing_category_or_hs_heading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
