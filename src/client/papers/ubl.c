/* ubl — the papers as UBL 2.1 documents, written with libxml2's xmlTextWriter (it escapes
 * every text and attribute; the model's strings are sanitised already). The proforma is an
 * Invoice with UNTDID 1001 type code 325 rather than a Quotation: it restates a sale both
 * parties signed (a Quotation answers a request before there is one), and customs brokers'
 * and banks' systems that read the commercial invoice (380) read it unchanged. */
#include "papers.h"

#include <inttypes.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/money.h"

#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

typedef xmlTextWriterPtr W;

/* Every writer call returns < 0 on failure; one flag collects them. */
struct ubl {
	W w;
	int bad;
	const struct paper *p;
};

static void chk(struct ubl *u, int rc)
{
	if (rc < 0)
		u->bad = 1;
}

static void start(struct ubl *u, const char *prefix, const char *name)
{
	chk(u, xmlTextWriterStartElementNS(u->w, BAD_CAST prefix, BAD_CAST name, NULL));
}

static void end(struct ubl *u)
{
	chk(u, xmlTextWriterEndElement(u->w));
}

static void attr(struct ubl *u, const char *name, const char *v)
{
	chk(u, xmlTextWriterWriteAttribute(u->w, BAD_CAST name, BAD_CAST v));
}

/* <cbc:name>text</cbc:name>, left out when text is NULL or empty. */
static void cbc(struct ubl *u, const char *name, const char *text)
{
	if (!text || !*text)
		return;
	start(u, "cbc", name);
	chk(u, xmlTextWriterWriteString(u->w, BAD_CAST text));
	end(u);
}

static void cbc_attr(struct ubl *u, const char *name, const char *an, const char *av,
                     const char *text)
{
	start(u, "cbc", name);
	attr(u, an, av);
	chk(u, xmlTextWriterWriteString(u->w, BAD_CAST text));
	end(u);
}

static void amount(struct ubl *u, const char *name, int64_t v)
{
	char m[MONEY_FMT_MAX];
	money_format(v, u->p->currency, m);
	cbc_attr(u, name, "currencyID", u->p->currency, m);
}

static void kg(struct ubl *u, const char *name, int64_t grams)
{
	char s[40];
	snprintf(s, sizeof s, "%" PRId64 ".%03" PRId64, grams / 1000, grams % 1000);
	cbc_attr(u, name, "unitCode", "KGM", s);
}

static void num(struct ubl *u, const char *name, int64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRId64, v);
	cbc(u, name, s);
}

/* A UN/LOCODE is two letters of country and three of place ("CNNGB", "DEHAM"). */
static int is_locode(const char *s)
{
	if (!s || strlen(s) != 5)
		return 0;
	for (int i = 0; i < 5; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (i >= 2 && c >= '2' && c <= '9')))
			return 0;
	}
	return 1;
}

static void location(struct ubl *u, const char *name, const char *place)
{
	if (!place)
		return;
	start(u, "cac", name);
	if (is_locode(place)) {
		start(u, "cbc", "ID");
		attr(u, "schemeID", "UN/LOCODE");
		attr(u, "schemeAgencyID", "6");
		chk(u, xmlTextWriterWriteString(u->w, BAD_CAST place));
		end(u);
	} else {
		cbc(u, "Description", place);
	}
	end(u);
}

static void country(struct ubl *u, const char *name, const char *cc)
{
	if (!cc || !*cc)
		return;
	start(u, "cac", name);
	cbc(u, "IdentificationCode", cc);
	end(u);
}

static void address(struct ubl *u, const char *name, const struct contract_party *cp)
{
	if (!cp->nlines)
		return;
	start(u, "cac", name);
	cbc(u, "CityName", cp->city);
	cbc(u, "PostalZone", cp->postcode);
	for (size_t i = 0; i < cp->nlines; i++) {
		start(u, "cac", "AddressLine");
		cbc(u, "Line", cp->lines[i]);
		end(u);
	}
	country(u, "Country", cp->country);
	end(u);
}

/* PartyType: identification (the kontor account), name, address, tax schemes, legal
 * entity, in the schema's order. */
static void party(struct ubl *u, const char *wrapper, const struct paper_party *pp)
{
	const struct contract_party *cp = &pp->party;
	start(u, "cac", wrapper);
	start(u, "cac", "PartyIdentification");
	start(u, "cbc", "ID");
	attr(u, "schemeID", "kontor");
	chk(u, xmlTextWriterWriteString(u->w, BAD_CAST pp->account));
	end(u);
	end(u);
	start(u, "cac", "PartyName");
	cbc(u, "Name", cp->name);
	end(u);
	address(u, "PostalAddress", cp);
	for (size_t i = 0; i < cp->ntax_ids; i++) {
		start(u, "cac", "PartyTaxScheme");
		start(u, "cbc", "CompanyID");
		attr(u, "schemeID", cp->tax_ids[i].scheme);
		chk(u, xmlTextWriterWriteString(u->w, BAD_CAST cp->tax_ids[i].id));
		end(u);
		start(u, "cac", "TaxScheme");
		cbc(u, "ID", cp->tax_ids[i].scheme);
		end(u);
		end(u);
	}
	start(u, "cac", "PartyLegalEntity");
	cbc(u, "RegistrationName", cp->name);
	end(u);
	end(u);
}

