package capture

import (
	"embed"
	"io/fs"
)

//go:embed web/capture.js
var web embed.FS

// Assets is the browser module, capture.js, at the root of the returned
// file system; the verifier serves it from its own origin (for example with
// http.FileServerFS), since its CSP allows scripts from 'self' only.
func Assets() fs.FS {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // "web" is embedded above: unreachable
	}
	return sub
}
