/* seed — deterministic demo data for `kontord seed`: suppliers and buyers in 68 countries,
 * listings of real product families in 14 languages and 8 scripts, priced in the seller's
 * currency, each signed by its seller. The same seed always gives the same bytes. */
#include "node.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kontor/canon.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "store/nstore.h"

/* ---------------------------------------------------------------- languages */

enum lang_id {
	L_EN,
	L_DE,
	L_FR,
	L_ES,
	L_PT,
	L_TR,
	L_VI,
	L_ZH,
	L_JA,
	L_KO,
	L_RU,
	L_AR,
	L_HI,
	L_TH,
	NLANG
};

enum kind { K_MAKER, K_TRADER, K_GROWER };

/* Templates use {word} placeholders rather than printf, because word order differs
 * between languages. */
struct language {
	const char *code;      /* ISO 639-1 */
	const char *desc;      /* {title} {moq} {u} {lead} {city} {inco} {points} */
	const char *points[4]; /* selling points, one or two per listing */
	const char *about;     /* {name} {kind} {city} {year} {products} */
	const char *kinds[3];  /* enum kind */
	const char *pcs, *sets;
	const char *model;    /* appended to a title: {c} is the model code */
	const char *list_sep; /* between product names in "about" */
	const char *point_sep;
};

/* clang-format off */
static const struct language langs[NLANG] = {
    [L_EN] = {"en",
	      "{title}. Minimum order {moq} {u}; lead time {lead} days; ships from {city}. "
	      "Incoterms: {inco}. {points}",
	      {"Samples available on request.", "OEM and private label welcome.",
	       "Every lot is inspected before shipment; certificate of origin supplied.",
	       "Export packaging; mixed containers possible."},
	      "{name} is a {kind} based in {city}, exporting since {year}. Main products: "
	      "{products}.",
	      {"manufacturer", "trading company", "producer"},
	      "pcs", "sets", ", model {c}", "; ", " "},
    [L_DE] = {"de",
	      "{title}. Mindestbestellmenge {moq} {u}, Lieferzeit {lead} Tage, Versand ab {city}. "
	      "Incoterms: {inco}. {points}",
	      {"Muster auf Anfrage.", "OEM und Eigenmarke möglich.",
	       "Jede Charge wird vor dem Versand geprüft; Ursprungszeugnis liegt bei.",
	       "Exportverpackung, Mischcontainer möglich."},
	      "{name} ist ein {kind} aus {city} und exportiert seit {year}. Hauptprodukte: "
	      "{products}.",
	      {"Hersteller", "Handelsunternehmen", "Erzeugerbetrieb"},
	      "Stück", "Sets", ", Modell {c}", "; ", " "},
    [L_FR] = {"fr",
	      "{title}. Commande minimum {moq} {u}, délai {lead} jours, départ {city}. "
	      "Incoterms : {inco}. {points}",
	      {"Échantillons sur demande.", "OEM et marque blanche bienvenus.",
	       "Chaque lot est contrôlé avant expédition ; certificat d'origine fourni.",
	       "Emballage export, conteneurs groupés possibles."},
	      "{name} est un {kind} basé à {city}, exportateur depuis {year}. Produits "
	      "principaux : {products}.",
	      {"fabricant", "négociant", "producteur"},
	      "pièces", "lots", ", modèle {c}", "; ", " "},
    [L_ES] = {"es",
	      "{title}. Pedido mínimo {moq} {u}, plazo de entrega {lead} días, envío desde "
	      "{city}. Incoterms: {inco}. {points}",
	      {"Muestras disponibles bajo pedido.", "Aceptamos OEM y marca blanca.",
	       "Cada lote se inspecciona antes del envío; se entrega certificado de origen.",
	       "Embalaje de exportación; contenedores mixtos posibles."},
	      "{name} es un {kind} con sede en {city} que exporta desde {year}. Productos "
	      "principales: {products}.",
	      {"fabricante", "distribuidor mayorista", "productor"},
	      "piezas", "juegos", ", modelo {c}", "; ", " "},
    [L_PT] = {"pt",
	      "{title}. Pedido mínimo {moq} {u}, prazo de entrega {lead} dias, embarque em "
	      "{city}. Incoterms: {inco}. {points}",
	      {"Amostras disponíveis sob consulta.", "Aceitamos OEM e marca própria.",
	       "Cada lote é inspecionado antes do embarque; certificado de origem incluído.",
	       "Embalagem para exportação; contêineres mistos possíveis."},
	      "{name} é um {kind} sediado em {city}, exportando desde {year}. Principais "
	      "produtos: {products}.",
	      {"fabricante", "distribuidor", "produtor"},
	      "peças", "jogos", ", modelo {c}", "; ", " "},
    [L_TR] = {"tr",
	      "{title}. Minimum sipariş {moq} {u}, teslim süresi {lead} gün, {city} çıkışlı. "
	      "Teslim şekilleri: {inco}. {points}",
	      {"Talep üzerine numune gönderilir.", "OEM ve özel marka üretim yapılır.",
	       "Her parti sevkiyattan önce kontrol edilir; menşe şahadetnamesi verilir.",
	       "İhracat ambalajı; karışık konteyner mümkündür."},
	      "{name}, {city} merkezli bir {kind}; {year} yılından beri ihracat yapıyor. "
	      "Başlıca ürünler: {products}.",
	      {"üretici", "dış ticaret şirketi", "üretici kooperatif"},
	      "adet", "takım", ", model {c}", "; ", " "},
    [L_VI] = {"vi",
	      "{title}. Đơn hàng tối thiểu {moq} {u}, thời gian giao hàng {lead} ngày, xuất từ "
	      "{city}. Điều kiện Incoterms: {inco}. {points}",
	      {"Có mẫu theo yêu cầu.", "Nhận gia công OEM và nhãn riêng.",
	       "Mỗi lô hàng được kiểm tra trước khi xuất; có giấy chứng nhận xuất xứ.",
	       "Đóng gói xuất khẩu; có thể ghép container."},
	      "{name} là {kind} tại {city}, xuất khẩu từ năm {year}. Sản phẩm chính: "
	      "{products}.",
	      {"nhà sản xuất", "công ty thương mại", "cơ sở trồng và chế biến"},
	      "chiếc", "bộ", ", mẫu {c}", "; ", " "},
    [L_ZH] = {"zh",
	      "{title}。起订量 {moq} {u}，交货期 {lead} 天，{city}发货。贸易条款：{inco}。{points}",
	      {"可提供样品。", "支持OEM及贴牌定制。", "每批货物出货前检验，提供原产地证书。",
	       "出口标准包装，可拼柜。"},
	      "{name}是位于{city}的{kind}，自{year}年起从事出口。主营产品：{products}。",
	      {"生产厂家", "贸易公司", "种植加工企业"},
	      "件", "套", "（型号 {c}）", "、", ""},
    [L_JA] = {"ja",
	      "{title}。最小発注数量 {moq} {u}、納期 {lead} 日、{city}より出荷。"
	      "インコタームズ：{inco}。{points}",
	      {"サンプル対応可。", "OEM・プライベートブランド対応。",
	       "全ロット出荷前検品、原産地証明書付き。", "輸出梱包、混載可能。"},
	      "{name}は{city}の{kind}です。{year}年より輸出。主な製品：{products}。",
	      {"メーカー", "商社", "生産者"},
	      "個", "セット", "（型番 {c}）", "、", ""},
    [L_KO] = {"ko",
	      "{title}. 최소 주문 수량 {moq} {u}, 납기 {lead}일, {city} 출고. 인코텀즈: {inco}. "
	      "{points}",
	      {"샘플 제공 가능.", "OEM 및 자체 브랜드 생산 가능.",
	       "전 로트 출하 전 검사, 원산지 증명서 제공.", "수출용 포장, 혼적 가능."},
	      "{name}은(는) {city}에 있는 {kind}로 {year}년부터 수출하고 있습니다. 주요 제품: "
	      "{products}.",
	      {"제조업체", "무역회사", "생산업체"},
	      "개", "세트", " (모델 {c})", ", ", " "},
    [L_RU] = {"ru",
	      "{title}. Минимальный заказ {moq} {u}, срок поставки {lead} дн., отгрузка: {city}. "
	      "Условия Инкотермс: {inco}. {points}",
	      {"Образцы по запросу.", "Работаем по OEM и под маркой заказчика.",
	       "Каждая партия проверяется перед отгрузкой; сертификат происхождения прилагается.",
	       "Экспортная упаковка, возможна сборная загрузка контейнера."},
	      "{name} — {kind} ({city}), экспортирует с {year} года. Основная продукция: "
	      "{products}.",
	      {"производитель", "торговая компания", "сельхозпроизводитель"},
	      "шт.", "компл.", ", модель {c}", "; ", " "},
    [L_AR] = {"ar",
	      "{title}. الحد الأدنى للطلب {moq} {u}، مدة التسليم {lead} يومًا، الشحن من {city}. "
	      "شروط التسليم (إنكوترمز): {inco}. {points}",
	      {"العينات متوفرة عند الطلب.", "نرحب بالتصنيع حسب الطلب (OEM) والعلامات الخاصة.",
	       "تُفحص كل شحنة قبل التصدير مع شهادة منشأ.",
	       "تغليف مناسب للتصدير، وإمكانية الشحن المجمّع."},
	      "{name} {kind} مقرها {city}، تعمل في التصدير منذ عام {year}. المنتجات الرئيسية: "
	      "{products}.",
	      {"شركة مصنّعة", "شركة تجارية", "شركة منتجة"},
	      "قطعة", "طقم", " – موديل {c}", "، ", " "},
    [L_HI] = {"hi",
	      "{title}। न्यूनतम ऑर्डर {moq} {u}, डिलीवरी समय {lead} दिन, {city} से शिपमेंट। "
	      "इनकोटर्म्स: {inco}। {points}",
	      {"अनुरोध पर नमूने उपलब्ध।", "OEM और प्राइवेट लेबल का स्वागत है।",
	       "हर लॉट की शिपमेंट से पहले जाँच; मूल प्रमाणपत्र उपलब्ध।",
	       "निर्यात पैकिंग; मिश्रित कंटेनर संभव।"},
	      "{name} {city} स्थित एक {kind} है। {year} से निर्यात में सक्रिय। मुख्य उत्पाद: "
	      "{products}।",
	      {"निर्माता", "व्यापारिक कंपनी", "उत्पादक"},
	      "पीस", "सेट", ", मॉडल {c}", "; ", " "},
    [L_TH] = {"th",
	      "{title} สั่งซื้อขั้นต่ำ {moq} {u} ระยะเวลาจัดส่ง {lead} วัน ส่งจาก{city} "
	      "เงื่อนไขการส่งมอบ: {inco} {points}",
	      {"มีตัวอย่างสินค้าตามคำขอ", "รับผลิต OEM และแบรนด์ของลูกค้า",
	       "ตรวจสอบสินค้าทุกล็อตก่อนส่งออก พร้อมใบรับรองแหล่งกำเนิดสินค้า",
	       "บรรจุภัณฑ์มาตรฐานส่งออก รวมตู้คอนเทนเนอร์ได้"},
	      "{name} เป็น{kind}ใน{city} ส่งออกตั้งแต่ปี {year} สินค้าหลัก: {products}",
	      {"ผู้ผลิต", "บริษัทการค้า", "ผู้ปลูกและแปรรูป"},
	      "ชิ้น", "ชุด", " รุ่น {c}", ", ", " "},
};
/* clang-format on */

