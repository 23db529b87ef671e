package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const testFaces = "../../../shared/testdata/faces/"

func TestFaceCompare(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantErr  error
		usage    bool
		decision string
	}{
		{"same person", []string{"compare", testFaces + "amy/amy1.png", testFaces + "amy/amy3.png"}, nil, false, "match"},
		{"different people", []string{"compare", testFaces + "amy/amy1.png", testFaces + "penny/penny2.png"}, errReported, false, "no-match"},
		{"json", []string{"compare", "--output", "json", testFaces + "howard/howard1.png", testFaces + "howard/howard2.png"}, nil, false, "match"},
		{"several faces", []string{"compare", testFaces + "amy/amy1.png", testFaces + "group_bbt4.jpg"}, nil, true, ""},
		{"not an image", []string{"compare", testFaces + "amy/amy1.png", "face.go"}, nil, true, ""},
		{"one image", []string{"compare", testFaces + "amy/amy1.png"}, nil, true, ""},
		{"bad threshold", []string{"compare", "--threshold", "3", testFaces + "amy/amy1.png", testFaces + "amy/amy2.png"}, nil, true, ""},
		{"no subcommand", nil, nil, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := cmdFace(tc.args, &out, &errOut)
			var ue usageError
			switch {
			case tc.usage:
				if !errors.As(err, &ue) {
					t.Fatalf("err %v, want a usage error (exit 2)", err)
				}
				return
			case !errors.Is(err, tc.wantErr) && err != tc.wantErr:
				t.Fatalf("err %v, want %v\n%s", err, tc.wantErr, out.String())
			}
			if strings.Contains(strings.Join(tc.args, " "), "json") {
				var rep struct {
					Result struct {
						Distance float64
						Decision string
					}
				}
				if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Result.Decision != tc.decision || rep.Result.Distance <= 0 {
					t.Fatalf("json %v: %s", err, out.String())
				}
				return
			}
			if !strings.Contains(out.String(), "decision: "+tc.decision+"\n") {
				t.Fatalf("output:\n%s", out.String())
			}
		})
	}
}
