package capture

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// softAuth is a software platform authenticator: an ECDSA P-256 key and a
// counter, producing the same structures a browser hands the page
// (authenticator data, CBOR attestation object, clientDataJSON) with real
// signatures. Tests bend one field at a time through ceremony.
type softAuth struct {
	t      testing.TB
	key    *ecdsa.PrivateKey
	credID []byte
	aaguid []byte
	count  uint32
	format string // "packed" (self attestation) or "none"
}

const (
	testRPID   = "localhost"
	testOrigin = "http://localhost:8443"

	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagAT = 0x40
)

func newSoftAuth(t testing.TB, format string) *softAuth {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := &softAuth{t: t, key: key, credID: make([]byte, 32), aaguid: make([]byte, 16), format: format}
	rand.Read(a.credID)
	copy(a.aaguid, "vigil-soft-auth!")
	return a
}

// ceremony is one create or get as the browser would report it; fields
// left zero take the honest value.
type ceremony struct {
	typ         string // clientData type
	origin      string
	crossOrigin bool
	rpID        string
	flags       byte // without AT; 0 means UP|UV
	counter     *uint32
	attachment  *string
	badAttSig   bool // packed: sign the attestation with another key
}

func (c ceremony) withDefaults(typ string) ceremony {
	if c.typ == "" {
		c.typ = typ
	}
	if c.origin == "" {
		c.origin = testOrigin
	}
	if c.rpID == "" {
		c.rpID = testRPID
	}
	if c.flags == 0 {
		c.flags = flagUP | flagUV
	}
	return c
}

func (a *softAuth) clientData(c ceremony, challenge []byte) []byte {
	cd, err := json.Marshal(map[string]any{
		"type":        c.typ,
		"challenge":   base64.RawURLEncoding.EncodeToString(challenge),
		"origin":      c.origin,
		"crossOrigin": c.crossOrigin,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return cd
}

// authData is rpIdHash || flags || counter [|| attested credential data].
func (a *softAuth) authData(c ceremony, attested bool) []byte {
	rp := sha256.Sum256([]byte(c.rpID))
	out := append([]byte(nil), rp[:]...)
	flags := c.flags
	if attested {
		flags |= flagAT
	}
	out = append(out, flags)
	count := a.count
	if c.counter != nil {
		count = *c.counter
	}
	out = binary.BigEndian.AppendUint32(out, count)
	if attested {
		out = append(out, a.aaguid...)
		out = binary.BigEndian.AppendUint16(out, uint16(len(a.credID)))
		out = append(out, a.credID...)
		out = append(out, a.coseKey()...)
	}
	return out
}

// coseKey is the EC2 COSE_Key: kty 2, alg -7 (ES256), crv 1 (P-256), x, y.
func (a *softAuth) coseKey() []byte {
	pub := a.key.PublicKey
	x, y := make([]byte, 32), make([]byte, 32)
	pub.X.FillBytes(x)
	pub.Y.FillBytes(y)
	k, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		a.t.Fatal(err)
	}
	return k
}

func (a *softAuth) sign(key *ecdsa.PrivateKey, authData, clientData []byte) []byte {
	h := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	return sig
}

// create answers navigator.credentials.create.
func (a *softAuth) create(challenge []byte, c ceremony) []byte {
	c = c.withDefaults("webauthn.create")
	cd := a.clientData(c, challenge)
	ad := a.authData(c, true)
	stmt := map[string]any{}
	if a.format == "packed" {
		key := a.key
		if c.badAttSig {
			key = newSoftAuth(a.t, "packed").key
		}
		stmt = map[string]any{"alg": -7, "sig": a.sign(key, ad, cd)}
	}
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": a.format, "attStmt": stmt, "authData": ad})
	if err != nil {
		a.t.Fatal(err)
	}
	attachment := "platform"
	if c.attachment != nil {
		attachment = *c.attachment
	}
	return a.marshal(attachment, map[string]any{
		"clientDataJSON":    b64(cd),
		"attestationObject": b64(obj),
		"transports":        []string{"internal"},
	})
}

// get answers navigator.credentials.get, counting up like a real
// authenticator.
func (a *softAuth) get(challenge []byte, c ceremony) []byte {
	a.count++
	c = c.withDefaults("webauthn.get")
	cd := a.clientData(c, challenge)
	ad := a.authData(c, false)
	return a.marshal("platform", map[string]any{
		"clientDataJSON":    b64(cd),
		"authenticatorData": b64(ad),
		"signature":         b64(a.sign(a.key, ad, cd)),
	})
}

func (a *softAuth) marshal(attachment string, response map[string]any) []byte {
	cred := map[string]any{
		"id":                     b64(a.credID),
		"rawId":                  b64(a.credID),
		"type":                   "public-key",
		"clientExtensionResults": map[string]any{},
		"response":               response,
	}
	if attachment != "" {
		cred["authenticatorAttachment"] = attachment
	}
	j, err := json.Marshal(cred)
	if err != nil {
		a.t.Fatal(err)
	}
	return j
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// enrolled runs BeginEnrol and FinishEnrol with a and returns the Binding.
func enrolled(t testing.TB, a *softAuth) *Binding {
	t.Helper()
	opts, st, err := BeginEnrol("ver-1", testRPID, "Vigil", []string{testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	b, err := FinishEnrol(st, a.create(optionsChallenge(t, opts), ceremony{}))
	if err != nil {
		t.Fatalf("FinishEnrol: %v", err)
	}
	return b
}

// optionsChallenge reads the challenge from creation or request options.
func optionsChallenge(t testing.TB, opts []byte) []byte {
	t.Helper()
	var o struct {
		Challenge *string `json:"challenge"`
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	if o.Challenge == nil {
		return nil
	}
	c, err := base64.RawURLEncoding.DecodeString(*o.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
