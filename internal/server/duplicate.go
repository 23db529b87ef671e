package server

import (
	"context"

	"github.com/vigil-gw/vigil/internal/verifier"
)

// duplicateFace turns the built-in verifier's finding of one face behind
// two people into duplicate-face risk on the gateway accounts concerned:
// the one verifying now and those the other person was verified for. A
// verifier running without the gateway (vigil verifier) has no risk to
// raise: its reviewer still sees the finding.
func (s *Server) duplicateFace(ctx context.Context, d verifier.DuplicateFace) {
	if s.assure == nil {
		return
	}
	mine := s.usersByEmail(ctx, d.ClaimedEmail)
	var others []string
	for _, e := range d.OtherEmails {
		others = append(others, s.usersByEmail(ctx, e)...)
	}
	if len(mine) == 0 { // no account behind this verification: flag the others alone
		mine, others = others, nil
	}
	if len(mine) == 0 {
		s.log.Warn("duplicate face: no gateway account to flag", "verification", d.Verification)
		return
	}
	if len(others) == 0 {
		others = []string{""} // the other person's account is not known here
	}
	for _, u := range mine {
		for _, o := range others {
			s.assure.DuplicateFace(ctx, u, o)
		}
	}
}

// usersByEmail lists the IDs of the gateway users with email (every
// provider's); none for an empty email or a failed read, which is logged.
func (s *Server) usersByEmail(ctx context.Context, email string) []string {
	if email == "" {
		return nil
	}
	us, err := s.db.UsersByEmail(ctx, email)
	if err != nil {
		s.log.Warn("duplicate face: reading users failed", "err", err)
		return nil
	}
	ids := make([]string, 0, len(us))
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	return ids
}
