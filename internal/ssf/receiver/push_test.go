package receiver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

func TestPushApplied(t *testing.T) {
	f := newFixture(t, nil)
	got := push(t, f.srv.URL, setType, "", sign(t, f.idp, event("j1")))
	if got.status != http.StatusAccepted || got.body != "" {
		t.Fatalf("push = %+v", got)
	}
	if f.applier.count() != 1 {
		t.Fatalf("applier called %d times", f.applier.count())
	}
	a := f.applier.last()
	if a.from != "Okta" || a.set.ID != "j1" || len(a.effects) != 1 || a.effects[0].Action != ActionRevokeSessions ||
		a.effects[0].Subject.Key() != "email:alice@example.com" {
		t.Fatalf("applied %+v", a)
	}
}

func TestPushRefused(t *testing.T) {
	f := newFixture(t, nil)
	other := newKey(t)
	otherSigner, err := set.NewSigner(other, "idp-1", jose.ES256)
	if err != nil {
		t.Fatal(err)
	}
	wrongAud := event("j")
	wrongAud.Audience = []string{"https://someone-else"}
	wrongIss := event("j")
	wrongIss.Issuer = "https://unknown.example"
	twoEvents := baseClaims("j")
	twoEvents["events"] = map[string]any{set.CAEPSessionRevoked: map[string]any{}, set.RISCAccountPurged: map[string]any{}}
	withExp := baseClaims("j")
	withExp["exp"] = testNow.Unix() + 300
	noSubject := baseClaims("j")
	delete(noSubject, "sub_id")
	badPayload := baseClaims("j")
	badPayload["events"] = map[string]any{set.CAEPRiskLevelChange: map[string]any{"current_level": "SEVERE"}}

	tests := []struct {
		name, contentType, body, code string
		status                        int
	}{
		{"unsigned alg none", setType, unsigned(baseClaims("j")), set.CodeInvalidRequest, 400},
		{"wrong key", setType, sign(t, otherSigner, event("j")), set.CodeInvalidKey, 400},
		{"unknown issuer", setType, sign(t, f.idp, wrongIss), set.CodeInvalidIssuer, 400},
		{"issuer of another transmitter", setType, signRaw(t, f.idpKey, "idp-1", set.TokenType, withIss(baseClaims("j"), edrIssuer)), set.CodeAuthenticationFailed, 401},
		{"wrong audience", setType, sign(t, f.idp, wrongAud), set.CodeInvalidAudience, 400},
		{"bad typ", setType, signRaw(t, f.idpKey, "idp-1", "JWT", baseClaims("j")), set.CodeInvalidRequest, 400},
		{"no typ", setType, signRaw(t, f.idpKey, "idp-1", "", baseClaims("j")), set.CodeInvalidRequest, 400},
		{"two events", setType, signRaw(t, f.idpKey, "idp-1", set.TokenType, twoEvents), set.CodeInvalidRequest, 400},
		{"exp present", setType, signRaw(t, f.idpKey, "idp-1", set.TokenType, withExp), set.CodeInvalidRequest, 400},
		{"no subject", setType, signRaw(t, f.idpKey, "idp-1", set.TokenType, noSubject), set.CodeInvalidRequest, 400},
		{"payload against its definition", setType, signRaw(t, f.idpKey, "idp-1", set.TokenType, badPayload), set.CodeInvalidRequest, 400},
		{"wrong content type", "application/json", sign(t, f.idp, event("j")), set.CodeInvalidRequest, 400},
		{"no content type", "", sign(t, f.idp, event("j")), set.CodeInvalidRequest, 400},
		{"not a JWT", setType, "hello", set.CodeInvalidRequest, 400},
		{"too large", setType, strings.Repeat("a", MaxPushBody+1), set.CodeInvalidRequest, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := push(t, f.srv.URL, tc.contentType, "", tc.body)
			if got.status != tc.status || got.err != tc.code {
				t.Fatalf("push = %+v, want %d %s", got, tc.status, tc.code)
			}
		})
	}
	if n := f.applier.count(); n != 0 {
		t.Fatalf("applier called %d times for refused SETs", n)
	}
}

