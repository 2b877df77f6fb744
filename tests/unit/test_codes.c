/* test_codes — the code lists: countries and currencies from the system iso-codes, the
 * generated Incoterms, DCSA and minor-unit tables checked against the CSV files in data/ they
 * are made from, the units.
 * Loading is once per process, so the "other iso-codes dir" cases re-run this binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kontor/codes.h"
#include "kontor/money.h"

#define CODE_DATA "data"

static char **saved_argv;

/* --- countries ---------------------------------------------------------------------------- */

static void test_codes_load_succeeds_with_system_iso_codes(void **state)
{
	struct kerr e = {0, ""};
	int rc = codes_load(&e);
	if (rc != K_OK)
		fail_msg("codes_load: %s", e.msg);
	assert_int_equal(codes_load(NULL), K_OK); /* a second call is cheap and the same */
}

static void test_codes_knows_iso_3166_country_de(void **state)
{
	assert_string_equal(codes_country_name("DE"), "Germany");
	assert_string_equal(codes_country_name("JP"), "Japan");
}

static void test_codes_country_name_keeps_utf8(void **state)
{
	assert_string_equal(codes_country_name("AX"), "Åland Islands");
}

static void test_codes_country_lookup_is_case_sensitive(void **state)
{
	assert_null(codes_country_name("de"));
	assert_null(codes_country_name("De"));
}

static void test_codes_country_unknown_gives_null(void **state)
{
	assert_null(codes_country_name("XX"));
	assert_null(codes_country_name("DEU")); /* alpha-3 is not alpha-2 */
	assert_null(codes_country_name("D"));
	assert_null(codes_country_name(""));
	assert_null(codes_country_name(NULL));
}

static void test_codes_check_country_accepts_de(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_country("DE", "originCountry", &e), K_OK);
	assert_int_equal(codes_check_country("CN", NULL, NULL), K_OK);
}

static void test_codes_check_country_names_field_and_example(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_country("XX", "originCountry", &e), K_EINVAL);
	assert_int_equal(e.code, K_EINVAL);
	assert_string_equal(e.msg,
	                    "originCountry: unknown country 'XX' (ISO 3166-1 alpha-2, e.g. DE)");
	assert_int_equal(codes_check_country("XX", NULL, &e), K_EINVAL);
	assert_string_equal(e.msg, "country: unknown country 'XX' (ISO 3166-1 alpha-2, e.g. DE)");
}

static void test_codes_check_country_hints_upper_case(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_country("de", "shipsFrom", &e), K_EINVAL);
	assert_string_equal(e.msg, "shipsFrom: unknown country 'de' (codes are upper case: DE)");
}

static void test_codes_check_country_refuses_missing_code(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_country(NULL, "country", &e), K_EINVAL);
	assert_string_equal(e.msg, "country: missing country (ISO 3166-1 alpha-2, e.g. DE)");
	assert_int_equal(codes_check_country("", "country", &e), K_EINVAL);
	assert_string_equal(e.msg, "country: missing country (ISO 3166-1 alpha-2, e.g. DE)");
}

static void test_codes_check_country_quotes_hostile_input_safely(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_country("\x1b[2J\x07", "country", &e), K_EINVAL);
	assert_null(strchr(e.msg, '\x1b'));
	assert_null(strchr(e.msg, '\x07'));
	char big[300];
	memset(big, 'Q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(codes_check_country(big, "country", &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "QQQ..."));
	assert_true(strlen(e.msg) < 100);
}

/* --- currencies --------------------------------------------------------------------------- */

static void test_codes_knows_iso_4217_currency_eur(void **state)
{
	assert_string_equal(codes_currency_name("EUR"), "Euro");
	assert_string_equal(codes_currency_name("USD"), "US Dollar");
	assert_null(codes_currency_name("eur"));
	assert_null(codes_currency_name(NULL));
}

static void test_codes_currency_minor_jpy_0_usd_2_bhd_3_clf_4(void **state)
{
	assert_int_equal(codes_currency_minor("JPY"), 0);
	assert_int_equal(codes_currency_minor("USD"), 2);
	assert_int_equal(codes_currency_minor("BHD"), 3);
	assert_int_equal(codes_currency_minor("CLF"), 4);
	assert_int_equal(codes_currency_minor("USX"), -1);
	assert_int_equal(codes_currency_minor(NULL), -1);
}

