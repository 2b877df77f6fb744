/* papers — the trade papers' model from a signed contract (see papers.h): the mapping, the
 * amendment keys, and the words and number formats of the six languages. */
#include "kontor/papers.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uloc.h>
#include <unicode/ustring.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/money.h"
#include "kontor/order.h"
#include "kontor/text.h"

#define SHOWN_LEN 48

/* ---------------------------------------------------------------- names */

static const char *const type_names[PAPER_NTYPES] = {"invoice", "proforma", "packing-list",
                                                     "origin"};
static const char *const lang_codes[PAPER_NLANGS] = {"en", "de", "es", "fr", "zh", "vi"};

const char *papers_type_name(int type)
{
	return type >= 0 && type < PAPER_NTYPES ? type_names[type] : "?";
}

int papers_type_parse(const char *s)
{
	for (int i = 0; s && i < PAPER_NTYPES; i++)
		if (strcmp(s, type_names[i]) == 0)
			return i;
	return -1;
}

int papers_lang_parse(const char *s)
{
	for (int i = 0; s && i < PAPER_NLANGS; i++)
		if (strcmp(s, lang_codes[i]) == 0)
			return i;
	return -1;
}

const char *papers_lang_code(int lang)
{
	return lang >= 0 && lang < PAPER_NLANGS ? lang_codes[lang] : "en";
}

/* ---------------------------------------------------------------- labels */

/* One row per label: en, de, es, fr, zh, vi. */
static const char *const labels[PL_NLABELS][PAPER_NLANGS] = {
    [PL_TITLE_INVOICE] = {"Commercial invoice", "Handelsrechnung", "Factura comercial",
                          "Facture commerciale", "商业发票", "Hóa đơn thương mại"},
    [PL_TITLE_PROFORMA] = {"Proforma invoice", "Proformarechnung", "Factura proforma",
                           "Facture pro forma", "形式发票", "Hóa đơn chiếu lệ"},
    [PL_TITLE_PACKING] = {"Packing list", "Packliste", "Lista de empaque", "Liste de colisage",
                          "装箱单", "Phiếu đóng gói"},
    [PL_TITLE_ORIGIN] = {"Certificate of origin application", "Antrag auf ein Ursprungszeugnis",
                         "Solicitud de certificado de origen", "Demande de certificat d'origine",
                         "原产地证书申请", "Đơn đề nghị cấp giấy chứng nhận xuất xứ"},
    [PL_NUMBER] = {"Number", "Nummer", "Número", "Numéro", "编号", "Số"},
    [PL_DATE] = {"Date", "Datum", "Fecha", "Date", "日期", "Ngày"},
    [PL_ORDER] = {"Order", "Auftrag", "Pedido", "Commande", "订单", "Đơn hàng"},
    [PL_CONTRACT] = {"Contract", "Vertrag", "Contrato", "Contrat", "合同", "Hợp đồng"},
    [PL_SELLER] = {"Seller / exporter", "Verkäufer / Ausführer", "Vendedor / exportador",
                   "Vendeur / exportateur", "卖方 / 出口商", "Người bán / người xuất khẩu"},
    [PL_BUYER] = {"Buyer / consignee", "Käufer / Empfänger", "Comprador / consignatario",
                  "Acheteur / destinataire", "买方 / 收货人", "Người mua / người nhận hàng"},
    [PL_TAX_ID] = {"Tax id", "Steuernummer", "Identificación fiscal", "Identifiant fiscal", "税号",
                   "Mã số thuế"},
    [PL_INCOTERM] = {"Incoterms 2020", "Incoterms 2020", "Incoterms 2020", "Incoterms 2020",
                     "国际贸易术语 2020", "Incoterms 2020"},
    [PL_MODE] = {"Transport", "Beförderung", "Transporte", "Transport", "运输方式",
                 "Phương thức vận tải"},
    [PL_LOADING] = {"Port / place of loading", "Verladehafen / -ort", "Puerto / lugar de carga",
                    "Port / lieu de chargement", "装货港 / 地点", "Cảng / nơi xếp hàng"},
    [PL_DISCHARGE] = {"Port / place of discharge", "Löschhafen / Bestimmungsort",
                      "Puerto / lugar de descarga", "Port / lieu de déchargement", "卸货港 / 地点",
                      "Cảng / nơi dỡ hàng"},
    [PL_SHIP_BY] = {"Ship by", "Versand bis", "Envío antes de", "Expédition avant le", "最迟装运日",
                    "Giao hàng trước ngày"},
    [PL_CURRENCY] = {"Currency", "Währung", "Moneda", "Devise", "币种", "Đồng tiền"},
    [PL_DESCRIPTION] = {"Description", "Beschreibung", "Descripción", "Désignation", "品名",
                        "Mô tả hàng hóa"},
    [PL_HS] = {"HS code", "HS-Code", "Código SA", "Code SH", "海关编码", "Mã HS"},
    [PL_ORIGIN] = {"Origin", "Ursprung", "Origen", "Origine", "原产地", "Xuất xứ"},
    [PL_QTY] = {"Quantity", "Menge", "Cantidad", "Quantité", "数量", "Số lượng"},
    [PL_UNIT_PRICE] = {"Unit price", "Einzelpreis", "Precio unitario", "Prix unitaire", "单价",
                       "Đơn giá"},
    [PL_AMOUNT] = {"Amount", "Betrag", "Importe", "Montant", "金额", "Thành tiền"},
    [PL_NET] = {"Net kg", "Netto kg", "Neto kg", "Net kg", "净重 kg", "KL tịnh kg"},
    [PL_GROSS] = {"Gross kg", "Brutto kg", "Bruto kg", "Brut kg", "毛重 kg", "KL cả bì kg"},
    [PL_PACKAGES] = {"Packages", "Packstücke", "Bultos", "Colis", "件数", "Số kiện"},
    [PL_MARKS] = {"Marks and numbers", "Zeichen und Nummern", "Marcas y números",
                  "Marques et numéros", "唛头", "Ký mã hiệu"},
    [PL_GOODS] = {"Goods", "Waren", "Mercancías", "Marchandises", "货值", "Tiền hàng"},
    [PL_FREIGHT] = {"Freight", "Fracht", "Flete", "Fret", "运费", "Cước vận chuyển"},
    [PL_INSURANCE] = {"Insurance", "Versicherung", "Seguro", "Assurance", "保险费", "Phí bảo hiểm"},
    [PL_PACKING] = {"Packing", "Verpackung", "Embalaje", "Emballage", "包装费", "Phí đóng gói"},
    [PL_INCLUDED] = {"included in the prices above", "in den Preisen enthalten",
                     "incluido en los precios", "inclus dans les prix", "已含在上述价格中",
                     "đã tính trong giá trên"},
    [PL_TOTAL] = {"Total", "Gesamtbetrag", "Total", "Total", "总计", "Tổng cộng"},
    [PL_PAYMENT] = {"Payment", "Zahlung", "Pago", "Paiement", "付款", "Thanh toán"},
    [PL_REASON] = {"Reason for export", "Ausfuhrgrund", "Motivo de la exportación",
                   "Motif de l'exportation", "出口原因", "Lý do xuất khẩu"},
    [PL_DECLARATION_INVOICE] =
        {"We declare that this invoice shows the actual price of the goods described and that "
         "all particulars are true and correct.",
         "Wir erklären, dass diese Rechnung den tatsächlichen Preis der beschriebenen Waren "
         "ausweist und alle Angaben wahr und richtig sind.",
         "Declaramos que esta factura indica el precio real de las mercancías descritas y que "
         "la información consignada es verdadera y correcta.",
         "Nous déclarons que cette facture indique le prix réel des marchandises décrites et "
         "que toutes les indications sont exactes.",
         "兹声明本发票所列为所述货物的实际价格，所有内容真实无误。",
         "Chúng tôi cam đoan hóa đơn này ghi đúng giá thực tế của hàng hóa được mô tả và mọi thông "
         "tin đều trung thực, chính xác."},
    [PL_DECLARATION_PROFORMA] =
        {"Proforma: issued before shipment for payment and import arrangements; not a demand "
         "for payment.",
         "Proforma: vor dem Versand für Zahlung und Einfuhr ausgestellt; keine "
         "Zahlungsaufforderung.",
         "Proforma: emitida antes del envío para el pago y la importación; no es una "
         "solicitud de pago.",
         "Pro forma : émise avant l'expédition pour le paiement et l'importation ; ce n'est "
         "pas une demande de paiement.",
         "形式发票：装运前为付款和进口手续出具，不作为付款要求。",
         "Hóa đơn chiếu lệ: lập trước khi giao hàng để thu xếp thanh toán và nhập khẩu; không phải "
         "là yêu cầu thanh toán."},
    [PL_DECLARATION_PACKING] = {"We declare that the goods are packed as listed above.",
                                "Wir erklären, dass die Waren wie oben angegeben verpackt sind.",
                                "Declaramos que las mercancías están embaladas según se indica.",
                                "Nous déclarons que les marchandises sont emballées comme "
                                "indiqué ci-dessus.",
                                "兹声明货物按上述清单包装。",
                                "Chúng tôi cam đoan hàng hóa được đóng gói như kê khai ở trên."},
    [PL_DECLARATION_ORIGIN] =
        {"The exporter applies for a certificate of origin and declares that the goods "
         "described originate in the country shown.",
         "Der Ausführer beantragt ein Ursprungszeugnis und erklärt, dass die beschriebenen "
         "Waren ihren Ursprung im angegebenen Land haben.",
         "El exportador solicita un certificado de origen y declara que las mercancías "
         "descritas son originarias del país indicado.",
         "L'exportateur demande un certificat d'origine et déclare que les marchandises "
         "décrites sont originaires du pays indiqué.",
         "出口商申请原产地证书，并声明所述货物原产于所示国家。",
         "Người xuất khẩu đề nghị cấp giấy chứng nhận xuất xứ và cam đoan hàng hóa được mô tả có "
         "xuất xứ từ nước đã nêu."},
    [PL_SIGNATURE] = {"Signed for the seller", "Für den Verkäufer unterzeichnet",
                      "Firmado por el vendedor", "Signé pour le vendeur", "卖方签署",
                      "Đại diện người bán ký tên"},
    [PL_VERIFY] = {"Check against the signed contract: kontor contract show %s --verify",
                   "Prüfen gegen den signierten Vertrag: kontor contract show %s --verify",
                   "Comprobar con el contrato firmado: kontor contract show %s --verify",
                   "Vérifier avec le contrat signé : kontor contract show %s --verify",
                   "与已签署合同核对：kontor contract show %s --verify",
                   "Đối chiếu với hợp đồng đã ký: kontor contract show %s --verify"},
    [PL_AMENDED] = {"* added by the seller after signing; not in the signed contract",
                    "* vom Verkäufer nach der Unterzeichnung ergänzt; nicht im signierten "
                    "Vertrag",
                    "* añadido por el vendedor tras la firma; no figura en el contrato firmado",
                    "* ajouté par le vendeur après la signature ; absent du contrat signé",
                    "* 卖方签署后补充，不在已签署合同中",
                    "* người bán bổ sung sau khi ký; không có trong hợp đồng đã ký"},
    [PL_PAGE] = {"Page %d of %d", "Seite %d von %d", "Página %d de %d", "Page %d sur %d",
                 "第 %d 页，共 %d 页", "Trang %d / %d"},
    [PL_NOT_KNOWN] = {"-", "-", "-", "-", "-", "-"},
    [PL_TOTALS] = {"Totals", "Summen", "Totales", "Totaux", "合计", "Cộng"},
    [PL_COUNTRY_OF_ORIGIN] = {"Country of origin", "Ursprungsland", "País de origen",
                              "Pays d'origine", "原产国", "Nước xuất xứ"},
};