/* ---------------------------------------------------------------- product families */

enum variants { V_NONE, V_SIZE, V_COLOUR, V_FINISH };

struct family {
	const char *code; /* SKU and model prefix */
	const char *hs;   /* HS 2022 subheading */
	const char *unit; /* UN/ECE Rec 20 */
	const char *category;
	const char *tags;   /* comma-separated */
	int usd_lo, usd_hi; /* US cents per unit */
	int moq_lo, moq_hi;
	int lead_lo, lead_hi; /* days */
	int agro;             /* grown, not made: growers instead of factories, no model codes */
	enum variants variants;
	const char *industry; /* the word in a company name */
	const char *origins;  /* ISO 3166 codes of the countries that sell it */
	const char *specs[5]; /* language-neutral title suffixes */
	const char *names[NLANG];
};

/* clang-format off */
static const struct family families[] = {
{"TL", "940390", "SET", "Furniture > Furniture parts", "table legs,furniture hardware,metal",
 900, 4500, 20, 200, 15, 35, 0, V_FINISH, "Metalworks", "CN VN IN TR PL IT MX US",
 {"400 mm", "710 mm", "720 mm", "1050 mm"},
 {"Iron table legs", "Tischbeine aus Eisen", "Pieds de table en fer", "Patas de mesa de hierro",
  "Pés de mesa de ferro", "Demir masa ayağı", "Chân bàn sắt", "铁艺桌腿", "アイアンテーブル脚",
  "철제 테이블 다리", "Металлические ножки для стола", "أرجل طاولات حديدية", "लोहे के टेबल पाए",
  "ขาโต๊ะเหล็ก"}},
{"LED", "940542", "C62", "Lighting > LED", "led strip,lighting,12v,24v",
 180, 1200, 100, 1000, 7, 25, 0, V_NONE, "Lighting", "CN HK TW KR DE US NL",
 {"5 m 12 V", "5 m 24 V", "10 m 24 V", "5 m COB 24 V"},
 {"LED strip lights", "LED-Streifen", "Rubans LED", "Tiras de luces LED", "Fitas de LED",
  "LED şerit", "Đèn LED dây", "LED灯带", "LEDテープライト", "LED 스트립 조명",
  "Светодиодная лента", "شريط إضاءة LED", "एलईडी स्ट्रिप लाइट", "ไฟเส้น LED"}},
{"CTF", "520812", "MTR", "Textiles > Fabric", "cotton,fabric,woven",
 150, 650, 500, 5000, 10, 30, 0, V_NONE, "Textiles", "CN IN PK BD TR EG UZ PT BE",
 {"120 g/m²", "150 g/m²", "200 g/m²", "280 g/m²"},
 {"Cotton fabric", "Baumwollstoff", "Tissu en coton", "Tela de algodón", "Tecido de algodão",
  "Pamuklu kumaş", "Vải cotton", "纯棉面料", "綿生地", "면 원단", "Хлопковая ткань",
  "قماش قطني", "सूती कपड़ा", "ผ้าฝ้าย"}},
{"PC", "392690", "C62", "Electronics > Phone accessories", "phone case,silicone,accessories",
 45, 350, 200, 3000, 5, 20, 0, V_COLOUR, "Accessories", "CN HK TW VN KR US",
 {"iPhone 15", "iPhone 15 Pro", "Galaxy S24", "Pixel 8"},
 {"Silicone phone case", "Silikon-Handyhülle", "Coque de téléphone en silicone",
  "Funda de silicona para móvil", "Capinha de silicone para celular", "Silikon telefon kılıfı",
  "Ốp lưng điện thoại silicon", "硅胶手机壳", "シリコンスマホケース", "실리콘 휴대폰 케이스",
  "Силиконовый чехол для телефона", "جراب هاتف من السيليكون", "सिलिकॉन फ़ोन कवर",
  "เคสโทรศัพท์ซิลิโคน"}},
{"TIL", "690721", "MTK", "Building materials > Tiles", "ceramic tiles,porcelain,flooring",
 450, 2800, 100, 1500, 10, 40, 0, V_NONE, "Ceramics", "CN IN ES IT TR PT BR MX EG",
 {"60×60 cm", "60×120 cm", "80×80 cm", "30×60 cm"},
 {"Porcelain floor tiles", "Feinsteinzeug-Bodenfliesen", "Carrelage en grès cérame",
  "Baldosas de porcelánico", "Porcelanato para piso", "Porselen yer karosu",
  "Gạch lát nền porcelain", "瓷质地砖", "磁器質床タイル", "포세린 바닥 타일",
  "Керамогранитная плитка", "بلاط أرضيات بورسلين", "पोर्सिलेन फ़्लोर टाइल्स",
  "กระเบื้องพอร์ซเลนปูพื้น"}},
{"GCB", "090111", "KGM", "Food > Coffee", "coffee,green coffee,beans",
 380, 1100, 300, 19200, 7, 30, 1, V_NONE, "Coffee", "BR CO ET VN KE PE UG EC ID MX CH SG",
 {"Arabica", "Robusta", "Arabica AA", "Arabica Grade 1"},
 {"Green coffee beans", "Rohkaffee, ungeröstet", "Café vert en grains", "Café verde en grano",
  "Café verde em grão", "Yeşil çekirdek kahve", "Cà phê nhân xanh", "咖啡生豆", "コーヒー生豆",
  "커피 생두", "Зелёный кофе в зёрнах", "حبوب بن أخضر", "हरी कॉफ़ी बीन्स", "เมล็ดกาแฟดิบ"}},
{"PV", "854143", "C62", "Energy > Solar", "solar panel,photovoltaic,mono",
 5500, 16000, 20, 500, 15, 45, 0, V_NONE, "Solar", "CN VN IN DE KR JP MY TH US SG",
 {"410 W", "450 W", "550 W", "600 W"},
 {"Monocrystalline solar panel", "Monokristallines Solarmodul", "Panneau solaire monocristallin",
  "Panel solar monocristalino", "Painel solar monocristalino", "Monokristal güneş paneli",
  "Tấm pin năng lượng mặt trời đơn tinh thể", "单晶硅太阳能板", "単結晶ソーラーパネル",
  "단결정 태양광 패널", "Монокристаллическая солнечная панель", "لوح طاقة شمسية أحادي البلورة",
  "मोनोक्रिस्टलाइन सोलर पैनल", "แผงโซลาร์เซลล์โมโนคริสตัลไลน์"}},
{"BTB", "960321", "C62", "Personal care > Oral care", "toothbrush,bamboo,eco",
 12, 60, 1000, 20000, 10, 30, 0, V_NONE, "Eco Products", "CN VN IN TH LK GB DE",
 {"19 cm", "17.5 cm", "14 cm"},
 {"Bamboo toothbrush", "Bambus-Zahnbürste", "Brosse à dents en bambou",
  "Cepillo de dientes de bambú", "Escova de dentes de bambu", "Bambu diş fırçası",
  "Bàn chải đánh răng tre", "竹制牙刷", "竹歯ブラシ", "대나무 칫솔", "Бамбуковая зубная щётка",
  "فرشاة أسنان من الخيزران", "बांस का टूथब्रश", "แปรงสีฟันไม้ไผ่"}},
{"LTB", "420221", "C62", "Bags > Handbags", "leather,tote bag,handbag",
 1500, 9000, 30, 300, 20, 45, 0, V_NONE, "Leather", "IT ES IN PK CN TR MA FR AR BR PY",
 {"35×30 cm", "40×32 cm", "45×35 cm"},
 {"Genuine leather tote bag", "Shopper aus Echtleder", "Sac cabas en cuir véritable",
  "Bolso tote de piel auténtica", "Bolsa tote de couro legítimo", "Hakiki deri omuz çantası",
  "Túi tote da thật", "真皮托特包", "本革トートバッグ", "천연가죽 토트백",
  "Сумка-тоут из натуральной кожи", "حقيبة يد من الجلد الطبيعي", "असली चमड़े का टोट बैग",
  "กระเป๋าโท้ทหนังแท้"}},
{"SSB", "961700", "C62", "Home > Drinkware", "water bottle,stainless steel,vacuum flask",
 220, 900, 100, 2000, 10, 35, 0, V_NONE, "Housewares", "CN IN VN TW KR TR US",
 {"350 ml", "500 ml", "750 ml", "1 l"},
 {"Insulated stainless steel bottle", "Isolierflasche aus Edelstahl", "Gourde isotherme en inox",
  "Botella térmica de acero inoxidable", "Garrafa térmica de aço inox",
  "Paslanmaz çelik termos şişe", "Bình giữ nhiệt inox", "不锈钢保温瓶",
  "ステンレス真空断熱ボトル", "스테인리스 보온병", "Термобутылка из нержавеющей стали",
  "زجاجة حافظة للحرارة من الستانلس ستيل", "स्टेनलेस स्टील इंसुलेटेड बोतल",
  "ขวดน้ำสแตนเลสเก็บอุณหภูมิ"}},
{"CSH", "080132", "KGM", "Food > Nuts", "cashew,nuts,kernels",
 650, 1200, 500, 16000, 7, 30, 1, V_NONE, "Agro", "VN IN NG GH CI BR ID",
 {"W180", "W240", "W320", "W450"},
 {"Cashew nuts", "Cashewkerne", "Noix de cajou", "Anacardos", "Castanha de caju",
  "Kaju fıstığı", "Hạt điều nhân", "腰果仁", "カシューナッツ", "캐슈너트", "Орехи кешью",
  "مكسرات الكاجو", "काजू", "เมล็ดมะม่วงหิมพานต์"}},
{"EVO", "150920", "LTR", "Food > Oils", "olive oil,extra virgin",
 450, 1300, 200, 5000, 7, 25, 1, V_NONE, "Olive Oil", "ES IT GR TN TR MA PT JO ZA",
 {"0.5 l", "1 l", "5 l"},
 {"Extra virgin olive oil", "Natives Olivenöl extra", "Huile d'olive vierge extra",
  "Aceite de oliva virgen extra", "Azeite de oliva extravirgem", "Natürel sızma zeytinyağı",
  "Dầu ô liu nguyên chất", "特级初榨橄榄油", "エクストラバージンオリーブオイル",
  "엑스트라 버진 올리브유", "Оливковое масло Extra Virgin", "زيت زيتون بكر ممتاز",
  "एक्स्ट्रा वर्जिन जैतून का तेल", "น้ำมันมะกอกเอ็กซ์ตร้าเวอร์จิ้น"}},
{"BSM", "100630", "TNE", "Food > Rice", "rice,basmati",
 80000, 160000, 5, 100, 10, 30, 1, V_NONE, "Rice", "IN PK",
 {"1121", "1509", "Pusa", "Sella"},
 {"Basmati rice", "Basmati-Reis", "Riz basmati", "Arroz basmati", "Arroz basmati",
  "Basmati pirinç", "Gạo basmati", "巴斯马蒂香米", "バスマティライス", "바스마티 쌀",
  "Рис басмати", "أرز بسمتي", "बासमती चावल", "ข้าวบาสมาติ"}},
{"JSM", "100630", "TNE", "Food > Rice", "rice,jasmine,hom mali",
 60000, 110000, 5, 100, 10, 30, 1, V_NONE, "Rice", "TH VN",
 {NULL},
 {"Jasmine rice", "Jasminreis", "Riz jasmin", "Arroz jazmín", "Arroz jasmim",
  "Yasemin pirinci", "Gạo thơm jasmine", "茉莉香米", "ジャスミンライス", "자스민 쌀",
  "Рис жасмин", "أرز الياسمين", "जैस्मिन चावल", "ข้าวหอมมะลิ"}},
{"TEA", "090240", "KGM", "Food > Tea", "tea,black tea",
 180, 600, 100, 5000, 7, 30, 1, V_NONE, "Tea", "IN LK KE CN JP TR IE",
 {"BOP", "OP", "CTC BP1", "FBOP"},
 {"Black tea", "Schwarzer Tee", "Thé noir", "Té negro", "Chá preto", "Siyah çay", "Trà đen",
  "红茶", "紅茶", "홍차", "Чёрный чай", "شاي أسود", "काली चाय", "ชาดำ"}},
{"TSH", "610910", "C62", "Apparel > T-shirts", "t-shirt,cotton,blank",
 150, 700, 100, 2000, 15, 40, 0, V_SIZE, "Garments", "BD CN VN IN PK TR PT EG",
 {"160 g/m²", "180 g/m²", "220 g/m²"},
 {"Plain cotton T-shirt", "Baumwoll-T-Shirt, unbedruckt", "T-shirt uni en coton",
  "Camiseta lisa de algodón", "Camiseta lisa de algodão", "Düz pamuklu tişört",
  "Áo thun cotton trơn", "纯棉素色T恤", "無地コットンTシャツ", "무지 면 티셔츠",
  "Однотонная хлопковая футболка", "تيشيرت قطني سادة", "प्लेन सूती टी-शर्ट",
  "เสื้อยืดคอตตอนสีพื้น"}},
{"SPN", "820411", "SET", "Tools > Hand tools", "spanner,wrench,tool set",
 800, 4500, 50, 500, 15, 40, 0, V_NONE, "Tools", "CN TW DE JP IN CH CZ",
 {"8–19 mm", "6–22 mm", "6–32 mm"},
 {"Combination spanner set", "Ring-Maulschlüssel-Satz", "Jeu de clés mixtes",
  "Juego de llaves combinadas", "Jogo de chaves combinadas", "Kombine anahtar takımı",
  "Bộ cờ lê vòng miệng", "两用扳手套装", "コンビネーションレンチセット",
  "콤비네이션 렌치 세트", "Набор комбинированных ключей", "طقم مفاتيح ربط مركبة",
  "कॉम्बिनेशन स्पैनर सेट", "ชุดประแจแหวนข้างปากตาย"}},
{"CTN", "481910", "C62", "Packaging > Boxes", "carton,corrugated,shipping box",
 15, 180, 500, 10000, 7, 20, 0, V_NONE, "Packaging", "CN VN TH MY PL US MX BE NL DK ZA",
 {"30×20×15 cm", "40×30×30 cm", "60×40×40 cm"},
 {"Corrugated shipping box", "Versandkarton aus Wellpappe", "Carton d'expédition ondulé",
  "Caja de cartón corrugado", "Caixa de papelão ondulado", "Oluklu karton koli",
  "Thùng carton sóng", "瓦楞纸箱", "段ボール箱", "골판지 박스", "Гофрокороб",
  "صناديق كرتون مضلع للشحن", "कोरुगेटेड शिपिंग बॉक्स", "กล่องกระดาษลูกฟูก"}},
{"USB", "854442", "C62", "Electronics > Cables", "usb-c,cable,charging",
 40, 300, 200, 5000, 7, 25, 0, V_NONE, "Electronics", "CN HK TW VN",
 {"1 m 60 W", "2 m 100 W", "1 m 100 W", "3 m 60 W"},
 {"USB-C charging cable", "USB-C-Ladekabel", "Câble de charge USB-C", "Cable de carga USB-C",
  "Cabo de carregamento USB-C", "USB-C şarj kablosu", "Cáp sạc USB-C", "USB-C充电线",
  "USB-C充電ケーブル", "USB-C 충전 케이블", "Кабель для зарядки USB-C", "كابل شحن USB-C",
  "यूएसबी-सी चार्जिंग केबल", "สายชาร์จ USB-C"}},
{"BRG", "848210", "C62", "Machinery > Bearings", "bearing,ball bearing,6204,6205",
 35, 400, 100, 5000, 10, 35, 0, V_NONE, "Bearings", "CN JP DE SE IT IN KR CH CZ AT",
 {"6204-2RS", "6205-ZZ", "6305-2RS", "6001-2RS"},
 {"Deep groove ball bearing", "Rillenkugellager", "Roulement à billes à gorge profonde",
  "Rodamiento rígido de bolas", "Rolamento rígido de esferas", "Sabit bilyalı rulman",
  "Vòng bi cầu rãnh sâu", "深沟球轴承", "深溝玉軸受", "깊은 홈 볼 베어링",
  "Радиальный шарикоподшипник", "محمل كروي ذو أخدود عميق", "डीप ग्रूव बॉल बेयरिंग",
  "ตลับลูกปืนเม็ดกลมร่องลึก"}},
{"PEP", "090411", "KGM", "Food > Spices", "pepper,black pepper,spices",
 350, 900, 500, 10000, 7, 30, 1, V_NONE, "Spices", "VN IN BR LK ID MY SG",
 {"500 g/l", "550 g/l", "570 g/l"},
 {"Black pepper, whole", "Schwarzer Pfeffer, ganz", "Poivre noir en grains",
  "Pimienta negra en grano", "Pimenta-do-reino em grão", "Tane karabiber", "Hạt tiêu đen",
  "黑胡椒粒", "ブラックペッパー（ホール）", "통후추", "Чёрный перец горошком", "فلفل أسود حب",
  "साबुत काली मिर्च", "พริกไทยดำเม็ด"}},
{"HNY", "040900", "KGM", "Food > Honey", "honey,raw honey",
 250, 900, 100, 20000, 7, 30, 1, V_NONE, "Apiaries",
 "NZ AU CN TR AR MX HU RO BR ET KE AT CA ZA PY",
 {NULL},
 {"Raw honey", "Rohhonig", "Miel brut", "Miel cruda", "Mel cru", "Süzme çiçek balı",
  "Mật ong nguyên chất", "天然原蜜", "生はちみつ", "천연 생꿀", "Натуральный мёд",
  "عسل طبيعي خام", "कच्चा शहद", "น้ำผึ้งดิบ"}},
{"ARG", "151590", "LTR", "Beauty > Oils", "argan oil,cosmetics,organic",
 2500, 6000, 10, 500, 7, 21, 1, V_NONE, "Argan", "MA",
 {NULL},
 {"Cosmetic argan oil", "Kosmetisches Arganöl", "Huile d'argan cosmétique",
  "Aceite de argán cosmético", "Óleo de argan cosmético", "Kozmetik argan yağı",
  "Dầu argan mỹ phẩm", "化妆品级摩洛哥坚果油", "コスメ用アルガンオイル",
  "화장품용 아르간 오일", "Косметическое аргановое масло", "زيت الأرغان التجميلي",
  "कॉस्मेटिक आर्गन तेल", "น้ำมันอาร์แกนสำหรับเครื่องสำอาง"}},
{"CHR", "940139", "C62", "Furniture > Office", "office chair,ergonomic,mesh",
 2800, 12000, 20, 200, 20, 45, 0, V_NONE, "Furniture", "CN TW VN PL MY DK",
 {NULL},
 {"Ergonomic mesh office chair", "Ergonomischer Bürostuhl mit Netzrücken",
  "Chaise de bureau ergonomique en maille", "Silla de oficina ergonómica de malla",
  "Cadeira de escritório ergonômica de tela", "Ergonomik file ofis sandalyesi",
  "Ghế văn phòng lưới công thái học", "人体工学网布办公椅",
  "エルゴノミクスメッシュオフィスチェア", "인체공학 메쉬 사무용 의자",
  "Эргономичное офисное кресло с сеткой", "كرسي مكتب شبكي مريح",
  "एर्गोनोमिक मेश ऑफ़िस चेयर", "เก้าอี้สำนักงานตาข่ายเพื่อสุขภาพ"}},
{"DAT", "080410", "KGM", "Food > Dried fruit", "dates,medjool",
 400, 1400, 100, 5000, 5, 20, 1, V_NONE, "Dates", "SA AE EG TN JO OM KW BH",
 {"Jumbo", "Large", "Medium"},
 {"Medjool dates", "Medjool-Datteln", "Dattes Medjool", "Dátiles Medjool", "Tâmaras Medjool",
  "Medjool hurması", "Chà là Medjool", "美吉奥椰枣", "メジュールデーツ", "메드줄 대추야자",
  "Финики Меджул", "تمر مجهول", "मेडजूल खजूर", "อินทผลัมเมดจูล"}},
{"PLY", "441233", "MTQ", "Building materials > Wood", "plywood,birch,panels",
 45000, 95000, 10, 100, 15, 40, 0, V_NONE, "Timber", "RU FI CN ID MY BR CL AT RO CA",
 {"9 mm", "12 mm", "18 mm"},
 {"Birch plywood", "Birkensperrholz", "Contreplaqué bouleau", "Contrachapado de abedul",
  "Compensado de bétula", "Huş kontrplak", "Ván ép bạch dương", "桦木胶合板", "バーチ合板",
  "자작나무 합판", "Берёзовая фанера", "خشب أبلكاش من البتولا", "बर्च प्लाईवुड",
  "ไม้อัดเบิร์ช"}},
{"SLK", "621410", "C62", "Apparel > Accessories", "silk,scarf",
 400, 3500, 50, 500, 15, 35, 0, V_NONE, "Silk", "CN IN TH IT FR TR",
 {"90×90 cm", "70×70 cm", "180×65 cm"},
 {"Silk scarf", "Seidentuch", "Foulard en soie", "Pañuelo de seda", "Lenço de seda",
  "İpek eşarp", "Khăn lụa", "真丝围巾", "シルクスカーフ", "실크 스카프", "Шёлковый платок",
  "وشاح حريري", "रेशमी स्कार्फ़", "ผ้าพันคอผ้าไหม"}},
{"COC", "180100", "TNE", "Food > Cocoa", "cocoa,cocoa beans",
 250000, 900000, 5, 50, 10, 30, 1, V_NONE, "Cocoa", "CI GH NG EC BR PE",
 {NULL},
 {"Fermented cocoa beans", "Fermentierte Kakaobohnen", "Fèves de cacao fermentées",
  "Granos de cacao fermentados", "Amêndoas de cacau fermentadas", "Fermente kakao çekirdeği",
  "Hạt ca cao lên men", "发酵可可豆", "発酵カカオ豆", "발효 카카오 원두",
  "Ферментированные какао-бобы", "حبوب كاكاو مخمرة", "किण्वित कोको बीन्स",
  "เมล็ดโกโก้หมัก"}},
{"RUG", "570110", "MTK", "Home > Rugs", "rug,carpet,wool,hand-knotted",
 6000, 40000, 10, 200, 30, 90, 0, V_NONE, "Carpets", "IN PK TR MA EG",
 {"160×230 cm", "200×300 cm", "80×150 cm"},
 {"Hand-knotted wool rug", "Handgeknüpfter Wollteppich", "Tapis en laine noué main",
  "Alfombra de lana anudada a mano", "Tapete de lã tecido à mão", "El dokuma yün halı",
  "Thảm len thắt tay", "手工打结羊毛地毯", "手織りウール絨毯", "수제 양모 러그",
  "Шерстяной ковёр ручной работы", "سجاد صوف معقود يدوياً", "हाथ से बुना ऊनी कालीन",
  "พรมขนสัตว์ทอมือ"}},
{"VCO", "151319", "KGM", "Food > Oils", "coconut oil,virgin",
 180, 450, 200, 20000, 7, 25, 1, V_NONE, "Coco Products", "PH ID LK MY TH VN IN",
 {NULL},
 {"Virgin coconut oil", "Natives Kokosöl", "Huile de coco vierge", "Aceite de coco virgen",
  "Óleo de coco virgem", "Soğuk sıkım hindistan cevizi yağı", "Dầu dừa nguyên chất",
  "初榨椰子油", "バージンココナッツオイル", "버진 코코넛 오일",
  "Кокосовое масло первого отжима", "زيت جوز الهند البكر", "वर्जिन नारियल तेल",
  "น้ำมันมะพร้าวบริสุทธิ์"}},
{"SAL", "030313", "KGM", "Food > Seafood", "salmon,frozen,seafood",
 600, 1400, 1000, 20000, 5, 20, 1, V_NONE, "Seafood", "NO CL IS GB CA",
 {"2–3 kg", "3–4 kg", "4–5 kg", "5–6 kg"},
 {"Frozen Atlantic salmon", "Atlantischer Lachs, tiefgefroren", "Saumon atlantique surgelé",
  "Salmón atlántico congelado", "Salmão do Atlântico congelado",
  "Dondurulmuş Atlantik somonu", "Cá hồi Đại Tây Dương đông lạnh", "冷冻大西洋鲑鱼",
  "冷凍アトランティックサーモン", "냉동 대서양 연어", "Атлантический лосось замороженный",
  "سلمون أطلسي مجمد", "फ्रोज़न अटलांटिक सैल्मन", "ปลาแซลมอนแอตแลนติกแช่แข็ง"}},
{"FLR", "110100", "TNE", "Food > Flour", "flour,wheat flour",
 28000, 45000, 25, 500, 7, 30, 1, V_NONE, "Flour Mills", "KZ RU TR UZ",
 {NULL},
 {"Wheat flour", "Weizenmehl", "Farine de blé", "Harina de trigo", "Farinha de trigo",
  "Buğday unu", "Bột mì", "小麦粉", "小麦粉", "밀가루", "Мука пшеничная высшего сорта",
  "دقيق القمح", "गेहूं का आटा", "แป้งสาลี"}},
};
/* clang-format on */
#define NFAMILIES ((int)(sizeof families / sizeof families[0]))