static void test_codes_currency_refuses_codes_without_minor_units(void **state)
{
	/* In iso_4217.json, but gold, SDR and the testing code are not money you can price in. */
	const char *nope[] = {"XAU", "XAG", "XDR", "XTS", "XXX"};
	for (size_t i = 0; i < sizeof nope / sizeof nope[0]; i++) {
		assert_null(codes_currency_name(nope[i]));
		assert_int_equal(codes_currency_minor(nope[i]), -1);
	}
}

static void test_codes_currency_refuses_withdrawn_codes(void **state)
{
	/* DEM and FRF are long gone; HRK (euro since 2023) is in older iso-codes releases but has
	 * a withdrawal date in the minor-units table. */
	const char *gone[] = {"DEM", "FRF", "HRK"};
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
		assert_null(codes_currency_name(gone[i]));
		assert_int_equal(codes_currency_minor(gone[i]), -1);
	}
}

static void test_codes_check_currency_message_names_field_and_example(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_currency("USX", "currency", &e), K_EINVAL);
	assert_string_equal(e.msg, "currency: unknown currency 'USX' (ISO 4217, e.g. EUR)");
	assert_int_equal(codes_check_currency("usd", "currency", &e), K_EINVAL);
	assert_string_equal(e.msg, "currency: unknown currency 'usd' (codes are upper case: USD)");
}

static void test_codes_check_currency_accepts_usd(void **state)
{
	assert_int_equal(codes_check_currency("USD", "currency", NULL), K_OK);
}

/* Splits a line of iso4217-minor-units.csv from the right: the last four columns are never
 * quoted, only entity and currency names are. */
static int minor_csv_fields(char *line, char **code, char **minor, char **withdrawn)
{
	char *f[4];
	char *end = line + strlen(line);
	while (end > line && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	for (int i = 3; i >= 0; i--) {
		char *c = strrchr(line, ',');
		if (!c)
			return -1;
		f[i] = c + 1;
		*c = '\0';
	}
	*code = f[0];
	*minor = f[2];
	*withdrawn = f[3];
	return 0;
}

static void test_codes_minor_units_match_data_csv(void **state)
{
	FILE *fp = fopen(CODE_DATA "/iso4217-minor-units.csv", "r");
	if (!fp)
		fail_msg("run the tests from the repo root: cannot open %s",
		         CODE_DATA "/iso4217-minor-units.csv");
	char line[1024];
	int checked = 0;
	assert_non_null(fgets(line, sizeof line, fp)); /* header */
	while (fgets(line, sizeof line, fp)) {
		char *code = "", *minor = "", *wd = "";
		assert_int_equal(minor_csv_fields(line, &code, &minor, &wd), 0);
		if (!*code || *wd || !(minor[0] >= '0' && minor[0] <= '9'))
			continue;
		/* Only codes iso-codes also lists are usable; for those the unit must match. */
		if (!codes_currency_name(code))
			continue;
		assert_int_equal(codes_currency_minor(code), minor[0] - '0');
		assert_int_equal(money_minor_units(code), minor[0] - '0');
		checked++;
	}
	fclose(fp);
	assert_true(checked > 150);
}

/* --- Incoterms ---------------------------------------------------------------------------- */

static void test_codes_incoterms_lists_the_eleven_2020_rules_in_order(void **state)
{
	const char *want[] = {"EXW", "FCA", "FAS", "FOB", "CFR", "CIF",
	                      "CPT", "CIP", "DAP", "DPU", "DDP"};
	int n = 0;
	const struct incoterm *all = codes_incoterms(&n);
	assert_int_equal(n, 11);
	for (int i = 0; i < n; i++)
		assert_string_equal(all[i].code, want[i]);
	assert_ptr_equal(codes_incoterms(NULL), all);
}

static void test_codes_incoterm_fob_is_sea_only(void **state)
{
	const struct incoterm *t = codes_incoterm("FOB");
	assert_non_null(t);
	assert_string_equal(t->name, "Free On Board");
	assert_true(t->sea_only);
}

static void test_codes_incoterm_only_fas_fob_cfr_cif_are_sea_only(void **state)
{
	int n = 0;
	const struct incoterm *all = codes_incoterms(&n);
	for (int i = 0; i < n; i++) {
		int sea = strcmp(all[i].code, "FAS") == 0 || strcmp(all[i].code, "FOB") == 0 ||
		          strcmp(all[i].code, "CFR") == 0 || strcmp(all[i].code, "CIF") == 0;
		assert_int_equal(all[i].sea_only, sea);
	}
	assert_false(codes_incoterm("EXW")->sea_only);
	assert_false(codes_incoterm("DDP")->sea_only);
}

/* An RFQ's destination is the place to offer only where the rule names where the goods go. */
static void test_codes_incoterm_at_destination_only_for_c_and_d_rules(void **state)
{
	(void)state;
	int n = 0;
	const struct incoterm *all = codes_incoterms(&n);
	for (int i = 0; i < n; i++)
		assert_int_equal(codes_incoterm_at_destination(all[i].code),
		                 all[i].code[0] == 'C' || all[i].code[0] == 'D');
	assert_true(codes_incoterm_at_destination("CIF"));
	assert_true(codes_incoterm_at_destination("DAP"));
	assert_false(codes_incoterm_at_destination("FOB"));
	assert_false(codes_incoterm_at_destination("EXW"));
	assert_false(codes_incoterm_at_destination("CXX")); /* no rule */
}

static void test_codes_incoterm_cif_name_keeps_the_quoted_comma(void **state)
{
	assert_string_equal(codes_incoterm("CIF")->name, "Cost, Insurance and Freight");
}

static void test_codes_incoterm_unknown_gives_null(void **state)
{
	assert_null(codes_incoterm("DAT")); /* Incoterms 2010, replaced by DPU */
	assert_null(codes_incoterm("fob"));
	assert_null(codes_incoterm("FOB "));
	assert_null(codes_incoterm(""));
	assert_null(codes_incoterm(NULL));
}

static void test_codes_check_incoterm_refuses_2010_dat(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_incoterm("FCA", "incoterms", &e), K_OK);
	assert_int_equal(codes_check_incoterm("DAT", "incoterms", &e), K_EINVAL);
	assert_string_equal(e.msg, "incoterms: unknown Incoterms rule 'DAT' (Incoterms 2020: EXW "
	                           "FCA FAS FOB CFR CIF CPT CIP DAP DPU DDP)");
	assert_int_equal(codes_check_incoterm("fob", "incoterms", &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "upper case: FOB"));
}

