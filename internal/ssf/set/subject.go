package set

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Subject identifier formats: RFC 9493 section 3 and SSF 1.0 (complex).
const (
	FormatEmail       = "email"
	FormatIssSub      = "iss_sub"
	FormatOpaque      = "opaque"
	FormatPhoneNumber = "phone_number"
	FormatAccount     = "account"
	FormatDID         = "did"
	FormatURI         = "uri"
	FormatAliases     = "aliases"
	FormatComplex     = "complex"
)

// Bounds on subject identifiers: they come from outside, are stored and are
// compared, so their size must not be the sender's choice.
const (
	maxMemberLen = 1024
	maxAliases   = 16
)

// Subject is an RFC 9493 subject identifier, or an SSF complex subject
// whose members are simple identifiers. Which fields are used depends on
// Format: email (Email), iss_sub (Iss, Sub), opaque (ID), phone_number
// (PhoneNumber), account (URI, an acct: URI), did (URI, sent as "url"),
// uri (URI), aliases (Identifiers) and complex (the member pointers).
type Subject struct {
	Format      string
	Email       string
	Iss         string
	Sub         string
	ID          string
	URI         string
	PhoneNumber string
	Identifiers []Subject // aliases

	// Complex subject members (SSF 1.0 section 3.3).
	User        *Subject
	Session     *Subject
	Device      *Subject
	Application *Subject
	Tenant      *Subject
	OrgUnit     *Subject
	Group       *Subject
}

// EmailSubject returns an email subject identifier.
func EmailSubject(addr string) Subject { return Subject{Format: FormatEmail, Email: addr} }

// IssSub returns an issuer and subject identifier.
func IssSub(iss, sub string) Subject { return Subject{Format: FormatIssSub, Iss: iss, Sub: sub} }

// Opaque returns an opaque identifier.
func Opaque(id string) Subject { return Subject{Format: FormatOpaque, ID: id} }

// wireSubject is the JSON form. The pointers and the slice recurse through
// Subject's own methods.
type wireSubject struct {
	Format      string    `json:"format,omitempty"`
	Email       string    `json:"email,omitempty"`
	Iss         string    `json:"iss,omitempty"`
	Sub         string    `json:"sub,omitempty"`
	ID          string    `json:"id,omitempty"`
	URI         string    `json:"uri,omitempty"`
	URL         string    `json:"url,omitempty"`
	PhoneNumber string    `json:"phone_number,omitempty"`
	Identifiers []Subject `json:"identifiers,omitempty"`
	User        *Subject  `json:"user,omitempty"`
	Session     *Subject  `json:"session,omitempty"`
	Device      *Subject  `json:"device,omitempty"`
	Application *Subject  `json:"application,omitempty"`
	Tenant      *Subject  `json:"tenant,omitempty"`
	OrgUnit     *Subject  `json:"org_unit,omitempty"`
	Group       *Subject  `json:"group,omitempty"`
}

