// Package barcode decodes the PDF417 symbol on the back of a North American driving licence or
// identification card from a photo or scan, returning the exact bytes it carries for package aamva.
//
// The route: the image is handed to ZXingReader, the command-line reader of zxing-cpp, as packaged by
// Debian (zxing-cpp-tools 1.4; scripts/install-document-deps.sh installs it). It runs as a separate
// process, with a timeout, on a private temporary file (mode 0600, removed afterwards), with an empty
// environment, asked for PDF417 only: ZXingReader -format PDF417 -escape FILE. When the program is
// absent the error says so (ErrToolMissing: "install zxing-cpp-tools (Debian) — ZXingReader not
// found"); nothing falls back to a weaker decoder. A browser may decode the barcode too, to guide the
// user, but the server decodes the image again itself and uses only its own result.
//
// Byte-exactness. An AAMVA payload holds control characters (LF, RS, CR) and may hold bytes above
// 0x7F, so how ZXingReader prints matters. Findings for version 1.4.0:
//   - The "Text:" line is the content decoded to Unicode with a character set ZXing picks (ECI if
//     present, else a guess: bytes C3 9C came out as "Ü", a lone DC also as "Ü") and printed as
//     UTF-8, with LF and CR printed raw, so the payload's line breaks break the report's lines.
//   - -escape (implied by -1) writes non-graphical characters as <LF>, <RS>, <CR>, <U+DC>; a payload
//     that itself contains the text "<LF>" prints the same, so the escaped text cannot be undone.
//   - -bytes writes the raw bytes of every symbol found, one after the other with no separator, so
//     two symbols cannot be told from one.
//   - The default report has a "Bytes:" line: every byte of the content in hex, after ECI
//     designators are removed. This package reads that line, with -escape so that the Text line
//     cannot contain a line break, and parses the report strictly (parseOutput). Tests prove the
//     round trip byte for byte, including LF, RS, CR and bytes above 0x7F.
//
// The bytes are returned as the symbol carries them; no character set is applied. A symbol written
// without an ECI carries ISO 8859-1 by default (ZXingWriter converts its UTF-8 argument to ISO 8859-1
// unless given -encoding UTF8, which adds ECI 26 and keeps UTF-8); a symbol with ECI 26 carries
// UTF-8. Package aamva decides how to read them (UTF-8 when valid, else ISO 8859-1).
//
// Limits measured with 1.4.0: a symbol skewed by up to about 4 degrees, or turned by a quarter or
// half turn, is read; from about 5 degrees of skew many are not, so the capture page should ask for
// a level shot. One run costs about 5 ms of process start, 20 to 50 ms for a clean image and up to
// about a second for a 4-megapixel photo (2 cores, shared).
//
// What it never does: decode images in this process (ZXingReader reads them; Go only reads the
// header to enforce MaxImagePixels), accept formats other than PNG and JPEG, print or log decoded
// content (errors never hold it), or judge the payload.
package barcode