/* --- units -------------------------------------------------------------------------------- */

static void test_codes_unit_c62_is_piece(void **state)
{
	const struct unit *u = codes_unit("C62");
	assert_non_null(u);
	assert_string_equal(u->name, "piece");
}

static void test_codes_unit_count_says_one_piece_and_many_pieces(void **state)
{
	assert_string_equal(codes_unit_count("C62", 1), "piece");
	assert_string_equal(codes_unit_count("C62", 65), "pieces");
	assert_string_equal(codes_unit_count("C62", 0), "pieces");
	assert_string_equal(codes_unit_count("BX", 2), "boxes");
	assert_string_equal(codes_unit_count("DZN", 3), "dozen");
	assert_string_equal(codes_unit_count("MTK", 12), "square metres");
	assert_string_equal(codes_unit_count("XYZ", 5), "XYZ"); /* no name here: the code */
	int n = 0;
	const struct unit *all = codes_units(&n);
	for (int i = 0; i < n; i++) /* every unit has both, and a short form */
		assert_true(all[i].plural && *all[i].plural && all[i].abbr && *all[i].abbr);
}

/* A count in a narrow column says its unit short: 500 pcs, 12 kg, 40 m². */
static void test_codes_unit_abbr_is_short_and_falls_back_to_the_code(void **state)
{
	assert_string_equal(codes_unit_abbr("C62"), "pcs");
	assert_string_equal(codes_unit_abbr(""), "pcs"); /* unsaid: a piece */
	assert_string_equal(codes_unit_abbr(NULL), "pcs");
	assert_string_equal(codes_unit_abbr("KGM"), "kg");
	assert_string_equal(codes_unit_abbr("MTK"), "m²");
	assert_string_equal(codes_unit_abbr("XYZ"), "XYZ");
}