static void wrapped_party(struct ubl *u, const char *outer, const struct paper_party *pp)
{
	start(u, "cac", outer);
	party(u, "Party", pp);
	end(u);
}

static const char *charge_code(const char *kind)
{
	/* UNTDID 7161: FC freight, IN insurance, PC packing */
	return strcmp(kind, "freight") == 0 ? "FC" : strcmp(kind, "insurance") == 0 ? "IN" : "PC";
}

static void notes(struct ubl *u)
{
	const struct paper *p = u->p;
	char s[600];
	snprintf(s, sizeof s, "Incoterms 2020 %s %s", p->incoterm, p->named_place);
	cbc(u, "Note", s);
	snprintf(s, sizeof s, "Reason for export: %s", p->export_reason);
	cbc(u, "Note", s);
	snprintf(s, sizeof s,
	         "Verify against the signed contract: kontor contract show %s --verify",
	         p->contract_id);
	cbc(u, "Note", s);
	for (size_t i = 0; i < p->ncharges; i++) {
		if (!p->charges[i].included)
			continue;
		char m[MONEY_FMT_MAX];
		money_format(p->charges[i].amount, p->currency, m);
		snprintf(s, sizeof s, "%s %s %s included in the prices (not added)",
		         p->charges[i].kind, m, p->currency);
		cbc(u, "Note", s);
	}
	if (papers_amended(p))
		cbc(u, "Note",
		    "Some particulars were added by the seller after signing; they are "
		    "not in the signed contract");
}

static void item(struct ubl *u, const struct paper_line *l)
{
	start(u, "cac", "Item");
	cbc(u, "Description", l->description);
	cbc(u, "Name", l->description);
	start(u, "cac", "SellersItemIdentification");
	cbc(u, "ID", l->listing_id);
	if (l->variant_sku[0]) /* UBL's "item 123, extended: red" */
		cbc(u, "ExtendedID", l->variant_sku);
	end(u);
	country(u, "OriginCountry", l->origin);
	if (l->hs_code[0]) {
		start(u, "cac", "CommodityClassification");
		start(u, "cbc", "ItemClassificationCode");
		attr(u, "listID", "HS");
		chk(u, xmlTextWriterWriteString(u->w, BAD_CAST l->hs_code));
		end(u);
		end(u);
	}
	end(u);
}

/* What every document starts with: the UBL version, kontor's customisation, number and date. */
static void header(struct ubl *u)
{
	cbc(u, "UBLVersionID", "2.1");
	cbc(u, "CustomizationID", "urn:kontor:papers:1");
	cbc(u, "ID", u->p->number);
	cbc(u, "IssueDate", u->p->date);
}

/* One handling unit per line: its packages, their kind and the shipping marks. */
static void goods_and_units(struct ubl *u)
{
	const struct paper *p = u->p;
	for (size_t i = 0; i < p->nlines; i++) {
		const struct paper_line *l = &p->lines[i];
		start(u, "cac", "GoodsItem");
		num(u, "ID", (int64_t)i + 1);
		cbc(u, "Description", l->description);
		if (l->gross_g)
			kg(u, "GrossWeightMeasure", l->gross_g);
		if (l->net_g)
			kg(u, "NetWeightMeasure", l->net_g);
		start(u, "cbc", "Quantity");
		attr(u, "unitCode", l->unit);
		char s[32];
		snprintf(s, sizeof s, "%" PRId64, l->qty);
		chk(u, xmlTextWriterWriteString(u->w, BAD_CAST s));
		end(u);
		item(u, l);
		end(u);
	}
	for (size_t i = 0; i < p->nlines; i++) {
		const struct paper_line *l = &p->lines[i];
		if (!l->packages && !l->marks)
			continue;
		start(u, "cac", "TransportHandlingUnit");
		num(u, "ID", (int64_t)i + 1);
		if (l->packages)
			num(u, "TotalPackageQuantity", l->packages);
		cbc(u, "ShippingMarks", l->marks);
		if (l->packages) {
			start(u, "cac", "ActualPackage");
			num(u, "Quantity", l->packages);
			start(u, "cbc", "PackagingTypeCode");
			attr(u, "listID", "UNECERec21");
			chk(u, xmlTextWriterWriteString(u->w, BAD_CAST l->package_code));
			end(u);
			end(u);
		}
		end(u);
	}
}

