/* search_bench — local search at scale (DESIGN §11): fills a cache with deterministic
 * listings in eight scripts, then times Zipf-distributed queries with filters through
 * store_search and reports latency, file size and peak RSS.
 *   search_bench generate DB N SEED
 *   search_bench query DB NQUERIES SEED */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../../src/client/store/store.h"
#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/model.h"

#define NQDISTINCT 10000
#define NFAM 18
#define NMOD 8

/* --- deterministic randomness ------------------------------------------------------------ */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}
static int rndn(int n)
{
	return (int)(rnd() % (uint64_t)n);
}
static double rndf(void)
{
	return (double)(rnd() >> 11) / (double)(1ULL << 53);
}

/* --- what the marketplace sells, in ten languages (eight scripts) ------------------------- */
enum { EN, DE, ES, ZH, JA, KO, RU, AR, HI, TH, NLANG };
/* Languages written without spaces join a title's parts directly. */
static const int joined[NLANG] = {[ZH] = 1, [JA] = 1, [TH] = 1};
static const int lang_weight[NLANG] = {28, 7, 8, 22, 7, 6, 7, 5, 5, 5};

struct country {
	const char *cc, *cur;
	double rate; /* minor units of cur per US cent */
};
static const struct country countries[NLANG][4] = {
    [EN] = {{"US", "USD", 1}, {"GB", "GBP", 0.79}, {"AU", "AUD", 1.5}, {"CA", "CAD", 1.35}},
    [DE] = {{"DE", "EUR", 0.92}, {"AT", "EUR", 0.92}, {"CH", "CHF", 0.88}, {"DE", "EUR", 0.92}},
    [ES] = {{"ES", "EUR", 0.92}, {"MX", "MXN", 17}, {"CO", "COP", 3900}, {"AR", "ARS", 870}},
    [ZH] = {{"CN", "CNY", 7.2}, {"CN", "CNY", 7.2}, {"TW", "TWD", 32}, {"HK", "HKD", 7.8}},
    [JA] = {{"JP", "JPY", 1.5}, {"JP", "JPY", 1.5}, {"JP", "JPY", 1.5}, {"JP", "JPY", 1.5}},
    [KO] = {{"KR", "KRW", 13.5}, {"KR", "KRW", 13.5}, {"KR", "KRW", 13.5}, {"KR", "KRW", 13.5}},
    [RU] = {{"RU", "RUB", 92}, {"KZ", "KZT", 450}, {"BY", "BYN", 3.3}, {"RU", "RUB", 92}},
    [AR] = {{"AE", "AED", 3.67}, {"SA", "SAR", 3.75}, {"EG", "EGP", 48}, {"MA", "MAD", 10}},
    [HI] = {{"IN", "INR", 83}, {"IN", "INR", 83}, {"IN", "INR", 83}, {"IN", "INR", 83}},
    [TH] = {{"TH", "THB", 36}, {"TH", "THB", 36}, {"TH", "THB", 36}, {"TH", "THB", 36}},
};