static void test_codes_units_include_the_common_rec20_codes(void **state)
{
	const char *want[][2] = {{"C62", "piece"},        {"SET", "set"},   {"KGM", "kilogram"},
	                         {"MTR", "metre"},        {"PR", "pair"},   {"BX", "box"},
	                         {"CT", "carton"},        {"LTR", "litre"}, {"TNE", "tonne"},
	                         {"MTK", "square metre"}, {"GRM", "gram"},  {"MTQ", "cubic metre"},
	                         {"DZN", "dozen"}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct unit *u = codes_unit(want[i][0]);
		if (!u)
			fail_msg("unit %s missing", want[i][0]);
		assert_string_equal(u->name, want[i][1]);
	}
	int n = 0;
	const struct unit *all = codes_units(&n);
	assert_int_equal(n, (int)(sizeof want / sizeof want[0]));
	for (int i = 0; i < n; i++)
		assert_ptr_equal(codes_unit(all[i].code), &all[i]);
}

static void test_codes_unit_unknown_gives_null(void **state)
{
	assert_null(codes_unit("PCS"));
	assert_null(codes_unit("c62"));
	assert_null(codes_unit(NULL));
}

static void test_codes_check_unit_refuses_pcs(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(codes_check_unit("KGM", "unit", &e), K_OK);
	assert_int_equal(codes_check_unit("PCS", "items[0].unit", &e), K_EINVAL);
	assert_string_equal(e.msg, "items[0].unit: unknown unit 'PCS' (UN/ECE Rec 20, e.g. C62 "
	                           "piece, KGM kilogram, MTR metre)");
	assert_int_equal(codes_check_unit(NULL, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "unit: missing unit"));
}

static void test_codes_unit_word_takes_the_words_a_seller_writes(void **state)
{
	const char *said[][2] = {
	    {"metre", "MTR"},  {"Metres", "MTR"}, {"meters", "MTR"},      {"m", "MTR"},
	    {"mtr", "MTR"},    {"pcs", "C62"},    {"PC", "C62"},          {"piece", "C62"},
	    {"c62", "C62"},    {"kg", "KGM"},     {"KGS", "KGM"},         {"m2", "MTK"},
	    {"sqm", "MTK"},    {"m²", "MTK"},     {"cbm", "MTQ"},         {"ton", "TNE"},
	    {"Cartons", "CT"}, {"ctn", "CT"},     {"square meter", "MTK"}};
	for (size_t i = 0; i < sizeof said / sizeof said[0]; i++) {
		const struct unit *u = codes_unit_word(said[i][0]);
		if (!u || strcmp(u->code, said[i][1]))
			fail_msg("'%s' read as %s, not %s", said[i][0], u ? u->code : "nothing",
			         said[i][1]);
	}
	assert_null(codes_unit_word("furlong"));
	assert_null(codes_unit_word("me"));     /* no prefix of a word */
	assert_null(codes_unit_word("pc|pce")); /* the list's separator is not a word */
	assert_null(codes_unit_word(""));
	assert_null(codes_unit_word(NULL));
}

static void test_codes_unit_parse_names_the_whole_word_it_refuses(void **state)
{
	struct kerr e = {0, ""};
	char code[4] = "";
	assert_int_equal(codes_unit_parse("metres", code, "--unit", &e), K_OK);
	assert_string_equal(code, "MTR");
	assert_int_equal(codes_unit_parse("furlongs", code, "--unit", &e), K_EINVAL);
	assert_string_equal(code, "MTR");
	assert_true(strncmp(e.msg, "--unit: 'furlongs' is not a unit kontor knows (piece,", 52) ==
	            0);
}

static void test_codes_hs_code_reads_dotted_and_spaced_codes(void **state)
{
	const char *said[][2] = {{"730830", "730830"},           {"7308.30", "730830"},
	                         {"7308.30.90", "73083090"},     {"7308 30 90", "73083090"},
	                         {"7308-30-9000", "7308309000"}, {"7308.3090.00", "7308309000"}};
	for (size_t i = 0; i < sizeof said / sizeof said[0]; i++) {
		char out[CODES_HS_MAX + 1] = "";
		if (!codes_hs_code(said[i][0], out) || strcmp(out, said[i][1]))
			fail_msg("'%s' read as '%s', not %s", said[i][0], out, said[i][1]);
	}
	const char * not [] = {"7308",     "7308.3",     "73083090123", ".730830", "730830.",
	                       "7308..30", "7308,30,90", "7308.30a",    "",        "HS 730830"};
	for (size_t i = 0; i < sizeof not / sizeof not [0]; i++) {
		char out[CODES_HS_MAX + 1] = "kept";
		if (codes_hs_code(not [i], out) || strcmp(out, "kept"))
			fail_msg("'%s' read as an HS code", not [i]);
	}
	assert_true(codes_hs_ok("73083090"));
	assert_false(codes_hs_ok("7308.30.90")); /* the signed form keeps the digits alone */
	assert_false(codes_hs_ok("73083"));
}

