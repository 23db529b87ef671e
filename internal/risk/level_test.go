package risk

import (
	"strings"
	"testing"
)

func TestLevelText(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Level
		wantErr bool
	}{
		{"low", Low, false},
		{"medium", Medium, false},
		{"high", High, false},
		{"HIGH", High, false}, // Shared Signals spelling
		{"Medium", Medium, false},
		{"", Low, true},
		{"critical", Low, true},
		{" high", Low, true},
	} {
		got, err := ParseLevel(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		var u Level
		if err := u.UnmarshalText([]byte(tc.in)); (err != nil) != tc.wantErr || u != tc.want {
			t.Errorf("UnmarshalText(%q) = %v, %v", tc.in, u, err)
		}
	}
	for _, l := range []Level{Low, Medium, High} {
		b, err := l.MarshalText()
		if err != nil || string(b) != l.String() {
			t.Errorf("MarshalText(%v) = %q, %v", l, b, err)
		}
	}
	if s := Level(7).String(); s != "level(7)" {
		t.Errorf("Level(7).String() = %q", s)
	}
	if _, err := Level(7).MarshalText(); err == nil {
		t.Error("MarshalText(7) succeeded")
	}
	if !(Low < Medium && Medium < High) {
		t.Error("levels are not ordered")
	}
}

func TestThresholds(t *testing.T) {
	for _, tc := range []struct {
		in      Thresholds
		errs    []string
		clamped Thresholds
	}{
		{Thresholds{}, nil, Thresholds{40, 70}},
		{Thresholds{Medium: 30}, nil, Thresholds{30, 70}},
		{Thresholds{Medium: 1, High: 100}, nil, Thresholds{1, 100}},
		{Thresholds{Medium: 70, High: 70}, []string{"above medium"}, Thresholds{70, 70}},
		{Thresholds{Medium: 80, High: 50}, []string{"above medium"}, Thresholds{80, 80}},
		{Thresholds{Medium: -5, High: 200}, []string{"medium threshold -5", "high threshold 200"}, Thresholds{1, 100}},
	} {
		err := tc.in.Validate()
		if (err != nil) != (len(tc.errs) > 0) {
			t.Errorf("%+v.Validate() = %v", tc.in, err)
		}
		for _, want := range tc.errs {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%+v.Validate() = %v, want it to say %q", tc.in, err, want)
			}
		}
		if got := tc.in.clamped(); got != tc.clamped {
			t.Errorf("%+v.clamped() = %+v, want %+v", tc.in, got, tc.clamped)
		}
	}
}

func TestKinds(t *testing.T) {
	for _, k := range DetectorKinds() {
		if want := k != KindDuplicateFace; ClearedByVerification(k) != want {
			t.Errorf("ClearedByVerification(%s) = %t, want %t", k, !want, want)
		}
		if KindLabel(k) == k {
			t.Errorf("%s has no label", k)
		}
	}
	for _, k := range []string{KindAdmin, "ssf-credential-compromise", "ssf-", "unknown", ""} {
		if ClearedByVerification(k) {
			t.Errorf("%q is cleared by verification", k)
		}
	}
	ks := DetectorKinds()
	ks[0] = "changed"
	if DetectorKinds()[0] != KindImpossibleTravel {
		t.Error("DetectorKinds shares its slice")
	}
	if got := KindLabel("ssf-credential-compromise"); got != "security event credential-compromise" {
		t.Errorf("KindLabel(ssf-...) = %q", got)
	}
}

// ParseLevel reads configuration and received events: whatever it accepts
// must print back as a level, and it must never panic.
func FuzzParseLevel(f *testing.F) {
	for _, s := range []string{"low", "MEDIUM", "High", "", "critical", "h\x00igh", "ｈｉｇｈ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLevel(s)
		if err != nil {
			return
		}
		if !strings.EqualFold(l.String(), s) {
			t.Fatalf("ParseLevel(%q) = %v", s, l)
		}
	})
}
