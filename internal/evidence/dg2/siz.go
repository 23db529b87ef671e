package dg2

import (
	"encoding/binary"
	"fmt"
)

// siz is what the decoder needs from a codestream's SIZ marker segment
// (ISO/IEC 15444-1 annex A.5.1).
type siz struct {
	width, height int
	components    int
}

// readSIZ reads the SIZ segment that must follow SOC at the start of a
// codestream, and refuses grids the decoder should not be given: more than
// four components, sizes over maxSide, zero tiles or sampling factors, or
// more than maxTiles tiles.
//
//	FF4F FF51 Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 each)
//	Csiz(2) then Ssiz XRsiz YRsiz (1 each) per component
func readSIZ(cs []byte) (siz, error) {
	bad := func(why string) (siz, error) {
		return siz{}, fmt.Errorf("dg2: %w: JPEG 2000 SIZ: %s", ErrDecode, why)
	}
	if len(cs) < 42 || cs[0] != 0xFF || cs[1] != 0x4F || cs[2] != 0xFF || cs[3] != 0x51 {
		return bad("codestream does not start with SOC and SIZ")
	}
	u32 := func(off int) uint64 { return uint64(binary.BigEndian.Uint32(cs[off:])) }
	lsiz := int(binary.BigEndian.Uint16(cs[4:]))
	x, y, xo, yo := u32(8), u32(12), u32(16), u32(20)
	xt, yt, xto, yto := u32(24), u32(28), u32(32), u32(36)
	c := int(binary.BigEndian.Uint16(cs[40:]))
	switch {
	case c < 1 || c > 4:
		return bad(fmt.Sprintf("%d components", c))
	case lsiz != 38+3*c || len(cs) < 4+lsiz:
		return bad("segment length disagrees with its components")
	case xo >= x || yo >= y || x-xo > maxSide || y-yo > maxSide:
		return bad("image area out of range")
	case xt == 0 || yt == 0 || xto > xo || yto > yo || xto+xt <= xo || yto+yt <= yo:
		return bad("tile grid out of range")
	}
	if tiles := ((x - xto + xt - 1) / xt) * ((y - yto + yt - 1) / yt); tiles > maxTiles {
		return bad(fmt.Sprintf("%d tiles, limit %d", tiles, maxTiles))
	}
	for i := range c {
		comp := cs[42+3*i:]
		if comp[0]&0x7F >= 38 || comp[1] == 0 || comp[2] == 0 { // depth is 1 to 38 bits
			return bad(fmt.Sprintf("component %d: depth or sampling out of range", i))
		}
	}
	return siz{width: int(x - xo), height: int(y - yo), components: c}, nil
}