/* --- DCSA --------------------------------------------------------------------------------- */

static void test_codes_dcsa_knows_equipment_transport_and_shipment_codes(void **state)
{
	const struct dcsa_code *c = codes_dcsa_event("LOAD");
	assert_non_null(c);
	assert_int_equal(c->kind, DCSA_EQUIPMENT);
	assert_string_equal(c->name, "Load");
	assert_true(strncmp(c->description, "The action of lifting", 21) == 0);
	c = codes_dcsa_event("DEPA");
	assert_non_null(c);
	assert_int_equal(c->kind, DCSA_TRANSPORT);
	assert_string_equal(c->name, "Departure");
	assert_string_equal(c->description, "");
	c = codes_dcsa_event("CONF");
	assert_non_null(c);
	assert_int_equal(c->kind, DCSA_SHIPMENT);
	assert_string_equal(c->name, "Confirmed");
}

static void test_codes_dcsa_knows_kontor_extensions_ofdl_dlvd_excp(void **state)
{
	const char *ext[][2] = {
	    {"OFDL", "Out for delivery"}, {"DLVD", "Delivered"}, {"EXCP", "Exception"}};
	for (size_t i = 0; i < 3; i++) {
		const struct dcsa_code *c = codes_dcsa_event(ext[i][0]);
		assert_non_null(c);
		assert_int_equal(c->kind, DCSA_KONTOR);
		assert_string_equal(c->name, ext[i][1]);
		assert_true(c->description[0] != '\0');
	}
}

static void test_codes_dcsa_description_keeps_quoted_commas(void **state)
{
	const struct dcsa_code *c = codes_dcsa_event("WAYP");
	assert_non_null(c);
	assert_non_null(strstr(c->description, "shipment, waypoint crossed"));
}

static void test_codes_dcsa_descriptions_are_trimmed(void **state)
{
	/* DROP's CSV field starts with a space, PENA's ends with one. */
	assert_true(codes_dcsa_event("DROP")->description[0] == 'T');
	const char *d = codes_dcsa_event("PENA")->description;
	assert_true(d[strlen(d) - 1] == '.');
}

static void test_codes_dcsa_events_are_sorted_and_unique(void **state)
{
	int n = 0;
	const struct dcsa_code *all = codes_dcsa_events(&n);
	assert_int_equal(n, 17 + 2 + 17 + 3);
	for (int i = 1; i < n; i++)
		assert_true(strcmp(all[i - 1].code, all[i].code) < 0);
	for (int i = 0; i < n; i++)
		assert_ptr_equal(codes_dcsa_event(all[i].code), &all[i]);
}

static void check_dcsa_csv(const char *file, enum dcsa_kind kind)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", CODE_DATA, file);
	FILE *fp = fopen(path, "r");
	if (!fp)
		fail_msg("run the tests from the repo root: cannot open %s", path);
	char line[2048];
	int rows = 0;
	assert_non_null(fgets(line, sizeof line, fp)); /* header */
	while (fgets(line, sizeof line, fp)) {
		char *comma = strchr(line, ',');
		if (!comma)
			continue;
		*comma = '\0';
		char *name = comma + 1;
		char *comma2 = strchr(name, ',');
		assert_non_null(comma2);
		*comma2 = '\0';
		const struct dcsa_code *c = codes_dcsa_event(line);
		if (!c)
			fail_msg("%s: code %s missing from the table", file, line);
		assert_int_equal(c->kind, kind);
		assert_string_equal(c->name, name);
		rows++;
	}
	fclose(fp);
	assert_true(rows > 0);
}

static void test_codes_dcsa_table_matches_data_csv(void **state)
{
	check_dcsa_csv("dcsa-equipment-event-codes.csv", DCSA_EQUIPMENT);
	check_dcsa_csv("dcsa-transport-event-codes.csv", DCSA_TRANSPORT);
	check_dcsa_csv("dcsa-shipment-event-codes.csv", DCSA_SHIPMENT);
}

static void test_codes_dcsa_unknown_gives_null(void **state)
{
	assert_null(codes_dcsa_event("load"));
	assert_null(codes_dcsa_event("ZZZZ"));
	assert_null(codes_dcsa_event("ACT"));
	assert_null(codes_dcsa_event(""));
	assert_null(codes_dcsa_event(NULL));
	assert_ptr_equal(codes_dcsa_events(NULL), codes_dcsa_events(&(int){0}));
}

