package trust

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// Store is an in-memory set of trusted CSCA certificates. Reads (Chain,
// List) may run concurrently with each other and with imports.
type Store struct {
	mu     sync.RWMutex
	byHash map[[32]byte]*entry
	byName map[string][]*entry
	bySKI  map[string][]*entry
	// revoked holds verified CRL contents per CSCA key (see AddCRL).
	revoked map[cscaID]*revocations
}

type entry struct {
	cert    *pki.Certificate
	hash    [32]byte
	id      cscaID // for revocations
	sources []string
}

// CSCA describes one trusted certificate for operators.
type CSCA struct {
	Country             string // subject C, "" when absent
	Subject             string
	NotBefore, NotAfter time.Time
	KeyType             string   // "RSA-2048", "EC brainpoolP256r1", ...
	SHA256              string   // hex fingerprint of the DER
	Sources             []string // "operator" or "masterlist:<publisher C>"
	// CRLThisUpdate and CRLNextUpdate are from the newest verified CRL of
	// this CSCA's key, zero when none was loaded; Revoked counts the DS
	// serials all its verified CRLs list.
	CRLThisUpdate, CRLNextUpdate time.Time
	Revoked                      int
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{byHash: map[[32]byte]*entry{}, byName: map[string][]*entry{}, bySKI: map[string][]*entry{},
		revoked: map[cscaID]*revocations{}}
}

// AddCSCA trusts c because the operator says so. It reports whether c was new.
func (s *Store) AddCSCA(c *pki.Certificate) (bool, error) {
	if c == nil || c.PublicKey == nil {
		return false, fmt.Errorf("trust: nil certificate or key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(c, "operator"), nil
}

func (s *Store) addLocked(c *pki.Certificate, source string) bool {
	h := sha256.Sum256(c.Raw)
	if e, ok := s.byHash[h]; ok {
		for _, src := range e.sources {
			if src == source {
				return false
			}
		}
		e.sources = append(e.sources, source)
		return false
	}
	k, ok := chip.NameKey(c.RawSubject)
	e := &entry{cert: c, hash: h, id: idFor(k, ok, c), sources: []string{source}}
	s.byHash[h] = e
	if ok {
		s.byName[k] = append(s.byName[k], e)
	}
	if len(c.SubjectKeyID) > 0 {
		s.bySKI[string(c.SubjectKeyID)] = append(s.bySKI[string(c.SubjectKeyID)], e)
	}
	return true
}

// ImportMasterList verifies a CscaMasterList (ICAO 9303 part 12 section 9)
// and trusts its certificates. Before anything is trusted: the CMS signature
// must verify under the carried signer certificate, the signer must be valid
// at now, and the signer must be anchor itself or be issued by anchor (name
// match and signature) while anchor was valid. anchor is the publishing
// country's CSCA as given by the operator. added counts certificates new to
// the store; listed certificates pki cannot parse are skipped, not trusted.
func (s *Store) ImportMasterList(ml []byte, anchor *pki.Certificate, now time.Time) (added int, err error) {
	if anchor == nil || anchor.PublicKey == nil {
		return 0, rejected("no anchor CSCA given")
	}
	if len(ml) > maxMasterListSize {
		return 0, rejected("%d bytes exceeds the %d byte limit", len(ml), maxMasterListSize)
	}
	l, err := parseSignedList(ml)
	if err != nil {
		return 0, err
	}
	signer, err := l.signer()
	if err != nil {
		return 0, err
	}
	return s.importSigned(l, signer, anchor, now)
}

// importSigned is ImportMasterList after parsing, for LoadFiles to try
// several anchors without parsing the list again.
func (s *Store) importSigned(l *signedList, signer, anchor *pki.Certificate, now time.Time) (added int, err error) {
	if err := l.verify(signer); err != nil {
		return 0, err
	}
	if err := chainsToAnchor(signer, anchor, now); err != nil {
		return 0, err
	}
	certs, err := parseCscaList(l.eContent)
	if err != nil {
		return 0, err
	}
	source := "masterlist:" + country(anchor)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range certs {
		if s.addLocked(c, source) {
			added++
		}
	}
	return added, nil
}

func chainsToAnchor(signer, anchor *pki.Certificate, now time.Time) error {
	if now.Before(signer.NotBefore) || now.After(signer.NotAfter) {
		return rejected("list signer %q not valid at %s", signer.Subject, now.UTC().Format(time.RFC3339))
	}
	if bytes.Equal(signer.Raw, anchor.Raw) {
		return nil
	}
	if !chip.SameNameDER(signer.RawIssuer, anchor.RawSubject) {
		return rejected("list signer %q is not issued by anchor %q", signer.Subject, anchor.Subject)
	}
	if err := pki.CheckSignature(signer, anchor); err != nil {
		return rejected("list signer %q does not verify under anchor: %v", signer.Subject, err)
	}
	if signer.NotBefore.Before(anchor.NotBefore) || signer.NotBefore.After(anchor.NotAfter) {
		return rejected("anchor not valid when it issued the list signer")
	}
	return nil
}

// parseCscaList reads CscaMasterList ::= SEQUENCE { version 0, certList SET
// OF Certificate }. Unparsable certificates are skipped: the list is signed,
// so one certificate our parser refuses must not discard the others.
func parseCscaList(b []byte) ([]*pki.Certificate, error) {
	in := cryptobyte.String(b)
	var ml, set cryptobyte.String
	var version int64
	if !in.ReadASN1(&ml, cbasn1.SEQUENCE) || !in.Empty() || !ml.ReadASN1Integer(&version) || version != 0 ||
		!ml.ReadASN1(&set, cbasn1.SET) || !ml.Empty() {
		return nil, rejected("content is not a version 0 CscaMasterList")
	}
	var out []*pki.Certificate
	for n := 0; !set.Empty(); n++ {
		var der cryptobyte.String
		if n == maxListCerts || !set.ReadASN1Element(&der, cbasn1.SEQUENCE) {
			return nil, rejected("too many certificates, or an element that is not a SEQUENCE")
		}
		if c, err := pki.ParseCertificate(der); err == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// List returns the trusted CSCAs sorted by country, subject and notBefore.
func (s *Store) List() []CSCA {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]CSCA, 0, len(s.byHash))
	for _, e := range s.byHash {
		c := CSCA{
			Country: country(e.cert), Subject: e.cert.Subject.String(),
			NotBefore: e.cert.NotBefore, NotAfter: e.cert.NotAfter,
			KeyType: keyType(e.cert), SHA256: hex.EncodeToString(e.hash[:]),
			Sources: append([]string{}, e.sources...),
		}
		if r := s.revoked[e.id]; r != nil {
			c.CRLThisUpdate, c.CRLNextUpdate, c.Revoked = r.thisUpdate, r.nextUpdate, len(r.serials)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Country != b.Country {
			return a.Country < b.Country
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.NotBefore.Before(b.NotBefore)
	})
	return out
}

func country(c *pki.Certificate) string {
	if len(c.Subject.Country) > 0 {
		return c.Subject.Country[0]
	}
	return ""
}

func keyType(c *pki.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *pki.ECPublicKey:
		name := k.Curve.Name
		if name == "" {
			name = fmt.Sprintf("explicit-%d", k.Curve.P.BitLen())
		}
		return "EC " + name
	default:
		return fmt.Sprintf("%T", k)
	}
}
