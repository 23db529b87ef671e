package chip

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"
)

var attrOIDs = map[string]asn1.ObjectIdentifier{"C": {2, 5, 4, 6}, "O": {2, 5, 4, 10}, "CN": {2, 5, 4, 3}}

// mustName builds a DER Name, one attribute per RDN, in the given order.
func mustName(t *testing.T, s string) []byte {
	t.Helper()
	var rdns pkix.RDNSequence
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		rdns = append(rdns, pkix.RelativeDistinguishedNameSET{{Type: attrOIDs[k], Value: v}})
	}
	der, err := asn1.Marshal(rdns)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