static void test_codes_dcsa_classifiers_act_est_pln_req(void **state)
{
	assert_string_equal(codes_dcsa_classifier("ACT"), "Actual");
	assert_string_equal(codes_dcsa_classifier("EST"), "Estimated");
	assert_string_equal(codes_dcsa_classifier("PLN"), "Planned");
	assert_string_equal(codes_dcsa_classifier("REQ"), "Requested");
	assert_null(codes_dcsa_classifier("act"));
	assert_null(codes_dcsa_classifier("LOAD"));
	assert_null(codes_dcsa_classifier(NULL));
}

/* --- other iso-codes directories: each case runs in a fresh copy of this binary ----------- */

static int child_failures;

#define CHILD_CHECK(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "child check failed at line %d: %s\n", __LINE__, #cond);   \
			child_failures++;                                                          \
		}                                                                                  \
	} while (0)

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static const char fixture_3166[] =
    "{\"3166-1\": [{\"alpha_2\": \"ZZ\", \"name\": \"Testland\"},"
    " {\"alpha_2\": \"de\", \"name\": \"lower case, skipped\"},"
    " {\"name\": \"no code, skipped\"}, {\"alpha_2\": \"AA\", \"name\": \"Aaland\"}]}";
static const char fixture_4217[] =
    "{\"4217\": [{\"alpha_3\": \"EUR\", \"name\": \"Test Euro\"},"
    " {\"alpha_3\": \"XAU\", \"name\": \"Gold\"},"
    " {\"alpha_3\": \"QQQ\", \"name\": \"Not in the minor-unit table\"}]}";

static void child_missing_dir(void)
{
	struct kerr e = {0, ""};
	int64_t v;
	CHILD_CHECK(codes_load(&e) == K_EIO);
	CHILD_CHECK(strstr(e.msg, "iso_3166-1.json") != NULL);
	CHILD_CHECK(strstr(e.msg, "KONTOR_ISO_CODES_DIR") != NULL);
	CHILD_CHECK(codes_country_name("DE") == NULL);
	CHILD_CHECK(codes_currency_name("EUR") == NULL);
	CHILD_CHECK(codes_currency_minor("USD") == -1);
	CHILD_CHECK(codes_check_country("DE", "originCountry", &e) == K_EIO);
	CHILD_CHECK(strncmp(e.msg, "originCountry: cannot check country 'DE': ", 42) == 0);
	CHILD_CHECK(strstr(e.msg, "iso_3166-1.json") != NULL);
	CHILD_CHECK(codes_check_currency("EUR", "currency", &e) == K_EIO);
	CHILD_CHECK(strstr(e.msg, "iso_4217.json") != NULL);
	/* Money cannot know decimals without the currency list, and says why. */
	CHILD_CHECK(money_parse("12", "USD", &v, &e) == K_EIO);
	CHILD_CHECK(strstr(e.msg, "iso_4217.json") != NULL);
	/* The compiled-in tables do not depend on iso-codes. */
	CHILD_CHECK(codes_incoterm("FOB") != NULL);
	CHILD_CHECK(codes_unit("C62") != NULL);
	CHILD_CHECK(codes_dcsa_event("LOAD") != NULL);
}

static void child_fixture(void)
{
	struct kerr e = {0, ""};
	CHILD_CHECK(codes_load(&e) == K_OK);
	CHILD_CHECK(codes_country_name("ZZ") && strcmp(codes_country_name("ZZ"), "Testland") == 0);
	CHILD_CHECK(codes_country_name("AA") && strcmp(codes_country_name("AA"), "Aaland") == 0);
	CHILD_CHECK(codes_country_name("DE") == NULL);
	CHILD_CHECK(codes_country_name("de") == NULL);
	CHILD_CHECK(codes_currency_name("EUR") &&
	            strcmp(codes_currency_name("EUR"), "Test Euro") == 0);
	CHILD_CHECK(codes_currency_minor("EUR") == 2);
	CHILD_CHECK(codes_currency_name("XAU") == NULL);
	CHILD_CHECK(codes_currency_name("QQQ") == NULL);
	CHILD_CHECK(codes_currency_name("USD") == NULL);
	CHILD_CHECK(money_minor_units("USD") == -1);
}