#define SHIP_CONSIGNMENT 1u /* the buyer as the consignee */
#define SHIP_GOODS 2u       /* the goods, their transport units and the export country */

/* The cac:Shipment: id, weights, packages and ports, with the parts asked for (SHIP_*). */
static void shipment(struct ubl *u, unsigned parts)
{
	const struct paper *p = u->p;
	start(u, "cac", "Shipment");
	cbc(u, "ID", p->order_id);
	if (p->weights_known) {
		kg(u, "GrossWeightMeasure", p->gross_g);
		kg(u, "NetWeightMeasure", p->net_g);
	}
	if (p->packages_known)
		num(u, "TotalTransportHandlingUnitQuantity", p->packages);
	if (parts & SHIP_CONSIGNMENT) {
		start(u, "cac", "Consignment");
		cbc(u, "ID", p->order_id);
		party(u, "ConsigneeParty", &p->buyer);
		end(u);
	}
	if (parts & SHIP_GOODS)
		goods_and_units(u);
	location(u, "FirstArrivalPortLocation", p->port_discharge);
	location(u, "LastExitPortLocation", p->port_loading);
	if (parts & SHIP_GOODS)
		country(u, "ExportCountry", p->seller.party.country);
	end(u);
}

static void invoice(struct ubl *u)
{
	const struct paper *p = u->p;
	char s[64];
	header(u);
	start(u, "cbc", "InvoiceTypeCode");
	attr(u, "listID", "UNCL1001");
	chk(u, xmlTextWriterWriteString(u->w, BAD_CAST(p->type == PAPER_PROFORMA ? "325" : "380")));
	end(u);
	notes(u);
	cbc(u, "DocumentCurrencyCode", p->currency);
	num(u, "LineCountNumeric", (int64_t)p->nlines);
	start(u, "cac", "OrderReference");
	cbc(u, "ID", p->order_id);
	end(u);
	start(u, "cac", "ContractDocumentReference");
	cbc(u, "ID", p->contract_id);
	cbc(u, "DocumentType", "kontor signed contract");
	end(u);
	wrapped_party(u, "AccountingSupplierParty", &p->seller);
	wrapped_party(u, "AccountingCustomerParty", &p->buyer);
	start(u, "cac", "Delivery");
	cbc(u, "LatestDeliveryDate", p->deliver_by);
	start(u, "cac", "DeliveryTerms");
	start(u, "cbc", "ID");
	attr(u, "schemeID", "INCOTERMS");
	chk(u, xmlTextWriterWriteString(u->w, BAD_CAST p->incoterm));
	end(u);
	snprintf(s, sizeof s, "Incoterms 2020");
	cbc(u, "SpecialTerms", s);
	location(u, "DeliveryLocation", p->named_place);
	end(u);
	shipment(u, 0);
	end(u);
	start(u, "cac", "PaymentTerms");
	cbc(u, "Note", p->payment_terms);
	end(u);
	for (size_t i = 0; i < p->ncharges; i++) {
		if (p->charges[i].included)
			continue;
		start(u, "cac", "AllowanceCharge");
		cbc(u, "ChargeIndicator", "true");
		cbc(u, "AllowanceChargeReasonCode", charge_code(p->charges[i].kind));
		cbc(u, "AllowanceChargeReason", p->charges[i].kind);
		amount(u, "Amount", p->charges[i].amount);
		end(u);
	}
	start(u, "cac", "LegalMonetaryTotal");
	amount(u, "LineExtensionAmount", p->goods);
	amount(u, "TaxExclusiveAmount", p->total);
	if (p->added)
		amount(u, "ChargeTotalAmount", p->added);
	amount(u, "PayableAmount", p->total);
	end(u);
	for (size_t i = 0; i < p->nlines; i++) {
		const struct paper_line *l = &p->lines[i];
		start(u, "cac", "InvoiceLine");
		num(u, "ID", (int64_t)i + 1);
		if (l->packages || l->marks) {
			const struct package_code *pc = codes_package(l->package_code);
			struct kbuf nb = KBUF_INIT;
			if (l->packages)
				kbuf_printf(&nb, "packages: %" PRId64 " %s", l->packages,
				            pc ? pc->name : l->package_code);
			if (l->marks)
				kbuf_printf(&nb, "%smarks: %s", nb.len ? "; " : "", l->marks);
			cbc(u, "Note", kbuf_str(&nb));
			kbuf_free(&nb);
		}
		start(u, "cbc", "InvoicedQuantity");
		attr(u, "unitCode", l->unit);
		snprintf(s, sizeof s, "%" PRId64, l->qty);
		chk(u, xmlTextWriterWriteString(u->w, BAD_CAST s));
		end(u);
		amount(u, "LineExtensionAmount", l->amount);
		item(u, l);
		start(u, "cac", "Price");
		amount(u, "PriceAmount", l->unit_price);
		end(u);
		end(u);
	}
}

