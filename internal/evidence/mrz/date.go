package mrz

import (
	"fmt"
	"time"
)

// Date is a calendar date read from an MRZ. A zero Year, Month or Day means
// that part is unknown: Doc 9303 Part 3 lets a birth date carry fillers for
// an unknown day, month and day, or the whole date. Expiry dates are always
// complete.
type Date struct {
	Year, Month, Day int
}

// Unknown reports whether any part of the date is unknown.
func (d Date) Unknown() bool { return d.Year == 0 || d.Month == 0 || d.Day == 0 }

// String renders the date as YYYY-MM-DD, with XX for unknown parts.
func (d Date) String() string {
	part := func(v, width int) string {
		if v == 0 {
			return "XXXX"[:width]
		}
		return fmt.Sprintf("%0*d", width, v)
	}
	return part(d.Year, 4) + "-" + part(d.Month, 2) + "-" + part(d.Day, 2)
}

// after reports whether d is later than o; unknown parts count as their
// earliest possible value, so a partly unknown date is never judged later
// than it could be.
func (d Date) after(o Date) bool {
	a, b := d.floor(), o.floor()
	if a.Year != b.Year {
		return a.Year > b.Year
	}
	if a.Month != b.Month {
		return a.Month > b.Month
	}
	return a.Day > b.Day
}

func (d Date) floor() Date {
	if d.Month == 0 {
		d.Month = 1
	}
	if d.Day == 0 {
		d.Day = 1
	}
	return d
}

// civil is now's calendar date in now's location.
func civil(now time.Time) Date {
	y, m, d := now.Date()
	return Date{Year: y, Month: int(m), Day: d}
}

// Expired reports whether the document's expiry date has passed on now's
// calendar day (in now's location). A document is valid through its expiry
// date.
func (d *Document) Expired(now time.Time) bool {
	return civil(now).after(d.ExpiryDate)
}

// birthYear resolves a two-digit birth year: the latest century that does
// not put the date after today. Birth dates more than a century ago cannot
// be told apart from recent ones; Doc 9303 accepts that ambiguity.
func birthYear(yy, month, day int, today Date) int {
	y := today.Year - today.Year%100 + yy
	if (Date{Year: y, Month: month, Day: day}).after(today) {
		y -= 100
	}
	return y
}

// expiryYear resolves a two-digit expiry year to the one within 50 years of
// today, either way: documents are issued for at most a few decades, and an
// expiry long past still has to read as past, not as the next century.
func expiryYear(yy int, today Date) int {
	base := today.Year - 50
	return base + ((yy-base)%100+100)%100
}

func daysIn(year, month int) int {
	// time.Date normalises day 0 of the next month to the last day of this one.
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
