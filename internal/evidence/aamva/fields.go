package aamva

import (
	"fmt"
	"strconv"
	"time"
)

// known lists the elements License holds in typed fields, in the order Encode writes them
// (the order of the sample in Annex D).
var known = []string{"DAQ", "DCS", "DDE", "DAC", "DDF", "DAD", "DDG", "DBD", "DBB", "DBA", "DBC",
	"DAG", "DAH", "DAI", "DAJ", "DAK", "DCF", "DCG", "DDA"}

func isKnown(id string) bool {
	for _, k := range known {
		if k == id {
			return true
		}
	}
	return false
}

func (l *License) stringField(id string) *string {
	switch id {
	case "DAQ":
		return &l.Number
	case "DCS":
		return &l.FamilyName
	case "DAC":
		return &l.FirstName
	case "DAD":
		return &l.MiddleName
	case "DAG":
		return &l.Street
	case "DAH":
		return &l.Street2
	case "DAI":
		return &l.City
	case "DAJ":
		return &l.State
	case "DAK":
		return &l.PostalCode
	case "DCF":
		return &l.Discriminator
	}
	return nil
}

func (l *License) dateField(id string) *Date {
	switch id {
	case "DBB":
		return &l.BirthDate
	case "DBA":
		return &l.ExpiryDate
	case "DBD":
		return &l.IssueDate
	}
	return nil
}

func (l *License) truncField(id string) *Truncation {
	switch id {
	case "DDE":
		return &l.FamilyTrunc
	case "DDF":
		return &l.FirstTrunc
	case "DDG":
		return &l.MiddleTrunc
	}
	return nil
}

// setKnown stores a non-empty value of a known element; dates need the country first.
func (l *License) setKnown(id, v, country string) error {
	if p := l.stringField(id); p != nil {
		*p = v
		return nil
	}
	if p := l.dateField(id); p != nil {
		d, err := parseDate(v, country)
		if err != nil {
			return err
		}
		*p = d
		return nil
	}
	if p := l.truncField(id); p != nil {
		if t := Truncation(v); t == Truncated || t == NotTruncated || t == TruncUnknown {
			*p = t
			return nil
		}
		return fmt.Errorf("truncation flag %q is not T, N or U", v)
	}
	switch id {
	case "DBC":
		switch v {
		case "1", "2", "9":
			n, _ := strconv.Atoi(v)
			l.Sex = Sex(n)
			return nil
		}
		return fmt.Errorf("sex %q is not 1, 2 or 9", v)
	case "DCG":
		if v != CountryUSA && v != CountryCAN {
			return fmt.Errorf("country %q is not USA or CAN", v)
		}
		l.Country = v
		return nil
	case "DDA":
		if c := Compliance(v); c == ComplianceFull || c == ComplianceNon {
			l.RealID = c
			return nil
		}
		return fmt.Errorf("REAL ID compliance %q is not F or N", v)
	}
	return fmt.Errorf("unknown element")
}

// getKnown returns the payload text of a known element; "" means omit it.
func (l *License) getKnown(id, country string) (string, error) {
	if p := l.stringField(id); p != nil {
		return *p, nil
	}
	if p := l.dateField(id); p != nil {
		if p.IsZero() {
			return "", nil
		}
		return formatDate(*p, country)
	}
	if p := l.truncField(id); p != nil {
		return string(*p), nil
	}
	switch id {
	case "DBC":
		if l.Sex == SexAbsent {
			return "", nil
		}
		return strconv.Itoa(int(l.Sex)), nil
	case "DCG":
		return l.Country, nil
	case "DDA":
		return string(l.RealID), nil
	}
	return "", fmt.Errorf("unknown element")
}

// parseDate reads MMDDCCYY (USA) or CCYYMMDD (Canada).
func parseDate(v, country string) (Date, error) {
	if len(v) != 8 || !allDigits(v) {
		return Date{}, fmt.Errorf("%q is not eight digits", v)
	}
	var y, m, d int
	if country == CountryCAN {
		y, m, d = atoi(v[0:4]), atoi(v[4:6]), atoi(v[6:8])
	} else {
		m, d, y = atoi(v[0:2]), atoi(v[2:4]), atoi(v[4:8])
	}
	if !validDate(y, m, d) {
		return Date{}, fmt.Errorf("%q is not a calendar date in %s", v, dateLayoutName(country))
	}
	return Date{y, time.Month(m), d}, nil
}

func formatDate(d Date, country string) (string, error) {
	if !validDate(d.Year, int(d.Month), d.Day) {
		return "", fmt.Errorf("%s is not a calendar date", d)
	}
	if country == CountryCAN {
		return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day), nil
	}
	return fmt.Sprintf("%02d%02d%04d", int(d.Month), d.Day, d.Year), nil
}

func dateLayoutName(country string) string {
	if country == CountryCAN {
		return "CCYYMMDD"
	}
	return "MMDDCCYY"
}

func validDate(y, m, d int) bool {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi reads a string already checked by allDigits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