struct family {
	const char *category;
	int lo, hi; /* US cents */
	/* Parts of the product name; '|' separates parts a query may use on their own. */
	const char *name[NLANG];
};
static const struct family fams[NFAM] = {
    {"Furniture/Table legs",
     800,
     6000,
     {"iron|table|legs", "Tischbeine|aus|Eisen", "patas|de|mesa|de|hierro", "铁艺|桌腿",
      "アイアン|テーブル脚", "철제|테이블|다리", "металлические|ножки|для|стола", "أرجل|طاولة|حديد",
      "लोहे|के|टेबल|पैर", "ขาโต๊ะ|เหล็ก"}},
    {"Electronics/Lighting",
     200,
     3000,
     {"LED|strip|lights", "LED|Lichtband", "tira|LED|luces", "LED|灯带", "LED|テープライト",
      "LED|스트립|조명", "светодиодная|лента", "شريط|إضاءة|LED", "एलईडी|स्ट्रिप|लाइट", "ไฟเส้น|LED"}},
    {"Textiles/Fabric",
     100,
     1500,
     {"cotton|fabric", "Baumwollstoff", "tela|de|algodón", "纯棉|面料", "綿|生地", "면|원단",
      "хлопковая|ткань", "قماش|قطن", "सूती|कपड़ा", "ผ้า|ฝ้าย"}},
    {"Electronics/Phone accessories",
     50,
     1200,
     {"phone|case", "Handyhülle", "funda|de|teléfono", "手机|壳", "スマホ|ケース", "휴대폰|케이스",
      "чехол|для|телефона", "جراب|هاتف", "फ़ोन|कवर", "เคส|โทรศัพท์"}},
    {"Building/Tiles",
     500,
     4000,
     {"ceramic|floor|tiles", "Keramikfliesen", "baldosas|de|cerámica", "陶瓷|地砖",
      "セラミック|タイル", "세라믹|타일", "керамическая|плитка", "بلاط|سيراميك", "सिरेमिक|टाइल",
      "กระเบื้อง|เซรามิก"}},
    {"Food/Coffee",
     600,
     4000,
     {"coffee|beans", "Kaffeebohnen", "granos|de|café", "咖啡|豆", "コーヒー|豆", "커피|원두",
      "кофе|в|зернах", "حبوب|القهوة", "कॉफ़ी|बीन्स", "เมล็ด|กาแฟ"}},
    {"Energy/Solar",
     6000,
     40000,
     {"solar|panel", "Solarmodul", "panel|solar", "太阳能|电池板", "ソーラー|パネル", "태양광|패널",
      "солнечная|панель", "لوح|طاقة|شمسية", "सौर|पैनल", "แผง|โซลาร์เซลล์"}},
    {"Home/Kitchen",
     200,
     2000,
     {"bamboo|cutting|board", "Bambus|Schneidebrett", "tabla|de|cortar|de|bambú", "竹|砧板",
      "竹|まな板", "대나무|도마", "бамбуковая|разделочная|доска", "لوح|تقطيع|خيزران",
      "बांस|कटिंग|बोर्ड", "เขียง|ไม้ไผ่"}},
    {"Home/Drinkware",
     200,
     2500,
     {"stainless|steel|water|bottle", "Edelstahl|Trinkflasche",
      "botella|de|agua|de|acero|inoxidable", "不锈钢|水杯", "ステンレス|水筒", "스테인리스|물병",
      "бутылка|для|воды|из|нержавеющей|стали", "زجاجة|ماء|ستانلس|ستيل", "स्टेनलेस|स्टील|पानी|की|बोतल",
      "ขวดน้ำ|สแตนเลส"}},
    {"Fashion/Accessories",
     300,
     6000,
     {"leather|wallet", "Geldbörse|aus|Leder", "cartera|de|cuero", "真皮|钱包", "革|財布",
      "가죽|지갑", "кожаный|кошелек", "محفظة|جلد", "चमड़े|का|बटुआ", "กระเป๋าสตางค์|หนัง"}},
    {"Sports/Fitness",
     300,
     3000,
     {"yoga|mat", "Yogamatte", "esterilla|de|yoga", "瑜伽|垫", "ヨガ|マット", "요가|매트",
      "коврик|для|йоги", "سجادة|يوغا", "योगा|मैट", "เสื่อ|โยคะ"}},
    {"Food/Oils",
     400,
     3000,
     {"extra|virgin|olive|oil", "natives|Olivenöl|extra", "aceite|de|oliva|virgen|extra",
      "特级初榨|橄榄油", "エクストラバージン|オリーブオイル", "엑스트라|버진|올리브|오일",
      "оливковое|масло", "زيت|زيتون|بكر|ممتاز", "जैतून|का|तेल", "น้ำมัน|มะกอก"}},
    {"Fashion/Scarves",
     500,
     8000,
     {"silk|scarf", "Seidenschal", "pañuelo|de|seda", "真丝|围巾", "シルク|スカーフ", "실크|스카프",
      "шелковый|шарф", "وشاح|حرير", "रेशमी|दुपट्टा", "ผ้าพันคอ|ผ้าไหม"}},
    {"Sports/Cycling",
     800,
     7000,
     {"bicycle|helmet", "Fahrradhelm", "casco|de|bicicleta", "自行车|头盔", "自転車|ヘルメット",
      "자전거|헬멧", "велосипедный|шлем", "خوذة|دراجة", "साइकिल|हेलमेट", "หมวกกันน็อค|จักรยาน"}},
    {"Electronics/Cables",
     30,
     800,
     {"USB|C|charging|cable", "USB|C|Ladekabel", "cable|de|carga|USB|C", "USB|数据线",
      "USB|ケーブル", "USB|충전|케이블", "USB|кабель|для|зарядки", "كابل|شحن|USB",
      "यूएसबी|चार्जिंग|केबल", "สายชาร์จ|USB"}},
    {"Food/Tea",
     300,
     5000,
     {"green|tea|leaves", "grüner|Tee", "hojas|de|té|verde", "绿茶|茶叶", "緑茶|茶葉", "녹차|잎",
      "зеленый|чай", "أوراق|الشاي|الأخضر", "हरी|चाय|पत्ती", "ชา|เขียว"}},
    {"Fashion/Knitwear",
     2000,
     20000,
     {"cashmere|sweater", "Kaschmirpullover", "suéter|de|cachemira", "羊绒|毛衣",
      "カシミヤ|セーター", "캐시미어|스웨터", "кашемировый|свитер", "سترة|كشمير", "कश्मीरी|स्वेटर",
      "เสื้อสเวตเตอร์|แคชเมียร์"}},
    {"Garden/Watering",
     500,
     5000,
     {"garden|hose", "Gartenschlauch", "manguera|de|jardín", "花园|水管", "ガーデン|ホース",
      "정원|호스", "садовый|шланг", "خرطوم|حديقة", "बगीचे|की|नली", "สายยาง|รดน้ำ"}},
};

