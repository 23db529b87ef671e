package chiptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// State is a test issuing state: its CSCA and one Document Signer.
type State struct {
	// CSCA is the country signing CA's certificate: what a verifier must
	// trust for this state's chips to pass.
	CSCA *x509.Certificate
	// DS is the Document Signer certificate carried in every SOD.
	DS *x509.Certificate

	cscaKey, dsKey crypto.Signer
}

// StateOptions shape the PKI. Zero values give an ECDSA P-256 state "UT"
// whose DS is valid from a day before now for ten years.
type StateOptions struct {
	Country string    // ISO 3166-1 alpha-2 for the certificates' C; "UT" by default
	Now     time.Time // the zero time means time.Now()
	// RSA makes the CSCA and DS keys RSA-2048 instead of ECDSA P-256.
	RSA bool
	// DSNotAfter overrides the DS validity end (e.g. an expired DS).
	DSNotAfter time.Time
	// DSKeyUsage overrides the DS key usage (x509.KeyUsageDigitalSignature
	// by default), to produce a DS a verifier must refuse.
	DSKeyUsage x509.KeyUsage
}

// NewState creates a CSCA and a Document Signer it issued.
func NewState(o StateOptions) (*State, error) {
	if o.Country == "" {
		o.Country = "UT"
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	newKey := func() (crypto.Signer, error) {
		if o.RSA {
			return rsa.GenerateKey(rand.Reader, 2048)
		}
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	cscaKey, err := newKey()
	if err != nil {
		return nil, err
	}
	dsKey, err := newKey()
	if err != nil {
		return nil, err
	}
	cscaTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Country: []string{o.Country}, Organization: []string{"Vigil test state"}, CommonName: "CSCA " + o.Country},
		NotBefore:             o.Now.Add(-365 * 24 * time.Hour),
		NotAfter:              o.Now.Add(15 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	cscaDER, err := x509.CreateCertificate(rand.Reader, cscaTmpl, cscaTmpl, cscaKey.Public(), cscaKey)
	if err != nil {
		return nil, fmt.Errorf("chiptest: CSCA: %w", err)
	}
	csca, err := x509.ParseCertificate(cscaDER)
	if err != nil {
		return nil, err
	}
	dsTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(o.Now.UnixNano()),
		Subject:      pkix.Name{Country: []string{o.Country}, Organization: []string{"Vigil test state"}, CommonName: "DS " + o.Country},
		NotBefore:    o.Now.Add(-24 * time.Hour),
		NotAfter:     o.Now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if !o.DSNotAfter.IsZero() {
		dsTmpl.NotAfter = o.DSNotAfter
		if dsTmpl.NotBefore.After(o.DSNotAfter) {
			dsTmpl.NotBefore = o.DSNotAfter.Add(-24 * time.Hour)
		}
	}
	if o.DSKeyUsage != 0 {
		dsTmpl.KeyUsage = o.DSKeyUsage
	}
	dsDER, err := x509.CreateCertificate(rand.Reader, dsTmpl, csca, dsKey.Public(), cscaKey)
	if err != nil {
		return nil, fmt.Errorf("chiptest: DS: %w", err)
	}
	ds, err := x509.ParseCertificate(dsDER)
	if err != nil {
		return nil, err
	}
	return &State{CSCA: csca, DS: ds, cscaKey: cscaKey, dsKey: dsKey}, nil
}

// AA selects the chip's Active Authentication key, if any.
type AA int

const (
	AANone  AA = iota // no DG15: the chip cannot prove it is not a clone
	AARSA             // RSA-1024 with ISO/IEC 9796-2 scheme 1 and SHA-1, as most passports
	AAECDSA           // ECDSA P-256, plain signatures with SHA-256, named in DG14
)

// DocumentOptions describe one chip.
type DocumentOptions struct {
	// MRZ is the holder page's data; DG1 is built from it. Required.
	MRZ *mrz.Document
	// Portrait is the JPEG or JP2 file stored in DG2; nil leaves DG2 out.
	Portrait []byte
	AA       AA
	// Hash is the data group and signature hash; SHA-256 by default.
	Hash crypto.Hash
	// SigningTime is the signingTime attribute; the DS's NotBefore by default.
	SigningTime time.Time
}

// Chip is a personalised chip's files and its Active Authentication key.
type Chip struct {
	COM        []byte
	SOD        []byte
	DataGroups map[int][]byte // DG1, DG2 (with a portrait), DG14 (ECDSA AA), DG15 (AA)

	aaKey crypto.Signer
}

// Issue personalises a chip: its data groups, EF.COM and an SOD signed by
// the state's Document Signer.
func (s *State) Issue(o DocumentOptions) (*Chip, error) {
	if o.MRZ == nil {
		return nil, errors.New("chiptest: DocumentOptions.MRZ is required")
	}
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	if hashOIDs[o.Hash] == nil {
		return nil, fmt.Errorf("chiptest: unsupported hash %v", o.Hash)
	}
	if o.SigningTime.IsZero() {
		o.SigningTime = s.DS.NotBefore.Add(time.Hour)
	}
	c := &Chip{DataGroups: map[int][]byte{}}
	var err error
	if c.DataGroups[1], err = dg1(o.MRZ); err != nil {
		return nil, err
	}
	if o.Portrait != nil {
		if c.DataGroups[2], err = dg2(o.Portrait); err != nil {
			return nil, err
		}
	}
	switch o.AA {
	case AARSA:
		c.aaKey, err = rsa.GenerateKey(rand.Reader, 1024)
	case AAECDSA:
		c.aaKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err == nil {
			c.DataGroups[14], err = dg14(plainOIDs[crypto.SHA256])
		}
	}
	if err != nil {
		return nil, err
	}
	if c.aaKey != nil {
		spki, err := x509.MarshalPKIXPublicKey(c.aaKey.Public())
		if err != nil {
			return nil, err
		}
		c.DataGroups[15] = dg15(spki)
	}
	nums := make([]int, 0, len(c.DataGroups))
	for n := range c.DataGroups {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	c.COM = com(nums)
	if c.SOD, err = sod(o.Hash, c.DataGroups, s.DS, s.dsKey, o.SigningTime.UTC()); err != nil {
		return nil, err
	}
	return c, nil
}

// SignAA answers an Active Authentication challenge as the chip would
// (INTERNAL AUTHENTICATE, Doc 9303 part 11 section 6.1). With no AA key it
// errors, as such a chip does not support the command.
func (c *Chip) SignAA(challenge []byte) ([]byte, error) {
	switch k := c.aaKey.(type) {
	case *rsa.PrivateKey:
		return sign9796(k, challenge)
	case *ecdsa.PrivateKey:
		sum := crypto.SHA256.New()
		sum.Write(challenge)
		r, s, err := ecdsa.Sign(rand.Reader, k, sum.Sum(nil))
		if err != nil {
			return nil, err
		}
		n := (k.Curve.Params().N.BitLen() + 7) / 8
		out := make([]byte, 2*n)
		r.FillBytes(out[:n])
		s.FillBytes(out[n:])
		return out, nil
	}
	return nil, errors.New("chiptest: this chip has no Active Authentication key")
}

// sign9796 is ISO/IEC 9796-2 digital signature scheme 1 with partial
// message recovery and SHA-1 (trailer 0xBC): the chip picks M1 at random to
// fill the representative 6A || M1 || SHA-1(M1 || challenge) || BC and
// signs it with the raw RSA private operation.
func sign9796(k *rsa.PrivateKey, challenge []byte) ([]byte, error) {
	size := k.Size()
	m1 := make([]byte, size-sha1.Size-2)
	if _, err := rand.Read(m1); err != nil {
		return nil, err
	}
	h := sha1.New()
	h.Write(m1)
	h.Write(challenge)
	rep := append(append(append([]byte{0x6A}, m1...), h.Sum(nil)...), 0xBC)
	s := new(big.Int).Exp(new(big.Int).SetBytes(rep), k.D, k.N)
	return s.FillBytes(make([]byte, size)), nil
}