const char *papers_label(int lang, int label)
{
	if (lang < 0 || lang >= PAPER_NLANGS)
		lang = PAPER_EN;
	if (label < 0 || label >= PL_NLABELS || !labels[label][lang])
		return "";
	return labels[label][lang];
}

int papers_charge_label(const char *kind)
{
	if (kind && strcmp(kind, "freight") == 0)
		return PL_FREIGHT;
	if (kind && strcmp(kind, "insurance") == 0)
		return PL_INSURANCE;
	return PL_PACKING;
}

/* ---------------------------------------------------------------- numbers and dates */

/* digits (no sign) grouped by three with sep. */
static void group(const char *digits, const char *sep, struct kbuf *b)
{
	size_t n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			kbuf_puts(b, sep);
		kbuf_putc(b, digits[i]);
	}
}

static void seps(int lang, const char **grp, const char **dec)
{
	switch (lang) {
	case PAPER_DE:
	case PAPER_ES:
	case PAPER_VI:
		*grp = ".";
		*dec = ",";
		break;
	case PAPER_FR:
		*grp = "\u202f";
		*dec = ",";
		break;
	default:
		*grp = ",";
		*dec = ".";
	}
}

/* v / 10^decimals with grouping and the language's decimal sign. */
static void fixed_point(int64_t v, int decimals, int lang, char out[PAPERS_NUM_MAX])
{
	const char *grp, *dec;
	char ip[32], fp[8] = "";
	int64_t scale = 1;
	seps(lang, &grp, &dec);
	if (decimals < 0 || decimals > 4)
		decimals = 2;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	snprintf(ip, sizeof ip, "%" PRIu64, a / (uint64_t)scale);
	if (decimals)
		snprintf(fp, sizeof fp, "%0*" PRIu64, decimals, a % (uint64_t)scale);
	struct kbuf b = KBUF_INIT;
	if (v < 0)
		kbuf_putc(&b, '-');
	group(ip, grp, &b);
	if (decimals) {
		kbuf_puts(&b, dec);
		kbuf_puts(&b, fp);
	}
	snprintf(out, PAPERS_NUM_MAX, "%s", kbuf_str(&b));
	kbuf_free(&b);
}

void papers_amount(int64_t minor, int decimals, int lang, char out[PAPERS_NUM_MAX])
{
	fixed_point(minor, decimals, lang, out);
}

void papers_count(int64_t n, int lang, char out[PAPERS_NUM_MAX])
{
	fixed_point(n, 0, lang, out);
}