static void child_bad_json(void)
{
	struct kerr e = {0, ""};
	CHILD_CHECK(codes_load(&e) == K_EIO);
	CHILD_CHECK(strstr(e.msg, "iso_3166-1.json: not iso-codes JSON") != NULL);
	CHILD_CHECK(codes_country_name("ZZ") == NULL);
	/* One broken file does not take the other list down. */
	CHILD_CHECK(codes_currency_minor("EUR") == 2);
}

/* The files appear only after start-up: found anyway, so nothing was read before the first
 * lookup, and the compiled-in tables never trigger the read. */
static void child_lazy(const char *dir)
{
	CHILD_CHECK(codes_incoterm("FOB") != NULL);
	CHILD_CHECK(codes_unit("KGM") != NULL);
	CHILD_CHECK(codes_dcsa_event("DEPA") != NULL);
	CHILD_CHECK(write_file(dir, "iso_3166-1.json", fixture_3166) == 0);
	CHILD_CHECK(write_file(dir, "iso_4217.json", fixture_4217) == 0);
	CHILD_CHECK(codes_country_name("ZZ") != NULL);
}

static void *thread_lookup(void *arg)
{
	int *ok = arg;
	for (int i = 0; i < 200; i++)
		if (!codes_country_name("DE") || codes_currency_minor("JPY") != 0)
			return NULL;
	*ok = 1;
	return NULL;
}

static void child_threads(void)
{
	pthread_t t[8];
	int ok[8] = {0};
	for (int i = 0; i < 8; i++)
		CHILD_CHECK(pthread_create(&t[i], NULL, thread_lookup, &ok[i]) == 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CHILD_CHECK(ok[i]);
	}
}

static int child_main(const char *scenario)
{
	const char *dir = getenv("KONTOR_ISO_CODES_DIR");
	if (strcmp(scenario, "missing") == 0)
		child_missing_dir();
	else if (strcmp(scenario, "fixture") == 0)
		child_fixture();
	else if (strcmp(scenario, "bad_json") == 0)
		child_bad_json();
	else if (strcmp(scenario, "lazy") == 0)
		child_lazy(dir);
	else if (strcmp(scenario, "threads") == 0)
		child_threads();
	else
		child_failures++;
	return child_failures ? 1 : 0;
}

/* Runs this binary again with TEST_CODES_CHILD=scenario and the given iso-codes dir (NULL:
 * the system one); passes when the child's checks all held. */
static void run_child(const char *scenario, const char *dir)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("TEST_CODES_CHILD", scenario, 1);
		if (dir)
			setenv("KONTOR_ISO_CODES_DIR", dir, 1);
		else
			unsetenv("KONTOR_ISO_CODES_DIR");
		/* argv[0] first: under valgrind /proc/self/exe is valgrind itself. */
		if (strchr(saved_argv[0], '/'))
			execv(saved_argv[0], saved_argv);
		execv("/proc/self/exe", saved_argv);
		_exit(127);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		fail_msg("child scenario '%s' failed (exit %d)", scenario, WEXITSTATUS(st));
}

