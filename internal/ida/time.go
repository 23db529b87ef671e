package ida

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DateTime is an IDA time stamp: ISO 8601 YYYY-MM-DDThh:mm[:ss[.f]]TZD. The text as received is kept so
// that a parsed value marshals back byte for byte; values made with NewDateTime marshal as RFC 3339 in UTC
// with whole seconds, which is both ISO 8601 and the JSON Schema "date-time" format.
type DateTime struct {
	t   time.Time
	raw string
}

// Date is an ISO 8601 full-date (YYYY-MM-DD), as used for birthdate and document dates.
type Date struct {
	t   time.Time // midnight UTC of the day
	raw string
}

// dateTimeLayouts are tried in order. A time zone designator is required: a local time without one
// would be ambiguous by up to a day, which matters for max_age.
var dateTimeLayouts = [...]string{
	"2006-01-02T15:04:05Z07:00", // also accepts fractional seconds
	"2006-01-02T15:04Z07:00",    // the spec's own examples omit seconds
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04Z07",
}

const dateLayout = "2006-01-02"

// errTime is wrapped by every time parse failure.
var errTime = errors.New("ida: invalid time")

// NewDateTime returns t truncated to the second, in UTC.
func NewDateTime(t time.Time) DateTime {
	t = t.UTC().Truncate(time.Second)
	return DateTime{t: t, raw: t.Format(time.RFC3339)}
}

// ParseDateTime parses an IDA time stamp.
func ParseDateTime(s string) (DateTime, error) {
	if len(s) < len("2006-01-02T15:04Z") || len(s) > 40 {
		return DateTime{}, fmt.Errorf("%w: %q is not YYYY-MM-DDThh:mm[:ss]TZD", errTime, truncate(s))
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return DateTime{t: t, raw: s}, nil
		}
	}
	return DateTime{}, fmt.Errorf("%w: %q is not YYYY-MM-DDThh:mm[:ss]TZD", errTime, truncate(s))
}

// Time returns the instant.
func (d DateTime) Time() time.Time { return d.t }

// IsZero reports whether d is unset (used by the omitzero JSON option).
func (d DateTime) IsZero() bool { return d.raw == "" && d.t.IsZero() }

// String returns the text form.
func (d DateTime) String() string {
	if d.raw != "" {
		return d.raw
	}
	return d.t.UTC().Format(time.RFC3339)
}

// MarshalJSON writes the text form.
func (d DateTime) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a JSON string holding an IDA time stamp.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: not a string", errTime)
	}
	v, err := ParseDateTime(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// NewDate returns the calendar date y-m-d. It does not normalise: NewDate(2024, 2, 30) is rejected by
// Validate through its text form, never silently turned into March 1.
func NewDate(y int, m time.Month, day int) Date {
	t := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return Date{t: t, raw: fmt.Sprintf("%04d-%02d-%02d", y, int(m), day)}
}

// DateOf returns the UTC calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return NewDate(y, m, d)
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	if len(s) != len(dateLayout) {
		return Date{}, fmt.Errorf("%w: %q is not YYYY-MM-DD", errTime, truncate(s))
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q is not YYYY-MM-DD", errTime, truncate(s))
	}
	return Date{t: t, raw: s}, nil
}

// Time returns midnight UTC at the start of the day.
func (d Date) Time() time.Time { return d.t }

// End returns the last second of the day (UTC): the spec measures max_age on a date from there.
func (d Date) End() time.Time { return d.t.Add(24*time.Hour - time.Second) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.raw == "" && d.t.IsZero() }

// String returns YYYY-MM-DD.
func (d Date) String() string {
	if d.raw != "" {
		return d.raw
	}
	return d.t.Format(dateLayout)
}

// MarshalJSON writes YYYY-MM-DD.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a JSON string holding YYYY-MM-DD.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: not a string", errTime)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// valid reports whether the text form is a real calendar date (NewDate does not check).
func (d Date) valid() bool {
	_, err := ParseDate(d.String())
	return err == nil
}

// truncate keeps error messages short when input is hostile.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
