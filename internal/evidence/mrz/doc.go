// Package mrz parses and validates the machine readable zone (MRZ) of ICAO
// Doc 9303 travel documents: TD3 passports (2 lines of 44), TD2 documents
// (2 lines of 36) and TD1 identity cards (3 lines of 30).
//
// It is the first check of the document step of identity verification: OCR
// of an ID photo yields MRZ text, and Parse decides whether that text is
// well-formed (exact layout, the MRZ alphabet A-Z 0-9 '<', field formats,
// real calendar dates) and internally consistent (every check digit,
// including the composite). AcceptCorrection lets a user fix a misread MRZ
// only to a valid one within a small edit distance of what the OCR saw.
//
// A valid MRZ proves nothing about the document's authenticity: check digits
// are public arithmetic that anyone can compute. Callers must compare the
// fields with the visual zone and, where present, with the chip's DG1 under
// passive authentication.
//
// The package never does I/O, never runs OCR, never logs and never reads the
// clock: the current time is always passed in.
//
// References: ICAO Doc 9303 (8th edition, 2021) Part 3 (common
// specifications: the MRZ character set, names, dates, check digits),
// Part 4 (TD3 machine readable passports), Part 5 (TD1) and Part 6 (TD2).
// Visas (MRV-A, MRV-B) are not supported.
package mrz
