package mrz

import "strings"

// The three layouts, field by field, in reading order. Positions in the
// comments and errors are 1-based as in Doc 9303; slices are 0-based.

// parseTD23 reads TD3 (Doc 9303 Part 4) and TD2 (Part 6), which differ only
// in line length, in what the optional data holds and in the document codes.
//
//	line 1: code 1-2, issuing state 3-5, name 6-end
//	line 2: number 1-9, check 10, nationality 11-13, birth 14-19, check 20,
//	        sex 21, expiry 22-27, check 28, then
//	        TD3: personal number 29-42, check 43, composite 44
//	        TD2: optional data 29-35, composite 36
func parseTD23(d *Document, today Date) error {
	l1, l2 := d.Lines[0], d.Lines[1]
	td3 := d.Format == TD3
	var err error
	if td3 {
		d.DocumentCode, err = documentCode(l1[0:2], 1, "P", "passport (TD3)")
	} else {
		d.DocumentCode, err = documentCode(l1[0:2], 1, "ACI", "TD2")
	}
	if err != nil {
		return err
	}
	if d.IssuingState, err = stateCode(l1[2:5], 1, 3, FieldIssuingState); err != nil {
		return err
	}
	if d.Surname, d.GivenNames, err = name(l1[5:], 1, 6); err != nil {
		return err
	}
	optEnd := 35 // TD2 optional data ends at position 35
	if td3 {
		optEnd = 42
	}
	if l2[9] == Filler && !td3 {
		d.DocumentNumber, d.OptionalData1, err = longNumber(l2[0:9], l2[28:optEnd], 2, 1, 29)
	} else {
		d.DocumentNumber, d.OptionalData1, err = shortNumber(l2[0:9], l2[9], l2[28:optEnd], 2, 1)
	}
	if err != nil {
		return err
	}
	if d.Nationality, err = stateCode(l2[10:13], 2, 11, FieldNationality); err != nil {
		return err
	}
	if err = holder(d, l2[13:28], 2, 14, today); err != nil {
		return err
	}
	if td3 {
		// Doc 9303 Part 4: with no personal number the check digit may be
		// '<' as well as '0'.
		if cd := l2[42]; d.OptionalData1 != "" || cd != Filler {
			if err := verify(2, 43, FieldOptionalData, cd, l2[28:42]); err != nil {
				return err
			}
		}
		return verify(2, 44, FieldComposite, l2[43], l2[0:10], l2[13:20], l2[21:43])
	}
	return verify(2, 36, FieldComposite, l2[35], l2[0:10], l2[13:20], l2[21:35])
}

// parseTD1 reads TD1 (Doc 9303 Part 5).
//
//	line 1: code 1-2, issuing state 3-5, number 6-14, check 15, optional 16-30
//	line 2: birth 1-6, check 7, sex 8, expiry 9-14, check 15,
//	        nationality 16-18, optional 19-29, composite 30
//	line 3: name 1-30
func parseTD1(d *Document, today Date) error {
	l1, l2, l3 := d.Lines[0], d.Lines[1], d.Lines[2]
	var err error
	if d.DocumentCode, err = documentCode(l1[0:2], 1, "ACI", "TD1"); err != nil {
		return err
	}
	if d.IssuingState, err = stateCode(l1[2:5], 1, 3, FieldIssuingState); err != nil {
		return err
	}
	if l1[14] == Filler {
		d.DocumentNumber, d.OptionalData1, err = longNumber(l1[5:14], l1[15:30], 1, 6, 16)
	} else {
		d.DocumentNumber, d.OptionalData1, err = shortNumber(l1[5:14], l1[14], l1[15:30], 1, 6)
	}
	if err != nil {
		return err
	}
	if err = holder(d, l2[0:15], 2, 1, today); err != nil {
		return err
	}
	if d.Nationality, err = stateCode(l2[15:18], 2, 16, FieldNationality); err != nil {
		return err
	}
	d.OptionalData2 = strings.TrimRight(l2[18:29], "<")
	if d.Surname, d.GivenNames, err = name(l3, 3, 1); err != nil {
		return err
	}
	return verify(2, 30, FieldComposite, l2[29], l1[5:30], l2[0:7], l2[8:15], l2[18:29])
}

// holder reads the 15 characters shared by every layout: birth date, check
// digit, sex, expiry date, check digit.
func holder(d *Document, f string, line, pos int, today Date) error {
	var err error
	if d.BirthDate, err = date(f[0:6], line, pos, FieldBirthDate, today); err != nil {
		return err
	}
	if err = verify(line, pos+6, FieldBirthDate, f[6], f[0:6]); err != nil {
		return err
	}
	if d.Sex, err = sex(f[7], line, pos+7); err != nil {
		return err
	}
	if d.ExpiryDate, err = date(f[8:14], line, pos+8, FieldExpiryDate, today); err != nil {
		return err
	}
	return verify(line, pos+14, FieldExpiryDate, f[14], f[8:14])
}

// shortNumber reads a document number of at most nine characters and its
// check digit; the optional data is returned as is, without padding.
func shortNumber(f string, cd byte, opt string, line, pos int) (string, string, error) {
	n, err := documentNumber(f, line, pos)
	if err != nil {
		return "", "", err
	}
	if err := verify(line, pos+9, FieldDocumentNumber, cd, f); err != nil {
		return "", "", err
	}
	return n, strings.TrimRight(opt, "<"), nil
}

// longNumber reads a TD1/TD2 document number longer than nine characters
// (Doc 9303 Parts 5 and 6): the first nine fill the number field, a filler
// stands in the check digit position, and the rest of the number opens the
// optional data, followed by the check digit over the whole number and a
// filler. What follows that filler is returned as the optional data.
func longNumber(f, opt string, line, pos, optPos int) (string, string, error) {
	if i := strings.IndexByte(f, Filler); i >= 0 {
		return "", "", formatErr(line, pos+9, FieldDocumentNumber,
			"'<' in the check digit position marks a number longer than 9 characters, but the number field is not full")
	}
	k := strings.IndexByte(opt, Filler)
	if k < 0 {
		k = len(opt)
	}
	if k < 2 {
		return "", "", formatErr(line, optPos, FieldDocumentNumber,
			"'<' in the check digit position marks a number longer than 9 characters, but the optional data does not continue it")
	}
	if err := verify(line, optPos+k-1, FieldDocumentNumber, opt[k-1], f, opt[:k-1]); err != nil {
		return "", "", err
	}
	rest := ""
	if k+1 < len(opt) {
		rest = strings.TrimRight(opt[k+1:], "<")
	}
	return f + opt[:k-1], rest, nil
}