func withIss(c map[string]any, iss string) map[string]any {
	c["iss"] = iss
	return c
}

func unsigned(c map[string]any) string {
	h := `{"alg":"none","typ":"secevent+jwt"}`
	return b64(h) + "." + b64(mustJSON(c)) + "."
}

func TestPushReplay(t *testing.T) {
	f := newFixture(t, nil)
	raw := sign(t, f.idp, event("j-replay"))
	if got := push(t, f.srv.URL, setType, "", raw); got.status != http.StatusAccepted {
		t.Fatalf("first push = %+v", got)
	}
	got := push(t, f.srv.URL, setType, "", raw)
	if got.status != 400 || got.err != set.CodeInvalidRequest || !strings.Contains(got.body, "duplicate jti") {
		t.Fatalf("replay = %+v", got)
	}
	if f.applier.count() != 1 {
		t.Fatalf("applier called %d times", f.applier.count())
	}
}

func TestPushToken(t *testing.T) {
	f := newFixture(t, nil)
	st := event("e1")
	st.Issuer = edrIssuer
	raw := sign(t, f.edr, st)
	for _, tc := range []struct {
		token  string
		status int
	}{{"", 401}, {"wrong", 401}, {"push-secret-and-more", 401}, {"push-secret", 202}} {
		got := push(t, f.srv.URL, setType, tc.token, raw)
		if got.status != tc.status {
			t.Fatalf("token %q: %+v", tc.token, got)
		}
		if tc.status == 401 && got.err != set.CodeAuthenticationFailed {
			t.Fatalf("token %q: err %q", tc.token, got.err)
		}
	}
	if f.applier.count() != 1 {
		t.Fatalf("applier called %d times", f.applier.count())
	}
}

func TestPushApplierFailureAllowsRetry(t *testing.T) {
	for _, releasing := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "releaser"}[releasing], func(t *testing.T) {
			ledger := newMemLedger()
			f := newFixture(t, func(o *Options) {
				o.Ledger = ledger
				if releasing {
					o.Ledger = releasingLedger{ledger}
				}
			})
			f.applier.fail = 1
			raw := sign(t, f.idp, event("j-retry"))
			got := push(t, f.srv.URL, setType, "", raw)
			if got.status != http.StatusInternalServerError || strings.Contains(got.body, "store down") {
				t.Fatalf("failed apply = %+v", got)
			}
			if got := push(t, f.srv.URL, setType, "", raw); got.status != http.StatusAccepted {
				t.Fatalf("retry = %+v", got)
			}
			if got := push(t, f.srv.URL, setType, "", raw); got.status != 400 || got.err != set.CodeInvalidRequest {
				t.Fatalf("replay after success = %+v", got)
			}
			if f.applier.count() != 1 {
				t.Fatalf("applied %d times", f.applier.count())
			}
		})
	}
}

func TestPushConcurrentDuplicate(t *testing.T) {
	f := newFixture(t, nil)
	f.applier.block, f.applier.entered = make(chan struct{}), make(chan struct{}, 1)
	raw := sign(t, f.idp, event("j-conc"))
	var wg sync.WaitGroup
	var first pushResult
	wg.Go(func() { first = push(t, f.srv.URL, setType, "", raw) })
	select {
	case <-f.applier.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("first delivery never reached the applier")
	}
	// The same SET while the first is being applied: try again later.
	if got := push(t, f.srv.URL, setType, "", raw); got.status != http.StatusInternalServerError {
		t.Fatalf("concurrent duplicate = %+v", got)
	}
	close(f.applier.block)
	wg.Wait()
	if first.status != http.StatusAccepted || f.applier.count() != 1 {
		t.Fatalf("first = %+v, applied %d", first, f.applier.count())
	}
}