void papers_kg(int64_t grams, int lang, char out[PAPERS_NUM_MAX])
{
	fixed_point(grams, 3, lang, out);
}

void papers_date(const char *ymd, int lang, char out[PAPERS_NUM_MAX])
{
	static const char *const months[12] = {"January",   "February", "March",    "April",
	                                       "May",       "June",     "July",     "August",
	                                       "September", "October",  "November", "December"};
	int y, m, d;
	if (!ymd || sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12) {
		snprintf(out, PAPERS_NUM_MAX, "%s", ymd ? ymd : "");
		return;
	}
	switch (lang) {
	case PAPER_DE:
		snprintf(out, PAPERS_NUM_MAX, "%02d.%02d.%04d", d, m, y);
		break;
	case PAPER_ES:
	case PAPER_FR:
	case PAPER_VI:
		snprintf(out, PAPERS_NUM_MAX, "%02d/%02d/%04d", d, m, y);
		break;
	case PAPER_ZH:
		snprintf(out, PAPERS_NUM_MAX, "%04d年%d月%d日", y, m, d);
		break;
	default:
		snprintf(out, PAPERS_NUM_MAX, "%d %s %04d", d, months[m - 1], y);
	}
}

/* ---------------------------------------------------------------- values in words */

/* One row per ship mode: en (its code), de, es, fr, zh, vi. */
static const char *const mode_words[][PAPER_NLANGS] = {
    {"sea", "Seefracht", "marítimo", "maritime", "海运", "đường biển"},
    {"air", "Luftfracht", "aéreo", "aérien", "空运", "đường hàng không"},
    {"road", "Straßentransport", "carretera", "routier", "公路运输", "đường bộ"},
    {"rail", "Bahntransport", "ferrocarril", "ferroviaire", "铁路运输", "đường sắt"},
    {"courier", "Kurierdienst", "mensajería", "messagerie express", "快递", "chuyển phát nhanh"},
};

static int lang_ok(int lang)
{
	return lang >= 0 && lang < PAPER_NLANGS ? lang : PAPER_EN;
}

const char *papers_mode_word(int lang, const char *mode)
{
	for (size_t i = 0; mode && i < sizeof mode_words / sizeof mode_words[0]; i++)
		if (strcmp(mode, mode_words[i][PAPER_EN]) == 0)
			return mode_words[i][lang_ok(lang)];
	return mode ? mode : "";
}

/* The units of codes.c in de, es, fr (one, more) and zh, vi (no plural). */
static const struct {
	const char *code, *de1, *de, *es1, *es, *fr1, *fr, *zh, *vi;
} unit_words[] = {
    {"C62", "Stück", "Stück", "pieza", "piezas", "pièce", "pièces", "件", "cái"},
    {"SET", "Satz", "Sätze", "juego", "juegos", "jeu", "jeux", "套", "bộ"},
    {"PR", "Paar", "Paar", "par", "pares", "paire", "paires", "双", "đôi"},
    {"DZN", "Dutzend", "Dutzend", "docena", "docenas", "douzaine", "douzaines", "打", "tá"},
    {"KGM", "Kilogramm", "Kilogramm", "kilogramo", "kilogramos", "kilogramme", "kilogrammes",
     "千克", "kg"},
    {"GRM", "Gramm", "Gramm", "gramo", "gramos", "gramme", "grammes", "克", "gam"},
    {"TNE", "Tonne", "Tonnen", "tonelada", "toneladas", "tonne", "tonnes", "吨", "tấn"},
    {"MTR", "Meter", "Meter", "metro", "metros", "mètre", "mètres", "米", "mét"},
    {"MTK", "Quadratmeter", "Quadratmeter", "metro cuadrado", "metros cuadrados", "mètre carré",
     "mètres carrés", "平方米", "mét vuông"},
    {"MTQ", "Kubikmeter", "Kubikmeter", "metro cúbico", "metros cúbicos", "mètre cube",
     "mètres cubes", "立方米", "mét khối"},
    {"LTR", "Liter", "Liter", "litro", "litros", "litre", "litres", "升", "lít"},
    {"BX", "Schachtel", "Schachteln", "caja", "cajas", "boîte", "boîtes", "盒", "hộp"},
    {"CT", "Karton", "Kartons", "caja de cartón", "cajas de cartón", "carton", "cartons", "纸箱",
     "thùng carton"},
};

const char *papers_unit_word(int lang, const char *code, int64_t n)
{
	lang = lang_ok(lang);
	for (size_t i = 0; code && lang != PAPER_EN && i < sizeof unit_words / sizeof unit_words[0];
	     i++) {
		if (strcmp(code, unit_words[i].code) != 0)
			continue;
		switch (lang) {
		case PAPER_DE:
			return n == 1 ? unit_words[i].de1 : unit_words[i].de;
		case PAPER_ES:
			return n == 1 ? unit_words[i].es1 : unit_words[i].es;
		case PAPER_FR: /* French takes the singular for 0 and 1 */
			return n < 2 ? unit_words[i].fr1 : unit_words[i].fr;
		case PAPER_ZH:
			return unit_words[i].zh;
		default:
			return unit_words[i].vi;
		}
	}
	return code ? codes_unit_count(code, n) : "";
}

const char *papers_package_word(int lang, const char *code, int64_t n)
{
	const struct package_code *pc = code ? codes_package(code) : NULL;
	if (lang_ok(lang) == PAPER_EN && pc)
		return n == 1 ? pc->name : pc->plural;
	return code ? code : "";
}

void papers_country_name(int lang, const char *cc, char *out, size_t cap)
{
	const char *iso = cc ? codes_country_name(cc) : NULL;
	lang = lang_ok(lang);
	snprintf(out, cap, "%s", iso ? iso : cc ? cc : "");
	if (lang == PAPER_EN || !iso)
		return;
	char loc[8];
	snprintf(loc, sizeof loc, "_%.2s", cc);
	UChar u[128];
	UErrorCode err = U_ZERO_ERROR;
	int32_t n = uloc_getDisplayCountry(loc, lang_codes[lang], u, 128, &err);
	char utf8[384];
	int32_t len = 0;
	if (U_SUCCESS(err) && n > 0 && err != U_USING_DEFAULT_WARNING) {
		u_strToUTF8(utf8, (int32_t)sizeof utf8, &len, u, n, &err);
		if (U_SUCCESS(err) && len > 0 && (size_t)len < sizeof utf8 &&
		    strcmp(utf8, loc + 1) != 0) /* ICU gives the code back when it has no name */
			snprintf(out, cap, "%s", utf8);
	}
}