/* ---------------------------------------------------------------- countries */

struct city {
	const char *latin;  /* as an English text writes it */
	const char *native; /* as the seller's own language writes it; NULL when the same */
};

struct country {
	const char *code, *currency;
	double per_usd; /* units of currency per US dollar, for believable prices */
	enum lang_id lang;
	const char *languages; /* the profile's ISO 639-1 codes */
	const char *suffix;    /* legal form; a trailing space makes it a prefix ("PT ") */
	const char *reg;       /* registration number pattern: # digit, @ letter */
	int landlocked;        /* no FOB or CIF from here */
	int weight;            /* share of sellers beyond the first of each country */
	struct city cities[5];
};

/* clang-format off */
static const struct country countries[] = {
{"CN", "CNY", 7.2, L_ZH, "zh en", "Co., Ltd.", "91######MA#@@@@@#", 0, 30,
 {{"Shenzhen", "深圳"}, {"Ningbo", "宁波"}, {"Yiwu", "义乌"}, {"Foshan", "佛山"}, {"Qingdao", "青岛"}}},
{"HK", "HKD", 7.8, L_EN, "en zh", "Limited", "########", 0, 2,
 {{"Hong Kong", NULL}}},
{"TW", "TWD", 32, L_EN, "zh en", "Co., Ltd.", "########", 0, 2,
 {{"Taichung", NULL}, {"Taipei", NULL}, {"Tainan", NULL}}},
{"JP", "JPY", 150, L_JA, "ja en", "Co., Ltd.", "#############", 0, 3,
 {{"Osaka", "大阪"}, {"Nagoya", "名古屋"}, {"Tsubame", "燕"}, {"Shizuoka", "静岡"}}},
{"KR", "KRW", 1350, L_KO, "ko en", "Co., Ltd.", "###-##-#####", 0, 3,
 {{"Busan", "부산"}, {"Incheon", "인천"}, {"Changwon", "창원"}}},
{"IN", "INR", 83, L_HI, "hi en", "Pvt. Ltd.", "U#####@@####PTC######", 0, 12,
 {{"Mumbai", "मुंबई"}, {"Kochi", "कोच्चि"}, {"Tiruppur", "तिरुप्पुर"}, {"Morbi", "मोरबी"},
  {"Amritsar", "अमृतसर"}}},
{"VN", "VND", 24500, L_VI, "vi en", "Co., Ltd.", "##########", 0, 8,
 {{"Ho Chi Minh City", "TP. Hồ Chí Minh"}, {"Hai Phong", "Hải Phòng"},
  {"Binh Duong", "Bình Dương"}, {"Buon Ma Thuot", "Buôn Ma Thuột"}}},
{"TH", "THB", 35, L_TH, "th en", "Co., Ltd.", "#############", 0, 3,
 {{"Bangkok", "กรุงเทพฯ"}, {"Chonburi", "ชลบุรี"}, {"Chiang Mai", "เชียงใหม่"}, {"Surin", "สุรินทร์"}}},
{"ID", "IDR", 15700, L_EN, "id en", "PT ", "###############", 0, 3,
 {{"Surabaya", NULL}, {"Jakarta", NULL}, {"Medan", NULL}, {"Makassar", NULL}}},
{"MY", "MYR", 4.6, L_EN, "ms en", "Sdn. Bhd.", "############", 0, 2,
 {{"Penang", NULL}, {"Johor Bahru", NULL}, {"Kuching", NULL}}},
{"SG", "SGD", 1.35, L_EN, "en zh", "Pte. Ltd.", "#########@", 0, 2,
 {{"Singapore", NULL}}},
{"PH", "PHP", 56, L_EN, "en", "Inc.", "CS##########", 0, 1,
 {{"Davao", NULL}, {"Cebu", NULL}, {"Manila", NULL}}},
{"PK", "PKR", 280, L_EN, "ur en", "(Pvt.) Ltd.", "#######", 0, 3,
 {{"Sialkot", NULL}, {"Faisalabad", NULL}, {"Karachi", NULL}, {"Lahore", NULL}}},
{"BD", "BDT", 110, L_EN, "bn en", "Ltd.", "C-######", 0, 3,
 {{"Dhaka", NULL}, {"Chattogram", NULL}, {"Gazipur", NULL}}},
{"LK", "LKR", 300, L_EN, "si en", "(Pvt) Ltd", "PV ######", 0, 1,
 {{"Colombo", NULL}, {"Kandy", NULL}, {"Negombo", NULL}}},
{"TR", "TRY", 32, L_TR, "tr en", "Ltd. Şti.", "##########", 0, 6,
 {{"Istanbul", "İstanbul"}, {"Izmir", "İzmir"}, {"Bursa", NULL}, {"Gaziantep", NULL},
  {"Denizli", NULL}}},
{"DE", "EUR", 0.92, L_DE, "de en", "GmbH", "HRB ######", 0, 4,
 {{"Stuttgart", NULL}, {"Hamburg", NULL}, {"Solingen", NULL}, {"Munich", "München"}}},
{"AT", "EUR", 0.92, L_DE, "de en", "GmbH", "FN ######@", 1, 1,
 {{"Vienna", "Wien"}, {"Graz", NULL}, {"Linz", NULL}}},
{"CH", "CHF", 0.88, L_DE, "de fr en", "AG", "CHE-###.###.###", 1, 1,
 {{"Zurich", "Zürich"}, {"Basel", NULL}, {"Biel", NULL}}},
{"FR", "EUR", 0.92, L_FR, "fr en", "SAS", "### ### ###", 0, 3,
 {{"Lyon", NULL}, {"Marseille", NULL}, {"Lille", NULL}, {"Paris", NULL}}},
{"BE", "EUR", 0.92, L_FR, "fr nl en", "SA", "0###.###.###", 0, 1,
 {{"Antwerp", "Anvers"}, {"Brussels", "Bruxelles"}, {"Liège", NULL}}},
{"NL", "EUR", 0.92, L_EN, "nl en", "B.V.", "########", 0, 1,
 {{"Rotterdam", NULL}, {"Eindhoven", NULL}}},
{"IT", "EUR", 0.92, L_EN, "it en", "S.r.l.", "IT###########", 0, 4,
 {{"Milan", NULL}, {"Florence", NULL}, {"Bologna", NULL}, {"Treviso", NULL}}},
{"ES", "EUR", 0.92, L_ES, "es en", "S.L.", "B########", 0, 3,
 {{"Valencia", NULL}, {"Barcelona", NULL}, {"Jaén", NULL}, {"Castellón", NULL}}},
{"PT", "EUR", 0.92, L_PT, "pt en", "Lda.", "5########", 0, 2,
 {{"Porto", NULL}, {"Lisbon", "Lisboa"}, {"Braga", NULL}}},
{"PL", "PLN", 4.0, L_EN, "pl en", "Sp. z o.o.", "KRS ##########", 0, 2,
 {{"Poznań", NULL}, {"Łódź", NULL}, {"Gdańsk", NULL}}},
{"CZ", "CZK", 23, L_EN, "cs en", "s.r.o.", "########", 1, 1,
 {{"Brno", NULL}, {"Ostrava", NULL}, {"Plzeň", NULL}}},
{"HU", "HUF", 360, L_EN, "hu en", "Kft.", "##-##-######", 1, 1,
 {{"Budapest", NULL}, {"Debrecen", NULL}}},
{"RO", "RON", 4.6, L_EN, "ro en", "S.R.L.", "J##/####/####", 0, 1,
 {{"Cluj-Napoca", NULL}, {"Brașov", NULL}, {"Timișoara", NULL}}},
{"GB", "GBP", 0.79, L_EN, "en", "Ltd", "########", 0, 3,
 {{"Manchester", NULL}, {"Leeds", NULL}, {"Birmingham", NULL}, {"Aberdeen", NULL}}},
{"IE", "EUR", 0.92, L_EN, "en ga", "Ltd", "######", 0, 1,
 {{"Dublin", NULL}, {"Cork", NULL}}},
{"SE", "SEK", 10.5, L_EN, "sv en", "AB", "######-####", 0, 1,
 {{"Gothenburg", NULL}, {"Malmö", NULL}}},
{"DK", "DKK", 6.9, L_EN, "da en", "ApS", "########", 0, 1,
 {{"Aarhus", NULL}, {"Copenhagen", NULL}}},
{"NO", "NOK", 10.7, L_EN, "nb en", "AS", "### ### ###", 0, 1,
 {{"Ålesund", NULL}, {"Bergen", NULL}, {"Tromsø", NULL}}},
{"FI", "EUR", 0.92, L_EN, "fi sv en", "Oy", "#######-#", 0, 1,
 {{"Lahti", NULL}, {"Tampere", NULL}}},
{"GR", "EUR", 0.92, L_EN, "el en", "S.A.", "#########", 0, 1,
 {{"Kalamata", NULL}, {"Thessaloniki", NULL}}},
{"RU", "RUB", 92, L_RU, "ru en", "LLC", "#############", 0, 3,
 {{"Moscow", "Москва"}, {"Saint Petersburg", "Санкт-Петербург"},
  {"Novosibirsk", "Новосибирск"}, {"Kostroma", "Кострома"}}},
{"KZ", "KZT", 450, L_RU, "kk ru en", "LLP", "############", 1, 1,
 {{"Almaty", "Алматы"}, {"Kostanay", "Костанай"}}},
{"UZ", "UZS", 12600, L_RU, "uz ru en", "LLC", "#########", 1, 1,
 {{"Tashkent", "Ташкент"}, {"Fergana", "Фергана"}}},
{"AE", "AED", 3.6725, L_AR, "ar en", "LLC", "CN-#######", 0, 3,
 {{"Dubai", "دبي"}, {"Sharjah", "الشارقة"}}},
{"SA", "SAR", 3.75, L_AR, "ar en", "Co.", "##########", 0, 2,
 {{"Riyadh", "الرياض"}, {"Jeddah", "جدة"}, {"Buraydah", "بريدة"}}},
{"EG", "EGP", 48, L_AR, "ar en", "S.A.E.", "######", 0, 2,
 {{"Cairo", "القاهرة"}, {"Alexandria", "الإسكندرية"}, {"10th of Ramadan City", "العاشر من رمضان"}}},
{"MA", "MAD", 10, L_AR, "ar fr en", "SARL", "RC ######", 0, 2,
 {{"Casablanca", "الدار البيضاء"}, {"Agadir", "أكادير"}, {"Fez", "فاس"}}},
{"JO", "JOD", 0.709, L_AR, "ar en", "LLC", "######", 0, 1,
 {{"Amman", "عمّان"}}},
{"KW", "KWD", 0.307, L_AR, "ar en", "W.L.L.", "######", 0, 1,
 {{"Kuwait City", "مدينة الكويت"}}},
{"BH", "BHD", 0.376, L_AR, "ar en", "W.L.L.", "#####-#", 0, 1,
 {{"Manama", "المنامة"}}},
{"OM", "OMR", 0.385, L_AR, "ar en", "LLC", "#######", 0, 1,
 {{"Muscat", "مسقط"}, {"Sohar", "صحار"}}},
{"TN", "TND", 3.1, L_AR, "ar fr en", "SARL", "#######@", 0, 1,
 {{"Sfax", "صفاقس"}, {"Tunis", "تونس"}}},
{"US", "USD", 1, L_EN, "en es", "LLC", "##-#######", 0, 5,
 {{"Los Angeles", NULL}, {"Chicago", NULL}, {"Houston", NULL}, {"Atlanta", NULL}}},
{"CA", "CAD", 1.36, L_EN, "en fr", "Inc.", "#########", 0, 2,
 {{"Vancouver", NULL}, {"Toronto", NULL}, {"Halifax", NULL}}},
{"MX", "MXN", 17, L_ES, "es en", "S.A. de C.V.", "@@@######@@#", 0, 3,
 {{"Monterrey", NULL}, {"Guadalajara", NULL}, {"Puebla", NULL}}},
{"BR", "BRL", 5.0, L_PT, "pt en", "Ltda.", "##.###.###/0001-##", 0, 4,
 {{"São Paulo", NULL}, {"Santos", NULL}, {"Curitiba", NULL}, {"Belo Horizonte", NULL}}},
{"AR", "ARS", 870, L_ES, "es en", "S.A.", "30-########-#", 0, 1,
 {{"Buenos Aires", NULL}, {"Córdoba", NULL}, {"Mendoza", NULL}}},
{"CL", "CLP", 940, L_ES, "es en", "SpA", "##.###.###-#", 0, 1,
 {{"Santiago", NULL}, {"Puerto Montt", NULL}, {"Concepción", NULL}}},
{"CO", "COP", 3900, L_ES, "es en", "S.A.S.", "#########-#", 0, 2,
 {{"Medellín", NULL}, {"Bogotá", NULL}, {"Manizales", NULL}}},
{"PE", "PEN", 3.75, L_ES, "es en", "S.A.C.", "20#########", 0, 1,
 {{"Lima", NULL}, {"Arequipa", NULL}}},
{"EC", "USD", 1, L_ES, "es en", "S.A.", "09##########01", 0, 1,
 {{"Guayaquil", NULL}, {"Quito", NULL}}},
{"ZA", "ZAR", 18.5, L_EN, "en af zu", "(Pty) Ltd", "20##/######/07", 0, 1,
 {{"Cape Town", NULL}, {"Durban", NULL}, {"Johannesburg", NULL}}},
{"NG", "NGN", 1500, L_EN, "en ha yo", "Ltd", "RC ######", 0, 2,
 {{"Lagos", NULL}, {"Kano", NULL}, {"Ibadan", NULL}}},
{"KE", "KES", 130, L_EN, "en sw", "Ltd", "PVT-@@@####", 0, 1,
 {{"Nairobi", NULL}, {"Mombasa", NULL}}},
{"GH", "GHS", 14, L_EN, "en", "Ltd", "CS#########", 0, 1,
 {{"Tema", NULL}, {"Kumasi", NULL}}},
{"ET", "ETB", 57, L_EN, "am en", "PLC", "MT/AA/#/#######/####", 1, 1,
 {{"Addis Ababa", NULL}}},
{"CI", "XOF", 605, L_FR, "fr en", "SARL", "CI-ABJ-####-B-#####", 0, 1,
 {{"Abidjan", NULL}, {"San-Pédro", NULL}}},
{"AU", "AUD", 1.52, L_EN, "en", "Pty Ltd", "### ### ###", 0, 2,
 {{"Sydney", NULL}, {"Melbourne", NULL}, {"Brisbane", NULL}}},
{"NZ", "NZD", 1.65, L_EN, "en mi", "Ltd", "#######", 0, 1,
 {{"Auckland", NULL}, {"Christchurch", NULL}}},
{"IS", "ISK", 138, L_EN, "is en", "ehf.", "######-####", 0, 1,
 {{"Reykjavík", NULL}}},
{"UG", "UGX", 3800, L_EN, "en sw", "Ltd", "##########", 1, 1,
 {{"Kampala", NULL}}},
{"PY", "PYG", 7300, L_ES, "es gn en", "S.A.", "########-#", 1, 1,
 {{"Asunción", NULL}}},
};
/* clang-format on */
#define NCOUNTRIES ((int)(sizeof countries / sizeof countries[0]))

