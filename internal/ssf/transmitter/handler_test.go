package transmitter

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

func TestDiscovery(t *testing.T) {
	for _, tc := range []struct {
		name, issuerPath, base, wellKnown string
	}{
		{"root issuer", "", "", "/.well-known/ssf-configuration"},
		{"issuer with a path", "/tenant1", "", "/.well-known/ssf-configuration/tenant1"},
		{"custom base path", "", "/ssf", "/.well-known/ssf-configuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.Issuer += tc.issuerPath; o.BasePath = tc.base })
			var doc map[string]any
			e.mustCall(http.StatusOK, "GET", tc.wellKnown, "", nil, &doc)
			iss := e.srv.URL + tc.issuerPath
			base := iss + "/.vigil/ssf"
			if tc.base != "" {
				base = iss + tc.base
			}
			want := map[string]any{
				"spec_version": "1_0", "issuer": iss, "jwks_uri": base + "/jwks.json",
				"delivery_methods_supported": []any{MethodPush, MethodPoll},
				"configuration_endpoint":     base + "/stream", "status_endpoint": base + "/status",
				"add_subject_endpoint": base + "/subjects:add", "remove_subject_endpoint": base + "/subjects:remove",
				"verification_endpoint": base + "/verify",
				"authorization_schemes": []any{map[string]any{"spec_urn": "urn:ietf:rfc:6750"}},
				"default_subjects":      "NONE",
			}
			if !jsonEqual(doc, want) {
				t.Fatalf("discovery:\n got  %v\n want %v", doc, want)
			}
			// Every advertised endpoint is served where it is advertised.
			for _, k := range []string{"jwks_uri", "configuration_endpoint", "status_endpoint"} {
				path := strings.TrimPrefix(doc[k].(string), e.srv.URL)
				if st, b := e.call("GET", path, tokenA, nil); st == http.StatusNotFound && !strings.Contains(string(b), "stream_id") {
					t.Errorf("%s (%s) not served: %d %s", k, path, st, b)
				}
			}
		})
	}
}

// jsonEqual compares the JSON forms of a and b, member order aside.
func jsonEqual(a, b any) bool {
	norm := func(v any) string {
		j, _ := json.Marshal(v)
		var x any
		_ = json.Unmarshal(j, &x)
		j, _ = json.Marshal(x)
		return string(j)
	}
	return norm(a) == norm(b)
}

func TestStreamLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	const path = "/.vigil/ssf/stream"
	var list []streamView
	e.mustCall(http.StatusOK, "GET", path, tokenA, nil, &list)
	if len(list) != 0 {
		t.Fatalf("list before create = %+v", list)
	}

	v := e.createStream(tokenA, nil, set.CAEPSessionRevoked, "urn:example:unknown", set.CAEPRiskLevelChange)
	switch {
	case v.StreamID == "" || v.Iss != e.srv.URL || v.Aud != audA:
		t.Fatalf("created %+v", v)
	case v.Delivery.Method != MethodPoll || v.Delivery.EndpointURL != e.srv.URL+"/.vigil/ssf/poll/"+v.StreamID:
		t.Fatalf("default delivery = %+v, want poll at the transmitter", v.Delivery)
	case !slices.Equal(v.EventsDelivered, []string{set.CAEPSessionRevoked, set.CAEPRiskLevelChange}):
		t.Fatalf("events_delivered = %v", v.EventsDelivered)
	case !slices.Equal(v.EventsSupported, supportedEvents):
		t.Fatalf("events_supported = %v", v.EventsSupported)
	}
	e.mustCall(http.StatusConflict, "POST", path, tokenA, map[string]any{}, nil)

	var got streamView
	e.mustCall(http.StatusOK, "GET", path+"?stream_id="+v.StreamID, tokenA, nil, &got)
	if !jsonEqual(got, v) {
		t.Fatalf("read %+v, want %+v", got, v)
	}
	e.mustCall(http.StatusOK, "GET", path, tokenA, nil, &list)
	if len(list) != 1 || list[0].StreamID != v.StreamID {
		t.Fatalf("list = %+v", list)
	}

	// PATCH changes what it names and nothing else.
	e.mustCall(http.StatusOK, "PATCH", path, tokenA, map[string]any{
		"stream_id": v.StreamID, "description": "the HR portal", "iss": e.srv.URL,
		"events_delivered": v.EventsDelivered,
	}, &got)
	if got.Description != "the HR portal" || !slices.Equal(got.EventsRequested, v.EventsRequested) {
		t.Fatalf("patched %+v", got)
	}
	for _, bad := range []map[string]any{
		{"stream_id": v.StreamID, "iss": "https://someone.else"},
		{"stream_id": v.StreamID, "aud": []string{"other"}},
		{"stream_id": v.StreamID, "events_delivered": []string{set.CAEPSessionRevoked}},
		{"stream_id": v.StreamID, "min_verification_interval": 1},
		{"stream_id": v.StreamID, "delivery": map[string]any{"method": "urn:example:carrier-pigeon"}},
		{"description": "no stream_id"},
	} {
		e.mustCall(http.StatusBadRequest, "PATCH", path, tokenA, bad, nil)
	}
	e.mustCall(http.StatusBadRequest, "PATCH", path, tokenA, `{"stream_id":`, nil)

	// PUT deletes the receiver-supplied members it leaves out.
	got = streamView{}
	e.mustCall(http.StatusOK, "PUT", path, tokenA, map[string]any{
		"stream_id": v.StreamID, "events_requested": []string{set.CAEPSessionEstablished},
	}, &got)
	if got.Description != "" || !slices.Equal(got.EventsDelivered, []string{set.CAEPSessionEstablished}) {
		t.Fatalf("replaced %+v", got)
	}

	e.mustCall(http.StatusBadRequest, "DELETE", path, tokenA, nil, nil) // no stream_id
	e.mustCall(http.StatusNoContent, "DELETE", path+"?stream_id="+v.StreamID, tokenA, nil, nil)
	e.mustCall(http.StatusNotFound, "GET", path+"?stream_id="+v.StreamID, tokenA, nil, nil)
	e.mustCall(http.StatusNotFound, "DELETE", path+"?stream_id="+v.StreamID, tokenA, nil, nil)
	e.createStream(tokenA, nil) // and it can be made again

	st, b := e.call("GET", "/.vigil/ssf/nothing-here", tokenA, nil)
	if st != http.StatusNotFound || !strings.Contains(string(b), `"err":"not_found"`) {
		t.Fatalf("unknown endpoint: %d %s", st, b)
	}
}

