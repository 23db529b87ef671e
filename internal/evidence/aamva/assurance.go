package aamva

// How a verifier records a licence checked by this package, in OpenID Connect for Identity Assurance
// terms (check_details[].check_method, IANA "Identity Assurance check methods" registry).
//
// Reading the barcode and finding it well formed, consistent (Check), unexpired and in agreement
// with the printed side (CrossCheck) is validation of a physical document's features; it is not
// cryptographic. The payload is not signed, so a forger can print a barcode that passes as easily as
// the front of the card. NIST SP 800-63A rev 4 ranks cryptographic validation of evidence to a trust
// anchor (chip passive authentication, "vcrypt") above any inspection of physical features; this is
// only the latter. It must never be recorded as "vcrypt" or ranked with chip evidence, and never stands
// alone: it backs up an inspection of the document and a comparison of the holder with the portrait.
const (
	// CheckMethod is for a barcode read from images the applicant sent (the verifier's web capture):
	// "vri", validation by inspection of remote images of the document.
	CheckMethod = "vri"
	// CheckMethodInPerson is for a barcode scanned with the card in front of an operator: "vpip",
	// validation by physical inspection of the document in person.
	CheckMethodInPerson = "vpip"
)