/* When a stage is due, in de, es, fr, zh, vi (en: order_due_words); %lld the days. */
static const char *const due_words[][PAPER_NLANGS - 1] = {
    [ORDER_DUE_SIGNING] = {"bei Unterzeichnung", "a la firma", "à la signature", "签约时",
                           "khi ký hợp đồng"},
    [ORDER_DUE_BEFORE_SHIPMENT] = {"vor Versand", "antes del envío", "avant l'expédition", "发货前",
                                   "trước khi giao hàng"},
    [ORDER_DUE_DELIVERY] = {"bei Lieferung", "a la entrega", "à la livraison", "交货时",
                            "khi nhận hàng"},
    [ORDER_DUE_AFTER_DELIVERY] = {"%lld Tage nach Lieferung", "%lld días después de la entrega",
                                  "%lld jours après la livraison", "交货后%lld天",
                                  "%lld ngày sau khi nhận hàng"},
};
/* Then the escrow: en, de, es, fr, zh, vi; %lld the days. */
static const char *const escrow_words[PAPER_NLANGS] = {
    "; into escrow, released %lld days after delivery",
    "; auf ein Treuhandkonto, freigegeben %lld Tage nach Lieferung",
    "; en depósito de garantía, liberado %lld días después de la entrega",
    "; sous séquestre, libéré %lld jours après la livraison",
    "；付入托管账户，交货后%lld天放款",
    "; vào tài khoản ký quỹ, giải ngân %lld ngày sau khi nhận hàng",
};

/* A stage due on or after delivery: the rules release nothing until it is paid (as the
 * contract's own text says). [0] one stage, [1] more; en, de, es, fr, zh, vi. */
static const char *const once_paid_words[2][PAPER_NLANGS] = {
    {", once it is paid", ", sobald sie bezahlt ist", ", una vez pagado", ", une fois payé",
     "（须付清后）", ", khi đã thanh toán"},
    {", once every stage is paid", ", sobald jede Rate bezahlt ist",
     ", una vez pagadas todas las cuotas", ", une fois toutes les échéances payées",
     "（须各期款项付清后）", ", khi đã thanh toán đủ các đợt"},
};

void papers_payment_words(const struct paper *p, int lang, struct kbuf *out)
{
	lang = lang_ok(lang);
	int later = 0;
	for (size_t i = 0; i < p->pay.nstages; i++) {
		later |= p->pay.stages[i].due >= ORDER_DUE_DELIVERY;
		const struct order_stage *st = &p->pay.stages[i];
		char due[ORDER_DUE_LEN * 3];
		if (lang == PAPER_EN || st->due < ORDER_DUE_SIGNING ||
		    st->due > ORDER_DUE_AFTER_DELIVERY)
			order_due_words(st, due);
		else if (st->due == ORDER_DUE_AFTER_DELIVERY)
			snprintf(due, sizeof due, due_words[st->due][lang - 1],
			         (long long)st->days);
		else
			snprintf(due, sizeof due, "%s", due_words[st->due][lang - 1]);
		kbuf_printf(out, "%s%" PRId64 "%% %s", i ? (lang == PAPER_ZH ? "，" : ", ") : "",
		            st->pct, due);
	}
	kbuf_printf(out, escrow_words[lang], (long long)p->release_days);
	if (later)
		kbuf_puts(out, once_paid_words[p->pay.nstages > 1][lang]);
}

const char *papers_scheme_word(int lang, const char *scheme)
{
	static const char *const vat[PAPER_NLANGS] = {"VAT",    "USt-IdNr.", "NIF-IVA",
	                                              "N° TVA", "增值税号",  "MST"};
	return scheme && strcmp(scheme, "VAT") == 0 ? vat[lang_ok(lang)] : scheme ? scheme : "";
}

const char *papers_reason_word(const struct paper *p, int lang)
{
	static const char *const sale[PAPER_NLANGS] = {"sale",  "Verkauf", "venta",
	                                               "vente", "销售",    "bán hàng"};
	return p->reason_said ? p->export_reason : sale[lang_ok(lang)];
}

/* ---------------------------------------------------------------- the amendment */

static const char *const party_keys[] = {"address", "city", "postcode", "country", "taxId", NULL};
static const char *const item_keys[] = {"netKg",  "grossKg", "packages", "marks",
                                        "hsCode", "origin",  NULL};
static const char *const plain_keys[] = {
    "portOfLoading", "portOfDischarge", "freight",      "insurance",
    "packing",       "invoiceNumber",   "exportReason", NULL};

static int in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Splits "items.3.netKg" / "seller.city" / "freight". *item is 1-based, 0 when none. */
static int key_parse(const char *key, char party[8], long *item, char field[24])
{
	party[0] = field[0] = '\0';
	*item = 0;
	if (in_list(key, plain_keys)) {
		snprintf(field, 24, "%s", key);
		return 1;
	}
	const char *dot = strchr(key, '.');
	if (!dot)
		return 0;
	size_t pl = (size_t)(dot - key);
	if ((pl == 6 && strncmp(key, "seller", 6) == 0) ||
	    (pl == 5 && strncmp(key, "buyer", 5) == 0)) {
		if (!in_list(dot + 1, party_keys))
			return 0;
		snprintf(party, 8, "%.*s", (int)pl, key);
		snprintf(field, 24, "%s", dot + 1);
		return 1;
	}
	if (pl == 5 && strncmp(key, "items", 5) == 0) {
		char *end;
		long n = strtol(dot + 1, &end, 10);
		if (end == dot + 1 || *end != '.' || n < 1 || n > CONTRACT_MAX_ITEMS ||
		    !in_list(end + 1, item_keys))
			return 0;
		*item = n;
		snprintf(field, 24, "%s", end + 1);
		return 1;
	}
	return 0;
}

int papers_kg_parse(const char *s, int64_t *grams)
{
	int64_t whole = 0, frac = 0;
	int nd = 0, seen = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++, seen = 1) {
		whole = whole * 10 + (*p - '0');
		if (whole > CONTRACT_GRAMS_MAX / 1000)
			return -1;
	}
	if (*p == '.' || *p == ',') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++nd > 3)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
		if (!nd)
			return -1;
	}
	if (*p || !seen)
		return -1;
	for (; nd < 3; nd++)
		frac *= 10;
	*grams = whole * 1000 + frac;
	return *grams >= 1 && *grams <= CONTRACT_GRAMS_MAX ? 0 : -1;
}

int papers_packages_parse(const char *s, int64_t *count, char code[3])
{
	char *end;
	long long n = strtoll(s, &end, 10);
	if (end == s || *end != ':' || n < 1 || n > 1000000000 || strlen(end + 1) != 2 ||
	    !codes_package(end + 1))
		return -1;
	*count = n;
	memcpy(code, end + 1, 3);
	return 0;
}

/* "VAT:DE123,EORI:DE456" into ids; the scheme upper-case letters and digits. */
static int tax_ids_parse(const char *s, struct contract_tax_id *ids, size_t *n)
{
	*n = 0;
	const char *p = s;
	while (*p) {
		const char *comma = strchr(p, ','), *colon = strchr(p, ':');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (!colon || colon >= p + len || *n >= CONTRACT_MAX_TAX_IDS)
			return -1;
		size_t sl = (size_t)(colon - p), il = len - sl - 1;
		if (sl < 2 || sl > 16 || il < 1 || il > 40)
			return -1;
		for (size_t i = 0; i < sl; i++)
			if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
			      p[i] == '-'))
				return -1;
		if (colon[1] == ' ' || colon[il] == ' ')
			return -1;
		memcpy(ids[*n].scheme, p, sl);
		ids[*n].scheme[sl] = '\0';
		memcpy(ids[*n].id, colon + 1, il);
		ids[*n].id[il] = '\0';
		(*n)++;
		p += len;
		if (*p == ',')
			p++;
	}
	return *n ? 0 : -1;
}

