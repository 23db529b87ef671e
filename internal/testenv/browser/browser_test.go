package browser

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTabsAreSeparate checks what the console's browser tests rely on:
// two tabs keep apart cookies, Load reports the final document's status
// after a redirect and a form post, and screenshots land in the artefacts.
func TestTabsAreSeparate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "who", Value: r.FormValue("name"), Path: "/"})
			http.Redirect(w, r, "/me", http.StatusSeeOther)
		case "/me":
			c, err := r.Cookie("who")
			if err != nil {
				http.Error(w, "nobody", http.StatusUnauthorized)
				return
			}
			fmt.Fprintf(w, `<!doctype html><h1>%s</h1>`, c.Value)
		default:
			fmt.Fprint(w, `<!doctype html><form method="post" action="/login"><input id="name" name="name"><button>Go</button></form>`)
		}
	}))
	defer srv.Close()

	b := Start(t, 30*time.Second)
	alice, bob := b.Tab("alice"), b.Tab("bob")
	alice.Load("open the form", chromedp.Navigate(srv.URL+"/"))
	alice.Do("type a name", chromedp.SendKeys(chromedp.CSS("#name"), "alice"))
	resp := alice.Load("submit", chromedp.Click(chromedp.CSS("button")))
	if resp.Status != http.StatusOK || resp.URL != srv.URL+"/me" || alice.Text() != "alice" {
		t.Fatalf("alice after the form: HTTP %d at %s, text %q", resp.Status, resp.URL, alice.Text())
	}
	alice.Screenshot("signed in")

	resp = bob.Load("open /me", chromedp.Navigate(srv.URL+"/me"))
	if resp.Status != http.StatusUnauthorized {
		t.Fatalf("bob sees alice's cookie: HTTP %d, text %q", resp.Status, bob.Text())
	}

	shots, err := filepath.Glob(filepath.Join(b.shots, "01-alice-signed_in.png"))
	if err != nil || len(shots) != 1 {
		t.Fatalf("screenshot not in %s: %v %v", b.shots, shots, err)
	}
	if fi, err := os.Stat(shots[0]); err != nil || fi.Size() < 1000 {
		t.Fatalf("screenshot %s: %v", shots[0], err)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"TestX":           "TestX",
		"TestX/sub case":  "TestX_sub_case",
		"TestX/../../etc": "TestX_.._.._etc",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
