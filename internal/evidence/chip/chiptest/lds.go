package chiptest

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DG2 portraits are JPEG
	"strings"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// Data group tags (Doc 9303 part 10, table 34).
var dgTag = map[int]uint16{
	1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68,
	9: 0x69, 10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70,
}

// com builds EF.COM: LDS version 1.7, Unicode 4.0.0, and the tag list.
func com(dgs []int) []byte {
	var tags []byte
	for _, n := range dgs {
		tags = append(tags, byte(dgTag[n]))
	}
	return tlv(0x60, tlv(0x5F01, []byte("0107")), tlv(0x5F36, []byte("040000")), tlv(0x5C, tags))
}

// dg1 wraps the MRZ lines, concatenated without separators.
func dg1(d *mrz.Document) ([]byte, error) {
	lines, err := mrz.Encode(d)
	if err != nil {
		return nil, fmt.Errorf("chiptest: DG1: %w", err)
	}
	return tlv(0x61, tlv(0x5F1F, []byte(strings.Join(lines, "")))), nil
}

// portraitInfo returns the 19794-5 image data type (0 JPEG, 1 JPEG 2000)
// and the size of a portrait.
func portraitInfo(portrait []byte) (dataType byte, w, h int, err error) {
	if bytes.HasPrefix(portrait, jp2Signature) {
		// The JP2 header's ihdr box: height, then width, 4 bytes each.
		i := bytes.Index(portrait, []byte("ihdr"))
		if i < 0 || len(portrait) < i+12 {
			return 0, 0, 0, errors.New("chiptest: JPEG 2000 portrait without an ihdr box")
		}
		h := int(binary.BigEndian.Uint32(portrait[i+4:]))
		w := int(binary.BigEndian.Uint32(portrait[i+8:]))
		return 1, w, h, nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(portrait))
	if err != nil || format != "jpeg" {
		return 0, 0, 0, fmt.Errorf("chiptest: DG2 portrait must be a JPEG or a JP2 file (%v)", err)
	}
	return 0, cfg.Width, cfg.Height, nil
}

// jp2Signature starts every JP2 file (ISO/IEC 15444-1 annex I).
var jp2Signature = []byte{0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}

// dg2 wraps one JPEG or JPEG 2000 portrait in an ISO/IEC 19794-5:2005
// record inside the biometric information group template.
func dg2(portrait []byte) ([]byte, error) {
	dataType, width, height, err := portraitInfo(portrait)
	if err != nil {
		return nil, err
	}
	if width <= 0 || height <= 0 || width > 0xFFFF || height > 0xFFFF {
		return nil, fmt.Errorf("chiptest: DG2 portrait %dx%d is out of range", width, height)
	}
	const headerLen, infoLen, imgInfoLen = 14, 20, 12
	block := make([]byte, infoLen+imgInfoLen, infoLen+imgInfoLen+len(portrait))
	binary.BigEndian.PutUint32(block[0:], uint32(infoLen+imgInfoLen+len(portrait)))
	// No feature points, gender/eye/hair/mask/expression/pose unspecified.
	img := block[infoLen:]
	img[0] = 1 // full frontal
	img[1] = dataType
	binary.BigEndian.PutUint16(img[2:], uint16(width))
	binary.BigEndian.PutUint16(img[4:], uint16(height))
	img[6] = 1 // 24-bit RGB
	img[7] = 2 // digital still camera
	block = append(block, portrait...)

	rec := make([]byte, headerLen, headerLen+len(block))
	copy(rec, "FAC\x00010\x00")
	binary.BigEndian.PutUint32(rec[8:], uint32(headerLen+len(block)))
	binary.BigEndian.PutUint16(rec[12:], 1)
	rec = append(rec, block...)

	header := tlv(0xA1,
		tlv(0x80, []byte{0x01, 0x01}), // ICAO header version 1.1
		tlv(0x81, []byte{0x02}),       // biometric type: facial features
		tlv(0x87, []byte{0x01, 0x01}), // format owner: ISO/IEC JTC 1 SC 37
		tlv(0x88, []byte{0x00, 0x08})) // format type: face image
	return tlv(0x75, tlv(0x7F61, tlv(0x02, []byte{1}), tlv(0x7F60, header, tlv(0x5F2E, rec)))), nil
}

// OIDs for DG14's ActiveAuthenticationInfo.
var (
	oidAAProtocol       = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}
	oidECDSAPlainSHA256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}
	oidECDSAPlainSHA1   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}
	oidECDSAPlainSHA384 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}
	oidECDSAPlainSHA512 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}
	plainOIDs           = map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: oidECDSAPlainSHA1, crypto.SHA256: oidECDSAPlainSHA256, crypto.SHA384: oidECDSAPlainSHA384, crypto.SHA512: oidECDSAPlainSHA512}
)

type activeAuthenticationInfo struct {
	Protocol  asn1.ObjectIdentifier
	Version   int
	Algorithm asn1.ObjectIdentifier
}

// dg14 holds the SecurityInfos set with one ActiveAuthenticationInfo naming
// the ECDSA plain-signature algorithm (BSI TR-03111) the chip uses.
func dg14(alg asn1.ObjectIdentifier) ([]byte, error) {
	info, err := asn1.Marshal(activeAuthenticationInfo{Protocol: oidAAProtocol, Version: 1, Algorithm: alg})
	if err != nil {
		return nil, err
	}
	set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: info})
	if err != nil {
		return nil, err
	}
	return tlv(0x6E, set), nil
}

// dg15 wraps the Active Authentication public key's SubjectPublicKeyInfo.
func dg15(spki []byte) []byte { return tlv(0x6F, spki) }
