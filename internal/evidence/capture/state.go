package capture

import (
	"bytes"
	"encoding/json"
)

// State is kept server-side between Begin and Finish/Verify (the verifier
// stores it with the verification). It is JSON; the kind field keeps an
// enrolment state from being used to check a burst, and the reverse.
type state struct {
	Kind string `json:"kind"`
	// Challenge is the challenge issued. For a sign state it may be empty:
	// the page then computed it from the nonce and the frames.
	Challenge []byte `json:"challenge,omitempty"`
	// Enrolment: where the credential is being created.
	RPID    string   `json:"rp_id,omitempty"`
	Origins []string `json:"origins,omitempty"`
	// Signing: the credential asked for.
	CredentialID []byte `json:"credential_id,omitempty"`
}

const (
	kindEnrol = "vigil-capture-enrol-v1"
	kindSign  = "vigil-capture-sign-v1"
)

func encodeState(s state) ([]byte, error) { return json.Marshal(s) }

// decodeState refuses a state of another kind, unknown fields and
// trailing data: a state that is not exactly what Begin wrote is corrupt.
func decodeState(b []byte, kind string) (state, *Error) {
	var s state
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil || d.More() || s.Kind != kind {
		return state{}, refuse(ReasonMalformed, "state is not a "+kind+" state")
	}
	return s, nil
}
