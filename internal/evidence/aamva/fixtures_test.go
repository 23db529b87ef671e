package aamva

import (
	"fmt"
	"strings"
)

// build assembles a payload from subfile bodies (each "TT" + elements, without the CR), computing
// the directory the way Annex D describes: offsets from the start of the file, lengths including
// the type and the CR.
func build(header string, subfiles ...string) string {
	off := headerLen + entryLen*len(subfiles)
	var dir, data strings.Builder
	for _, s := range subfiles {
		s += "\r"
		fmt.Fprintf(&dir, "%s%04d%04d", s[:2], off, len(s))
		off += len(s)
		data.WriteString(s)
	}
	return fmt.Sprintf("%s%s%02d%s%s", prefix, header, len(subfiles), dir.String(), data.String())
}

func lines(typ string, elems ...string) string { return typ + strings.Join(elems, "\n") }

// Annex D's sample layout (Virginia, version 10) with a ZV subfile.
var virginia = build("ANSI 6360001001", lines("DL", "DAQT64235789", "DCSSAMPLE", "DDEN", "DACMICHAEL",
	"DDFN", "DADJOHN", "DDGN", "DCUJR", "DCAD", "DCBK", "DCDPH", "DBD06062019", "DBB06061986", "DBA12102024",
	"DBC1", "DAU068 in", "DAYBRO", "DAG2300 WEST BROAD STREET", "DAIRICHMOND", "DAJVA", "DAK232690000  ",
	"DCF2424244747474786102204", "DCGUSA", "DCK123456789", "DDAF", "DDB06062018", "DDC06062020", "DDD1"),
	lines("ZV", "ZVA01"))

// Ontario, version 09, Canadian dates, truncated family name, no Z subfile.
var ontario = build("ANSI 6360120901", lines("DL", "DAQA1234-56789-01234", "DCSMACDONALD-FITZWILL",
	"DDET", "DACANNE", "DDFN", "DADMARIE", "DDGN", "DBD20230115", "DBB19900704", "DBA20280704", "DBC2",
	"DAG1 YONGE ST", "DAITORONTO", "DAJON", "DAKM5E 1E5", "DCFON1234567", "DCGCAN"))

// California identification card, version 08, DCG absent: US dates from the IIN, unknown truncation.
var california = build("ANSI 6360140801", lines("ID", "DAQD1234567", "DCSGARCIA", "DDEU", "DACLUIS",
	"DDFU", "DADNONE", "DDGU", "DBD03012021", "DBB11231975", "DBA11232029", "DBC9",
	"DAG100 MAIN ST", "DAH APT 4", "DAISACRAMENTO", "DAJCA", "DAK958140000", "DCF03/01/2021123AB/CDFD/29"))

// Texas, older "AAMVA" file type, New York version 10 with a ZN subfile and REAL ID N.
var texas = build("AAMVA6360150802", lines("DL", "DAQ12345678", "DCSSMITH", "DACJANE", "DBD01022020",
	"DBB02031980", "DBA02032028", "DBC2", "DAG1 ELM ST", "DAIAUSTIN", "DAJTX", "DAK78701", "DCF0000000000000001",
	"DCGUSA", "DDAF"), lines("ZT", "ZTAX", "ZTB"))

var newYork = build("ANSI 6360011001", lines("DL", "DAQ123456789", "DCSDOE", "DACJOHN", "DBD05052022",
	"DBB05051970", "DBA05052030", "DBC1", "DAG1 STATE ST", "DAIALBANY", "DAJNY", "DAK12207", "DCFNYDOC1",
	"DCGUSA", "DDAN"), lines("ZN", "ZNAY"))
