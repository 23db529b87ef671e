package review

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/verifier"
)

var (
	errEvidenceGone = &httperr.Error{Status: http.StatusNotFound, Code: "evidence-gone", Title: "Evidence not available",
		Public: "This image does not belong to the verification, or it was deleted after its retention period."}
	errEvidenceType = &httperr.Error{Status: http.StatusUnsupportedMediaType, Code: "evidence-type", Title: "Not an image",
		Public: "This evidence is not an image the review page can show."}
)

// evidence serves one image, decrypted by the verifier. It must belong to
// the verification in the path, so that a reviewer's link cannot be bent to
// another record's evidence by guessing, and it is never cached.
func (h *Handler) evidence(w http.ResponseWriter, r *http.Request) error {
	vid, eid := r.PathValue("id"), r.PathValue("eid")
	if !ValidID(vid) || !ValidID(eid) {
		return errNotFound
	}
	evs, err := h.opt.Store.ListEvidence(r.Context(), vid)
	if err != nil {
		return err
	}
	found := false
	for _, e := range evs {
		found = found || e.ID == eid
	}
	if !found {
		return errEvidenceGone
	}
	ct, data, err := h.opt.Verifier.Evidence(r.Context(), eid)
	if errors.Is(err, store.ErrNotFound) {
		return errEvidenceGone.With(err)
	}
	if err != nil {
		return err
	}
	if !verifier.IsImage(ct) {
		return errEvidenceType
	}
	hd := w.Header() // the baseline, no-store included, is set already (ServeHTTP)
	hd.Set("Content-Security-Policy", evidenceCSP)
	hd.Set("Content-Type", ct)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Content-Disposition", "inline")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
	return nil
}