/* A decimal amount as typed: digits, at most one '.', at most 4 decimals (the currency's
 * own check comes when the paper is built). */
static int amount_shaped(const char *s)
{
	int dot = 0, nd = 0, digits = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			return 0;
		digits++;
		if (dot && ++nd > 4)
			return 0;
	}
	return digits > 0 && digits <= 16 && !(dot && !nd);
}

/* One line of text: valid UTF-8, no controls, nothing text_sanitize would take out. */
static int line_ok(const char *v)
{
	size_t n = strlen(v), at;
	long cp;
	const char *kind;
	if (n == 0 || n > PAPERS_VALUE_MAX || !utf8_valid(v, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)v[i + 1] >= 0x80 &&
		     (unsigned char)v[i + 1] <= 0x9f))
			return 0;
	}
	return !text_hidden_find(v, n, &at, &cp, &kind);
}

static int value_check(const char *key, const char *v, struct kerr *e)
{
	char party[8], field[24], sh[SHOWN_LEN];
	long item;
	int64_t g, n;
	char code[3];
	struct contract_tax_id ids[CONTRACT_MAX_TAX_IDS];
	size_t nids;
	if (!key_parse(key, party, &item, field))
		return kerr_set(
		    e, K_EINVAL,
		    "--set %s: not a key the papers take (seller.address, seller.city, "
		    "seller.postcode, seller.country, seller.taxId, the same for buyer, "
		    "portOfLoading, portOfDischarge, items.N.netKg, items.N.grossKg, "
		    "items.N.packages, items.N.marks, items.N.hsCode, items.N.origin, "
		    "freight, insurance, packing, invoiceNumber, exportReason)",
		    text_shown(key, sh, sizeof sh));
	if (!line_ok(v))
		return kerr_set(e, K_EINVAL,
		                "--set %s: one line of 1 to %d bytes of text without control or "
		                "bidi characters",
		                key, PAPERS_VALUE_MAX);
	if ((strcmp(field, "netKg") == 0 || strcmp(field, "grossKg") == 0) &&
	    papers_kg_parse(v, &g))
		return kerr_set(e, K_EINVAL, "--set %s: '%s' is not a weight in kg like 12.5", key,
		                text_shown(v, sh, sizeof sh));
	if (strcmp(field, "packages") == 0 && papers_packages_parse(v, &n, code))
		return kerr_set(e, K_EINVAL,
		                "--set %s: '%s' is not COUNT:CODE like 20:CT (UN/ECE Rec 21 codes: "
		                "CT carton, BX box, PX pallet, CS case, BG bag, ...)",
		                key, text_shown(v, sh, sizeof sh));
	if (strcmp(field, "taxId") == 0 && tax_ids_parse(v, ids, &nids))
		return kerr_set(e, K_EINVAL,
		                "--set %s: '%s' is not SCHEME:ID like VAT:DE123456789 (up to %d, "
		                "comma separated)",
		                key, text_shown(v, sh, sizeof sh), CONTRACT_MAX_TAX_IDS);
	if ((strcmp(field, "country") == 0 || strcmp(field, "origin") == 0) &&
	    (strlen(v) != 2 || !codes_country_name(v)))
		return kerr_set(e, K_EINVAL,
		                "--set %s: '%s' is not an ISO 3166 country code like DE", key,
		                text_shown(v, sh, sizeof sh));
	char hs[CODES_HS_MAX + 1];
	if (strcmp(field, "hsCode") == 0 && !codes_hs_code(v, hs))
		return kerr_set(
		    e, K_EINVAL,
		    "--set %s: an HS code is 6 to 10 digits, like 7308.30.90 (got '%s')", key,
		    text_shown(v, sh, sizeof sh));
	if (in_list(field, codes_charge_kinds) && !amount_shaped(v))
		return kerr_set(e, K_EINVAL, "--set %s: '%s' is not an amount like 120.00", key,
		                text_shown(v, sh, sizeof sh));
	if (strcmp(field, "invoiceNumber") == 0 && strlen(v) > 40)
		return kerr_set(e, K_EINVAL, "--set %s: at most 40 bytes", key);
	if (strcmp(field, "address") == 0) {
		/* "line; line": 1 to 4 parts, none empty */
		int parts = 1;
		for (const char *p = v; *p; p++)
			parts += *p == ';';
		if (parts > CONTRACT_ADDR_LINES)
			return kerr_set(e, K_EINVAL, "--set %s: at most %d lines, separated by ';'",
			                key, CONTRACT_ADDR_LINES);
	}
	return K_OK;
}

int papers_amend_set(cJSON *amend, const char *kv, struct kerr *e)
{
	char sh[SHOWN_LEN];
	const char *eq = kv ? strchr(kv, '=') : NULL;
	if (!eq || eq == kv || (size_t)(eq - kv) > 40)
		return kerr_set(e, K_EINVAL, "--set: '%s' is not KEY=VALUE",
		                text_shown(kv, sh, sizeof sh));
	char key[41];
	snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
	cJSON_DeleteItemFromObjectCaseSensitive(amend, key);
	if (!eq[1]) {
		char p[8], f[24];
		long it;
		if (!key_parse(key, p, &it, f))
			return value_check(key, "x", e);
		return K_OK; /* an empty value takes the key out */
	}
	int rc = value_check(key, eq + 1, e);
	if (rc)
		return rc;
	if (cJSON_GetArraySize(amend) >= PAPERS_AMEND_MAX)
		return kerr_set(e, K_ETOOBIG, "--set: at most %d keys", PAPERS_AMEND_MAX);
	cJSON_AddStringToObject(amend, key, eq + 1);
	return K_OK;
}

int papers_amend_check(const cJSON *amend, struct kerr *e)
{
	const cJSON *c;
	if (!cJSON_IsObject(amend))
		return kerr_set(e, K_EINVAL, "amendment: must be an object of KEY: VALUE");
	if (cJSON_GetArraySize(amend) > PAPERS_AMEND_MAX)
		return kerr_set(e, K_ETOOBIG, "amendment: more than %d keys", PAPERS_AMEND_MAX);
	cJSON_ArrayForEach(c, amend)
	{
		char sh[SHOWN_LEN];
		if (!c->string || !cJSON_IsString(c) || !c->valuestring)
			return kerr_set(e, K_EINVAL, "amendment: %s: must be a string",
			                text_shown(c->string, sh, sizeof sh));
		int rc = value_check(c->string, c->valuestring, e);
		if (rc)
			return rc;
	}
	return K_OK;
}

/* ---------------------------------------------------------------- the mapping */

static char *clean(const char *s)
{
	if (!s)
		return NULL;
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s, strlen(s), 0);
	return kbuf_detach(&b, NULL);
}

