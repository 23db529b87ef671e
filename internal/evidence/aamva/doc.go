// Package aamva parses and builds the text carried by the PDF417 barcode on North American driving
// licences and identification cards, as laid out in Annex D of the AAMVA DL/ID Card Design Standard
// (2020): a header (compliance indicator, file type, issuer identification number, versions), a
// subfile directory, one DL or ID subfile of "XXX"+value elements, and optional jurisdiction (Z?)
// subfiles.
//
// What it proves: only that the barcode text is well formed and internally consistent (Check): dates
// in the right format and order, plausible ages, required elements present, a directory that matches
// the data. The barcode is not signed; anyone can print a payload that passes. A result from this
// package is never, on its own, evidence that a document is genuine or belongs to the person showing
// it: it must be combined with other checks (inspection, the visual zone, a face match).
//
// Cross-check (CrossCheck): the barcode against what the front of the card shows, field by field,
// with reasons that name the field and never its value.
//
// Rank: consistency of an unsigned barcode is physical-document evidence, recorded with CheckMethod
// ("vri", remote images) or CheckMethodInPerson ("vpip"), never "vcrypt"; see assurance.go.
//
// What it never does: decode PDF417 images (package barcode does, with ZXingReader), perform I/O,
// read the clock (time is passed in), log, or accept more than MaxPayload bytes.
//
// Character set: a value is read as UTF-8 when it is valid UTF-8, else as ISO 8859-1, the default
// of PDF417 symbols without an ECI (see decodeValue); control characters are refused either way.
// Encode always writes UTF-8, so a payload read as ISO 8859-1 does not re-encode to the same bytes.
//
// Date format: the standard writes dates as MMDDCCYY in the USA and CCYYMMDD in Canada. The format is
// chosen by the DCG (country) element; when DCG is absent it falls back to the country of the issuer
// identification number (IIN) in the table in iin.go; when neither is known the payload is rejected
// rather than guessed at (ErrDateFormat).
package aamva