static const char *const brands[] = {
    "Golden", "Evergreen", "Apex",    "Sunrise", "Bluewave", "Silverline", "Harbor", "Summit",
    "Lotus",  "Orient",    "Pioneer", "Crown",   "Jade",     "Falcon",     "Cedar",  "Delta",
    "Nova",   "Atlas",     "Prime",   "Zenith",  "Maple",    "Coral",      "Unity",  "Northstar",
};
#define NBRANDS ((int)(sizeof brands / sizeof brands[0]))
static const char *const buyer_words[] = {"Imports",  "Retail",     "Trading",
                                          "Supplies", "Home Store", "Wholesale"};
#define NBUYERWORDS ((int)(sizeof buyer_words / sizeof buyer_words[0]))

/* Offered Incoterms, in the order of the rules; the landlocked ones avoid the sea rules. */
static const char *const inco_coast[][4] = {
    {"FOB"},
    {"FOB", "CIF"},
    {"EXW", "FOB"},
    {"EXW", "FOB", "CIF"},
    {"FOB", "CFR", "CIF"},
    {"FCA", "CIP", "DAP"},
    {"EXW", "FCA", "DAP", "DDP"},
    {"CIF"},
};
static const char *const inco_inland[][4] = {
    {"EXW"}, {"FCA"}, {"EXW", "FCA"}, {"FCA", "CPT", "DAP"}, {"EXW", "DAP"}, {"FCA", "CIP", "DDP"},
};
#define NINCO_COAST ((int)(sizeof inco_coast / sizeof inco_coast[0]))
#define NINCO_INLAND ((int)(sizeof inco_inland / sizeof inco_inland[0]))

