// Package ocr reads the machine readable zone (MRZ) of an identity document
// photo: it returns the MRZ text lines (TD3 2x44, TD2 2x36, TD1 3x30, alphabet
// A-Z 0-9 '<') and nothing else. Parsing and check digits belong to package
// mrz.
//
// Route: the upload is decoded in Go with hard limits (bytes, then the
// header's pixel count before any pixel is decoded, so decompression bombs
// are refused), turned to grayscale, and the MRZ band is located by a
// projection profile of vertical stroke edges, after estimating the skew.
// The band is cropped, deskewed and rescaled in one resampling pass so that
// capitals are 24 px tall and 1.5x wide, levels normalized with Otsu's
// threshold (ink to black, paper to white; hard binarization read worse), and
// piped as PNG to the Tesseract command line tool (Debian package
// tesseract-ocr with tesseract-ocr-eng; Debian ships no OCR-B model) run with
// --psm 6, the MRZ alphabet as whitelist and no dictionaries, under a timeout,
// a minimal environment, bounded output and a concurrency limit.
//
// The output is only cleaned where the MRZ format leaves no doubt: spaces
// removed, '«' read as "<<". This package must never "correct" characters by
// guessing against check digits, write the image to disk, or put internal
// detail (paths, tool output) into an error's text: errors about the image
// are written for the user, the rest say only what failed.
package ocr
