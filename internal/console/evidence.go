package console

import (
	"net/http"
	"strconv"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/httperr"
)

// evidenceCSP is an evidence image's own policy: opened alone, the
// response runs nothing, even if it were not the image it claims to be.
const evidenceCSP = "default-src 'none'; sandbox"

// reviewImages is the review page's evidence images part.
type reviewImages struct {
	Shown []admin.EvidenceMeta // the images, when the admin may see them
	Count int                  // images kept
	Group string               // the evidence group; empty when none is set
}

func (h *Handler) images(a *adminUser, v *admin.ReviewView) *reviewImages {
	ri := &reviewImages{Group: h.opt.EvidenceGroup}
	for _, e := range v.Evidence {
		if !e.Image {
			continue
		}
		ri.Count++
		if a != nil && a.Evidence {
			ri.Shown = append(ri.Shown, e)
		}
	}
	return ri
}

// notEvidenceMember names the group that shows the images.
func notEvidenceMember(group string) *httperr.Error {
	msg := "No one sees evidence images in the console: admin.console.evidence_group is not set. The review page shows the evidence as text."
	if group != "" {
		msg = "Evidence images are shown to console administrators who are also members of the group \"" + group + "\". The review page shows you the evidence as text."
	}
	return &httperr.Error{Status: http.StatusForbidden, Code: "not-in-evidence-group", Title: "Images not shown", Public: msg}
}

// reviewEvidence serves one evidence image of the verification in the
// path, for an admin in the evidence group. The review queue checks that
// the evidence belongs to the verification and audits the view; the
// image is never cached, sniffed, framed elsewhere or run.
func (h *Handler) reviewEvidence(w http.ResponseWriter, r *http.Request) error {
	if h.opt.Reviews == nil {
		return errNoVerifier
	}
	a := adminFrom(r.Context())
	if !a.Evidence {
		return notEvidenceMember(h.opt.EvidenceGroup)
	}
	img, err := h.opt.Reviews.Evidence(r.Context(), r.PathValue("id"), r.PathValue("eid"), a.Actor)
	if err != nil {
		return serviceError(err)
	}
	hd := w.Header() // the console's own headers are set already (ServeHTTP)
	hd.Set("Content-Security-Policy", evidenceCSP)
	hd.Set("Content-Type", img.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(img.Data)))
	hd.Set("Content-Disposition", "inline")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(img.Data) // a client gone mid-image: nothing to show it
	return nil
}