/* ---------------------------------------------------------------- randomness */

/* splitmix64: tiny, fast and the same everywhere, so a seed means the same data on every
 * machine (rand() does not promise that). Each account and listing gets its own stream, so
 * threads can make them in any order. */
struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_init(struct rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
	r->s = mix64(seed + mix64(stream * 0x9e3779b97f4a7c15ULL + mix64(index + 1)));
}

static uint64_t rng_next(struct rng *r)
{
	return mix64(r->s += 0x9e3779b97f4a7c15ULL);
}

/* In [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* In [0, n). */
static long rng_below(struct rng *r, long n)
{
	long v = (long)(rng_unit(r) * (double)n);
	return v < n ? v : n - 1;
}

static long rng_range(struct rng *r, long lo, long hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

enum { S_ACCOUNT = 1, S_LISTING = 2, S_KEY = 3 };

/* ---------------------------------------------------------------- the generator */

struct seller {
	struct kkeypair kp;
	char id[KCRYPTO_ID_LEN + 1];
	int country, city, lang, kind;
	int fam[3], nfam;
	int inco; /* row of inco_coast or inco_inland */
	char currency[4];
	int minor;
	double per_usd;
};

struct gen {
	uint64_t seed;
	long naccounts, nlistings, nsup;
	struct seller *sup; /* owned; nsup of them */
	int *fams_of;       /* per country: families sold there, NFAMILIES each */
	int *nfams_of;
	int weight_total;
	const struct kkeypair *node_key;
	char node_id[KCRYPTO_ID_LEN + 1];
};

static const int64_t T_LISTINGS_FROM = 1704067200; /* 2024-01-01 */
static const int64_t T_LISTINGS_TO = 1790812800;   /* 2026-10-01 */
static const int64_t T_ACCOUNTS_FROM = 1546300800; /* 2019-01-01 */
static const int64_t DAY = 86400;

static const char *city_name(const struct country *c, int city, enum lang_id lang)
{
	const struct city *ct = &c->cities[city];
	return lang != L_EN && ct->native ? ct->native : ct->latin;
}

static int ncities(const struct country *c)
{
	int n = 0;
	while (n < 5 && c->cities[n].latin)
		n++;
	return n;
}

static int pick_country(const struct gen *g, struct rng *r)
{
	long w = rng_below(r, g->weight_total);
	for (int i = 0; i < NCOUNTRIES; i++) {
		w -= countries[i].weight;
		if (w < 0)
			return i;
	}
	return 0;
}

/* Expands {key} placeholders from kv (pairs of key, value). */
static void expand(struct kbuf *out, const char *t, const char *const *kv, int nkv)
{
	while (*t) {
		if (*t == '{') {
			const char *end = strchr(t, '}');
			int done = 0;
			for (int i = 0; end && i < nkv && !done; i++) {
				size_t n = strlen(kv[2 * i]);
				if ((size_t)(end - t - 1) == n &&
				    strncmp(t + 1, kv[2 * i], n) == 0) {
					kbuf_puts(out, kv[2 * i + 1]);
					t = end + 1;
					done = 1;
				}
			}
			if (done)
				continue;
		}
		kbuf_putc(out, *t++);
	}
}

/* Three significant digits, the way people price: 1234 -> 1230, 98765 -> 98800. */
static int64_t round_price(double v)
{
	if (v < 1)
		return 1;
	int64_t n = (int64_t)(v + 0.5), step = 1;
	while (n / step >= 1000)
		step *= 10;
	return (n + step / 2) / step * step;
}

/* Two significant digits, the second 0 or 5: 137 -> 150, 2250 -> 2000. */
static int64_t round_qty(int64_t q)
{
	if (q < 10)
		return q < 1 ? 1 : q;
	int64_t p = 1;
	while (q / p >= 100)
		p *= 10;
	int64_t m = q / p;
	m = (m + 2) / 5 * 5;
	return m * p;
}

static void append_pattern(struct kbuf *b, const char *pat, struct rng *r)
{
	for (const char *p = pat; *p; p++) {
		if (*p == '#')
			kbuf_putc(b, (char)('0' + rng_below(r, 10)));
		else if (*p == '@')
			kbuf_putc(b, (char)('A' + rng_below(r, 26)));
		else
			kbuf_putc(b, *p);
	}
}

static void append_b36(struct kbuf *b, uint64_t v, int width)
{
	char tmp[16];
	int n = 0;
	do {
		tmp[n++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36];
		v /= 36;
	} while (v && n < (int)sizeof tmp);
	while (n < width && n < (int)sizeof tmp)
		tmp[n++] = '0';
	while (n)
		kbuf_putc(b, tmp[--n]);
}

/* The key of account k: a keyed hash of seed and k, so keys differ between seeds and
 * nobody can guess a demo seller's key from its index alone. */
static void account_key(uint64_t seed, long k, struct kkeypair *kp)
{
	uint8_t in[16], out[32];
	static const uint8_t dk[16] = "kontord-seed-v1";
	for (int i = 0; i < 8; i++) {
		in[i] = (uint8_t)(seed >> (8 * i));
		in[8 + i] = (uint8_t)((uint64_t)k >> (8 * i));
	}
	kcrypto_blake2b(out, sizeof out, in, sizeof in, dk, sizeof dk);
	kcrypto_keypair_from_seed(kp, out);
}

/* Accounts 4, 9, 14, ... are buyers; the rest sell. */
static int is_buyer(long k)
{
	return k % 5 == 4;
}

/* Seller s's facts: country (the first of each country in table order, so even a small
 * seed covers them all), families, language, currency and terms. */
static int seller_setup(struct gen *g, long s, long k, struct kerr *e)
{
	struct seller *sl = &g->sup[s];
	struct rng r;
	rng_init(&r, g->seed, S_ACCOUNT, (uint64_t)k);
	account_key(g->seed, k, &sl->kp);
	kcrypto_account_id(sl->kp.pk, sl->id);
	sl->country = s < NCOUNTRIES ? (int)s : pick_country(g, &r);
	const struct country *c = &countries[sl->country];
	sl->city = (int)rng_below(&r, ncities(c));
	sl->lang = c->lang;
	int nf = g->nfams_of[sl->country];
	const int *fl = g->fams_of + sl->country * NFAMILIES;
	/* One main family, then up to two more of the same trade (same top category); only a
	 * trading company also deals in whatever else the country sells on its side of farm
	 * and factory. A tile maker does not sell coffee. */
	sl->fam[0] = fl[rng_below(&r, nf)];
	sl->nfam = 1;
	const struct family *f0 = &families[sl->fam[0]];
	sl->kind = rng_below(&r, 10) < 3 ? K_TRADER : f0->agro ? K_GROWER : K_MAKER;
	int want = (int)rng_range(&r, 1, 3);
	size_t top = strcspn(f0->category, ">");
	for (int pass = 0; pass < (sl->kind == K_TRADER ? 2 : 1); pass++) {
		int start = (int)rng_below(&r, nf);
		for (int i = 0; i < nf && sl->nfam < want; i++) {
			int fi = fl[(start + i) % nf];
			const struct family *f = &families[fi];
			int near = pass == 0 ? strncmp(f->category, f0->category, top) == 0
			                     : f->agro == f0->agro;
			int dup = 0;
			for (int m = 0; m < sl->nfam; m++)
				dup |= sl->fam[m] == fi;
			if (near && !dup)
				sl->fam[sl->nfam++] = fi;
		}
	}
	sl->inco =
	    c->landlocked ? (int)rng_below(&r, NINCO_INLAND) : (int)rng_below(&r, NINCO_COAST);
	/* Exporters often quote in dollars; euro sellers rarely do. */
	int usd = strcmp(c->currency, "EUR") == 0 ? rng_below(&r, 10) == 0 : rng_below(&r, 4) == 0;
	const char *cur = usd ? "USD" : c->currency;
	snprintf(sl->currency, sizeof sl->currency, "%s", cur);
	sl->per_usd = usd ? 1.0 : c->per_usd;
	sl->minor = money_minor_units(cur);
	if (sl->minor < 0)
		return kerr_set(e, K_EINVAL, "seed: no minor units known for %s", cur);
	return K_OK;
}

static void company_name(struct kbuf *out, const struct seller *sl, struct rng *r)
{
	const struct country *c = &countries[sl->country];
	kbuf_printf(out, "%s %s %s", c->cities[sl->city].latin, brands[rng_below(r, NBRANDS)],
	            families[sl->fam[0]].industry);
}

static void add_legal(struct kbuf *out, const char *name, const struct country *c)
{
	size_t n = strlen(c->suffix);
	if (n && c->suffix[n - 1] == ' ')
		kbuf_printf(out, "%s%s", c->suffix, name);
	else
		kbuf_printf(out, "%s %s", name, c->suffix);
}

/* [a-z0-9-] from the ASCII letters of name, then "-" and the account index in base 36. */
static char *make_handle(const char *name, long k)
{
	struct kbuf b = KBUF_INIT;
	int dash = 0;
	for (const char *p = name; *p && b.len < 24; p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			if (dash && b.len)
				kbuf_putc(&b, '-');
			kbuf_putc(&b, ch);
			dash = 0;
		} else {
			dash = 1;
		}
	}
	kbuf_putc(&b, '-');
	struct kbuf num = KBUF_INIT;
	append_b36(&num, (uint64_t)k, 1);
	for (const char *p = kbuf_str(&num); *p; p++)
		kbuf_putc(&b, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
	kbuf_free(&num);
	return kbuf_detach(&b, NULL);
}

static void split_words(struct kstrv *out, const char *list, char sep)
{
	const char *p = list;
	while (*p) {
		const char *q = strchr(p, sep);
		size_t n = q ? (size_t)(q - p) : strlen(p);
		if (n) {
			char *w = xstrndup(p, n);
			kstrv_push(out, w);
			free(w);
		}
		p += n + (q ? 1 : 0);
	}
}

/* The node vouches for a business: signed over the canonical attestation without sig. */
static int attest(const struct gen *g, struct account *a, const struct seller *sl, struct rng *r,
                  struct kerr *e)
{
	const struct country *c = &countries[sl->country];
	char issued[MODEL_TIME_LEN + 1], expires[MODEL_TIME_LEN + 1];
	int64_t t =
	    T_LISTINGS_FROM + rng_below(r, (long)((T_LISTINGS_TO - T_LISTINGS_FROM) / DAY)) * DAY;
	model_time(t, issued);
	model_time(t + 3 * 365 * DAY, expires);
	struct kbuf reg = KBUF_INIT;
	append_pattern(&reg, c->reg, r);
	const struct node_attestation na = {
	    a->legal_name,  c->code,
	    kbuf_str(&reg), sl->kind == K_TRADER || rng_below(r, 4) == 0 ? "business" : "factory",
	    issued,         expires};
	int rc = node_attest_make(&na, g->node_id, g->node_key->sk, &a->attestation, e);
	kbuf_free(&reg);
	return rc;
}

/* Account k, seller s (or s < 0 for a buyer). */
static int make_account(const struct gen *g, long k, long s, struct account *a, struct kerr *e)
{
	struct rng r;
	/* Its own stream, so adding a field here never shifts the seller facts above. */
	rng_init(&r, g->seed, S_ACCOUNT, (uint64_t)k + ((uint64_t)1 << 40));
	account_init(a);
	const struct seller *sl = s >= 0 ? &g->sup[s] : NULL;
	struct seller buyer;
	if (!sl) {
		memset(&buyer, 0, sizeof buyer);
		account_key(g->seed, k, &buyer.kp);
		kcrypto_account_id(buyer.kp.pk, buyer.id);
		buyer.country = pick_country(g, &r);
		buyer.city = (int)rng_below(&r, ncities(&countries[buyer.country]));
		buyer.lang = countries[buyer.country].lang;
		sl = &buyer;
	}
	const struct country *c = &countries[sl->country];
	snprintf(a->id, sizeof a->id, "%s", sl->id);
	snprintf(a->country, sizeof a->country, "%s", c->code);
	split_words(&a->languages, c->languages, ' ');

	struct kbuf name = KBUF_INIT, legal = KBUF_INIT;
	if (s >= 0)
		company_name(&name, sl, &r);
	else
		kbuf_printf(&name, "%s %s", brands[rng_below(&r, NBRANDS)],
		            buyer_words[rng_below(&r, NBUYERWORDS)]);
	add_legal(&legal, kbuf_str(&name), c);
	a->display_name = xstrdup(kbuf_str(&name));
	a->legal_name = xstrdup(kbuf_str(&legal));
	/* The city is left out of the handle: "apex-lighting-1a" is what people type. */
	const char *short_name = kbuf_str(&name);
	if (s >= 0 && strlen(short_name) > strlen(c->cities[sl->city].latin))
		short_name += strlen(c->cities[sl->city].latin) + 1;
	a->handle = make_handle(short_name, k);

	char box[KCRYPTO_ID_LEN + 1];
	int rc = kcrypto_box_key(sl->kp.pk, box, e);
	if (rc == K_OK)
		a->box_key = xstrdup(box);

	int64_t created =
	    T_ACCOUNTS_FROM + rng_below(&r, (long)((T_LISTINGS_FROM - T_ACCOUNTS_FROM) / 60)) * 60;
	model_time(created, a->created);

	if (s >= 0) {
		snprintf(a->role, sizeof a->role, "%s",
		         rng_below(&r, 7) == 0 ? "both" : "supplier");
		const struct language *L = &langs[sl->lang];
		struct kbuf products = KBUF_INIT, about = KBUF_INIT, year = KBUF_INIT;
		for (int i = 0; i < sl->nfam; i++) {
			if (i)
				kbuf_puts(&products, L->list_sep);
			kbuf_puts(&products, families[sl->fam[i]].names[sl->lang]);
		}
		kbuf_printf(&year, "%ld", rng_range(&r, 1985, 2022));
		const char *kv[] = {"name",     kbuf_str(&name),
		                    "kind",     L->kinds[sl->kind],
		                    "city",     city_name(c, sl->city, sl->lang),
		                    "year",     kbuf_str(&year),
		                    "products", kbuf_str(&products)};
		expand(&about, L->about, kv, 5);
		a->about = kbuf_detach(&about, NULL);
		kbuf_free(&products);
		kbuf_free(&year);
		/* Most sellers have been rated; ratings lean good, as on every marketplace. */
		if (rng_below(&r, 10) < 7) {
			double u = rng_unit(&r);
			a->rating.count = 1 + (int64_t)(u * u * u * 400);
			int64_t tenths = 50 - (int64_t)(rng_unit(&r) * rng_unit(&r) * 20);
			a->rating.sum = (a->rating.count * tenths + 5) / 10;
			if (a->rating.sum < a->rating.count)
				a->rating.sum = a->rating.count;
			if (a->rating.sum > 5 * a->rating.count)
				a->rating.sum = 5 * a->rating.count;
			a->rating.average = (double)a->rating.sum / (double)a->rating.count;
		}
		if (rc == K_OK && rng_below(&r, 5) == 0)
			rc = attest(g, a, sl, &r, e);
	} else {
		snprintf(a->role, sizeof a->role, "buyer");
		if (rng_below(&r, 2) == 0) {
			a->rating.count = 1 + rng_below(&r, 40);
			a->rating.sum = a->rating.count * 4 + rng_below(&r, a->rating.count + 1);
			if (a->rating.sum > 5 * a->rating.count)
				a->rating.sum = 5 * a->rating.count;
			a->rating.average = (double)a->rating.sum / (double)a->rating.count;
		}
	}
	kbuf_free(&name);
	kbuf_free(&legal);
	if (sl == &buyer)
		kcrypto_keypair_wipe(&buyer.kp);
	if (rc == K_OK)
		rc = account_validate(a, e);
	if (rc != K_OK)
		kerr_prefix(e, "seed: account %ld", k);
	return rc;
}

static const char *unit_word(const char *unit, const struct language *L)
{
	static const char *const sym[][2] = {{"KGM", "kg"}, {"TNE", "t"},  {"MTR", "m"},
	                                     {"MTK", "m²"}, {"MTQ", "m³"}, {"LTR", "l"}};
	if (strcmp(unit, "C62") == 0)
		return L->pcs;
	if (strcmp(unit, "SET") == 0)
		return L->sets;
	for (size_t i = 0; i < sizeof sym / sizeof sym[0]; i++)
		if (strcmp(unit, sym[i][0]) == 0)
			return sym[i][1];
	return unit;
}

static cJSON *make_variants(const struct family *f, const char *sku, struct rng *r)
{
	static const char *const sizes[][2] = {
	    {"S", "S"}, {"M", "M"}, {"L", "L"}, {"XL", "XL"}, {"XXL", "XXL"}};
	static const char *const colours[][2] = {
	    {"Black", "BLK"}, {"Clear", "CLR"}, {"Navy", "NVY"}, {"Sage", "SGE"}, {"Red", "RED"}};
	static const char *const finishes[][2] = {{"Matte black", "MBK"},
	                                          {"White", "WHT"},
	                                          {"Brushed gold", "GLD"},
	                                          {"Raw steel", "RAW"}};
	const char *const(*opt)[2];
	const char *name;
	int n;
	switch (f->variants) {
	case V_SIZE:
		opt = sizes, n = 5, name = "Size";
		break;
	case V_COLOUR:
		opt = colours, n = 5, name = "Colour";
		break;
	case V_FINISH:
		opt = finishes, n = 4, name = "Finish";
		break;
	default:
		return NULL;
	}
	if (rng_below(r, 10) < 4)
		return NULL;
	int count = (int)rng_range(r, 2, n);
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < count; i++) {
		cJSON *v = cJSON_CreateObject();
		struct kbuf vs = KBUF_INIT;
		kbuf_printf(&vs, "%s-%s", sku, opt[i][1]);
		cJSON_AddStringToObject(v, "sku", kbuf_str(&vs));
		cJSON *o = cJSON_AddObjectToObject(v, "options");
		cJSON_AddStringToObject(o, name, opt[i][0]);
		cJSON_AddItemToArray(arr, v);
		kbuf_free(&vs);
	}
	return arr;
}

