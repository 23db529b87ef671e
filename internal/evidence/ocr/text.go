package ocr

import (
	"strconv"
	"strings"
)

// Alphabet is the MRZ character set, passed to Tesseract as its whitelist.
const Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

// Line lengths per format, and how far outside them a read line may be to
// be kept (a dropped or doubled filler is common; the user corrects it).
const (
	lenTD1, lenTD2, lenTD3 = 30, 36, 44
	lengthSlack            = 3
	maxTSVLines            = 2000
)

// ocrLine is one line of Tesseract's TSV output.
type ocrLine struct {
	words []string
	conf  []float64
}

// parseTSV groups the word rows (level 5) of Tesseract's TSV output into
// lines, in output order. Malformed rows are skipped: the output is the
// engine's, but it describes an uploaded image, so it is read defensively.
func parseTSV(out string) []ocrLine {
	var lines []ocrLine
	index := map[string]int{}
	for i, row := range strings.Split(out, "\n") {
		if i == 0 || i > maxTSVLines {
			continue // header, or runaway output
		}
		f := strings.Split(strings.TrimRight(row, "\r"), "\t")
		if len(f) != 12 || f[0] != "5" {
			continue
		}
		text := strings.TrimSpace(f[11])
		conf, err := strconv.ParseFloat(f[10], 64)
		if text == "" || err != nil || !(conf >= 0 && conf <= 100) { // NaN too
			continue
		}
		key := f[2] + "/" + f[3] + "/" + f[4] // block/paragraph/line
		n, ok := index[key]
		if !ok {
			n = len(lines)
			index[key] = n
			lines = append(lines, ocrLine{})
		}
		lines[n].words = append(lines[n].words, text)
		lines[n].conf = append(lines[n].conf, conf)
	}
	return lines
}

// normalize applies only fixes the format leaves no doubt about: an MRZ
// has no spaces, no lower case, and '«' is two fillers run together.
// Anything else outside the alphabet is dropped (the whitelist should have
// kept it out), never replaced by a guess.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '«':
			b.WriteString("<<")
		case r == '‹':
			b.WriteByte('<')
		case r < 128 && strings.ContainsRune(Alphabet, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pickMRZ keeps lines of plausible MRZ length and picks the lowest run of
// them that fits a format best. format is set only when every line has the
// format's exact length, and only then are letter/digit look-alikes fixed
// by field class; conf is the mean word confidence in [0, 1].
func pickMRZ(lines []ocrLine) (mrz []string, format string, conf float64) {
	type cand struct {
		text string
		conf float64
	}
	var kept []cand
	for _, l := range lines {
		t := normalize(strings.Join(l.words, ""))
		if len(t) < lenTD1-lengthSlack || len(t) > lenTD3+lengthSlack {
			continue
		}
		var c, n float64
		for i, w := range l.words {
			c += l.conf[i] * float64(len(w))
			n += float64(len(w))
		}
		kept = append(kept, cand{t, c / n / 100})
	}
	formats := []struct {
		name  string
		lines int
		n     int
	}{{"TD1", 3, lenTD1}, {"TD2", 2, lenTD2}, {"TD3", 2, lenTD3}}
	bestDev := -1
	for _, f := range formats {
		if len(kept) < f.lines {
			continue
		}
		set := kept[len(kept)-f.lines:]
		dev := 0
		for _, c := range set {
			dev += max(len(c.text)-f.n, f.n-len(c.text))
		}
		if bestDev >= 0 && dev >= bestDev {
			continue
		}
		bestDev, mrz, format, conf = dev, nil, "", 0
		for _, c := range set {
			mrz = append(mrz, c.text)
			conf += c.conf / float64(len(set))
		}
		if dev == 0 {
			format = f.name
		}
	}
	if format != "" {
		mrz = fixClasses(format, mrz)
	}
	return mrz, format, conf
}