func TestAuthorization(t *testing.T) {
	e := newEnv(t, nil)
	v := e.createStream(tokenA, nil, set.CAEPSessionRevoked)
	id := v.StreamID
	for _, tc := range []struct {
		name, method, path, auth string
		body                     any
		want                     int
	}{
		{"no token", "GET", "/.vigil/ssf/stream", "", nil, http.StatusUnauthorized},
		{"wrong token", "GET", "/.vigil/ssf/stream?stream_id=" + id, "Bearer " + tokenA + "x", nil, http.StatusUnauthorized},
		{"basic scheme", "GET", "/.vigil/ssf/stream", "Basic " + tokenA, nil, http.StatusUnauthorized},
		{"wrong token on poll", "POST", "/.vigil/ssf/poll/" + id, "Bearer nope", "{}", http.StatusUnauthorized},
		{"lowercase scheme", "GET", "/.vigil/ssf/stream?stream_id=" + id, "bearer " + tokenA, nil, http.StatusOK},
		{"other receiver reads", "GET", "/.vigil/ssf/stream?stream_id=" + id, "Bearer " + tokenB, nil, http.StatusNotFound},
		{"other receiver status", "GET", "/.vigil/ssf/status?stream_id=" + id, "Bearer " + tokenB, nil, http.StatusNotFound},
		{"other receiver patches", "PATCH", "/.vigil/ssf/stream", "Bearer " + tokenB, map[string]any{"stream_id": id, "description": "x"}, http.StatusNotFound},
		{"other receiver pauses", "POST", "/.vigil/ssf/status", "Bearer " + tokenB, map[string]any{"stream_id": id, "status": "paused"}, http.StatusNotFound},
		{"other receiver adds", "POST", "/.vigil/ssf/subjects:add", "Bearer " + tokenB, map[string]any{"stream_id": id, "subject": set.EmailSubject("x@example.com")}, http.StatusNotFound},
		{"other receiver verifies", "POST", "/.vigil/ssf/verify", "Bearer " + tokenB, map[string]any{"stream_id": id}, http.StatusNotFound},
		{"other receiver polls", "POST", "/.vigil/ssf/poll/" + id, "Bearer " + tokenB, "{}", http.StatusNotFound},
		{"other receiver deletes", "DELETE", "/.vigil/ssf/stream?stream_id=" + id, "Bearer " + tokenB, nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, bodyReader(t, tc.body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge")
			}
			if ct := resp.Header.Get("Content-Type"); tc.want >= 400 && ct != "application/json" {
				t.Errorf("error content type %q", ct)
			}
		})
	}
	var list []streamView
	e.mustCall(http.StatusOK, "GET", "/.vigil/ssf/stream", tokenB, nil, &list)
	if len(list) != 0 {
		t.Fatalf("app-b lists app-a's stream: %+v", list)
	}
	e.mustCall(http.StatusOK, "GET", "/.vigil/ssf/stream?stream_id="+id, tokenA, nil, nil) // untouched
}

func bodyReader(t *testing.T, body any) *strings.Reader {
	switch b := body.(type) {
	case nil:
		return strings.NewReader("")
	case string:
		return strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return strings.NewReader(string(j))
	}
}

func TestPushEndpointAllowlist(t *testing.T) {
	e := newEnv(t, nil)
	allowed := e.push.srv.URL // app-a may push under <allowed>/events
	host := strings.TrimPrefix(allowed, "http://")
	for _, tc := range []struct {
		name, token, url string
		want             int
	}{
		{"at the prefix", tokenA, allowed + "/events", http.StatusCreated},
		{"below the prefix", tokenA, allowed + "/events/a?x=1", http.StatusCreated},
		{"other host", tokenA, "http://127.0.0.2:9/events", http.StatusBadRequest},
		{"other scheme", tokenA, "https://" + host + "/events", http.StatusBadRequest},
		{"prefix not at a segment boundary", tokenA, allowed + "/events-admin", http.StatusBadRequest},
		{"dot segments", tokenA, allowed + "/events/../admin", http.StatusBadRequest},
		{"encoded dot segments", tokenA, allowed + "/events/%2e%2e/admin", http.StatusBadRequest},
		{"userinfo", tokenA, "http://x@" + host + "/events", http.StatusBadRequest},
		{"internal address", tokenA, "http://169.254.169.254/latest/meta-data", http.StatusBadRequest},
		{"relative", tokenA, "/events", http.StatusBadRequest},
		{"poll-only receiver", tokenB, allowed + "/events", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := e.call("POST", "/.vigil/ssf/stream", tc.token,
				map[string]any{"delivery": Delivery{Method: MethodPush, EndpointURL: tc.url}})
			if st != tc.want {
				t.Fatalf("create with %s = %d %s, want %d", tc.url, st, b, tc.want)
			}
			if st == http.StatusCreated {
				var v streamView
				_ = json.Unmarshal(b, &v)
				e.mustCall(http.StatusNoContent, "DELETE", "/.vigil/ssf/stream?stream_id="+v.StreamID, tc.token, nil, nil)
			}
		})
	}
	// A push stream cannot be moved outside the prefixes later either.
	v := e.createStream(tokenA, e.pushDelivery())
	e.mustCall(http.StatusBadRequest, "PATCH", "/.vigil/ssf/stream", tokenA, map[string]any{
		"stream_id": v.StreamID, "delivery": Delivery{Method: MethodPush, EndpointURL: "http://127.0.0.1:1/x"}}, nil)
}