/* Listing i: a pure function of the seed and i, so any thread can make any listing. */
static int make_listing(const struct gen *g, long i, struct listing *l, struct kerr *e)
{
	struct rng r;
	rng_init(&r, g->seed, S_LISTING, (uint64_t)i);
	/* Every seller gets one listing first, then a few sellers get most of the rest (a
	 * permutation of a skewed rank, so the big sellers are spread over the countries). */
	long s;
	if (i < g->nsup) {
		s = i;
	} else {
		double u = rng_unit(&r);
		long rank = (long)(u * sqrt(u) * (double)g->nsup);
		s = (long)(((uint64_t)rank * 2147483647u + 12345u) % (uint64_t)g->nsup);
	}
	const struct seller *sl = &g->sup[s];
	const struct country *c = &countries[sl->country];
	const struct family *f = &families[sl->fam[rng_below(&r, sl->nfam)]];
	enum lang_id lang = sl->lang;
	if (lang != L_EN && i >= g->nsup && rng_below(&r, 100) < 35)
		lang = L_EN;
	const struct language *L = &langs[lang];

	listing_init(l);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "%s-", f->code);
	append_b36(&b, (uint64_t)i, 6);
	l->sku = kbuf_detach(&b, NULL);

	int nspecs = 0;
	while (nspecs < 5 && f->specs[nspecs])
		nspecs++;
	kbuf_puts(&b, f->names[lang]);
	if (nspecs) {
		kbuf_putc(&b, ' ');
		kbuf_puts(&b, f->specs[rng_below(&r, nspecs)]);
	}
	if (!f->agro && rng_below(&r, 2) == 0) {
		struct kbuf code = KBUF_INIT;
		kbuf_printf(&code, "%s-%ld", f->code, rng_range(&r, 100, 999));
		const char *kv[] = {"c", kbuf_str(&code)};
		expand(&b, L->model, kv, 1);
		kbuf_free(&code);
	}
	l->title = kbuf_detach(&b, NULL);
	l->category = xstrdup(f->category);
	split_words(&l->tags, f->tags, ',');
	l->hs_code = xstrdup(f->hs);
	snprintf(l->origin_country, sizeof l->origin_country, "%s", c->code);
	snprintf(l->ships_from, sizeof l->ships_from, "%s", c->code);
	snprintf(l->currency, sizeof l->currency, "%s", sl->currency);
	snprintf(l->unit, sizeof l->unit, "%s", f->unit);

	double u = rng_unit(&r);
	l->moq = round_qty(f->moq_lo + (int64_t)(u * u * (f->moq_hi - f->moq_lo)));
	l->lead_time_days = rng_range(&r, f->lead_lo, f->lead_hi);

	/* Price tiers: larger quantities, lower unit prices, in the currency's minor units. */
	static const int64_t pow10[] = {1, 10, 100, 1000, 10000};
	double usd = (f->usd_lo + rng_unit(&r) * (f->usd_hi - f->usd_lo)) / 100.0;
	int64_t price = round_price(usd * sl->per_usd * (double)pow10[sl->minor]);
	int ntiers = (int)rng_range(&r, 2, 4);
	static const int64_t mult[] = {3, 5, 10};
	l->tiers = xcalloc((size_t)ntiers, sizeof *l->tiers);
	l->tiers[0].min_qty = l->moq;
	l->tiers[0].unit_price = price;
	l->ntiers = 1;
	for (int t = 1; t < ntiers; t++) {
		const struct price_tier *prev = &l->tiers[t - 1];
		int64_t q = round_qty(prev->min_qty * mult[rng_below(&r, 3)]);
		if (q <= prev->min_qty)
			q = prev->min_qty * 2;
		int64_t p = round_price((double)prev->unit_price * (0.86 + 0.1 * rng_unit(&r)));
		if (p >= prev->unit_price)
			p = prev->unit_price - 1;
		if (p < 1)
			break;
		l->tiers[t].min_qty = q;
		l->tiers[t].unit_price = p;
		l->ntiers++;
	}

	const char *const *inco =
	    countries[sl->country].landlocked ? inco_inland[sl->inco] : inco_coast[sl->inco];
	struct kbuf incos = KBUF_INIT;
	for (int k = 0; k < 4 && inco[k]; k++) {
		kstrv_push(&l->incoterms, inco[k]);
		if (k)
			kbuf_puts(&incos, ", ");
		kbuf_puts(&incos, inco[k]);
	}

	l->variants = make_variants(f, l->sku, &r);

	/* Description: the template of the language, one or two selling points. */
	struct kbuf moq = KBUF_INIT, lead = KBUF_INIT, points = KBUF_INIT, desc = KBUF_INIT;
	kbuf_printf(&moq, "%lld", (long long)l->moq);
	kbuf_printf(&lead, "%lld", (long long)l->lead_time_days);
	int p1 = (int)rng_below(&r, 4), p2 = (int)rng_below(&r, 4);
	kbuf_puts(&points, L->points[p1]);
	if (p2 != p1) {
		kbuf_puts(&points, L->point_sep);
		kbuf_puts(&points, L->points[p2]);
	}
	const char *kv[] = {"title",  l->title,
	                    "moq",    kbuf_str(&moq),
	                    "u",      unit_word(f->unit, L),
	                    "lead",   kbuf_str(&lead),
	                    "city",   city_name(c, sl->city, lang),
	                    "inco",   kbuf_str(&incos),
	                    "points", kbuf_str(&points)};
	expand(&desc, L->desc, kv, 7);
	l->description = kbuf_detach(&desc, NULL);
	kbuf_free(&moq);
	kbuf_free(&lead);
	kbuf_free(&points);
	kbuf_free(&incos);

	if (rng_below(&r, 100) < 4)
		snprintf(l->status, sizeof l->status, "paused");
	int64_t created =
	    T_LISTINGS_FROM + rng_below(&r, (long)((T_LISTINGS_TO - T_LISTINGS_FROM) / 60)) * 60;
	int64_t updated = created + rng_below(&r, 90 * 24 * 60) * 60;
	if (updated > T_LISTINGS_TO)
		updated = created;
	model_time(created, l->created);
	model_time(updated, l->updated);

	int rc = listing_sign(l, &sl->kp, e);
	if (rc == K_OK)
		rc = listing_validate(l, e);
	if (rc != K_OK)
		kerr_prefix(e, "seed: listing %ld (%s)", i, l->sku);
	return rc;
}

