package ida

import (
	"slices"
	"testing"
	"time"
)

func TestAtLeast(t *testing.T) {
	cases := []struct {
		level, min string
		want       bool
	}{
		{IAL2, IAL2, true}, {IAL3, IAL2, true}, {IAL3, IAL1, true}, {IAL1, IAL2, false}, {IAL2, IAL3, false},
		{"IAL2", IAL1, false}, {"", IAL1, false}, {IAL2, "", false}, {IAL2, "ial4", false}, {"substantial", IAL1, false},
	}
	for _, c := range cases {
		if got := AtLeast(c.level, c.min); got != c.want {
			t.Errorf("AtLeast(%q, %q) = %v, want %v", c.level, c.min, got, c.want)
		}
	}
}

func TestAssurance(t *testing.T) {
	all := buildAll(t)
	fw, level, at, methods := Assurance(all[3])
	if fw != TrustFrameworkNIST80063A || level != IAL2 || !at.Equal(verifiedAt.Truncate(time.Second)) ||
		!slices.Equal(methods, []string{CheckVCrypt, CheckBVR}) {
		t.Errorf("Assurance = %q %q %v %v", fw, level, at, methods)
	}
	l, err := ParseVerifiedClaims([]byte(external[2]))
	if err != nil {
		t.Fatal(err)
	}
	fw, level, at, methods = Assurance(l[0])
	if fw != "eidas" || level != "substantial" || !at.IsZero() || methods != nil {
		t.Errorf("Assurance without time or checks = %q %q %v %v", fw, level, at, methods)
	}
}

func TestBuildRejects(t *testing.T) {
	doc := DocumentDetails{Type: DocumentPassport}
	check := NewCheck(CheckVCrypt, "vigil", "c1", verifiedAt)
	claims := Claims{GivenName: "A"}
	cases := map[string]func() (VerifiedClaims, error){
		"no framework": func() (VerifiedClaims, error) {
			return NewBuilder("", IAL2, verifiedAt).Evidence(NewDocumentEvidence(doc, check)).Build(claims)
		},
		"unknown NIST level": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, "IAL2", verifiedAt).Evidence(NewDocumentEvidence(doc, check)).Build(claims)
		},
		"no time": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, time.Time{}).Evidence(NewDocumentEvidence(doc, check)).Build(claims)
		},
		"no evidence": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Build(claims)
		},
		"unknown check method": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(doc, NewCheck("selfie", "", "", time.Time{}))).Build(claims)
		},
		"document without type": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(DocumentDetails{}, check)).Build(claims)
		},
		"impossible expiry": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(DocumentDetails{Type: "passport", DateOfExpiry: NewDate(2030, 2, 30)}, check)).Build(claims)
		},
		"no claims": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(doc, check)).Build(Claims{})
		},
		"bad nationality": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(doc, check)).Build(Claims{Nationalities: []string{"British"}})
		},
		"duplicate nationality": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(doc, check)).Build(Claims{Nationalities: []string{"GB", "GB"}})
		},
		"bad email": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(doc, check)).Build(Claims{Email: "maria"})
		},
		"empty address": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewDocumentEvidence(doc, check)).Build(Claims{GivenName: "A", Address: &Address{}})
		},
		"esig without serial": func() (VerifiedClaims, error) {
			return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).Evidence(NewElectronicSignatureEvidence("qes", "ca", "", verifiedAt)).Build(claims)
		},
	}
	for name, build := range cases {
		if vc, err := build(); err == nil {
			t.Errorf("%s: Build accepted %+v", name, vc)
		}
	}
}
