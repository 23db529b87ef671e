package trust

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// maxFileSize bounds one trust file; the largest kind, a master list, is
// itself bounded by maxMasterListSize.
const maxFileSize = maxMasterListSize

// LoadSummary says what LoadFiles did. CSCAs counts operator certificates
// read, MasterLists and CRLs the ones verified and applied, Added the CSCAs
// new to the store from either source. Skipped lists directory entries not
// read, as "path: why". Files lists the files accepted, in load order.
type LoadSummary struct {
	CSCAs, MasterLists, CRLs, Added int
	Skipped                         []string
	Files                           []LoadedFile
}

// LoadedFile is one accepted file. Country is the certificate's, the master
// list anchor's, or the CRL signer's subject country.
type LoadedFile struct {
	Path    string
	Kind    Kind
	Country string
	Added   int      // CSCAs new to the store
	SHA256  [32]byte // of the bytes verified, to copy exactly those
}

// FileError is a file LoadFiles refused. Err is usually an *Error with a
// Reason.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

type trustFile struct {
	path string
	kind Kind
	ders [][]byte
	hash [32]byte
}

// LoadFiles loads trust material from files and directories. A directory
// is read non-recursively in name order; its subdirectories and dot files
// (editor and temporary files) are skipped and listed in Skipped. Files are
// recognised by content, DER or PEM, whatever their names:
//
//   - certificates are trusted as CSCAs on the operator's word (AddCSCA);
//   - master lists are imported (ImportMasterList) with an anchor found
//     among the operator CSCAs of this and earlier calls: one whose subject
//     names the list signer's issuer and whose key verifies it. CSCAs that
//     came from master lists never anchor a list;
//   - CRLs are applied (AddCRL) last, once every CSCA is in.
//
// Any other file is an error, not a skip: a trust directory that holds
// something unrecognised is a mistake the operator should see. Every failed
// file is reported as a *FileError, joined into the returned error, and
// the others still load: the Store then holds a partial load, which a
// caller that must fail closed discards.
func (s *Store) LoadFiles(paths []string, now time.Time) (LoadSummary, error) {
	var sum LoadSummary
	var errs []error
	var files []trustFile
	for _, p := range s.expand(paths, &sum, &errs) {
		f, err := readTrustFile(p)
		if err != nil {
			errs = append(errs, &FileError{Path: p, Err: err})
			continue
		}
		files = append(files, f)
	}
	for _, kind := range []Kind{KindCSCA, KindMasterList, KindCRL} {
		for _, f := range files {
			if f.kind != kind {
				continue
			}
			lf, err := s.loadFile(f, now)
			if err != nil {
				errs = append(errs, &FileError{Path: f.path, Err: err})
				continue
			}
			sum.Files = append(sum.Files, lf)
			sum.Added += lf.Added
			switch kind {
			case KindCSCA:
				sum.CSCAs += len(f.ders)
			case KindMasterList:
				sum.MasterLists++
			case KindCRL:
				sum.CRLs += len(f.ders)
			}
		}
	}
	return sum, errors.Join(errs...)
}