// MarshalJSON writes the wire form. It does not validate: callers that send
// a subject validate it first (Signer.Sign does).
func (s Subject) MarshalJSON() ([]byte, error) {
	w := wireSubject{
		Format: s.Format, Email: s.Email, Iss: s.Iss, Sub: s.Sub, ID: s.ID, URI: s.URI,
		PhoneNumber: s.PhoneNumber, Identifiers: s.Identifiers,
		User: s.User, Session: s.Session, Device: s.Device, Application: s.Application,
		Tenant: s.Tenant, OrgUnit: s.OrgUnit, Group: s.Group,
	}
	if s.Format == FormatDID {
		// RFC 9493 section 3.2.5 names the DID member "url".
		w.URL, w.URI = s.URI, ""
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the wire form. It does not validate; call Validate.
// Members that the subject's format does not define are ignored, except the
// ones this type holds, which Validate then refuses.
func (s *Subject) UnmarshalJSON(b []byte) error {
	var w wireSubject
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("subject identifier: %w", err)
	}
	*s = Subject{
		Format: w.Format, Email: w.Email, Iss: w.Iss, Sub: w.Sub, ID: w.ID, URI: w.URI,
		PhoneNumber: w.PhoneNumber, Identifiers: w.Identifiers,
		User: w.User, Session: w.Session, Device: w.Device, Application: w.Application,
		Tenant: w.Tenant, OrgUnit: w.OrgUnit, Group: w.Group,
	}
	if w.Format == FormatDID {
		s.URI = w.URL
	}
	// Drafts of SSF sent complex subjects without a format; read them as
	// complex so that older transmitters interoperate.
	if s.Format == "" && len(s.members()) > 0 {
		s.Format = FormatComplex
	}
	return nil
}

type member struct {
	name string
	sub  *Subject
}

// members lists the complex members that are set, in the fixed order that
// Key uses.
func (s *Subject) members() []member {
	all := []member{
		{"user", s.User}, {"session", s.Session}, {"device", s.Device}, {"application", s.Application},
		{"tenant", s.Tenant}, {"org_unit", s.OrgUnit}, {"group", s.Group},
	}
	out := all[:0]
	for _, m := range all {
		if m.sub != nil {
			out = append(out, m)
		}
	}
	return out
}

// Validate checks that the members the format requires are present and
// well formed, that no other member is set, and that sizes are bounded.
// Aliases and complex members hold simple identifiers only, never aliases
// or complex subjects, so that Key stays flat and matching predictable.
func (s Subject) Validate() error {
	return s.validate(true)
}

func (s *Subject) validate(top bool) error {
	var want []string // simple string members this format uses
	switch s.Format {
	case FormatEmail:
		want = []string{"email"}
		if err := checkEmail(s.Email); err != nil {
			return err
		}
	case FormatIssSub:
		want = []string{"iss", "sub"}
		if s.Iss == "" || s.Sub == "" {
			return errors.New("iss_sub subject needs iss and sub")
		}
		if strings.ContainsFunc(s.Iss, unicode.IsSpace) {
			return errors.New("iss_sub subject: iss contains white space")
		}
	case FormatOpaque:
		want = []string{"id"}
		if s.ID == "" {
			return errors.New("opaque subject needs id")
		}
	case FormatPhoneNumber:
		want = []string{"phone_number"}
		if err := checkPhone(s.PhoneNumber); err != nil {
			return err
		}
	case FormatAccount, FormatDID, FormatURI:
		want = []string{"uri"}
		if err := checkURI(s.Format, s.URI); err != nil {
			return err
		}
	case FormatAliases:
		if !top {
			return errors.New("aliases subject cannot be nested")
		}
		if len(s.Identifiers) == 0 || len(s.Identifiers) > maxAliases {
			return fmt.Errorf("aliases subject needs 1 to %d identifiers", maxAliases)
		}
		for i := range s.Identifiers {
			if err := s.Identifiers[i].validate(false); err != nil {
				return fmt.Errorf("aliases identifier %d: %w", i, err)
			}
		}
	case FormatComplex:
		if !top {
			return errors.New("complex subject cannot be nested")
		}
		ms := s.members()
		if len(ms) == 0 {
			return errors.New("complex subject has no members")
		}
		for _, m := range ms {
			if err := m.sub.validate(false); err != nil {
				return fmt.Errorf("complex member %s: %w", m.name, err)
			}
		}
	case "":
		return errors.New("subject identifier has no format")
	default:
		return fmt.Errorf("unsupported subject identifier format %q", truncate(s.Format))
	}
	return s.checkMembers(want)
}

// checkMembers refuses members that the format does not use and bounds the
// size and characters of those it does.
func (s *Subject) checkMembers(want []string) error {
	fields := []struct {
		name, val string
	}{
		{"email", s.Email}, {"iss", s.Iss}, {"sub", s.Sub}, {"id", s.ID}, {"uri", s.URI}, {"phone_number", s.PhoneNumber},
	}
	for _, f := range fields {
		used := false
		for _, w := range want {
			used = used || w == f.name
		}
		switch {
		case !used && f.val != "":
			return fmt.Errorf("%s subject: member %s is not allowed", s.Format, f.name)
		case len(f.val) > maxMemberLen:
			return fmt.Errorf("%s subject: member %s longer than %d bytes", s.Format, f.name, maxMemberLen)
		case !utf8.ValidString(f.val) || strings.ContainsFunc(f.val, unicode.IsControl):
			return fmt.Errorf("%s subject: member %s has invalid characters", s.Format, f.name)
		}
	}
	if s.Format != FormatAliases && s.Identifiers != nil {
		return fmt.Errorf("%s subject: member identifiers is not allowed", s.Format)
	}
	if s.Format != FormatComplex && len(s.members()) > 0 {
		return fmt.Errorf("%s subject: complex members are not allowed", s.Format)
	}
	return nil
}

func checkEmail(addr string) error {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return errors.New("email subject needs an address of the form local@domain")
	}
	return nil
}

func checkPhone(p string) error {
	// E.164: a plus sign and up to 15 digits (RFC 9493 section 3.2.4).
	if len(p) < 2 || len(p) > 16 || p[0] != '+' {
		return errors.New("phone_number subject needs an E.164 number")
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return errors.New("phone_number subject needs an E.164 number")
		}
	}
	return nil
}

func checkURI(format, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s subject needs a URI", format)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%s subject needs an absolute URI", format)
	}
	switch {
	case format == FormatAccount && !strings.EqualFold(u.Scheme, "acct"):
		return errors.New("account subject needs an acct: URI")
	case format == FormatDID && !strings.EqualFold(u.Scheme, "did"):
		return errors.New("did subject needs a did: URL")
	}
	return nil
}