static void make_dir(char dir[64])
{
	snprintf(dir, 64, "/tmp/kontor-codes-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/iso_3166-1.json", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/iso_4217.json", dir);
	unlink(path);
	rmdir(dir);
}

static void test_codes_unreadable_iso_codes_give_null_and_name_the_file(void **state)
{
	run_child("missing", "/nonexistent/kontor-iso-codes");
}

static void test_codes_iso_codes_dir_is_overridable_by_env(void **state)
{
	char dir[64];
	make_dir(dir);
	assert_int_equal(write_file(dir, "iso_3166-1.json", fixture_3166), 0);
	assert_int_equal(write_file(dir, "iso_4217.json", fixture_4217), 0);
	run_child("fixture", dir);
	remove_dir(dir);
}

static void test_codes_malformed_iso_json_is_reported_with_the_file(void **state)
{
	char dir[64];
	make_dir(dir);
	assert_int_equal(write_file(dir, "iso_3166-1.json", "{\"3166-1\": [ not json"), 0);
	assert_int_equal(write_file(dir, "iso_4217.json", fixture_4217), 0);
	run_child("bad_json", dir);
	remove_dir(dir);
}

static void test_codes_loads_iso_codes_on_first_lookup_not_at_start(void **state)
{
	char dir[64];
	make_dir(dir);
	run_child("lazy", dir);
	remove_dir(dir);
}

static void test_codes_first_lookups_from_many_threads_agree(void **state)
{
	run_child("threads", NULL);
}

int main(int argc, char **argv)
{
	const char *scenario = getenv("TEST_CODES_CHILD");
	if (scenario)
		return child_main(scenario);
	saved_argv = argv;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codes_load_succeeds_with_system_iso_codes),
	    cmocka_unit_test(test_codes_knows_iso_3166_country_de),
	    cmocka_unit_test(test_codes_country_name_keeps_utf8),
	    cmocka_unit_test(test_codes_country_lookup_is_case_sensitive),
	    cmocka_unit_test(test_codes_country_unknown_gives_null),
	    cmocka_unit_test(test_codes_check_country_accepts_de),
	    cmocka_unit_test(test_codes_check_country_names_field_and_example),
	    cmocka_unit_test(test_codes_check_country_hints_upper_case),
	    cmocka_unit_test(test_codes_check_country_refuses_missing_code),
	    cmocka_unit_test(test_codes_check_country_quotes_hostile_input_safely),
	    cmocka_unit_test(test_codes_knows_iso_4217_currency_eur),
	    cmocka_unit_test(test_codes_currency_minor_jpy_0_usd_2_bhd_3_clf_4),
	    cmocka_unit_test(test_codes_currency_refuses_codes_without_minor_units),
	    cmocka_unit_test(test_codes_currency_refuses_withdrawn_codes),
	    cmocka_unit_test(test_codes_check_currency_message_names_field_and_example),
	    cmocka_unit_test(test_codes_check_currency_accepts_usd),
	    cmocka_unit_test(test_codes_minor_units_match_data_csv),
	    cmocka_unit_test(test_codes_incoterms_lists_the_eleven_2020_rules_in_order),
	    cmocka_unit_test(test_codes_incoterm_fob_is_sea_only),
	    cmocka_unit_test(test_codes_incoterm_only_fas_fob_cfr_cif_are_sea_only),
	    cmocka_unit_test(test_codes_incoterm_at_destination_only_for_c_and_d_rules),
	    cmocka_unit_test(test_codes_incoterm_cif_name_keeps_the_quoted_comma),
	    cmocka_unit_test(test_codes_incoterm_unknown_gives_null),
	    cmocka_unit_test(test_codes_check_incoterm_refuses_2010_dat),
	    cmocka_unit_test(test_codes_unit_c62_is_piece),
	    cmocka_unit_test(test_codes_unit_count_says_one_piece_and_many_pieces),
	    cmocka_unit_test(test_codes_unit_abbr_is_short_and_falls_back_to_the_code),
	    cmocka_unit_test(test_codes_units_include_the_common_rec20_codes),
	    cmocka_unit_test(test_codes_unit_unknown_gives_null),
	    cmocka_unit_test(test_codes_check_unit_refuses_pcs),
	    cmocka_unit_test(test_codes_dcsa_knows_equipment_transport_and_shipment_codes),
	    cmocka_unit_test(test_codes_dcsa_knows_kontor_extensions_ofdl_dlvd_excp),
	    cmocka_unit_test(test_codes_dcsa_description_keeps_quoted_commas),
	    cmocka_unit_test(test_codes_dcsa_descriptions_are_trimmed),
	    cmocka_unit_test(test_codes_dcsa_events_are_sorted_and_unique),
	    cmocka_unit_test(test_codes_dcsa_table_matches_data_csv),
	    cmocka_unit_test(test_codes_dcsa_unknown_gives_null),
	    cmocka_unit_test(test_codes_dcsa_classifiers_act_est_pln_req),
	    cmocka_unit_test(test_codes_unit_word_takes_the_words_a_seller_writes),
	    cmocka_unit_test(test_codes_unit_parse_names_the_whole_word_it_refuses),
	    cmocka_unit_test(test_codes_hs_code_reads_dotted_and_spaced_codes),
	    cmocka_unit_test(test_codes_unreadable_iso_codes_give_null_and_name_the_file),
	    cmocka_unit_test(test_codes_iso_codes_dir_is_overridable_by_env),
	    cmocka_unit_test(test_codes_malformed_iso_json_is_reported_with_the_file),
	    cmocka_unit_test(test_codes_loads_iso_codes_on_first_lookup_not_at_start),
	    cmocka_unit_test(test_codes_first_lookups_from_many_threads_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