// expand turns paths into files, reading directories one level deep.
func (s *Store) expand(paths []string, sum *LoadSummary, errs *[]error) []string {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			*errs = append(*errs, &FileError{Path: p, Err: fileRejected("%v", unwrapPath(err))})
			continue
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p) // sorted by name
		if err != nil {
			*errs = append(*errs, &FileError{Path: p, Err: fileRejected("%v", unwrapPath(err))})
			continue
		}
		for _, e := range ents {
			full := filepath.Join(p, e.Name())
			switch st, err := os.Stat(full); {
			case strings.HasPrefix(e.Name(), "."):
				sum.Skipped = append(sum.Skipped, full+": hidden file")
			case err != nil:
				*errs = append(*errs, &FileError{Path: full, Err: fileRejected("%v", unwrapPath(err))})
			case st.IsDir():
				sum.Skipped = append(sum.Skipped, full+": directory (not descended)")
			default:
				out = append(out, full)
			}
		}
	}
	return out
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func readTrustFile(path string) (trustFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return trustFile{}, fileRejected("%v", unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return trustFile{}, fileRejected("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return trustFile{}, fileRejected("%v", unwrapPath(err))
	}
	if len(b) > maxFileSize {
		return trustFile{}, fileRejected("larger than %d bytes", maxFileSize)
	}
	kind, ders, err := sniff(b)
	if err != nil {
		return trustFile{}, fileRejected("%v", err)
	}
	return trustFile{path: path, kind: kind, ders: ders, hash: sha256.Sum256(b)}, nil
}

// loadFile applies one file as a whole: every object in a PEM bundle is
// parsed and verified before any of them changes the store.
func (s *Store) loadFile(f trustFile, now time.Time) (LoadedFile, error) {
	lf := LoadedFile{Path: f.path, Kind: f.kind, SHA256: f.hash}
	blockErr := func(i int, err error) error {
		if len(f.ders) > 1 {
			return fmt.Errorf("block %d: %w", i, err)
		}
		return err
	}
	switch f.kind {
	case KindCSCA:
		certs := make([]*pki.Certificate, len(f.ders))
		for i, der := range f.ders {
			c, err := pki.ParseCertificate(der)
			if err != nil {
				return lf, blockErr(i, fileRejected("certificate: %v", err))
			}
			certs[i] = c
		}
		lf.Country = country(certs[0])
		for _, c := range certs {
			if added, _ := s.AddCSCA(c); added {
				lf.Added++
			}
		}
	case KindMasterList:
		anchor, added, err := s.importAnchored(f.ders[0], now)
		if err != nil {
			return lf, err
		}
		lf.Country, lf.Added = country(anchor), added
	case KindCRL:
		crls := make([]*pki.CRL, len(f.ders))
		signers := make([]*pki.Certificate, len(f.ders))
		for i, der := range f.ders {
			var err error
			if crls[i], signers[i], err = s.verifyCRL(der, now); err != nil {
				return lf, blockErr(i, err)
			}
		}
		lf.Country = country(signers[0])
		for i := range crls {
			s.applyCRL(crls[i], signers[i])
		}
	}
	return lf, nil
}

// importAnchored imports a master list under the operator CSCA that issued
// its signer, trying each one of the right name until one verifies.
func (s *Store) importAnchored(der []byte, now time.Time) (*pki.Certificate, int, error) {
	if len(der) > maxMasterListSize {
		return nil, 0, rejected("%d bytes exceeds the %d byte limit", len(der), maxMasterListSize)
	}
	l, err := parseSignedList(der)
	if err != nil {
		return nil, 0, err
	}
	signer, err := l.signer()
	if err != nil {
		return nil, 0, err
	}
	anchors := s.operatorIssuers(signer)
	if len(anchors) == 0 {
		return nil, 0, rejected("no operator-trusted CSCA named %q issued the list signer %q; add that CSCA first",
			signer.Issuer.String(), signer.Subject.String())
	}
	for _, a := range anchors {
		var added int
		if added, err = s.importSigned(l, signer, a, now); err == nil {
			return a, added, nil
		}
	}
	return nil, 0, err
}

// operatorIssuers returns the operator CSCAs that are signer or whose
// subject is signer's issuer name.
func (s *Store) operatorIssuers(signer *pki.Certificate) []*pki.Certificate {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := chip.NameKey(signer.RawIssuer)
	if !ok {
		return nil
	}
	var out []*pki.Certificate
	for _, e := range s.byName[k] {
		for _, src := range e.sources {
			if src == "operator" {
				out = append(out, e.cert)
				break
			}
		}
	}
	return out
}

func fileRejected(format string, a ...any) *Error {
	e := rejected(format, a...)
	e.Reason = ReasonFileRejected
	return e
}
