package pki

import (
	"crypto/elliptic"
	"encoding/asn1"
	"math/big"
)

// namedCurve ties a curve to its OID and, for the NIST curves, to the
// standard library implementation that verifies faster and in constant time.
type namedCurve struct {
	oid   asn1.ObjectIdentifier
	curve *Curve
	std   elliptic.Curve // nil for brainpool
}

func hexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("pki: bad curve constant " + s) // constants below are fixed; a typo must fail at start-up
	}
	return n
}

// brainpool returns an RFC 5639 curve from its hex constants (cofactor 1).
func brainpool(name, p, a, b, gx, gy, n string) *Curve {
	return &Curve{Name: name, P: hexInt(p), A: hexInt(a), B: hexInt(b), Gx: hexInt(gx), Gy: hexInt(gy), N: hexInt(n), Cofactor: big.NewInt(1)}
}

// fromStd converts a NIST curve (a = -3) to the general form.
func fromStd(c elliptic.Curve) *Curve {
	p := c.Params()
	return &Curve{Name: p.Name, P: p.P, A: new(big.Int).Sub(p.P, big.NewInt(3)), B: p.B, Gx: p.Gx, Gy: p.Gy, N: p.N, Cofactor: big.NewInt(1)}
}

// OIDs of the brainpool r1 curves: 1.3.36.3.3.2.8.1.1.x (RFC 5639 appendix A).
var (
	oidBrainpoolP224r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 5}
	oidBrainpoolP256r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}
	oidBrainpoolP320r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 9}
	oidBrainpoolP384r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11}
	oidBrainpoolP512r1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13}
	oidP224            = asn1.ObjectIdentifier{1, 3, 132, 0, 33}
	oidP256            = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384            = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521            = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

// Named curves, RFC 5639 section 3 and FIPS 186. Built once; read only.
var (
	BrainpoolP224r1 = brainpool("brainpoolP224r1",
		"d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
		"68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
		"2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
		"0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d",
		"58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd",
		"d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f")
	BrainpoolP256r1 = brainpool("brainpoolP256r1",
		"a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
		"7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
		"26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
		"8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262",
		"547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997",
		"a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7")
	BrainpoolP320r1 = brainpool("brainpoolP320r1",
		"d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
		"3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
		"520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
		"43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611",
		"14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1",
		"d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311")
	BrainpoolP384r1 = brainpool("brainpoolP384r1",
		"8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
		"7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
		"04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11",
		"1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e",
		"8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315",
		"8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565")
	BrainpoolP512r1 = brainpool("brainpoolP512r1",
		"aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
		"7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
		"3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
		"81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822",
		"7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
		"aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069")
)

var namedCurves = []namedCurve{
	{oidBrainpoolP224r1, BrainpoolP224r1, nil},
	{oidBrainpoolP256r1, BrainpoolP256r1, nil},
	{oidBrainpoolP320r1, BrainpoolP320r1, nil},
	{oidBrainpoolP384r1, BrainpoolP384r1, nil},
	{oidBrainpoolP512r1, BrainpoolP512r1, nil},
	{oidP224, fromStd(elliptic.P224()), elliptic.P224()},
	{oidP256, fromStd(elliptic.P256()), elliptic.P256()},
	{oidP384, fromStd(elliptic.P384()), elliptic.P384()},
	{oidP521, fromStd(elliptic.P521()), elliptic.P521()},
}

func curveByOID(oid asn1.ObjectIdentifier) (namedCurve, bool) {
	for _, nc := range namedCurves {
		if nc.oid.Equal(oid) {
			return nc, true
		}
	}
	return namedCurve{}, false
}

// curveByParams finds the named curve whose group equals c, so explicit
// parameters of a known curve get its name and its fast path.
func curveByParams(c *Curve) (namedCurve, bool) {
	for _, nc := range namedCurves {
		if nc.curve.SameParameters(c) {
			return nc, true
		}
	}
	return namedCurve{}, false
}

// stdCurve returns the crypto/elliptic curve equal to c, if any.
func stdCurve(c *Curve) elliptic.Curve {
	if nc, ok := curveByParams(c); ok {
		return nc.std
	}
	return nil
}

func knownPrime(p *big.Int) bool {
	for _, nc := range namedCurves {
		if nc.curve.P.Cmp(p) == 0 {
			return true
		}
	}
	return false
}
