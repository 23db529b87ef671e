package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// IDV configures Vigil's own identity-verification OpenID Provider (the
// verifier). It is served by `vigil serve` under the issuer's path on the
// gateway's own listener when the issuer is on the public URL's origin,
// or alone by `vigil verifier`. Apps use it like any verification
// provider: name it in `verifiers:` with this issuer.
type IDV struct {
	// Issuer is the verifier's issuer URL, e.g. https://vigil.example.com/idv.
	Issuer string `yaml:"issuer"`
	// Listen is the address `vigil verifier` serves on. Default ":8090".
	Listen string `yaml:"listen"`
	// Organization names the verifier in check_details. Default "Vigil".
	Organization string `yaml:"organization"`
	// Clients are the relying parties (usually the gateway itself).
	Clients []IDVClient `yaml:"clients"`
	// Mail sends work-email codes. Required unless DevMailbox.
	Mail Mail `yaml:"mail"`
	// DevMailbox writes code mails to the log instead of sending them.
	// For `vigil quickstart` and local trials only: anyone reading the log
	// can complete the email step.
	DevMailbox bool `yaml:"dev_mailbox"`
	// AllowedEmailDomains restricts the work email step to these domains.
	AllowedEmailDomains []string `yaml:"allowed_email_domains"`
	// SigningAlgorithm signs ID tokens: RS256 (default) or ES256. Keys are
	// kept in the store and rotate every 30 days.
	SigningAlgorithm string `yaml:"signing_algorithm"`
	// EvidenceRetention is how long document and selfie images are kept.
	// Default 720h (30 days).
	EvidenceRetention Duration `yaml:"evidence_retention"`
	// VerificationLifetime bounds an unfinished verification. Default 24h.
	VerificationLifetime Duration `yaml:"verification_lifetime"`
	// GatewayURL is the public URL of the gateway whose Vigil assertions
	// the verifier trusts as login_hint (verifiers[].login_hint:
	// assertion), binding the verified person to the signed-in account.
	// For `vigil verifier`; the verifier embedded in `vigil serve` trusts
	// its own server.public_url. Empty: only email hints are accepted.
	GatewayURL string `yaml:"gateway_url"`
	// Review serves the reviewers' queue on a private address, to be put
	// behind the gateway as an app.
	Review IDVReview `yaml:"review"`
	// Trust lists the CSCA trust files or directories (certificates, ICAO
	// master lists, CRLs; `vigil trust import` maintains such a
	// directory). With at least one, the chip rung urn:vigil:idv:chip is
	// offered; a file that fails verification stops the start.
	Trust []string `yaml:"trust"`
	// FaceMatch compares the selfie with the ID portrait and reports the
	// distance to the reviewer (docs/face-match.md).
	FaceMatch IDVFaceMatch `yaml:"face_match"`
	// ReviewAll sends every verification to a reviewer. By default the
	// verifier decides chip-rung verifications itself when the chip (with
	// active authentication), liveness and the face match against the chip
	// portrait all pass with margin, and rejects a live face that clearly
	// is not the chip's holder; everything else goes to review.
	ReviewAll bool `yaml:"review_all"`
}

// IDVFaceMatch tunes the automated face comparison.
type IDVFaceMatch struct {
	// Disabled turns the comparison off: reviewers compare alone.
	Disabled bool `yaml:"disabled"`
	// Threshold is the descriptor distance at or below which two faces
	// are the same person. Default 0.6.
	Threshold float64 `yaml:"threshold"`
	// Margin is the half-width of the borderline band around the
	// threshold. Default 0.05.
	Margin float64 `yaml:"margin"`
}

// IDVClient is a relying party registered at the verifier.
type IDVClient struct {
	// ClientID is the client's identifier at the verifier. Required.
	ClientID string `yaml:"client_id"`
	// ClientSecret authenticates the client at the token endpoint. Required.
	ClientSecret Secret `yaml:"client_secret"`
	// RedirectURIs are the exact callback URLs the client may use
	// (a gateway's is its public URL + "/.vigil/callback").
	RedirectURIs []string `yaml:"redirect_uris"`
	// PostLogoutRedirectURIs are where the client may send users after
	// logout. Optional.
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris"`
}

// IDVReview places the review queue.
type IDVReview struct {
	// Listen is a private address for the review UI, e.g. 127.0.0.1:8091;
	// route an app to it. Empty: no review UI.
	Listen string `yaml:"listen"`
	// App is the gateway app that fronts the UI (its name is the audience
	// of the assertions the UI accepts).
	App string `yaml:"app"`
	// Groups may review. Required with Listen.
	Groups []string `yaml:"groups"`
}

// Mail is an SMTP relay.
type Mail struct {
	// Host is the SMTP server's name. Required.
	Host string `yaml:"host"`
	// Port of the SMTP server. Default 587.
	Port int `yaml:"port"`
	// Username for SMTP authentication; empty means none.
	Username string `yaml:"username"`
	// Password for SMTP authentication, with Username.
	Password Secret `yaml:"password"`
	// From is the sender address of the code emails. Required.
	From string `yaml:"from"`
	// TLS is starttls (default), tls, or none (loopback hosts only).
	TLS string `yaml:"tls"`
}

func (c *Config) idvDefaults() {
	v := c.IDV
	if v == nil {
		return
	}
	v.Issuer = strings.TrimRight(v.Issuer, "/")
	v.GatewayURL = strings.TrimRight(v.GatewayURL, "/")
	if v.Listen == "" {
		v.Listen = ":8090"
	}
	if v.Organization == "" {
		v.Organization = "Vigil"
	}
	if v.EvidenceRetention == 0 {
		v.EvidenceRetention = Duration(30 * 24 * time.Hour)
	}
	if v.VerificationLifetime == 0 {
		v.VerificationLifetime = Duration(24 * time.Hour)
	}
	if v.Mail.TLS == "" {
		v.Mail.TLS = "starttls"
	}
	if v.Mail.Port == 0 {
		v.Mail.Port = 587
	}
}

