package verifier

import (
	"context"

	"github.com/vigil-gw/vigil/internal/store"
)

// DuplicateFace is a finished verification whose selfie matched the face
// of a person already verified under another document: one human behind
// two identities, the signature of a laptop farm's fake employees. The
// verification itself goes to a reviewer; this tells the gateway, so both
// accounts' risk reflects it before anyone decides.
type DuplicateFace struct {
	// Verification is the verification that found it.
	Verification string
	// ClaimedEmail is the account this verification is for (from the
	// gateway's signed hint); empty when the relying party sent none.
	ClaimedEmail string
	// OtherSubject is the other person's subject (their `sub` here).
	OtherSubject string
	// OtherEmails are the accounts the other person was verified for, from
	// their approved verifications, newest first.
	OtherEmails []string
}

// maxOtherEmails bounds the accounts reported for the other person.
const maxOtherEmails = 20

// reportDuplicate tells Config.OnDuplicateFace, once the verification that
// found the duplicate is stored. A failed lookup still reports what is
// known: the account verifying now is the one in front of us.
func (v *Verifier) reportDuplicate(ctx context.Context, rec *store.Verification, fs *faceStep) {
	if fs == nil || fs.Duplicate == "" || v.cfg.OnDuplicateFace == nil {
		return
	}
	d := DuplicateFace{Verification: rec.ID, ClaimedEmail: rec.ClaimedEmail, OtherSubject: fs.Duplicate}
	emails, err := v.db.ApprovedEmails(ctx, fs.Duplicate, maxOtherEmails)
	if err != nil {
		v.cfg.Logger.WarnContext(ctx, "verifier: duplicate face: the other person's accounts could not be read",
			"verification", rec.ID, "err", err)
	}
	d.OtherEmails = emails
	v.cfg.Logger.InfoContext(ctx, "verifier: duplicate face reported", "verification", rec.ID,
		"other_accounts", len(emails))
	v.cfg.OnDuplicateFace(ctx, d)
}
