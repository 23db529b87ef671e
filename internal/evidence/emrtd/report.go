package emrtd

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/dg2"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// ActiveAuth outcomes.
const (
	AAPassed       = "passed"
	AAFailed       = "failed"
	AANotPerformed = "not-performed" // the chip has DG15 but no challenge/response was sent
	AANotSupported = "not-supported" // the SOD lists no DG15: the chip has no AA key
)

// Check names. Report.Checks holds them in this order: com (only when EF.COM
// was given), sod, sod-signature, ds-chain, one "dg-hash:DG<n>" per provided
// data group in number order, dg1, mrz-cross-check, dg2, aa.
const (
	CheckCOM        = "com"
	CheckSOD        = "sod"
	CheckSignature  = "sod-signature"
	CheckChain      = "ds-chain"
	CheckDG1        = "dg1"
	CheckMRZ        = "mrz-cross-check"
	CheckDG2        = "dg2"
	CheckAA         = "aa"
	checkHashPrefix = "dg-hash:"
)

// Details of skipped checks.
const (
	skippedNoSOD      = "not checked: the SOD did not parse"
	skippedNoPrinted  = "not checked: no printed MRZ given"
	skippedNoDocument = "not checked: DG1 did not parse"
)

// Report is the verdict on one chip read. Document and Faces are filled
// whenever they parse, but are authentic only when Accept returns true.
type Report struct {
	// PassiveAuth is true when the SOD parsed, its signature verified, the
	// Document Signer chained to a trusted CSCA at the given time, every
	// provided data group is listed in the SOD with a matching hash, and
	// DG1 was provided and parses. It says nothing about the printed MRZ.
	PassiveAuth bool    `json:"passive_auth"`
	ActiveAuth  string  `json:"active_auth"`
	Checks      []Check `json:"checks"`
	// Reasons lists every failure reason in check order, without
	// duplicates; IsAdvisory tells which ones do not block Accept.
	Reasons        []string     `json:"reasons"`
	COM            *COM         `json:"com,omitempty"`
	Document       *Document    `json:"document,omitempty"`
	DocumentSigner *Certificate `json:"document_signer,omitempty"`
	CSCA           *Certificate `json:"csca,omitempty"`
	Faces          []Face       `json:"faces,omitempty"`
	// SODDataGroups are the data groups the SOD holds hashes for.
	SODDataGroups []int `json:"sod_data_groups,omitempty"`
}

// Check is one step of the verification. Skipped checks were not run
// because an earlier one failed or an optional input was absent; they are
// neither OK nor carry a reason.
type Check struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Skipped bool   `json:"skipped,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// Accept reports whether the evidence is acceptable: passive authentication
// passed, and no check failed for a non-advisory reason (an MRZ mismatch,
// a failed active authentication, a malformed DG2 or EF.COM all refuse).
// Whether active authentication must have been performed, and whether a
// face is required, is the caller's policy.
func (r *Report) Accept() bool {
	if !r.PassiveAuth {
		return false
	}
	for _, reason := range r.Reasons {
		if !IsAdvisory(reason) {
			return false
		}
	}
	return true
}

// Check returns the named check, or nil.
func (r *Report) Check(name string) *Check {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// Document is the MRZ data from DG1: parsed fields, not the raw MRZ lines,
// so a report can be logged without the whole zone.
type Document struct {
	Format         string   `json:"format"` // TD1, TD2, TD3
	DocumentCode   string   `json:"document_code"`
	IssuingState   string   `json:"issuing_state"`
	DocumentNumber string   `json:"document_number"`
	Surname        string   `json:"surname"`
	GivenNames     []string `json:"given_names"`
	Nationality    string   `json:"nationality"`
	BirthDate      string   `json:"birth_date"` // YYYY-MM-DD, XX for unknown parts
	Sex            string   `json:"sex"`
	ExpiryDate     string   `json:"expiry_date"`
	// Expired is the document's expiry judged at the verification time.
	// Passive authentication does not fail on it: that is policy.
	Expired       bool   `json:"expired"`
	OptionalData1 string `json:"optional_data1,omitempty"`
	OptionalData2 string `json:"optional_data2,omitempty"`
}

func newDocument(d *mrz.Document, now time.Time) *Document {
	return &Document{
		Format: d.Format.String(), DocumentCode: d.DocumentCode, IssuingState: d.IssuingState,
		DocumentNumber: d.DocumentNumber, Surname: d.Surname, GivenNames: d.GivenNames,
		Nationality: d.Nationality, BirthDate: d.BirthDate.String(), Sex: d.Sex,
		ExpiryDate: d.ExpiryDate.String(), Expired: d.Expired(now),
		OptionalData1: d.OptionalData1, OptionalData2: d.OptionalData2,
	}
}

// Certificate summarises a Document Signer or CSCA certificate.
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"` // hex
	Country   string    `json:"country"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	KeyType   string    `json:"key_type"` // "RSA-2048", "EC brainpoolP256r1", ...
	SHA256    string    `json:"sha256"`   // of the DER
}

func summarise(c *pki.Certificate) *Certificate {
	if c == nil {
		return nil
	}
	h := sha256.Sum256(c.Raw)
	s := &Certificate{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, KeyType: keyType(c.PublicKey),
		SHA256: hex.EncodeToString(h[:]),
	}
	if c.SerialNumber != nil {
		s.Serial = c.SerialNumber.Text(16)
	}
	if len(c.Subject.Country) > 0 {
		s.Country = c.Subject.Country[0]
	}
	return s
}

func keyType(k any) string {
	switch k := k.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *pki.ECPublicKey:
		if k.Curve.Name == "" {
			return fmt.Sprintf("EC explicit-%d", k.Curve.P.BitLen())
		}
		return "EC " + k.Curve.Name
	default:
		return fmt.Sprintf("%T", k)
	}
}

// Face is one face image from DG2. Image holds the encoded bytes (JPEG or
// JPEG 2000, by magic bytes); it is left out of JSON so reports can be
// logged without biometric data.
type Face struct {
	ImageType string `json:"image_type"` // "jpeg", "jpeg2000"
	MIMEType  string `json:"mime_type"`  // "image/jpeg", "image/jp2", "image/j2c"
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Size      int    `json:"size"` // bytes of Image
	Image     []byte `json:"-"`
}

func newFace(f dg2.Face) Face {
	out := Face{Width: f.Width, Height: f.Height, Size: len(f.Image), Image: f.Image}
	switch f.ImageType {
	case dg2.ImageJPEG:
		out.ImageType, out.MIMEType = "jpeg", "image/jpeg"
	case dg2.ImageJPEG2000:
		// A JP2 file starts with its signature box; otherwise it is a bare
		// codestream (FF 4F), which has its own media type.
		out.ImageType, out.MIMEType = "jpeg2000", "image/j2c"
		if bytes.HasPrefix(f.Image, []byte("\x00\x00\x00\x0cjP  ")) {
			out.MIMEType = "image/jp2"
		}
	default:
		out.ImageType, out.MIMEType = "unknown", "application/octet-stream"
	}
	return out
}
