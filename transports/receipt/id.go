package receipt

import (
	"strconv"
	"strings"
)

// Operators often report a message id in a receipt in another form than in
// their submit_sm_resp: the response in hex and the receipt in decimal (or
// the reverse, e.g. Vonage), with or without leading zeros, in another
// case. The rule:
//
//   - Canonical(id) is the id trimmed of spaces, lower-cased, and stripped
//     of leading zeros ("0" if nothing else remains). It is what we store
//     when a submit_sm_resp arrives.
//   - IDCandidates(id) is Canonical(id) first, then, if it is all decimal
//     digits and fits 64 bits, its lower-case hex form, then, if it is at
//     most 16 hex digits, its decimal form; duplicates removed. A receipt
//     matches a stored submit if any candidate equals the stored id.
//
// Since "12345" is both valid decimal and valid hex, a candidate can name a
// different message: look candidates up within the operator the receipt
// came from, the exact form first.

// Canonical is the form of an operator message id that we store.
func Canonical(id string) string {
	s := strings.ToLower(strings.TrimSpace(id))
	if s == "" {
		return ""
	}
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// IDCandidates lists the canonical forms under which id may have been
// stored, Canonical(id) first; nil for an empty id.
func IDCandidates(id string) []string {
	c := Canonical(id)
	if c == "" {
		return nil
	}
	out := []string{c}
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if isDigits(c) {
		if v, err := strconv.ParseUint(c, 10, 64); err == nil {
			add(strconv.FormatUint(v, 16))
		}
	}
	if len(c) <= 16 {
		if v, err := strconv.ParseUint(c, 16, 64); err == nil {
			add(strconv.FormatUint(v, 10))
		}
	}
	return out
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
