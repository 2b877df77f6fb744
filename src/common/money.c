/* money — amounts typed by people into integer minor units and back; anything that would
 * round, overflow or be misread (signs, separators, stray letters, another currency's mark)
 * is refused, not guessed. The amount's own currency mark ("120000 ₫") is left out. */
#include "kontor/money.h"

#include <inttypes.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/codes.h"

/* Minor units come from a one-digit CSV column, so 10^0 .. 10^9 covers every case. */
static const int64_t pow10_tab[] = {1,      10,      100,      1000,      10000,
                                    100000, 1000000, 10000000, 100000000, 1000000000};
#define MINOR_LIMIT ((int)(sizeof pow10_tab / sizeof pow10_tab[0]) - 1)

int money_minor_units(const char *currency)
{
	int u = codes_currency_minor(currency);
	return u > MINOR_LIMIT ? -1 : u;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The amount as quoted back in a message: it is user input, so keep it short and printable.
 * A character beyond ASCII is kept when it is valid UTF-8 and not a control ("120.000đ", as
 * a Vietnamese shop writes a price); any other byte shows as '?'. */
static void shown(const char *s, const char *end, char out[40])
{
	size_t i = 0, w = 0;
	while (s + i < end && w < 28) {
		uint32_t cp = 0;
		size_t n = (unsigned char)s[i] >= 0x80
		               ? utf8_decode(s + i, (size_t)(end - s - i), &cp)
		               : 0;
		if (n > 1 && cp >= 0xA0) {
			if (w + n > 28)
				break;
			memcpy(out + w, s + i, n);
			w += n;
			i += n;
			continue;
		}
		out[w++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
		i++;
	}
	if (s + i < end)
		memcpy(out + w, "...", 3), w += 3;
	out[w] = '\0';
}

/* The marks a shop writes beside a price, and the currency each names ("120000 ₫",
 * "€12.50", "12.50 USD"): the amount's own currency's is left out, another's refused. */
static const struct {
	const char *mark, *currency;
} marks[] = {
    {"VNĐ", "VND"}, {"₫", "VND"},  {"đ", "VND"}, {"€", "EUR"},   {"£", "GBP"},  {"¥", "JPY"},
    {"¥", "CNY"},   {"元", "CNY"}, {"₹", "INR"}, {"US$", "USD"}, {"$", "USD"},  {"$", "CAD"},
    {"$", "AUD"},   {"$", "NZD"},  {"$", "SGD"}, {"$", "HKD"},   {"$", "TWD"},  {"$", "MXN"},
    {"₩", "KRW"},   {"฿", "THB"},  {"₱", "PHP"}, {"Rp", "IDR"},  {"RM", "MYR"}, {"zł", "PLN"},
    {"₺", "TRY"},   {"₦", "NGN"},  {"₴", "UAH"},
};

static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* A mark at the start or the end of [*p, *end): 1 with it cut off (and the spaces beside
 * it) and in cur the currency it names, "" when that is currency ("¥" names JPY and CNY); 0
 * when there is none. An ISO code counts when it is one. */
static int cut_mark(const char **p, const char **end, const char *currency, char cur[8])
{
	size_t n = (size_t)(*end - *p);
	for (int at_end = 0; at_end < 2; at_end++) {
		size_t len = 0;
		const char *names = NULL; /* another currency it names; NULL: ours */
		for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
			size_t m = strlen(marks[i].mark);
			if (m >= n || m < len ||
			    memcmp(at_end ? *end - m : *p, marks[i].mark, m) != 0)
				continue;
			int ours = strcmp(marks[i].currency, currency) == 0;
			if (m > len)
				names = ours ? NULL : marks[i].currency; /* "US$" over "$" */
			else if (ours)
				names = NULL;
			len = m;
		}
		const char *s = at_end ? *end - 3 : *p;
		char code[4] = "";
		if (!len && n > 3 && is_alpha(s[0]) && is_alpha(s[1]) && is_alpha(s[2]) &&
		    (at_end ? !is_alpha(s[-1]) : !is_alpha(s[3]))) {
			for (int k = 0; k < 3; k++)
				code[k] = (char)(s[k] >= 'a' ? s[k] - 'a' + 'A' : s[k]);
			if (codes_currency_minor(code) >= 0) {
				len = 3;
				names = strcmp(code, currency) == 0 ? NULL : code;
			}
		}
		if (!len)
			continue;
		snprintf(cur, 8, "%s", names ? names : "");
		if (at_end)
			*end -= len;
		else
			*p += len;
		while (*p < *end && is_space(**p))
			(*p)++;
		while (*end > *p && is_space((*end)[-1]))
			(*end)--;
		return 1;
	}
	return 0;
}

/* money_parse and money_parse_exact: exact refuses every decimal past the currency's, zeros
 * too. */
static int parse(const char *text, const char *currency, int exact, int64_t *minor, struct kerr *e)
{
	int u = money_minor_units(currency);
	if (u < 0) {
		/* Let codes phrase it: it knows whether the code is unknown or iso-codes is
		 * unreadable. */
		int rc = codes_check_currency(currency, "currency", e);
		return rc != K_OK
		           ? rc
		           : kerr_set(e, K_EINVAL, "currency: %.8s has no minor unit", currency);
	}
	if (!text)
		return kerr_set(e, K_EINVAL, "missing amount (write it like 12.50)");

	const char *p = text, *end = text + strlen(text);
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	char sh[40], cur[8] = "";
	shown(p, end, sh);
	if (p == end)
		return kerr_set(e, K_EINVAL, "empty amount (write it like 12.50)");
	if (cut_mark(&p, &end, currency, cur) && cur[0])
		return kerr_set(e, K_EINVAL, "%s is in %s, not %s: write the amount in %s", sh, cur,
		                currency, currency);
	if (p == end)
		return kerr_set(e, K_EINVAL, "%s: the currency, but no amount", sh);
	if (*p == '-' && end - p > 1 && (is_digit(p[1]) || p[1] == '.'))
		return kerr_set(e, K_EINVAL, "%s is negative: a price can't be below zero", sh);
	if (*p == '+')
		return kerr_set(e, K_EINVAL, "%s: leave out the '+' (write the plain number)", sh);

	/* Shape first, value second: "1e5" should be called not-a-number, not an overflow. */
	const char *q = p, *int_end, *frac = NULL;
	while (q < end && is_digit(*q))
		q++;
	int_end = q;
	if (q < end && *q == '.') {
		frac = ++q;
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end) {
		if (*q == ',' || *q == ' ' || *q == '\'' || *q == '_' || *q == '.')
			return kerr_set(e, K_EINVAL,
			                "%s: no thousands separators or decimal commas (write "
			                "plain digits and one '.', like 1234.50)",
			                sh);
		return kerr_set(e, K_EINVAL,
		                "%s is not an amount (digits and at most one '.', like 12.50)", sh);
	}
	if (int_end == p) {
		if (frac && q > frac)
			return kerr_set(e, K_EINVAL, "%s: write 0%s (a digit before the '.')", sh,
			                sh);
		return kerr_set(e, K_EINVAL,
		                "%s is not an amount (digits and at most one '.', like 12.50)", sh);
	}
	int nfrac = 0;
	if (frac) {
		if (q == frac)
			return kerr_set(e, K_EINVAL,
			                "%s: put digits after the '.' or leave the '.' out", sh);
		nfrac = (int)(q - frac);
	}
	int excess_zeros = 1;
	for (const char *d = nfrac > u ? frac + u : q; d < q; d++)
		excess_zeros = excess_zeros && *d == '0';
	if (nfrac > u && !exact && excess_zeros && nfrac != 3) {
		/* "245000.00" VND: zeros past the currency's decimals change nothing. Never three
		 * of them, which may be a thousands group ("245.000"). */
		q = frac + u;
		nfrac = u;
	}
	if (nfrac > u) {
		char has[32] = "no decimal places", group[64] = "";
		if (u > 0)
			snprintf(has, sizeof has, "%d decimal place%s", u, u == 1 ? "" : "s");
		if (nfrac == 3 && int_end - p <= 3 && *p != '0') /* "245.000": a thousands group */
			snprintf(group, sizeof group,
			         " (if the '.' groups thousands, write %.*s%.3s)",
			         (int)(int_end - p), p, frac);
		return kerr_set(e, K_EINVAL, "%s: %s has %s%s", sh, currency, has, group);
	}

	int64_t v = 0;
	for (const char *d = p; d < q; d++) {
		if (*d == '.')
			continue;
		int dig = *d - '0';
		if (v > (MONEY_MAX - dig) / 10)
			goto too_big;
		v = v * 10 + dig;
	}
	int64_t scale = pow10_tab[u - nfrac];
	if (v > MONEY_MAX / scale)
		goto too_big;
	*minor = v * scale;
	return K_OK;

too_big:;
	char max[MONEY_FMT_MAX];
	money_format(MONEY_MAX, currency, max);
	return kerr_set(e, K_ERANGE, "%s is over the largest amount kontor handles (%s %s)", sh,
	                max, currency);
}

int money_parse(const char *text, const char *currency, int64_t *minor, struct kerr *e)
{
	return parse(text, currency, 0, minor, e);
}

int money_parse_exact(const char *text, const char *currency, int64_t *minor, struct kerr *e)
{
	return parse(text, currency, 1, minor, e);
}

void money_format(int64_t minor, const char *currency, char out[MONEY_FMT_MAX])
{
	int u = money_minor_units(currency);
	if (u < 0)
		u = 2;
	/* Unsigned magnitude, so INT64_MIN prints instead of overflowing on negation. */
	uint64_t mag = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
	/* Digits are produced right to left; at most 20 digits, a '.', a '-' and a leading
	 * "0" fit the 32 bytes with room to spare. */
	char tmp[MONEY_FMT_MAX];
	int i = MONEY_FMT_MAX - 1, nd = 0;
	tmp[i] = '\0';
	do {
		if (u > 0 && nd == u)
			tmp[--i] = '.';
		tmp[--i] = (char)('0' + mag % 10);
		mag /= 10;
		nd++;
	} while (mag > 0 || nd <= u);
	if (minor < 0)
		tmp[--i] = '-';
	memcpy(out, tmp + i, (size_t)(MONEY_FMT_MAX - i));
}

/* The person's numeric conventions, read once: a locale_t from the environment, never
 * setlocale, so JSON numbers written by this process keep their '.'. */
static struct {
	char radix[8];    /* "." or "," (a mark longer than 7 bytes falls back to ".") */
	char sep[8];      /* "", ",", ".", or U+202F/U+00A0 in UTF-8 */
	char grouping[8]; /* group sizes from the right, the last repeating; CHAR_MAX ends */
} numeric = {".", ",", "\3"};
static pthread_once_t numeric_once = PTHREAD_ONCE_INIT;

static void numeric_read(void)
{
	locale_t loc = newlocale(LC_NUMERIC_MASK, "", (locale_t)0);
	if (loc == (locale_t)0)
		return; /* not installed: the C style */
	const char *radix = nl_langinfo_l(RADIXCHAR, loc);
	const char *sep = nl_langinfo_l(THOUSEP, loc);
	const char *grouping = nl_langinfo_l(GROUPING, loc);
	int groups = sep && *sep && grouping && *grouping && *grouping != CHAR_MAX &&
	             *grouping > 0 && strlen(sep) < sizeof numeric.sep;
	int dot =
	    !radix || !*radix || strcmp(radix, ".") == 0 || strlen(radix) >= sizeof numeric.radix;
	if (groups) {
		snprintf(numeric.radix, sizeof numeric.radix, "%s", dot ? "." : radix);
		snprintf(numeric.sep, sizeof numeric.sep, "%s", sep);
		snprintf(numeric.grouping, sizeof numeric.grouping, "%s", grouping);
	} else if (!dot) {
		/* A decimal comma and no grouping: a ',' between thousands would read as the
		 * decimal mark, so none. */
		snprintf(numeric.radix, sizeof numeric.radix, "%s", radix);
		numeric.sep[0] = '\0';
	}
	/* else: no grouping with a '.': C, C.UTF-8, POSIX keep "1,234.50" */
	freelocale(loc);
}

/* digits ("-1234.50", "249600") -> out with the locale's grouping and decimal mark. */
static void grouped(const char *digits, char out[MONEY_FMT_MAX])
{
	pthread_once(&numeric_once, numeric_read);
	const char *p = digits;
	size_t o = 0;
	if (*p == '-')
		out[o++] = *p++;
	const char *dot = strchr(p, '.');
	size_t whole = dot ? (size_t)(dot - p) : strlen(p);
	/* Where the separators go, counted from the right: the grouping's sizes in turn, its
	 * last one repeating, none after CHAR_MAX. */
	char mark[MONEY_FMT_MAX] = {0};
	size_t at = whole, gi = 0;
	int size = 0;
	while (numeric.sep[0]) {
		if (numeric.grouping[gi]) {
			size = numeric.grouping[gi];
			if (numeric.grouping[gi + 1])
				gi++;
		}
		if (size <= 0 || size == CHAR_MAX || (size_t)size >= at)
			break;
		at -= (size_t)size;
		mark[at] = 1;
	}
	size_t seplen = strlen(numeric.sep), radlen = strlen(numeric.radix);
	for (size_t i = 0; i < whole; i++) {
		if (mark[i] && o + seplen < MONEY_FMT_MAX - 1) {
			memcpy(out + o, numeric.sep, seplen);
			o += seplen;
		}
		if (o < MONEY_FMT_MAX - 1)
			out[o++] = p[i];
	}
	if (dot && o + radlen < MONEY_FMT_MAX - 1) {
		memcpy(out + o, numeric.radix, radlen);
		o += radlen;
		for (const char *f = dot + 1; *f && o < MONEY_FMT_MAX - 1; f++)
			out[o++] = *f;
	}
	out[o] = '\0';
}

void money_text(int64_t minor, const char *currency, char out[MONEY_FMT_MAX])
{
	char digits[MONEY_FMT_MAX];
	money_format(minor, currency, digits);
	grouped(digits, out);
}

const char *count_text(int64_t n, char out[MONEY_FMT_MAX])
{
	char digits[32];
	snprintf(digits, sizeof digits, "%lld", (long long)n);
	grouped(digits, out);
	return out;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

int money_mul(int64_t unit, int64_t qty, int64_t *out, struct kerr *e)
{
	/* Work on magnitudes so any int64 input is safe; the product is checked before it is
	 * formed, against the same 2^53-1 bound canonical JSON imposes. */
	uint64_t a = magnitude(unit), b = magnitude(qty);
	if (a != 0 && b > (uint64_t)MONEY_MAX / a)
		return kerr_set(e, K_ERANGE,
		                "%" PRId64 " x %" PRId64
		                " is over the largest amount kontor handles (%" PRId64
		                " minor units)",
		                unit, qty, MONEY_MAX);
	int64_t r = (int64_t)(a * b);
	*out = (unit < 0) != (qty < 0) ? -r : r;
	return K_OK;
}

int money_add(int64_t a, int64_t b, int64_t *out, struct kerr *e)
{
	int over;
	if (a >= 0 && b >= 0)
		over = a > MONEY_MAX - b;
	else if (a < 0 && b < 0)
		over = a < -MONEY_MAX - b;
	else /* opposite signs cannot overflow int64; only the bound matters */
		over = a + b > MONEY_MAX || a + b < -MONEY_MAX;
	if (over)
		return kerr_set(e, K_ERANGE,
		                "%" PRId64 " + %" PRId64
		                " is over the largest amount kontor handles (%" PRId64
		                " minor units)",
		                a, b, MONEY_MAX);
	*out = a + b;
	return K_OK;
}
