package aamva

import (
	"fmt"
	"time"
)

// MaxPayload is the largest payload Parse accepts.
const MaxPayload = 64 << 10

// Country codes the DCG element may carry.
const (
	CountryUSA = "USA"
	CountryCAN = "CAN"
)

// Sex is the DBC element.
type Sex int

// Sex values from the standard; SexAbsent means no DBC element.
const (
	SexAbsent      Sex = 0
	SexMale        Sex = 1
	SexFemale      Sex = 2
	SexUnspecified Sex = 9
)

// Compliance is the DDA element: REAL ID compliance.
type Compliance string

const (
	ComplianceFull    Compliance = "F" // fully compliant (REAL ID)
	ComplianceNon     Compliance = "N" // non-compliant
	ComplianceUnknown Compliance = ""  // element absent
)

// Truncation is a DDE/DDF/DDG flag: whether a name was truncated to fit the card.
type Truncation string

const (
	Truncated    Truncation = "T"
	NotTruncated Truncation = "N"
	TruncUnknown Truncation = "U"
)

// Date is a calendar date with no time zone, as printed on the card. The zero Date means absent.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether the date is absent.
func (d Date) IsZero() bool { return d == Date{} }

// String formats as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Element is one data element: a three-character id and its value.
type Element struct {
	ID    string
	Value string
}

// Subfile is a jurisdiction-specific (Z?) subfile, kept as raw elements.
type Subfile struct {
	Type     string // "Z" plus one letter, e.g. "ZV"
	Elements []Element
}

// License is a parsed payload. Typed fields hold the elements this package understands, from the
// DL or ID subfile; an empty field means the element was absent (or empty).
type License struct {
	FileType            string // "ANSI" (current) or "AAMVA" (older); Encode writes "ANSI" when empty
	IIN                 string // issuer identification number, six digits
	Version             int    // AAMVA version, 2..99 (10 is the 2020 standard)
	JurisdictionVersion int
	Type                string // "DL" (driving licence) or "ID" (identification card)

	FamilyName    string // DCS
	FirstName     string // DAC
	MiddleName    string // DAD
	BirthDate     Date   // DBB
	ExpiryDate    Date   // DBA
	IssueDate     Date   // DBD
	Number        string // DAQ
	Sex           Sex    // DBC
	Street        string // DAG
	Street2       string // DAH
	City          string // DAI
	State         string // DAJ
	PostalCode    string // DAK
	Discriminator string // DCF
	Country       string // DCG: "USA", "CAN" or "" when absent
	RealID        Compliance
	FamilyTrunc   Truncation // DDE
	FirstTrunc    Truncation // DDF
	MiddleTrunc   Truncation // DDG

	Extra        []Element // other elements of the DL/ID subfile, in payload order
	Jurisdiction []Subfile // Z? subfiles, in payload order

	layout layout // where Parse found things; Check compares it with the directory
}

// layout records, per subfile, the directory entry and where the subfile really was.
type layout struct {
	spans    []span
	trailing int // bytes after the last subfile
}

type span struct {
	typ                   string
	declOff, declLen      int
	foundOff, foundLength int
	gap                   int // bytes skipped before this subfile
}

// Expired reports whether the document has expired at now. The DBA date is the first day the
// document is no longer valid; the day is taken as starting at its earliest instant anywhere
// (UTC+14), so the answer errs toward expired. A licence with no expiry date counts as expired.
func (l *License) Expired(now time.Time) bool {
	if l.ExpiryDate.IsZero() {
		return true
	}
	start := time.Date(l.ExpiryDate.Year, l.ExpiryDate.Month, l.ExpiryDate.Day, 0, 0, 0, 0, earliestZone)
	return !now.Before(start)
}

var earliestZone = time.FixedZone("UTC+14", 14*3600)

// Document types, as in OpenID Connect for Identity Assurance document_details.type.
const (
	DocumentDrivingPermit = "driving_permit"
	DocumentIDCard        = "idcard"
)

// DocumentDetails is what a verifier records about the document.
type DocumentDetails struct {
	Type               string // DocumentDrivingPermit or DocumentIDCard
	Number             string
	IssuedOn           Date
	ExpiresOn          Date
	IssuerCountry      string // ISO 3166-1 alpha-3 from the IIN table, else DCG; "" when unknown
	IssuerJurisdiction string // jurisdiction name from the IIN table; "" when the IIN is not in it
	IssuerCode         string // postal abbreviation from the IIN table; "" when not known
}

// DocumentDetails summarises the document for an identity assurance record.
func (l *License) DocumentDetails() DocumentDetails {
	d := DocumentDetails{Type: DocumentIDCard, Number: l.Number, IssuedOn: l.IssueDate, ExpiresOn: l.ExpiryDate,
		IssuerCountry: l.Country}
	if l.Type == "DL" {
		d.Type = DocumentDrivingPermit
	}
	if j, ok := LookupIIN(l.IIN); ok {
		d.IssuerCountry, d.IssuerJurisdiction, d.IssuerCode = j.Country, j.Name, j.Code
	}
	return d
}

// dateCountry picks the date format: DCG, else the IIN's country.
func (l *License) dateCountry() (string, bool) {
	if l.Country != "" {
		return l.Country, true
	}
	if j, ok := LookupIIN(l.IIN); ok {
		return j.Country, true
	}
	return "", false
}