static void copy_fixed(char *dst, size_t cap, const char *s)
{
	size_t n = s ? strnlen(s, cap - 1) : 0;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static const char *amend_get(const cJSON *amend, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(amend, key);
	return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

void paper_free(struct paper *p)
{
	contract_party_free(&p->seller.party);
	contract_party_free(&p->buyer.party);
	for (size_t i = 0; i < p->nlines; i++) {
		free(p->lines[i].description);
		free(p->lines[i].marks);
	}
	free(p->lines);
	free(p->named_place);
	free(p->port_loading);
	free(p->port_discharge);
	free(p->payment_terms);
	free(p->export_reason);
	memset(p, 0, sizeof *p);
}

static void miss_add(struct papers_missing *m, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void miss_add(struct papers_missing *m, const char *field, const char *fmt, ...)
{
	if (!m || m->n >= PAPERS_MISSING_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	snprintf(m->field[m->n], sizeof m->field[0], "%s", field);
	vsnprintf(m->how[m->n], sizeof m->how[0], fmt, ap);
	va_end(ap);
	m->n++;
}

/* A signed field the amendment tries to change: refused. */
static int signed_already(const char *key, struct kerr *e)
{
	return kerr_set(e, K_EINVAL,
	                "--set %s: the signed contract says it already; a change needs a new "
	                "offer both parties sign",
	                key);
}

/* The value --set gives key, or NULL; when the signed contract states it already (stated), NULL
 * with *rc set to signed_already's refusal. After one refusal it gives NULL, leaving *rc. */
static const char *amend_new(const cJSON *amend, const char *key, int stated, int *rc,
                             struct kerr *e)
{
	const char *v = *rc ? NULL : amend_get(amend, key);
	if (v && stated) {
		*rc = signed_already(key, e);
		return NULL;
	}
	return v;
}

/* The zeroed party p becomes a copy of the signed party src with every string sanitised for
 * printing (the tax schemes are validated upper-case letters and digits already). p owns its
 * strings: contract_party_free frees them. */
static void party_clean(struct contract_party *p, const struct contract_party *src)
{
	p->name = clean(src->name);
	for (size_t i = 0; i < src->nlines; i++)
		p->lines[p->nlines++] = clean(src->lines[i]);
	p->city = clean(src->city);
	p->postcode = clean(src->postcode);
	copy_fixed(p->country, sizeof p->country, src->country);
	memcpy(p->tax_ids, src->tax_ids, sizeof p->tax_ids);
	p->ntax_ids = src->ntax_ids;
	for (size_t i = 0; i < p->ntax_ids; i++) {
		struct kbuf b = KBUF_INIT;
		text_sanitize(&b, src->tax_ids[i].id, strlen(src->tax_ids[i].id), 0);
		copy_fixed(p->tax_ids[i].id, sizeof p->tax_ids[i].id, kbuf_str(&b));
		kbuf_free(&b);
	}
}

/* The paper's party who ("seller" or "buyer", the amendment keys' prefix): the signed party
 * src cleaned, the account that signed for it, and the address or tax ids src lacks from
 * amend; K_EINVAL when amend would change what src states or gives a malformed tax id. */
static int party_map(const struct contract_party *src, const char *account, const char *who,
                     const cJSON *amend, struct paper_party *pp, struct kerr *e)
{
	struct contract_party *p = &pp->party;
	char key[32];
	const char *v;
	copy_fixed(pp->account, sizeof pp->account, account);
	party_clean(p, src);
	static const char *const addr[] = {"address", "city", "postcode", "country", NULL};
	int any = 0;
	for (size_t k = 0; addr[k]; k++) {
		snprintf(key, sizeof key, "%s.%s", who, addr[k]);
		if (amend_get(amend, key)) {
			any = 1;
			if (src->nlines)
				return signed_already(key, e);
		}
	}
	if (any) {
		snprintf(key, sizeof key, "%s.address", who);
		if ((v = amend_get(amend, key))) {
			for (const char *s = v, *it; *s && p->nlines < CONTRACT_ADDR_LINES;) {
				size_t len = text_list_next(&s, ';', &it);
				if (len) {
					char *line = xstrndup(it, len);
					p->lines[p->nlines++] = clean(line);
					free(line);
				}
			}
		}
		snprintf(key, sizeof key, "%s.city", who);
		if ((v = amend_get(amend, key)))
			p->city = clean(v);
		snprintf(key, sizeof key, "%s.postcode", who);
		if ((v = amend_get(amend, key)))
			p->postcode = clean(v);
		snprintf(key, sizeof key, "%s.country", who);
		if ((v = amend_get(amend, key)))
			copy_fixed(p->country, sizeof p->country, v);
		pp->amended |= PAPER_AMENDED_ADDRESS;
	}
	snprintf(key, sizeof key, "%s.taxId", who);
	if ((v = amend_get(amend, key))) {
		if (src->ntax_ids)
			return signed_already(key, e);
		if (tax_ids_parse(v, p->tax_ids, &p->ntax_ids))
			return kerr_set(e, K_EINVAL, "--set %s: not SCHEME:ID", key);
		pp->amended |= PAPER_AMENDED_TAX;
	}
	return K_OK;
}

/* "30% on signing, 70% before shipment (escrow)". */
static char *payment_words(const struct contract_terms *t)
{
	struct kbuf b = KBUF_INIT;
	contract_payment_words(t, 0, &b);
	kbuf_printf(&b, "; into escrow, released %" PRId64 " days after delivery",
	            t->auto_release_days);
	return kbuf_detach(&b, NULL);
}

/* What each paper needs; a missing field with how to add it. */
static void needs(const struct paper *p, const char *order, struct papers_missing *m)
{
	int inv = p->type == PAPER_INVOICE, pro = p->type == PAPER_PROFORMA,
	    pack = p->type == PAPER_PACKING_LIST, orig = p->type == PAPER_ORIGIN;
	const struct contract_party *party[2] = {&p->seller.party, &p->buyer.party};
	const char *who[2] = {"seller", "buyer"};
	for (int k = 0; k < 2; k++) {
		char f[32];
		if (!party[k]->nlines || !party[k]->city || !party[k]->country[0]) {
			snprintf(f, sizeof f, "%s address", who[k]);
			miss_add(m, f,
			         "--set %s.address='STREET' --set %s.city=CITY --set %s.country=CC "
			         "[--set %s.postcode=CODE]",
			         who[k], who[k], who[k], who[k]);
		}
		if ((inv || (orig && k == 0)) && !party[k]->ntax_ids) {
			snprintf(f, sizeof f, "%s tax id", who[k]);
			miss_add(m, f, "--set %s.taxId=SCHEME:ID (VAT, EORI, EIN, ...)", who[k]);
		}
	}
	if ((inv || pack || orig) && !p->port_loading)
		miss_add(m, "port of loading", "--set portOfLoading=UNLOCODE (or a place)");
	if ((inv || pack || orig) && !p->port_discharge)
		miss_add(m, "port of discharge", "--set portOfDischarge=UNLOCODE (or a place)");
	for (size_t i = 0; i < p->nlines; i++) {
		const struct paper_line *l = &p->lines[i];
		char f[64];
		if ((inv || pro || orig) && !l->hs_code[0]) {
			snprintf(f, sizeof f, "line %zu HS code", i + 1);
			miss_add(m, f, "--set items.%zu.hsCode=DIGITS", i + 1);
		}
		if ((inv || orig) && !l->origin[0]) {
			snprintf(f, sizeof f, "line %zu origin", i + 1);
			miss_add(m, f, "--set items.%zu.origin=CC", i + 1);
		}
		if ((inv || pack) && !l->net_unit_g) {
			snprintf(f, sizeof f, "line %zu net weight", i + 1);
			miss_add(m, f, "--set items.%zu.netKg=KG (one unit)", i + 1);
		}
		if ((inv || pack || orig) && !l->gross_unit_g) {
			snprintf(f, sizeof f, "line %zu gross weight", i + 1);
			miss_add(m, f, "--set items.%zu.grossKg=KG (one unit, packed)", i + 1);
		}
		if ((inv || pack || orig) && !l->packages) {
			snprintf(f, sizeof f, "line %zu packages", i + 1);
			miss_add(m, f, "--set items.%zu.packages=COUNT:CODE (e.g. 20:CT)", i + 1);
		}
	}
	if (inv || pro) {
		for (size_t k = 0; codes_charge_kinds[k]; k++) {
			const char *kind = codes_charge_kinds[k];
			int have = 0;
			for (size_t i = 0; i < p->ncharges; i++)
				have |= strcmp(p->charges[i].kind, kind) == 0;
			if (!have && codes_charge_rule(p->incoterm, kind) == CHARGE_INVOICE) {
				char f[64], why[120];
				snprintf(f, sizeof f, "%s charge", kind);
				miss_add(
				    m, f, "%s: --set %s=AMOUNT (included in the signed prices)",
				    codes_charge_why(p->incoterm, kind, why, sizeof why), kind);
			}
		}
	}
	(void)order;
}

const char *paper_line_star(const struct paper_line *l, unsigned bits)
{
	return l->amended & bits ? " *" : "";
}

int papers_amended(const struct paper *p)
{
	if (p->seller.amended || p->buyer.amended || p->loading_amended || p->discharge_amended)
		return 1;
	for (size_t i = 0; i < p->nlines; i++)
		if (p->lines[i].amended)
			return 1;
	for (size_t i = 0; i < p->ncharges; i++)
		if (p->charges[i].included)
			return 1;
	return 0;
}

int papers_build(const cJSON *contract, const cJSON *amend, int type, const char *date,
                 struct paper *p, struct papers_missing *miss, struct kerr *e)
{
	struct contract_status *st = xcalloc(1, sizeof *st);
	struct contract_terms t;
	char key[40], sh[SHOWN_LEN];
	const char *v;
	struct papers_missing own;
	int rc;
	memset(p, 0, sizeof *p);
	contract_terms_init(&t);
	if (!miss)
		miss = &own;
	miss->n = 0;
	if (type < 0 || type >= PAPER_NTYPES) {
		rc = kerr_set(e, K_EINVAL, "type: not a paper kontor writes");
		goto out;
	}
	if (!date || strlen(date) != 10) {
		rc = kerr_set(e, K_EINVAL, "date: must be YYYY-MM-DD");
		goto out;
	}
	if ((rc = contract_verify(contract, st, e)) != K_OK) {
		kerr_prefix(e, "the contract does not verify");
		rc = e->code = K_EVERIFY;
		goto out;
	}
	if (st->binding < 0) {
		rc = kerr_set(e, K_ECONFLICT,
		              "the contract is not binding yet: papers are written for an order");
		goto out;
	}
	if (st->progress.state == ORDER_CANCELLED) {
		/* no goods will move: an invoice or a packing list would tell customs otherwise */
		rc = kerr_set(e, K_ECONFLICT,
		              "the order is cancelled: papers are written for goods that ship");
		goto out;
	}
	if (amend && (rc = papers_amend_check(amend, e)) != K_OK)
		goto out;
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(contract, "sections");
	if ((rc = contract_section_terms(cJSON_GetArrayItem(secs, st->binding), &t, e)) != K_OK)
		goto out;

	p->type = type;
	copy_fixed(p->date, sizeof p->date, date);
	copy_fixed(p->order_id, sizeof p->order_id, st->order_id);
	copy_fixed(p->contract_id, sizeof p->contract_id,
	           cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(contract, "id")));
	static const char *const prefix[PAPER_NTYPES] = {"KI", "KP", "KL", "KO"};
	snprintf(p->number, sizeof p->number, "%s-%.12s", prefix[type], p->order_id);
	if (type == PAPER_INVOICE && (v = amend_get(amend, "invoiceNumber")))
		snprintf(p->number, sizeof p->number, "%s", v);
	if ((rc = party_map(&t.seller_party, t.seller, "seller", amend, &p->seller, e)) != K_OK ||
	    (rc = party_map(&t.buyer_party, t.buyer, "buyer", amend, &p->buyer, e)) != K_OK)
		goto out;
	copy_fixed(p->currency, sizeof p->currency, t.currency);
	p->minor = money_minor_units(t.currency);
	if (p->minor < 0)
		p->minor = 2;
	copy_fixed(p->incoterm, sizeof p->incoterm, t.incoterm);
	p->named_place = clean(t.named_place);
	copy_fixed(p->mode, sizeof p->mode, t.mode);
	copy_fixed(p->ship_by, sizeof p->ship_by, t.ship_by);
	copy_fixed(p->deliver_by, sizeof p->deliver_by, t.deliver_by);
	p->port_loading = clean(t.port_loading);
	p->port_discharge = clean(t.port_discharge);
	if ((v = amend_new(amend, "portOfLoading", p->port_loading != NULL, &rc, e))) {
		p->port_loading = clean(v);
		p->loading_amended = 1;
	}
	if ((v = amend_new(amend, "portOfDischarge", p->port_discharge != NULL, &rc, e))) {
		p->port_discharge = clean(v);
		p->discharge_amended = 1;
	}
	if (rc)
		goto out;
	/* A sea rule's named place is a port the contract signed: FAS and FOB name the port of
	 * shipment, CFR and CIF the port of destination (Incoterms 2020). */
	const struct incoterm *rule = codes_incoterm(t.incoterm);
	if (rule && rule->sea_only && p->named_place && p->named_place[0]) {
		char **port = codes_incoterm_at_destination(t.incoterm) ? &p->port_discharge
		                                                        : &p->port_loading;
		if (!*port)
			*port = clean(p->named_place);
	}
	p->payment_terms = payment_words(&t);
	contract_terms_order(&t, &p->pay);
	p->release_days = t.auto_release_days;
	p->reason_said = amend_get(amend, "exportReason") != NULL;
	p->export_reason =
	    clean(amend_get(amend, "exportReason") ? amend_get(amend, "exportReason") : "sale");

	/* The lines, each recomputed. */
	const cJSON *c;
	cJSON_ArrayForEach(c, amend)
	{
		char pa[8], f[24];
		long it = 0;
		if (key_parse(c->string, pa, &it, f) && it > (long)t.nitems) {
			rc = kerr_set(e, K_EINVAL, "--set %s: the contract has %zu line%s",
			              text_shown(c->string, sh, sizeof sh), t.nitems,
			              t.nitems == 1 ? "" : "s");
			goto out;
		}
	}
	p->lines = xcalloc(t.nitems, sizeof *p->lines);
	p->nlines = t.nitems;
	p->weights_known = p->packages_known = 1;
	char common_origin[3] = "";
	for (size_t i = 0; i < t.nitems; i++) {
		const struct contract_item *it = &t.items[i];
		struct paper_line *l = &p->lines[i];
		l->description = clean(it->description);
		copy_fixed(l->hs_code, sizeof l->hs_code, it->hs_code);
		copy_fixed(l->origin, sizeof l->origin, it->origin);
		l->qty = it->qty;
		copy_fixed(l->unit, sizeof l->unit, it->unit);
		l->unit_price = it->unit_price;
		copy_fixed(l->listing_id, sizeof l->listing_id, it->listing_id);
		copy_fixed(l->variant_sku, sizeof l->variant_sku, it->variant_sku);
		if (money_mul(it->unit_price, it->qty, &l->amount, NULL) != K_OK ||
		    money_add(p->goods, l->amount, &p->goods, NULL) != K_OK) {
			rc = kerr_set(e, K_EVERIFY, "line %zu: its amount does not fit", i + 1);
			goto out;
		}
		l->net_unit_g = it->net_grams;
		l->gross_unit_g = it->gross_grams;
		l->packages = it->packages;
		copy_fixed(l->package_code, sizeof l->package_code, it->package_code);
		l->marks = clean(it->marks);
#define ITEM_KEY(name) (snprintf(key, sizeof key, "items.%zu.%s", i + 1, name), key)
		if ((v = amend_new(amend, ITEM_KEY("netKg"), l->net_unit_g != 0, &rc, e))) {
			papers_kg_parse(v, &l->net_unit_g);
			l->amended |= PAPER_LINE_NET;
		}
		if ((v = amend_new(amend, ITEM_KEY("grossKg"), l->gross_unit_g != 0, &rc, e))) {
			papers_kg_parse(v, &l->gross_unit_g);
			l->amended |= PAPER_LINE_GROSS;
		}
		if ((v = amend_new(amend, ITEM_KEY("packages"), l->packages != 0, &rc, e))) {
			papers_packages_parse(v, &l->packages, l->package_code);
			l->amended |= PAPER_LINE_PACKAGES;
		}
		if ((v = amend_new(amend, ITEM_KEY("marks"), l->marks != NULL, &rc, e))) {
			l->marks = clean(v);
			l->amended |= PAPER_LINE_MARKS;
		}
		if ((v = amend_new(amend, ITEM_KEY("hsCode"), l->hs_code[0] != 0, &rc, e))) {
			if (!codes_hs_code(v, l->hs_code)) /* checked when set: kept as given */
				copy_fixed(l->hs_code, sizeof l->hs_code, v);
			l->amended |= PAPER_LINE_HS;
		}
		if ((v = amend_new(amend, ITEM_KEY("origin"), l->origin[0] != 0, &rc, e))) {
			copy_fixed(l->origin, sizeof l->origin, v);
			l->amended |= PAPER_LINE_ORIGIN;
		}
#undef ITEM_KEY
		if (rc)
			goto out;
		if (l->gross_unit_g && l->net_unit_g > l->gross_unit_g) {
			rc = kerr_set(e, K_EINVAL,
			              "line %zu: the gross weight is less than the net weight",
			              i + 1);
			goto out;
		}
		/* Weights stay far below 2^63: 1e9 g a unit times qty <= 2^53 could overflow,
		 * so the products are checked like money. */
		if (money_mul(l->net_unit_g, l->qty, &l->net_g, NULL) != K_OK ||
		    money_mul(l->gross_unit_g, l->qty, &l->gross_g, NULL) != K_OK ||
		    money_add(p->net_g, l->net_g, &p->net_g, NULL) != K_OK ||
		    money_add(p->gross_g, l->gross_g, &p->gross_g, NULL) != K_OK ||
		    money_add(p->packages, l->packages, &p->packages, NULL) != K_OK) {
			rc = kerr_set(e, K_EINVAL, "line %zu: its weight or packages do not fit",
			              i + 1);
			goto out;
		}
		p->weights_known &= l->net_unit_g > 0 && l->gross_unit_g > 0;
		p->packages_known &= l->packages > 0;
		if (i == 0)
			copy_fixed(common_origin, sizeof common_origin, l->origin);
		else if (strcmp(common_origin, l->origin) != 0)
			common_origin[0] = '\0';
	}
	copy_fixed(p->origin_country, sizeof p->origin_country, common_origin);

	/* The charges: the signed ones are billed on top; the amendment's are a breakdown of
	 * the signed prices. */
	for (size_t i = 0; i < t.ncharges; i++) {
		struct paper_charge *pc = &p->charges[p->ncharges++];
		copy_fixed(pc->kind, sizeof pc->kind, t.charges[i].kind);
		pc->amount = t.charges[i].amount;
		pc->on_invoice = codes_charge_rule(t.incoterm, pc->kind);
		if (money_add(p->added, pc->amount, &p->added, NULL) != K_OK) {
			rc = kerr_set(e, K_EVERIFY, "charges: their sum does not fit");
			goto out;
		}
	}
	int64_t included = 0;
	for (size_t k = 0; codes_charge_kinds[k]; k++) {
		const char *kind = codes_charge_kinds[k];
		if (!(v = amend_get(amend, kind)))
			continue;
		for (size_t i = 0; i < t.ncharges; i++)
			if (strcmp(t.charges[i].kind, kind) == 0) {
				rc = signed_already(kind, e);
				goto out;
			}
		char why[120];
		if (codes_charge_rule(t.incoterm, kind) == CHARGE_BUYER) {
			rc = kerr_set(e, K_EINVAL, "--set %s: %s; it is not on the seller's papers",
			              kind, codes_charge_why(t.incoterm, kind, why, sizeof why));
			goto out;
		}
		struct paper_charge *pc = &p->charges[p->ncharges++];
		copy_fixed(pc->kind, sizeof pc->kind, kind);
		pc->included = 1;
		pc->on_invoice = codes_charge_rule(t.incoterm, kind);
		if ((rc = money_parse(v, t.currency, &pc->amount, e)) != K_OK) {
			kerr_prefix(e, "--set %s", kind);
			goto out;
		}
		if (money_add(included, pc->amount, &included, NULL) != K_OK ||
		    included > p->goods) {
			rc = kerr_set(e, K_EINVAL,
			              "--set %s: the included charges come to more than the goods' "
			              "signed prices",
			              kind);
			goto out;
		}
	}
	if (money_add(p->goods, p->added, &p->total, NULL) != K_OK || p->total != t.total) {
		char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
		money_format(p->goods + p->added, t.currency, a);
		money_format(t.total, t.currency, b);
		rc = kerr_set(e, K_EVERIFY,
		              "total: the lines and charges come to %s %s, the signed total is %s "
		              "%s; nothing written",
		              a, t.currency, b, t.currency);
		goto out;
	}
	needs(p, p->order_id, miss);
	if (miss->n) {
		rc = kerr_set(e, K_EUSAGE, "the %s needs %zu field%s the contract lacks, first %s",
		              papers_type_name(type), miss->n, miss->n == 1 ? "" : "s",
		              miss->field[0]);
		goto out;
	}
	rc = K_OK;
out:
	contract_terms_free(&t);
	free(st);
	if (rc != K_OK)
		paper_free(p);
	return rc;
}