static void signature(struct ubl *u)
{
	const struct paper *p = u->p;
	start(u, "cac", "Signature");
	cbc(u, "ID", p->order_id);
	cbc(u, "Note",
	    "The sale is the kontor contract both parties signed (Ed25519); its hash "
	    "is the order id");
	start(u, "cac", "SignatoryParty");
	start(u, "cac", "PartyIdentification");
	cbc(u, "ID", p->seller.account);
	end(u);
	start(u, "cac", "PartyName");
	cbc(u, "Name", p->seller.party.name);
	end(u);
	end(u);
	end(u);
}

static void packing_list(struct ubl *u)
{
	const struct paper *p = u->p;
	header(u);
	notes(u);
	party(u, "ConsignorParty", &p->seller);
	shipment(u, SHIP_CONSIGNMENT | SHIP_GOODS);
	start(u, "cac", "DocumentReference");
	cbc(u, "ID", p->contract_id);
	cbc(u, "DocumentType", "kontor signed contract");
	end(u);
	signature(u);
}

static void origin(struct ubl *u)
{
	const struct paper *p = u->p;
	header(u);
	cbc(u, "Description", "Application for a certificate of origin");
	notes(u);
	party(u, "ExporterParty", &p->seller);
	party(u, "ImporterParty", &p->buyer);
	start(u, "cac", "CertificateOfOriginApplication");
	cbc(u, "ReferenceID", p->order_id);
	cbc(u, "CertificateType", "Non-preferential certificate of origin");
	cbc(u, "ApplicationStatusCode", "Applied");
	cbc(u, "OriginalJobID", p->number);
	shipment(u, SHIP_GOODS);
	start(u, "cac", "EndorserParty");
	cbc(u, "RoleCode", "applicant");
	num(u, "SequenceNumeric", 1);
	party(u, "Party", &p->seller);
	start(u, "cac", "SignatoryContact");
	cbc(u, "Name", p->seller.party.name);
	end(u);
	end(u);
	party(u, "PreparationParty", &p->seller);
	party(u, "IssuerParty", &p->seller);
	country(u, "IssuingCountry", p->seller.party.country);
	signature(u);
	end(u);
}

int papers_write_ubl(const struct paper *p, struct kbuf *out, struct kerr *e)
{
	static const char *const root[PAPER_NTYPES] = {"Invoice", "Invoice", "PackingList",
	                                               "CertificateOfOrigin"};
	static const char *const ns[PAPER_NTYPES] = {
	    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
	    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
	    "urn:oasis:names:specification:ubl:schema:xsd:PackingList-2",
	    "urn:oasis:names:specification:ubl:schema:xsd:CertificateOfOrigin-2"};
	if (p->type < 0 || p->type >= PAPER_NTYPES)
		return kerr_set(e, K_EINVAL, "ubl: not a paper type");
	xmlBufferPtr buf = xmlBufferCreate();
	if (!buf)
		return kerr_set(e, K_ENOMEM, "ubl: out of memory");
	struct ubl u = {xmlNewTextWriterMemory(buf, 0), 0, p};
	if (!u.w) {
		xmlBufferFree(buf);
		return kerr_set(e, K_ENOMEM, "ubl: out of memory");
	}
	chk(&u, xmlTextWriterSetIndent(u.w, 1));
	chk(&u, xmlTextWriterSetIndentString(u.w, BAD_CAST "  "));
	chk(&u, xmlTextWriterStartDocument(u.w, "1.0", "UTF-8", NULL));
	chk(&u,
	    xmlTextWriterStartElementNS(u.w, NULL, BAD_CAST root[p->type], BAD_CAST ns[p->type]));
	chk(&u, xmlTextWriterWriteAttributeNS(u.w, BAD_CAST "xmlns", BAD_CAST "cac", NULL,
	                                      BAD_CAST NS_CAC));
	chk(&u, xmlTextWriterWriteAttributeNS(u.w, BAD_CAST "xmlns", BAD_CAST "cbc", NULL,
	                                      BAD_CAST NS_CBC));
	if (p->type == PAPER_INVOICE || p->type == PAPER_PROFORMA)
		invoice(&u);
	else if (p->type == PAPER_PACKING_LIST)
		packing_list(&u);
	else
		origin(&u);
	chk(&u, xmlTextWriterEndDocument(u.w));
	xmlFreeTextWriter(u.w); /* flushes into buf */
	int rc = K_OK;
	if (u.bad)
		rc = kerr_set(e, K_EIO, "ubl: libxml2 could not write the %s",
		              papers_type_name(p->type));
	else
		kbuf_append(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
	return rc;
}