// validateIDV checks the idv section; apps, when not nil, are the apps the
// review UI's app must be among.
func (c *Config) validateIDV(p *problems, apps map[string]bool) {
	v := c.IDV
	if v == nil {
		return
	}
	if err := checkIssuer(v.Issuer); err != nil {
		p.add("idv.issuer", "%v", err)
	}
	if v.GatewayURL != "" {
		if err := checkIssuer(v.GatewayURL); err != nil {
			p.add("idv.gateway_url", "%v", err)
		} else if u, _ := url.Parse(v.GatewayURL); u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			p.add("idv.gateway_url", "want the gateway's public URL (scheme and host only), got %q", v.GatewayURL)
		}
	}
	if _, _, err := net.SplitHostPort(v.Listen); err != nil {
		p.add("idv.listen", "want host:port, got %q", v.Listen)
	}
	switch v.SigningAlgorithm {
	case "", "RS256", "ES256":
	default:
		p.add("idv.signing_algorithm", "want RS256 or ES256, got %q", v.SigningAlgorithm)
	}
	if len(v.Clients) == 0 {
		p.add("idv.clients", "register at least one relying party (the gateway: redirect URI <public_url>/.vigil/callback)")
	}
	for i, cl := range v.Clients {
		path := fmt.Sprintf("idv.clients[%d]", i)
		if cl.ClientID == "" {
			p.add(path+".client_id", "required")
		}
		if !cl.ClientSecret.IsZero() {
			if _, err := cl.ClientSecret.Resolve(); err != nil {
				p.add(path+".client_secret", "%v", err)
			}
		}
		if len(cl.RedirectURIs) == 0 {
			p.add(path+".redirect_uris", "required")
		}
		for j, u := range cl.RedirectURIs {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && !(pu.Scheme == "http" && isLoopback(pu.Hostname()))) || pu.Fragment != "" {
				p.add(fmt.Sprintf("%s.redirect_uris[%d]", path, j), "want an https URL (http only for localhost) without fragment, got %q", u)
			}
		}
	}
	if !v.DevMailbox {
		m := v.Mail
		if m.Host == "" {
			p.add("idv.mail.host", "required: an SMTP relay for work-email codes (or dev_mailbox: true for local trials)")
		}
		if _, err := mail.ParseAddress(m.From); err != nil {
			p.add("idv.mail.from", "want a sender address, got %q", m.From)
		}
		switch m.TLS {
		case "starttls", "tls":
		case "none":
			if !isLoopback(m.Host) {
				p.add("idv.mail.tls", "none is allowed only for a loopback relay")
			}
		default:
			p.add("idv.mail.tls", "want starttls, tls or none, got %q", m.TLS)
		}
		if !m.Password.IsZero() {
			if _, err := m.Password.Resolve(); err != nil {
				p.add("idv.mail.password", "%v", err)
			}
		}
	}
	for i, d := range v.AllowedEmailDomains {
		if !hostRE.MatchString(strings.ToLower(d)) || !strings.Contains(d, ".") {
			p.add(fmt.Sprintf("idv.allowed_email_domains[%d]", i), "%q is not a domain", d)
		}
	}
	if fm := v.FaceMatch; fm.Threshold < 0 || fm.Threshold >= 2 || fm.Margin < 0 ||
		(fm.Threshold > 0 && fm.Margin >= fm.Threshold) {
		p.add("idv.face_match", "want 0 < threshold < 2 and 0 <= margin < threshold, got %v and %v", fm.Threshold, fm.Margin)
	}
	for i, t := range v.Trust {
		if strings.TrimSpace(t) == "" {
			p.add(fmt.Sprintf("idv.trust[%d]", i), "empty path")
		}
	}
	if v.EvidenceRetention.D() < time.Hour {
		p.add("idv.evidence_retention", "must be at least 1h")
	}
	if v.VerificationLifetime.D() < 10*time.Minute {
		p.add("idv.verification_lifetime", "must be at least 10m")
	}
	// The gateway serves an issuer on its own origin under the issuer's
	// path; no app may be routed there.
	if iu, err := url.Parse(v.Issuer); err == nil && iu.Path != "" {
		if pu, err := url.Parse(c.Server.PublicURL); err == nil && strings.EqualFold(iu.Host, pu.Host) {
			for i, a := range c.Apps {
				if (a.Host == "" || a.Host == strings.ToLower(pu.Hostname())) && (a.PathPrefix == iu.Path || strings.HasPrefix(a.PathPrefix, iu.Path+"/")) {
					p.add(fmt.Sprintf("apps[%d].path_prefix", i), "%q is where the gateway serves idv.issuer", a.PathPrefix)
				}
			}
		}
	}
	if r := v.Review; r.Listen != "" {
		if _, _, err := net.SplitHostPort(r.Listen); err != nil {
			p.add("idv.review.listen", "want host:port, got %q", r.Listen)
		}
		if len(r.Groups) == 0 {
			p.add("idv.review.groups", "required: the groups whose members may review")
		}
		if r.App == "" {
			p.add("idv.review.app", "required: the gateway app in front of the review UI (assertions are minted for it)")
		} else if apps != nil && !apps[r.App] {
			p.add("idv.review.app", "%q is not an app: add an app whose upstream is http://%s", r.App, r.Listen)
		}
	}
}
