// Package dg2 parses ICAO Doc 9303 data group 2 (EF.DG2, the encoded face) and
// extracts the face image and the metadata the record states about it.
//
// Two encodings are read, each either bare or inside the DG2 BER-TLV wrapper
// (0x75 > 0x7F61 biometric information group template > 0x02 count >
// 0x7F60 biometric information template > 0xA1 header + 0x5F2E/0x7F2E data):
//
//   - ISO/IEC 19794-5:2005 facial record ("FAC\x00" "010\x00"), the legacy
//     binary format of ICAO Doc 9303 part 10 (LDS 1.7), section 4.7.2;
//   - ISO/IEC 39794-5:2019 face image data block, an ASN.1 DER/BER structure
//     ([APPLICATION 5] FaceImageDataBlock, optionally behind the [1] tag DG2
//     uses), which Doc 9303 part 10 (8th edition) admits beside 19794-5.
//
// The image type is reported twice: as the record declares it and as the
// image's magic bytes show it; callers must trust the magic bytes and may treat
// a mismatch as a quality signal. Width and height come from the image header
// (JPEG SOF, JPEG 2000 ihdr or SIZ), the record's declared size is kept apart.
//
// Parsing is pure: no I/O, no globals. It must never trust a length from the
// input without checking it against the bytes that remain, never allocate
// from such a length, and never panic on malformed input. It does not verify
// the data group's hash: that is passive authentication's job (the SOD).
//
// Decoding to pixels is apart (Decoder, DecodeImage): JPEG with image/jpeg,
// JPEG 2000 with OpenJPEG's opj_decompress (Debian libopenjp2-tools) run as
// a separate process on a copy in a private temporary directory, under a
// timeout, a pixel limit checked against the codestream header first, and a
// bound on concurrent runs. That is the only place the package does I/O.
// Decoding proves nothing about integrity: damage inside the compressed data
// can decode to wrong pixels without an error, as with any JPEG.
package dg2
