package transmitter

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var configCases = []struct {
	name, body string
	ok         bool
}{
	{"empty object", `{}`, true},
	{"full", `{"stream_id":"s","iss":"https://v","aud":["a"],"events_supported":[],"events_requested":["x"],
		"events_delivered":[],"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://a/e","authorization_header":"Bearer t"},
		"min_verification_interval":10,"description":"d"}`, true},
	{"aud as a string", `{"aud":"a"}`, true},
	{"poll", `{"delivery":{"method":"urn:ietf:rfc:8936"}}`, true},
	{"unknown members ignored", `{"format":"email","inactivity_timeout":5}`, true},
	{"not JSON", `{"stream_id":`, false},
	{"array", `[]`, false},
	{"trailing data", `{} {}`, false},
	{"aud a number", `{"aud":1}`, false},
	{"requested not strings", `{"events_requested":[1]}`, false},
	{"empty event URI", `{"events_requested":[""]}`, false},
	{"overlong event URI", `{"events_requested":["` + strings.Repeat("x", maxEventURI+1) + `"]}`, false},
	{"too many events", `{"events_requested":[` + strings.TrimSuffix(strings.Repeat(`"x",`, maxRequested+1), ",") + `]}`, false},
	{"unknown method", `{"delivery":{"method":"urn:ietf:rfc:1149"}}`, false},
	{"no method", `{"delivery":{"endpoint_url":"https://a/e"}}`, false},
	{"header injection", `{"delivery":{"method":"urn:ietf:rfc:8935","authorization_header":"Bearer a\r\nX-Evil: 1"}}`, false},
	{"overlong endpoint", `{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://a/` + strings.Repeat("e", maxEndpointURL) + `"}}`, false},
	{"too large", `{"description":"` + strings.Repeat("d", maxBody) + `"}`, false},
}

func TestDecodeConfig(t *testing.T) {
	for _, tc := range configCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := decodeConfig([]byte(tc.body))
			if (err == nil) != tc.ok {
				t.Fatalf("decodeConfig = %+v, %v; want ok=%v", c, err, tc.ok)
			}
		})
	}
	c, err := decodeConfig([]byte(`{"stream_id":"s","aud":"a","events_requested":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if *c.StreamID != "s" || !reflect.DeepEqual([]string(c.Aud), []string{"a"}) || c.EventsRequested == nil || c.Delivery != nil {
		t.Fatalf("decoded %+v", c)
	}
}

func TestApplyTruncatesDescription(t *testing.T) {
	tr := &Transmitter{}
	long := strings.Repeat("é", maxDescription+10)
	got, err := tr.apply(&configRequest{Description: &long}, storedConfig{}, &receiver{})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(got.Description); n != maxDescription || !utf8.ValidString(got.Description) {
		t.Fatalf("description of %d runes", n)
	}
}

func TestAllowedPush(t *testing.T) {
	prefix := func(s string) *url.URL { u, _ := url.Parse(s); return u }
	ps := []*url.URL{prefix("https://app.example.com/ssf/"), prefix("https://hooks.example.com")}
	for raw, want := range map[string]bool{
		"https://app.example.com/ssf":              true,
		"https://app.example.com/ssf/events":       true,
		"https://APP.example.com/ssf/events":       true,
		"https://app.example.com/ssfx":             false,
		"https://app.example.com/":                 false,
		"https://app.example.com/ssf/./x":          false,
		"https://app.example.com/ssf/%2e%2e/admin": false,
		"https://app.example.com:8443/ssf/events":  false,
		"http://app.example.com/ssf/events":        false,
		"https://hooks.example.com/anything":       true,
		"https://hooks.example.com.evil.com/x":     false,
		"https://u:p@hooks.example.com/x":          false,
		"https://hooks.example.com/x#frag":         false,
		"mailto:a@hooks.example.com":               false,
		"":                                         false,
	} {
		if got := allowedPush(raw, ps) == nil; got != want {
			t.Errorf("allowedPush(%q) = %v, want %v", raw, got, want)
		}
	}
	if allowedPush("https://app.example.com/ssf", nil) == nil {
		t.Error("a receiver without prefixes may push")
	}
}

// FuzzDecodeConfig feeds the stream configuration decoder arbitrary bodies:
// it must never panic, and what it accepts must survive apply (which checks
// values against the receiver) without panicking either, and encode back.
func FuzzDecodeConfig(f *testing.F) {
	for _, tc := range configCases {
		if len(tc.body) < 4096 {
			f.Add([]byte(tc.body))
		}
	}
	f.Add([]byte(`{"aud":null,"events_requested":null,"delivery":null}`))
	f.Add([]byte(`{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://app.example.com/ssf/../x"}}`))
	prefix, _ := url.Parse("https://app.example.com/ssf")
	rcv := &receiver{prefixes: []*url.URL{prefix}}
	tr := &Transmitter{issuer: "https://vigil.example.com", base: defaultBasePath}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := decodeConfig(body)
		if err != nil {
			return
		}
		want := tr.view("s", "a", storedConfig{})
		_ = matchSupplied(c, want)
		next, err := tr.apply(c, storedConfig{}, rcv)
		if err != nil {
			return
		}
		if next.Delivery.Method != MethodPoll && next.Delivery.Method != MethodPush {
			t.Fatalf("apply produced method %q", next.Delivery.Method)
		}
		if next.Delivery.Method == MethodPush && allowedPush(next.Delivery.EndpointURL, rcv.prefixes) != nil {
			t.Fatalf("apply let through push endpoint %q", next.Delivery.EndpointURL)
		}
		b, err := json.Marshal(next)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeStored(b)
		if err != nil || !reflect.DeepEqual(back, next) {
			t.Fatalf("stored config does not round-trip: %+v vs %+v (%v)", back, next, err)
		}
	})
}
