package audit

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// appendRecord encodes r as one JSON line without reflection: the audit
// log writes one record per request, so its encoder is on the hot path.
// Field names and omission rules match the struct tags on Record.
func appendRecord(b []byte, r *Record) []byte {
	b = append(b, `{"time":"`...)
	b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendField(b, "kind", r.Kind, false)
	b = appendField(b, "request_id", r.RequestID, true)
	b = appendField(b, "app", r.App, true)
	b = appendField(b, "user", r.User, true)
	b = appendField(b, "email", r.Email, true)
	b = appendField(b, "session", r.Session, true)
	b = appendField(b, "decision", r.Decision, false)
	b = appendField(b, "rule", r.Rule, true)
	if len(r.Reasons) > 0 {
		b = append(b, `,"reasons":[`...)
		for i, s := range r.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	b = appendField(b, "ip", r.IP, true)
	b = appendField(b, "method", r.Method, true)
	b = appendField(b, "host", r.Host, true)
	b = appendField(b, "path", r.Path, true)
	if r.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
	}
	b = appendField(b, "actor", r.Actor, true)
	b = appendField(b, "verification", r.Verification, true)
	return append(b, '}', '\n')
}

func appendField(b []byte, name, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

const hex = "0123456789abcdef"

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD and
// control characters, quotes, backslashes and <, >, & are escaped, as
// encoding/json does, so a hostile path cannot break the line.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
