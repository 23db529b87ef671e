package detect

// docCountry is what the locale check knows of a document's country: its
// alpha-2 code (to compare with a language's region) and the range of UTC
// offsets its clocks show through the year, summer time included, in hours.
type docCountry struct {
	alpha2   string
	min, max float64
}

// docCountries covers the countries whose offsets are simple to state,
// each as of the tz database of 2025, for the country's main territory
// only: overseas departments and territories are left out, so a French
// passport holder living on Réunion looks out of place (a small finding,
// and one a person's circumstances explain). Countries not listed are
// skipped by the check rather than guessed at.
var docCountries = map[string]docCountry{
	// Americas
	"USA": {"US", -10, -4}, // Hawaii to Eastern summer time
	"CAN": {"CA", -8, -2.5},
	"MEX": {"MX", -8, -5},
	"BRA": {"BR", -5, -2},
	"ARG": {"AR", -3, -3},
	"CHL": {"CL", -6, -3}, // Easter Island to Magallanes
	"COL": {"CO", -5, -5},
	"PER": {"PE", -5, -5},
	"ECU": {"EC", -6, -5},
	"VEN": {"VE", -4, -4},
	// Europe
	"GBR": {"GB", 0, 1},
	"IRL": {"IE", 0, 1},
	"PRT": {"PT", -1, 1}, // Azores to the mainland in summer
	"ESP": {"ES", 0, 2},  // Canaries to the mainland in summer
	"FRA": {"FR", 1, 2},
	"DEU": {"DE", 1, 2},
	"ITA": {"IT", 1, 2},
	"NLD": {"NL", 1, 2},
	"BEL": {"BE", 1, 2},
	"LUX": {"LU", 1, 2},
	"CHE": {"CH", 1, 2},
	"AUT": {"AT", 1, 2},
	"POL": {"PL", 1, 2},
	"CZE": {"CZ", 1, 2},
	"SVK": {"SK", 1, 2},
	"HUN": {"HU", 1, 2},
	"SVN": {"SI", 1, 2},
	"HRV": {"HR", 1, 2},
	"SRB": {"RS", 1, 2},
	"DNK": {"DK", 1, 2},
	"NOR": {"NO", 1, 2},
	"SWE": {"SE", 1, 2},
	"FIN": {"FI", 2, 3},
	"EST": {"EE", 2, 3},
	"LVA": {"LV", 2, 3},
	"LTU": {"LT", 2, 3},
	"UKR": {"UA", 2, 3},
	"ROU": {"RO", 2, 3},
	"BGR": {"BG", 2, 3},
	"GRC": {"GR", 2, 3},
	"MDA": {"MD", 2, 3},
	"BLR": {"BY", 3, 3},
	"TUR": {"TR", 3, 3},
	"RUS": {"RU", 2, 12}, // Kaliningrad to Kamchatka
	// Middle East and Africa
	"ISR": {"IL", 2, 3},
	"EGY": {"EG", 2, 3},
	"SAU": {"SA", 3, 3},
	"ARE": {"AE", 4, 4},
	"IRN": {"IR", 3.5, 3.5},
	"NGA": {"NG", 1, 1},
	"GHA": {"GH", 0, 0},
	"KEN": {"KE", 3, 3},
	"ETH": {"ET", 3, 3},
	"ZAF": {"ZA", 2, 2},
	// Asia and Oceania
	"IND": {"IN", 5.5, 5.5},
	"PAK": {"PK", 5, 5},
	"BGD": {"BD", 6, 6},
	"LKA": {"LK", 5.5, 5.5},
	"NPL": {"NP", 5.75, 5.75},
	"KAZ": {"KZ", 5, 5},
	"CHN": {"CN", 6, 8}, // Beijing time, and Xinjiang's own (Asia/Urumqi)
	"HKG": {"HK", 8, 8},
	"TWN": {"TW", 8, 8},
	"SGP": {"SG", 8, 8},
	"MYS": {"MY", 8, 8},
	"PHL": {"PH", 8, 8},
	"VNM": {"VN", 7, 7},
	"THA": {"TH", 7, 7},
	"IDN": {"ID", 7, 9},
	"KOR": {"KR", 9, 9},
	"PRK": {"KP", 9, 9},
	"JPN": {"JP", 9, 9},
	"AUS": {"AU", 8, 11}, // Perth to Lord Howe Island in summer
	"NZL": {"NZ", 12, 13.75},
}