static const char *mods[NLANG][NMOD] = {
    [EN] = {"black", "white", "wholesale", "premium", "custom", "organic", "waterproof", "eco"},
    [DE] = {"schwarz", "weiß", "Großhandel", "hochwertig", "individuell", "Bio", "wasserdicht",
            "nachhaltig"},
    [ES] = {"negro", "blanco", "mayorista", "premium", "personalizado", "orgánico", "impermeable",
            "ecológico"},
    [ZH] = {"黑色", "白色", "批发", "高品质", "定制", "有机", "防水", "环保"},
    [JA] = {"黒", "白", "卸売", "高品質", "カスタム", "オーガニック", "防水", "エコ"},
    [KO] = {"검정", "흰색", "도매", "프리미엄", "맞춤형", "유기농", "방수", "친환경"},
    [RU] = {"черный", "белый", "оптом", "премиум", "на заказ", "органический", "водонепроницаемый",
            "эко"},
    [AR] = {"أسود", "أبيض", "بالجملة", "فاخر", "مخصص", "عضوي", "مقاوم للماء", "صديق للبيئة"},
    [HI] = {"काला", "सफेद", "थोक", "प्रीमियम", "कस्टम", "जैविक", "वाटरप्रूफ", "इको"},
    [TH] = {"สีดำ", "สีขาว", "ขายส่ง", "พรีเมียม", "สั่งทำ", "ออร์แกนิก", "กันน้ำ", "รักษ์โลก"},
};

static const char *descs[NLANG] = {
    [EN] = "Factory direct, samples available, ships worldwide within two weeks.",
    [DE] = "Direkt vom Hersteller, Muster verfügbar, weltweiter Versand.",
    [ES] = "Directo de fábrica, muestras disponibles, envío a todo el mundo.",
    [ZH] = "工厂直销,可提供样品,两周内发往全球。",
    [JA] = "工場直送、サンプルあり、世界中に発送します。",
    [KO] = "공장 직판, 샘플 제공, 전 세계 배송.",
    [RU] = "Напрямую с завода, образцы доступны, доставка по всему миру.",
    [AR] = "مباشرة من المصنع، العينات متوفرة، شحن إلى جميع أنحاء العالم.",
    [HI] = "सीधे कारखाने से, नमूने उपलब्ध, दुनिया भर में शिपिंग।",
    [TH] = "ส่งตรงจากโรงงาน มีสินค้าตัวอย่าง จัดส่งทั่วโลก",
};

