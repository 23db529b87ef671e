package dg2

import "fmt"

// ISO/IEC 39794-5 tags used here (context-specific constructed unless noted).
const (
	tagFaceImageDataBlock = 0x65 // [APPLICATION 5] FaceImageDataBlock
	tagDG2Wrapper         = 0xA1 // [1] that ICAO DG2 puts around the block
	tagSequence           = 0x30
	maxRepresentations    = MaxFaces
	maxBlockElements      = 32 // fields of one SEQUENCE, extensions included
)

// parse39794 reads an ISO/IEC 39794-5 face image data block:
//
//	FaceImageDataBlock ::= [APPLICATION 5] SEQUENCE {
//	  versionBlock [0], representationBlocks [1] SEQUENCE OF RepresentationBlock, ... }
//	RepresentationBlock ::= SEQUENCE { representationId [0], imageRepresentation [1], ... }
//	ImageRepresentation ::= CHOICE { base [0] CHOICE { imageRepresentation2DBlock [0] }, extensionBlock [1] }
//	ImageRepresentation2DBlock ::= SEQUENCE {
//	  representationData2D [0] OCTET STRING, imageInformation2DBlock [1], ... }
//	ImageInformation2DBlock ::= SEQUENCE { imageDataFormat [0] CHOICE { code [0] }, ...,
//	  imageSizeBlock [7] SEQUENCE { width [0], height [1] }, ... }
func parse39794(b []byte) ([]Face, error) {
	v := b
	if v[0] == tagDG2Wrapper {
		w, err := only(v, tagDG2Wrapper)
		if err != nil {
			return nil, err
		}
		v = w.value
		if len(v) == 0 {
			return nil, perr(ErrTruncated, 0, "empty 39794-5 wrapper")
		}
	}
	blk, err := only(v, tagFaceImageDataBlock)
	if err != nil {
		return nil, err
	}
	fields, err := children(blk.value, maxBlockElements)
	if err != nil {
		return nil, err
	}
	if _, ok := find(fields, 0xA0); !ok {
		return nil, perr(ErrMalformed, blk.off, "39794-5 block lacks its version block")
	}
	reps, ok := find(fields, 0xA1)
	if !ok {
		return nil, perr(ErrNoFace, blk.off, "39794-5 block lacks representation blocks")
	}
	seqs, err := children(reps.value, maxRepresentations)
	if err != nil {
		return nil, err
	}
	out := make([]Face, 0, len(seqs))
	for _, s := range seqs {
		if s.tag != tagSequence {
			return nil, perr(ErrMalformed, s.off, fmt.Sprintf("tag %X in representation blocks, want 30", s.tag))
		}
		f, err := parseRepresentation(s.value)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func parseRepresentation(v []byte) (Face, error) {
	fields, err := children(v, maxBlockElements)
	if err != nil {
		return Face{}, err
	}
	rep, ok := find(fields, 0xA1)
	if !ok {
		return Face{}, perr(ErrNoFace, 0, "representation lacks its image representation")
	}
	base, err := only(rep.value, 0xA0)
	if err != nil {
		return Face{}, perr(ErrUnsupported, rep.off, "image representation is not a 2D base representation")
	}
	twoD, err := only(base.value, 0xA0)
	if err != nil {
		return Face{}, perr(ErrUnsupported, base.off, "image representation is not a 2D representation")
	}
	parts, err := children(twoD.value, maxBlockElements)
	if err != nil {
		return Face{}, err
	}
	data, ok := find(parts, 0x80)
	if !ok {
		return Face{}, perr(ErrNoFace, twoD.off, "2D representation lacks its image data")
	}
	info, ok := find(parts, 0xA1)
	if !ok {
		return Face{}, perr(ErrMalformed, twoD.off, "2D representation lacks its image information")
	}
	f := Face{Encoding: ISO39794, FaceImageType: -1}
	if err := f.read2DInfo(info.value); err != nil {
		return Face{}, err
	}
	if err := f.setImage(data.value); err != nil {
		return Face{}, err
	}
	return f, nil
}

// read2DInfo takes the declared image format and size from the information
// block; other fields are skipped (their encodings vary between profiles).
func (f *Face) read2DInfo(v []byte) error {
	fields, err := children(v, maxBlockElements)
	if err != nil {
		return err
	}
	format, ok := find(fields, 0xA0)
	if !ok {
		return perr(ErrMalformed, 0, "image information lacks its data format")
	}
	if code, err := only(format.value, 0x80); err == nil {
		n, err := uintValue(code)
		if err != nil {
			return err
		}
		switch n { // ImageDataFormatCode: 2 jpeg, 3 jpeg2000 lossy, 4 lossless
		case 2:
			f.DeclaredType = ImageJPEG
		case 3, 4:
			f.DeclaredType = ImageJPEG2000
		}
	}
	if size, ok := find(fields, 0xA7); ok {
		dims, err := children(size.value, maxBlockElements)
		if err != nil {
			return err
		}
		for _, d := range dims {
			n, err := uintValue(d)
			if err != nil {
				return err
			}
			switch d.tag {
			case 0x80:
				f.DeclaredWidth = n
			case 0x81:
				f.DeclaredHeight = n
			}
		}
	}
	return nil
}
