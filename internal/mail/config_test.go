package mail

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		want     []string // substrings of the error; nil means valid
		wantPort int
	}{
		{"starttls default", Config{Host: "smtp.corp.example", From: "v@corp.example"}, nil, 587},
		{"implicit tls", Config{Host: "smtp.corp.example", From: "Vigil <v@corp.example>", TLS: "tls"}, nil, 465},
		{"none on loopback IP", Config{Host: "127.0.0.1", From: "v@corp.example", TLS: "none"}, nil, 25},
		{"none on localhost", Config{Host: "localhost", Port: 1025, From: "v@corp.example", TLS: "none"}, nil, 1025},
		{"none on ::1", Config{Host: "::1", From: "v@corp.example", TLS: "none"}, nil, 25},
		{"none on a remote host", Config{Host: "smtp.corp.example", From: "v@corp.example", TLS: "none"},
			[]string{`tls "none" is only allowed for a loopback host`, "smtp.corp.example"}, 0},
		{"none on a private address", Config{Host: "10.0.0.5", From: "v@corp.example", TLS: "none"},
			[]string{"only allowed for a loopback host"}, 0},
		{"none on a name resolving to loopback", Config{Host: "localhost.corp.example", From: "v@corp.example", TLS: "none"},
			[]string{"only allowed for a loopback host"}, 0},
		{"everything wrong", Config{Host: "a b", Port: 70000, Username: "u", From: "not an address", TLS: "ssl", Timeout: -1},
			[]string{"not a host name", "port 70000", "username and password", "from", `tls "ssl"`, "timeout"}, 0},
		{"missing host and from", Config{}, []string{"host is required", "from is required"}, 0},
		{"password without user", Config{Host: "h.example", From: "v@corp.example", Password: "s3cret"},
			[]string{"username and password"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.cfg, time.Now, slog.New(slog.DiscardHandler))
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if s.cfg.Port != tc.wantPort || s.cfg.Timeout != DefaultTimeout {
					t.Fatalf("port %d timeout %v; want %d, %v", s.cfg.Port, s.cfg.Timeout, tc.wantPort, DefaultTimeout)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid config accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.cfg.Password != "" && strings.Contains(err.Error(), tc.cfg.Password) {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true, "[::1]": true,
		"10.0.0.1": false, "0.0.0.0": false, "::": false, "smtp.example.com": false, "localhost.example.com": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v; want %v", host, got, want)
		}
	}
}

func TestConfigLogValueHidesPassword(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("config", "smtp", Config{Host: "h.example", Username: "u", Password: "hunter2-secret"})
	if strings.Contains(buf.String(), "hunter2-secret") || !strings.Contains(buf.String(), `"password_set":true`) {
		t.Fatalf("logged config: %s", buf.String())
	}
}
