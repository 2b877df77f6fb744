#!/bin/sh
# Regenerates src/common/codes_data.c (ISO 4217 minor units, Incoterms 2020, DCSA event
# codes) from data/ (the CSV files and their README). Run from anywhere: `sh scripts/gen-codes.sh`. The output is
# committed, so a build never runs this; rerun it when the CSV files change.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${KONTOR_CODE_DATA:-$ROOT/data}
OUT=$ROOT/src/common/codes_data.c

for f in README.md iso4217-minor-units.csv incoterms-2020.csv dcsa-equipment-event-codes.csv \
	dcsa-transport-event-codes.csv dcsa-shipment-event-codes.csv dcsa-event-classifier-codes.csv; do
	[ -r "$DATA/$f" ] || { echo "gen-codes: cannot read $DATA/$f" >&2; exit 1; }
done

# Byte-wise comparisons and lengths, whatever the caller's locale.
LC_ALL=C
export LC_ALL

tmp=$OUT.tmp
trap 'rm -f "$tmp"' EXIT

# Each input line is tagged with its file name so one awk program sees all files in a
# fixed order; this also adds a missing final newline and drops any CR.
{
	for f in README.md iso4217-minor-units.csv incoterms-2020.csv \
		dcsa-equipment-event-codes.csv dcsa-transport-event-codes.csv \
		dcsa-shipment-event-codes.csv dcsa-event-classifier-codes.csv; do
		awk -v f="$f" '{ sub(/\r$/, ""); print f "\t" $0 }' "$DATA/$f"
	done
} | awk -F '\t' '
# Splits one CSV record (RFC 4180, no embedded newlines) into fld[1..n]; returns n.
function csv(line, fld,    n, i, c, q, cur) {
	n = 0; cur = ""; q = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") {
				if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
				else q = 0
			} else cur = cur c
		} else if (c == "\"") q = 1
		else if (c == ",") { fld[++n] = cur; cur = "" }
		else cur = cur c
	}
	if (q) die("unterminated quote in " FILENAME_ ": " line)
	fld[++n] = cur
	return n
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function die(msg) { print "gen-codes: " msg > "/dev/stderr"; err = 1; exit 1 }
# A C string literal; "?" is escaped so no "??x" can turn into a trigraph under -std=c11.
function lit(s) {
	gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\?/, "\\?", s)
	return "\"" s "\""
}
# Long descriptions become adjacent literals broken at spaces, to keep lines readable.
function longlit(s, indent,    out, cut) {
	out = ""
	while (length(s) > 72) {
		cut = 72
		while (cut > 20 && substr(s, cut, 1) != " ") cut--
		out = out lit(substr(s, 1, cut)) "\n" indent
		s = substr(s, cut + 1)
	}
	return out lit(s)
}
function isort(keys, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = keys[i]
		for (j = i - 1; j >= 1 && keys[j] > t; j--) keys[j + 1] = keys[j]
		keys[j + 1] = t
	}
}
{
	FILENAME_ = $1
	line = substr($0, length($1) + 2)
	if (FILENAME_ == "README.md") {
		if (line ~ /^\| (iso4217-minor-units|incoterms-2020|dcsa-)/) {
			gsub(/\*\//, "* /", line)
			src[++nsrc] = line
		}
		next
	}
	if (++lineno[FILENAME_] == 1) next  # header row
	if (line ~ /^[ \t]*$/) next
	n = csv(line, f)
	if (FILENAME_ == "iso4217-minor-units.csv") {
		if (n != 6) die(FILENAME_ ": expected 6 fields, got " n ": " line)
		code = f[3]; mu = f[5]; wd = f[6]
		# Current = listed without a withdrawal date; "-" or "" minor unit means the code
		# is not a money (gold, SDR, testing), so it never becomes usable.
		if (code == "" || wd != "" || mu !~ /^[0-9]$/) next
		if (code !~ /^[A-Z][A-Z][A-Z]$/) die(FILENAME_ ": bad code " code)
		if (code in minor) {
			if (minor[code] != mu) die(FILENAME_ ": " code " has minor units " minor[code] " and " mu)
			next
		}
		minor[code] = mu; mcodes[++nm] = code
	} else if (FILENAME_ == "incoterms-2020.csv") {
		if (n != 3) die(FILENAME_ ": expected 3 fields, got " n ": " line)
		ic[++ni] = trim(f[1]); icname[ni] = trim(f[2])
	} else if (FILENAME_ == "dcsa-event-classifier-codes.csv") {
		if (n != 3) die(FILENAME_ ": expected 3 fields, got " n ": " line)
		cl[++ncl] = trim(f[1]); clname[ncl] = trim(f[2])
	} else {
		if (n != 3) die(FILENAME_ ": expected 3 fields, got " n ": " line)
		kind = FILENAME_ ~ /equipment/ ? "DCSA_EQUIPMENT" : \
		       FILENAME_ ~ /transport/ ? "DCSA_TRANSPORT" : "DCSA_SHIPMENT"
		adddcsa(trim(f[1]), kind, trim(f[2]), trim(f[3]))
	}
}
function adddcsa(code, kind, name, desc) {
	if (code !~ /^[A-Z][A-Z][A-Z][A-Z]$/) die("bad DCSA code " code)
	if (code in dkind) die("DCSA code " code " listed twice")
	dkind[code] = kind; dname[code] = name; ddesc[code] = desc; dcodes[++nd] = code
}
END {
	if (err) exit 1
	if (nsrc == 0) die("README.md has no source lines for the code tables")
	if (ni != 11) die("incoterms-2020.csv: expected 11 rules, got " ni)
	# kontor extensions for the last mile, which DCSA (a carrier-to-shipper standard) lacks.
	adddcsa("OFDL", "DCSA_KONTOR", "Out for delivery",
		"kontor extension: the goods are with the courier on the final leg to the consignee.")
	adddcsa("DLVD", "DCSA_KONTOR", "Delivered",
		"kontor extension: the goods have been handed to the consignee.")
	adddcsa("EXCP", "DCSA_KONTOR", "Exception",
		"kontor extension: something went wrong in transit (damage, loss, refused or failed delivery).")
	isort(mcodes, nm); isort(dcodes, nd)

	print "/* codes_data — GENERATED by scripts/gen-codes.sh from data/: do not edit,"
	print " * rerun the script. Private to codes.c (see codes_data.h). */"
	print "/* clang-format off */"
	print "/* Sources (rows of data/README.md):"
	for (i = 1; i <= nsrc; i++) print " *   " src[i]
	print " */"
	print "#include \"codes_data.h\""
	print ""
	print "/* Current ISO 4217 codes with a numeric minor unit, sorted for bsearch. */"
	print "const struct codes_minor codes_minor_table[] = {"
	for (i = 1; i <= nm; i++) printf "\t{\"%s\", %d},\n", mcodes[i], minor[mcodes[i]]
	print "};"
	printf "const int codes_minor_count = %d;\n\n", nm
	print "/* In the order of the rules (EXW ... DDP); sea_only marks the four maritime rules. */"
	print "const struct incoterm codes_incoterm_table[] = {"
	for (i = 1; i <= ni; i++) {
		sea = ic[i] ~ /^(FAS|FOB|CFR|CIF)$/ ? 1 : 0
		nsea += sea
		printf "\t{%s, %s, %d},\n", lit(ic[i]), lit(icname[i]), sea
	}
	if (nsea != 4) die("incoterms-2020.csv: FAS FOB CFR CIF not all present")
	print "};"
	printf "const int codes_incoterm_count = %d;\n\n", ni
	print "/* DCSA Track & Trace event codes plus kontor extensions, sorted for bsearch. */"
	print "const struct dcsa_code codes_dcsa_table[] = {"
	for (i = 1; i <= nd; i++) {
		c = dcodes[i]
		if (ddesc[c] == "")
			printf "\t{%s, %s, %s, \"\"},\n", lit(c), dkind[c], lit(dname[c])
		else
			printf "\t{%s, %s, %s,\n\t %s},\n", lit(c), dkind[c], lit(dname[c]),
			       longlit(ddesc[c], "\t ")
	}
	print "};"
	printf "const int codes_dcsa_count = %d;\n\n", nd
	print "const struct codes_classifier codes_classifier_table[] = {"
	for (i = 1; i <= ncl; i++) printf "\t{%s, %s},\n", lit(cl[i]), lit(clname[i])
	print "};"
	printf "const int codes_classifier_count = %d;\n", ncl
}' >"$tmp"

mv "$tmp" "$OUT"
trap - EXIT
echo "gen-codes: wrote $OUT"