func TestPushMethod(t *testing.T) {
	f := newFixture(t, nil)
	resp, err := http.Get(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET = %d", resp.StatusCode)
	}
}

func TestPushVerificationRecorded(t *testing.T) {
	f := newFixture(t, nil)
	st := event("v1")
	st.Event, st.Subject, st.Payload = set.SSFVerification, &set.Subject{Format: set.FormatOpaque, ID: "stream-1"}, []byte(`{"state":"abc"}`)
	if got := push(t, f.srv.URL, setType, "", sign(t, f.idp, st)); got.status != http.StatusAccepted {
		t.Fatalf("push = %+v", got)
	}
	if at, ok := f.recv.LastVerification("Okta"); !ok || !at.Equal(testNow) {
		t.Fatalf("LastVerification = %v %v", at, ok)
	}
	if _, ok := f.recv.LastVerification("EDR"); ok {
		t.Fatal("EDR verified without an event")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	k := keySet(newKey(t), "k")
	good := Transmitter{Name: "a", Issuer: "https://a", Audience: "x", Keys: k}
	for name, mod := range map[string]func(*Options){
		"no ledger":   func(o *Options) { o.Ledger = nil },
		"no applier":  func(o *Options) { o.Applier = nil },
		"no name":     func(o *Options) { o.Transmitters[0].Name = "" },
		"no keys":     func(o *Options) { o.Transmitters[0].Keys = nil },
		"no audience": func(o *Options) { o.Transmitters[0].Audience = "" },
		"same issuer": func(o *Options) {
			o.Transmitters = append(o.Transmitters, Transmitter{Name: "b", Issuer: "https://a", Audience: "x", Keys: k})
		},
		"same name": func(o *Options) {
			o.Transmitters = append(o.Transmitters, Transmitter{Name: "a", Issuer: "https://b", Audience: "x", Keys: k})
		},
		"http poll URL": func(o *Options) { o.Transmitters[0].PollURL = "http://poll.example.com/" },
		"relative poll": func(o *Options) { o.Transmitters[0].PollURL = "/poll" },
	} {
		o := Options{Transmitters: []Transmitter{good}, Ledger: newMemLedger(), Applier: &recApplier{}}
		mod(&o)
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted", name)
		}
	}
	if _, err := New(Options{Transmitters: []Transmitter{good}, Ledger: newMemLedger(), Applier: &recApplier{}}); err != nil {
		t.Fatal(err)
	}
}

// TestPushRemoteKeysRotation: the transmitter publishes a new key; the
// first SET signed with it makes the receiver refetch the JWKS.
func TestPushRemoteKeysRotation(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	var mu sync.Mutex
	keys := []jose.JSONWebKey{{Key: k1.Public(), KeyID: "r1", Use: "sig"}}
	fetches := 0
	jwksSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fetches++
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: keys})
	}))
	defer jwksSrv.Close()
	now := testNow
	f := newFixture(t, func(o *Options) {
		o.Transmitters[0].Keys = set.RemoteKeys(jwksSrv.URL, jwksSrv.Client(), func() time.Time { return now }, time.Minute)
	})
	s1, _ := set.NewSigner(k1, "r1", jose.ES256)
	s2, _ := set.NewSigner(k2, "r2", jose.ES256)
	if got := push(t, f.srv.URL, setType, "", sign(t, s1, event("r-1"))); got.status != http.StatusAccepted {
		t.Fatalf("r1: %+v", got)
	}
	mu.Lock()
	keys = append(keys, jose.JSONWebKey{Key: k2.Public(), KeyID: "r2", Use: "sig"})
	mu.Unlock()
	now = now.Add(2 * time.Minute) // past the refresh limit; the fixture's clock stays put for iat checks
	if got := push(t, f.srv.URL, setType, "", sign(t, s2, event("r-2"))); got.status != http.StatusAccepted {
		t.Fatalf("r2 after rotation: %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if fetches != 2 {
		t.Fatalf("fetches = %d, want 2", fetches)
	}
}