static const char *sizes[] = {"10cm", "40cm", "71cm", "1m", "5m",   "10m",  "500g", "1kg",
                              "25kg", "XL",   "M",    "S",  "100W", "300W", "A4",   "2mm"};
static const char *incoterms[] = {"EXW", "FOB", "CIF", "DDP", "FCA", "DAP", "CFR"};
static const int64_t moqs[] = {1, 5, 10, 50, 100, 200, 500, 1000, 5000};

static int pick_lang(void)
{
	int r = rndn(100), acc = 0;
	for (int l = 0; l < NLANG; l++)
		if (r < (acc += lang_weight[l]))
			return l;
	return EN;
}

/* Appends the i-th '|' part of a name (or all parts, i < 0), joined the language's way. */
static void put_name(struct kbuf *b, const char *name, int i, int lang)
{
	int part = 0;
	for (const char *p = name; *p; p++) {
		if (*p == '|') {
			part++;
			if (i < 0 && !joined[lang])
				kbuf_putc(b, ' ');
			continue;
		}
		if (i < 0 || part == i)
			kbuf_putc(b, *p);
	}
}

static int name_parts(const char *name)
{
	int n = 1;
	for (; *name; name++)
		n += *name == '|';
	return n;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const struct kerr *e)
{
	fprintf(stderr, "search_bench: %s: %s\n", what, e->msg);
	exit(1);
}

/* --- generate ----------------------------------------------------------------------------- */
struct seller {
	char id[KCRYPTO_ID_LEN + 1];
	int lang, country;
};

static struct seller *make_sellers(int n)
{
	struct seller *s = xcalloc((size_t)n, sizeof *s);
	for (int i = 0; i < n; i++) {
		uint8_t pk[KCRYPTO_PK_BYTES];
		for (size_t k = 0; k < sizeof pk; k += 8) {
			uint64_t r = rnd();
			memcpy(pk + k, &r, 8);
		}
		kcrypto_account_id(pk, s[i].id);
		s[i].lang = pick_lang();
		s[i].country = rndn(4);
	}
	return s;
}