/* ---------------------------------------------------------------- running it */

/* A listing ready for the store: the struct and its canonical bytes with sig, made on a
 * worker thread so the one thread that writes the database only writes. */
struct made {
	struct listing l;
	struct kbuf canon;
};

static int make_ready(const struct gen *g, long i, struct made *m, struct kerr *e)
{
	int rc = make_listing(g, i, &m->l, e);
	if (rc == K_OK) {
		cJSON *j = listing_to_json(&m->l, 1);
		rc = canon_write(j, &m->canon, e);
		cJSON_Delete(j);
	}
	return rc;
}

struct job {
	const struct gen *g;
	struct made *out;
	long from, to;
	int threaded; /* 1 when it runs on its own thread (to be joined) */
	int rc;
	struct kerr err;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	for (long i = j->from; i < j->to && j->rc == K_OK; i++)
		j->rc = make_ready(j->g, i, &j->out[i - j->from], &j->err);
	return NULL;
}

enum { BATCH = 10000, MAX_THREADS = 8 };

struct batch {
	struct made *items; /* BATCH of them */
	long from, to;
	struct job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	int njobs;
};

static void batch_start(struct batch *b, const struct gen *g, long from, long to, int threads)
{
	b->from = from;
	b->to = to;
	b->njobs = 0;
	long n = to - from, per = (n + threads - 1) / threads;
	for (int t = 0; t < threads; t++) {
		long lo = from + t * per, hi = lo + per < to ? lo + per : to;
		if (lo >= hi)
			break;
		struct job *j = &b->jobs[b->njobs++];
		*j = (struct job){g, b->items + (lo - from), lo, hi, 1, K_OK, {0, ""}};
		if (pthread_create(&b->tids[t], NULL, job_run, j) != 0) {
			j->threaded = 0; /* no thread to be had: do it here, only slower */
			job_run(j);
		}
	}
}

