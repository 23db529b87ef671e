package receiver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzPush feeds push bodies to the handler: every answer is 202 (and
// applied exactly then) or an RFC 8935 error, never a panic or a 500.
func FuzzPush(f *testing.F) {
	fx := newFixture(f, nil)
	f.Add([]byte(sign(f, fx.idp, event("seed-1"))))
	f.Add([]byte(signRaw(f, fx.idpKey, "idp-1", "secevent+jwt", baseClaims("seed-2"))))
	f.Add([]byte(unsigned(baseClaims("seed-3"))))
	f.Add([]byte("a.b.c"))
	f.Add([]byte{})
	h := fx.recv.PushHandler()
	f.Fuzz(func(t *testing.T, body []byte) {
		before := fx.applier.count()
		req := httptest.NewRequest(http.MethodPost, "/ssf/push", bytes.NewReader(body))
		req.Header.Set("Content-Type", setType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		applied := fx.applier.count() - before
		switch w.Code {
		case http.StatusAccepted:
			if applied != 1 {
				t.Fatalf("202 but applied %d", applied)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
			var e setError
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Err == "" {
				t.Fatalf("error body %q", w.Body.String())
			}
			if applied != 0 {
				t.Fatal("refused SET was applied")
			}
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	})
}
