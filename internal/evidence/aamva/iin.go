package aamva

// Jurisdiction is an issuer known by its issuer identification number (IIN).
type Jurisdiction struct {
	Name    string // e.g. "California"
	Code    string // postal abbreviation, e.g. "CA"
	Country string // ISO 3166-1 alpha-3: "USA" or "CAN"
}

// iins is a small table of issuers, not the full registry. Source: the AAMVA IIN registry
// (aamva.org/identity/issuer-identification-numbers-(iin)) as transcribed by two independent
// open-source parsers that agree on every entry here; it was not checked against aamva.org itself,
// which was out of reach. 636000 (Virginia) is also the IIN of the sample in Annex D of the standard.
// Other public lists disagree on some numbers (one gives Texas 636016, which these give to
// Newfoundland), so entries are added only when sources agree.
var iins = map[string]Jurisdiction{
	"636000": {"Virginia", "VA", "USA"},
	"636001": {"New York", "NY", "USA"},
	"636010": {"Florida", "FL", "USA"},
	"636014": {"California", "CA", "USA"},
	"636015": {"Texas", "TX", "USA"},
	"636012": {"Ontario", "ON", "CAN"},
	"636028": {"British Columbia", "BC", "CAN"},
	"604428": {"Quebec", "QC", "CAN"},
	"604432": {"Alberta", "AB", "CAN"},
}

// LookupIIN returns the issuer with the given IIN, if it is in the table.
func LookupIIN(iin string) (Jurisdiction, bool) {
	j, ok := iins[iin]
	return j, ok
}