/* Joins the workers; returns the first error. */
static int batch_finish(struct batch *b, struct kerr *e)
{
	int rc = K_OK;
	for (int t = 0; t < b->njobs; t++) {
		if (b->jobs[t].threaded)
			pthread_join(b->tids[t], NULL);
		if (rc == K_OK && b->jobs[t].rc != K_OK) {
			rc = b->jobs[t].rc;
			if (e)
				*e = b->jobs[t].err;
		}
	}
	b->njobs = 0;
	return rc;
}

static void batch_free_items(struct batch *b)
{
	for (long i = 0; i < b->to - b->from; i++) {
		listing_free(&b->items[i].l);
		kbuf_reset(&b->items[i].canon);
	}
}

static int put_accounts(struct node *n, struct gen *g, struct kerr *e)
{
	long s = 0;
	int rc = K_OK;
	for (long k0 = 0; k0 < g->naccounts && rc == K_OK; k0 += BATCH) {
		rc = nstore_begin(n->store, e);
		for (long k = k0; rc == K_OK && k < k0 + BATCH && k < g->naccounts; k++) {
			struct account a;
			long si = is_buyer(k) ? -1 : s++;
			rc = make_account(g, k, si, &a, e);
			if (rc == K_OK)
				rc = nstore_account_put(n->store, &a, e);
			account_free(&a);
		}
		if (rc == K_OK)
			rc = nstore_commit(n->store, e);
		else
			nstore_rollback(n->store);
	}
	return rc;
}

static int put_listings(struct node *n, struct gen *g, int threads, struct kerr *e)
{
	struct batch b[2];
	memset(b, 0, sizeof b);
	b[0].items = xcalloc(BATCH, sizeof(struct made));
	b[1].items = xcalloc(BATCH, sizeof(struct made));
	double t0 = (double)ktime_mono_us() / 1e6;
	long next_report = 100000;
	int cur = 0, rc = K_OK;
	batch_start(&b[0], g, 0, g->nlistings < BATCH ? g->nlistings : BATCH, threads);
	rc = batch_finish(&b[0], e);
	if (rc != K_OK)
		batch_free_items(&b[0]);
	while (rc == K_OK && b[cur].from < g->nlistings) {
		struct batch *now = &b[cur], *later = &b[1 - cur];
		/* Sign the next batch while this one goes into the database. */
		long nf = now->to, nt = nf + BATCH < g->nlistings ? nf + BATCH : g->nlistings;
		if (nf < nt)
			batch_start(later, g, nf, nt, threads);
		else
			later->from = later->to = g->nlistings, later->njobs = 0;
		rc = nstore_begin(n->store, e);
		for (long i = 0; rc == K_OK && i < now->to - now->from; i++)
			rc = nstore_listing_put_canon(n->store, &now->items[i].l,
			                              now->items[i].canon.data,
			                              now->items[i].canon.len, e);
		if (rc == K_OK)
			rc = nstore_commit(n->store, e);
		else
			nstore_rollback(n->store);
		batch_free_items(now);
		struct kerr later_err = {0, ""};
		int lrc = batch_finish(later, &later_err);
		if (rc == K_OK && lrc != K_OK) {
			rc = lrc;
			if (e)
				*e = later_err;
		}
		if (rc != K_OK) {
			batch_free_items(later);
			break;
		}
		if (now->to >= next_report || (now->to == g->nlistings && now->to >= 100000)) {
			double dt = (double)ktime_mono_us() / 1e6 - t0;
			fprintf(stderr, "kontord: seeded %ld of %ld listings (%.0f s, %.0f/s)\n",
			        now->to, g->nlistings, dt, dt > 0 ? (double)now->to / dt : 0.0);
			while (next_report <= now->to)
				next_report += 100000;
		}
		if (later->from >= g->nlistings)
			break;
		cur = 1 - cur;
	}
	for (int k = 0; k < 2; k++) {
		for (long i = 0; i < BATCH; i++)
			kbuf_free(&b[k].items[i].canon);
		free(b[k].items);
	}
	return rc;
}

int seed_run(struct node *n, const struct seed_opts *o, struct kerr *e)
{
	if (o->listings < 0 || o->accounts < 0)
		return kerr_set(e, K_EINVAL, "seed: counts must not be negative");
	struct gen g;
	memset(&g, 0, sizeof g);
	g.seed = o->seed;
	g.nlistings = o->listings;
	g.naccounts = o->accounts;
	if (g.naccounts == 0) {
		long floor = o->listings < 100 ? o->listings : 100;
		g.naccounts = o->listings / 25 > floor ? o->listings / 25 : floor;
		if (g.naccounts < 1)
			g.naccounts = 1;
	}
	g.node_key = &n->key;
	snprintf(g.node_id, sizeof g.node_id, "%s", n->key_id);
	for (long k = 0; k < g.naccounts; k++)
		g.nsup += !is_buyer(k);
	if (g.nlistings > 0 && g.nsup == 0)
		return kerr_set(e, K_EINVAL, "seed: listings need at least one seller account");

	/* Which families each country sells: the table says which countries sell a family. */
	g.fams_of = xcalloc((size_t)NCOUNTRIES * NFAMILIES, sizeof *g.fams_of);
	g.nfams_of = xcalloc(NCOUNTRIES, sizeof *g.nfams_of);
	for (int c = 0; c < NCOUNTRIES; c++) {
		g.weight_total += countries[c].weight;
		for (int f = 0; f < NFAMILIES; f++) {
			const char *o2 = families[f].origins;
			for (const char *p = o2; *p; p += p[2] ? 3 : 2)
				if (p[0] == countries[c].code[0] && p[1] == countries[c].code[1])
					g.fams_of[c * NFAMILIES + g.nfams_of[c]++] = f;
		}
	}
	int rc = K_OK;
	for (int c = 0; c < NCOUNTRIES && rc == K_OK; c++)
		if (g.nfams_of[c] == 0)
			rc = kerr_set(e, K_EFAIL, "seed: no product family for country %s",
			              countries[c].code);

	g.sup = g.nsup ? xcalloc((size_t)g.nsup, sizeof *g.sup) : NULL;
	for (long k = 0, s = 0; rc == K_OK && k < g.naccounts; k++)
		if (!is_buyer(k))
			rc = seller_setup(&g, s++, k, e);

	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu;
	double t0 = (double)ktime_mono_us() / 1e6;
	if (rc == K_OK)
		rc = put_accounts(n, &g, e);
	if (rc == K_OK && g.naccounts >= 10000)
		fprintf(stderr, "kontord: seeded %ld accounts (%.0f s)\n", g.naccounts,
		        (double)ktime_mono_us() / 1e6 - t0);
	if (rc == K_OK && g.nlistings > 0)
		rc = put_listings(n, &g, threads, e);

	for (long s = 0; s < g.nsup; s++)
		kcrypto_keypair_wipe(&g.sup[s].kp);
	free(g.sup);
	free(g.fams_of);
	free(g.nfams_of);
	return rc;
}