static int generate(const char *path, long n, uint64_t seed)
{
	struct store *st;
	struct kerr e = {0};
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	if (kcrypto_init(&e) || store_open(path, &st, &e))
		die(path, &e);
	double t0 = now_ms();
	int nsellers = (int)(n / 50 > 10 ? n / 50 : 10);
	struct seller *sellers = make_sellers(nsellers);
	/* Sellers first, so listings are indexed with their standing from the start. */
	if (store_begin(st, &e))
		die("begin", &e);
	int nverified = 0;
	for (int i = 0; i < nsellers; i++) {
		struct account a;
		account_init(&a);
		memcpy(a.id, sellers[i].id, sizeof a.id);
		char name[32];
		snprintf(name, sizeof name, "Trader %d", i);
		a.display_name = xstrdup(name);
		memcpy(a.country, countries[sellers[i].lang][sellers[i].country].cc, 3);
		memcpy(a.role, "supplier", 9);
		if (rndn(4) == 0) {
			a.attestation = cJSON_CreateObject();
			cJSON_AddStringToObject(a.attestation, "legalName", name);
			cJSON_AddStringToObject(a.attestation, "expires", "2099-01-01T00:00:00Z");
			nverified++;
		}
		if (rndn(10) < 7) {
			a.rating.count = 1 + rndn(500);
			a.rating.sum =
			    a.rating.count * 3 + (int64_t)(rndf() * 2.0 * (double)a.rating.count);
			a.rating.average = (double)a.rating.sum / (double)a.rating.count;
		}
		if (store_account_put(st, &a, &e))
			die("account", &e);
		account_free(&a);
	}
	if (store_commit(st, &e))
		die("commit", &e);

	if (store_bulk_load(st, 1, &e))
		die("bulk", &e);
	/* A syntactically valid placeholder: signing a million listings measures libsodium,
	 * not the cache. */
	static const char sig[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	                          "AAAAAAAAAAAAAAAAAAAAAA==";
	struct kbuf title = KBUF_INIT;
	char sku[32];
	const int64_t span = 60LL * 60 * 24 * 365 * 3; /* updates over three years */
	for (long i = 0; i < n; i++) {
		if (i % 20000 == 0 && store_begin(st, &e))
			die("begin", &e);
		const struct seller *sl = &sellers[rndn(nsellers)];
		int lang = rndn(10) < 3 ? EN : sl->lang; /* many sellers also list in English */
		const struct country *c = &countries[sl->lang][sl->country];
		const struct family *f = &fams[rndn(NFAM)];
		struct listing l;
		listing_init(&l);
		memcpy(l.seller_id, sl->id, sizeof l.seller_id);
		snprintf(sku, sizeof sku, "SKU-%ld", i);
		l.sku = xstrdup(sku);
		listing_make_id(l.seller_id, l.sku, l.id);
		kbuf_reset(&title);
		int m1 = rndn(NMOD), m2 = rndn(NMOD);
		const char *sep = joined[lang] ? "" : " ";
		kbuf_printf(&title, "%s%s", mods[lang][m1], sep);
		put_name(&title, f->name[lang], -1, lang);
		if (m2 != m1 && rndn(2))
			kbuf_printf(&title, "%s%s", sep, mods[lang][m2]);
		kbuf_printf(&title, " %s", sizes[rndn(16)]);
		if (rndn(3) == 0)
			kbuf_printf(&title, " K%d", rndn(100000));
		l.title = xstrdup(kbuf_str(&title));
		l.description = xstrdup(descs[lang]);
		l.category = xstrdup(f->category);
		struct kbuf tag = KBUF_INIT;
		put_name(&tag, f->name[lang], 0, lang);
		kstrv_push(&l.tags, kbuf_str(&tag));
		kbuf_free(&tag);
		kstrv_push(&l.tags, mods[lang][m1]);
		memcpy(l.currency, c->cur, 4);
		memcpy(l.ships_from, c->cc, 3);
		memcpy(l.origin_country, c->cc, 3);
		l.moq = moqs[rndn(9)];
		double usd = f->lo + rndf() * (f->hi - f->lo);
		int nt = 1 + rndn(3);
		l.tiers = xcalloc((size_t)nt, sizeof *l.tiers);
		l.ntiers = (size_t)nt;
		for (int t = 0; t < nt; t++) {
			l.tiers[t].min_qty = l.moq * (t == 0 ? 1 : t == 1 ? 10 : 100);
			l.tiers[t].unit_price = (int64_t)(usd * c->rate * (1.0 - 0.1 * t)) + 1;
		}
		int ni = 1 + rndn(3), first = rndn(7);
		for (int k = 0; k < ni; k++)
			kstrv_push(&l.incoterms, incoterms[(first + k * 2) % 7]);
		l.lead_time_days = 5 + rndn(40);
		/* Oldest first, as a sync delivers them (change order). */
		time_t ts = (time_t)(1704067200 + span * i / n + rndn(600));
		struct tm tm;
		gmtime_r(&ts, &tm);
		strftime(l.updated, sizeof l.updated, "%Y-%m-%dT%H:%M:%SZ", &tm);
		memcpy(l.created, l.updated, sizeof l.created);
		l.sig = xstrdup(sig);
		if (store_listing_put(st, &l, "bench", &e))
			die("listing", &e);
		listing_free(&l);
		if ((i + 1) % 20000 == 0 || i + 1 == n) {
			if (store_commit(st, &e))
				die("commit", &e);
			if ((i + 1) % 200000 == 0)
				fprintf(stderr, "  %ld listings, %.0f s\n", i + 1,
				        (now_ms() - t0) / 1e3);
		}
	}
	kbuf_free(&title);
	if (store_bulk_load(st, 0, &e))
		die("bulk", &e);
	double t1 = now_ms();
	if (store_search_optimize(st, &e))
		die("optimize", &e);
	double t2 = now_ms();
	store_close(&st);
	free(sellers);
	struct stat sb;
	stat(path, &sb);
	printf(
	    "generated %ld listings from %d sellers (%d verified) in %.1f s, index merge %.1f s\n",
	    n, nsellers, nverified, (t1 - t0) / 1e3, (t2 - t1) / 1e3);
	printf("listing sigs are placeholders (well-formed, not real signatures)\n");
	printf("file size: %.1f MiB\n", (double)sb.st_size / 1048576.0);
	return 0;
}

/* --- query ------------------------------------------------------------------------------- */
struct bq {
	char text[160];
	char country[3], currency[4], incoterm[4], category[48];
	int64_t max_price, max_moq;
	int verified;
	enum search_sort sort;
};

static void make_queries(struct bq *qs, int n)
{
	for (int i = 0; i < n; i++) {
		struct bq *q = &qs[i];
		memset(q, 0, sizeof *q);
		q->max_price = q->max_moq = -1;
		int lang = pick_lang();
		int fi = rndn(NFAM);
		const struct family *f = &fams[fi];
		struct kbuf t = KBUF_INIT;
		int parts = name_parts(f->name[lang]);
		int nwords = 1 + rndn(3);
		/* The first word names the product: one part of its name or, for a spaceless
		 * script, sometimes the whole name. */
		if (joined[lang] && rndn(3) == 0)
			put_name(&t, f->name[lang], -1, lang);
		else
			put_name(&t, f->name[lang], rndn(parts), lang);
		for (int w = 1; w < nwords; w++) {
			kbuf_putc(&t, ' ');
			if (rndn(2))
				kbuf_puts(&t, mods[lang][rndn(NMOD)]);
			else
				put_name(&t, f->name[lang], rndn(parts), lang);
		}
		snprintf(q->text, sizeof q->text, "%s", kbuf_str(&t));
		kbuf_free(&t);
		const struct country *c = &countries[lang][rndn(4)];
		int a = rndn(6), b = (a + 1 + rndn(5)) % 6;
		for (int k = 0; k < 2; k++) {
			switch (k ? b : a) {
			case 0:
				memcpy(q->country, c->cc, 3);
				break;
			case 1:
				memcpy(q->currency, c->cur, 4);
				q->max_price =
				    (int64_t)((f->lo + rndf() * (f->hi - f->lo)) * c->rate);
				break;
			case 2:
				q->max_moq = moqs[2 + rndn(6)];
				break;
			case 3:
				memcpy(q->incoterm, incoterms[rndn(4)], 4);
				break;
			case 4:
				q->verified = 1;
				break;
			default:
				snprintf(q->category, sizeof q->category, "%s", f->category);
				if (rndn(2))
					*strchr(q->category, '/') = '\0';
				break;
			}
		}
		int r = rndn(100);
		q->sort = r < 70   ? SEARCH_RELEVANCE
		          : r < 82 ? SEARCH_PRICE
		          : r < 92 ? SEARCH_NEWEST
		                   : SEARCH_RATING;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *label, double *v, size_t n)
{
	if (!n) {
		printf("  %-34s (none)\n", label);
		return;
	}
	qsort(v, n, sizeof *v, cmp_double);
	printf("  %-34s n=%-6zu median %6.2f ms  p99 %6.2f ms  max %7.2f ms\n", label, n, v[n / 2],
	       v[(size_t)((double)n * 0.99)], v[n - 1]);
}

static long status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t fl = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			v = strtol(line + fl + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static int query(const char *path, long nq, uint64_t seed)
{
	struct store *st;
	struct kerr e = {0};
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 7;
	if (store_open(path, &st, &e))
		die(path, &e);
	struct bq *qs = xcalloc(NQDISTINCT, sizeof *qs);
	make_queries(qs, NQDISTINCT);
	/* Zipf, s = 1: query k (1-based) with weight 1/k. */
	double *cdf = xmalloc(NQDISTINCT * sizeof *cdf), sum = 0;
	for (int k = 0; k < NQDISTINCT; k++)
		cdf[k] = (sum += 1.0 / (k + 1));
	unsigned char *seen = xcalloc(NQDISTINCT, 1);
	double *all = xmalloc((size_t)nq * sizeof *all),
	       *first = xmalloc((size_t)nq * sizeof *first),
	       *rep = xmalloc((size_t)nq * sizeof *rep);
	double *bysort[4];
	size_t nsort[4] = {0};
	for (int i = 0; i < 4; i++)
		bysort[i] = xmalloc((size_t)nq * sizeof(double));
	size_t nall = 0, nfirst = 0, nrep = 0, empty = 0, capped = 0;
	int64_t totals = 0;
	for (long i = 0; i < nq; i++) {
		double u = rndf() * sum;
		int lo = 0, hi = NQDISTINCT - 1;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		const struct bq *b = &qs[lo];
		struct search_query q = {
		    .filter =
		        {
		            .text = b->text,
		            .country = b->country[0] ? b->country : NULL,
		            .category = b->category[0] ? b->category : NULL,
		            .currency = b->currency[0] ? b->currency : NULL,
		            .incoterm = b->incoterm[0] ? b->incoterm : NULL,
		            .min_price = -1,
		            .max_price = b->max_price,
		            .max_moq = b->max_moq,
		            .verified = b->verified,
		        },
		    .sort = b->sort,
		    .limit = 50,
		};
		struct search_result r;
		double t0 = now_ms();
		if (store_search(st, &q, &r, &e))
			die(b->text, &e);
		double dt = now_ms() - t0;
		all[nall++] = dt;
		if (seen[lo])
			rep[nrep++] = dt;
		else
			first[nfirst++] = dt;
		if (!seen[lo] && getenv("SEARCH_BENCH_TRACE"))
			fprintf(stderr,
			        "%8.2f ms  total %6" PRId64 "  sort %d  [%s] c=%s cur=%s<=%" PRId64
			        " moq<=%" PRId64 " inc=%s v=%d cat=%s\n",
			        dt, r.total, (int)b->sort, b->text, b->country, b->currency,
			        b->max_price, b->max_moq, b->incoterm, b->verified, b->category);
		if (!seen[lo]) {
			bysort[b->sort][nsort[b->sort]++] = dt;
			totals += r.total;
			empty += r.n == 0;
			capped += r.total_capped != 0;
		}
		seen[lo] = 1;
		search_result_free(&r);
	}
	struct stat sb, wb;
	stat(path, &sb);
	char wal[512];
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (stat(wal, &wb) != 0)
		wb.st_size = 0;
	printf("listings in cache: %" PRId64 "\n", store_listing_count(st));
	printf("%ld queries, Zipf(s=1) over %d distinct (1-3 words + 2 filters; 70%% relevance,"
	       " 12%% price, 10%% newest, 8%% rating), limit 50\n",
	       nq, NQDISTINCT);
	report("all queries", all, nall);
	report("first time seen (no result cache)", first, nfirst);
	report("repeats (result cache)", rep, nrep);
	const char *sn[] = {"relevance", "price", "rating", "newest"};
	for (int i = 0; i < 4; i++) {
		char label[64];
		snprintf(label, sizeof label, "  first seen, sort %s", sn[i]);
		report(label, bysort[i], nsort[i]);
	}
	printf("distinct queries run: %zu, mean total %.0f, empty %zu, total capped %zu\n", nfirst,
	       nfirst ? (double)totals / (double)nfirst : 0.0, empty, capped);
	printf("file size: %.1f MiB (+ wal %.1f MiB)\n", (double)sb.st_size / 1048576.0,
	       (double)wb.st_size / 1048576.0);
	printf("RSS: peak (VmHWM) %.1f MiB, now (VmRSS) %.1f MiB\n", status_kib("VmHWM") / 1024.0,
	       status_kib("VmRSS") / 1024.0);
	store_close(&st);
	for (int i = 0; i < 4; i++)
		free(bysort[i]);
	free(all);
	free(first);
	free(rep);
	free(seen);
	free(cdf);
	free(qs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "generate") == 0)
		return generate(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "query") == 0)
		return query(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 10));
	fprintf(stderr, "usage: search_bench generate DB N SEED\n"
	                "       search_bench query DB NQUERIES SEED\n");
	return 2;
}
