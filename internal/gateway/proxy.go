package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/store"
)

// The proxying half of the gateway: one ReverseProxy per route, the
// outbound header rules, and the response writer that remembers status.

func (g *Gateway) newProxy(rt *Route) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Transport: g.o.Transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			// ServeHTTP stripped every client identity header from the
			// inbound request, so the outbound copy holds only what the
			// gateway set: drop the private client-address header, and put
			// the assertion back in case a Connection header listed it
			// (ReverseProxy drops hop-by-hop headers before Rewrite).
			delete(pr.Out.Header, clientIPHeader)
			if v := pr.In.Header[g.assertH]; len(v) == 1 {
				pr.Out.Header[g.assertH] = v
			}
			stripCookies(pr.Out.Header, g.o.IsOurCookie)
			pr.SetURL(rt.Upstream)
			// X-Forwarded-For carries only the address the gateway believes
			// (ServeHTTP put it on the inbound request under a private name,
			// see ClientIP), never a chain the client wrote; other
			// client-settable address headers are dropped.
			h := pr.Out.Header
			delete(h, "Forwarded")
			delete(h, "True-Client-Ip")
			if v := pr.In.Header[clientIPHeader]; len(v) == 1 {
				h["X-Forwarded-For"], h["X-Real-Ip"] = v, v
			} else {
				delete(h, "X-Forwarded-For")
				delete(h, "X-Real-Ip")
			}
			h["X-Forwarded-Host"] = []string{pr.In.Host}
			if pr.In.TLS != nil {
				h["X-Forwarded-Proto"] = protoHTTPS
			} else {
				h["X-Forwarded-Proto"] = protoHTTP
			}
			if rt.PreserveHost {
				pr.Out.Host = pr.In.Host
			}
		},
		BufferPool: copyBuffers,
		ModifyResponse: func(resp *http.Response) error {
			dropOurSetCookies(resp.Header, g.o.IsOurCookie)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				return // the client went away; nothing to tell it
			}
			g.errs.Write(w, r, httperr.New(http.StatusBadGateway, "upstream-unavailable",
				"The application did not answer. Try again in a moment.", err))
		},
	}
}

// clientIPHeader carries the client address from ServeHTTP to Rewrite on
// the inbound request; it is an X-Vigil-* name, so it never leaves.
const clientIPHeader = "X-Vigil-Client-Ip"

var (
	protoHTTP  = []string{"http"}
	protoHTTPS = []string{"https"}
)

// copyBuffers recycles the proxy's 32 KiB copy buffers, which
// ReverseProxy would otherwise allocate for every response.
var copyBuffers = &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte  { return *b.p.Get().(*[]byte) }
func (b *bufferPool) Put(x []byte) { b.p.Put(&x) }

func (g *Gateway) proxy(w http.ResponseWriter, r *http.Request, rt *Route, s *store.Session, d *policy.Decision, now time.Time, in policy.Input) {
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	rt.proxy.ServeHTTP(sw, r)
	if rt.observer != nil {
		rt.observer.Observe(g.o.Clock().Sub(now).Seconds())
	}
	g.decided(r, rt, s, d, sw.status, now, in)
}

// statusWriter remembers the status for metrics and audit; Unwrap keeps
// flushing and hijacking (streams, WebSockets) working through it.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote && code >= 200 {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
