package receipt

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Receipt is the content of a delivery receipt's text.
type Receipt struct {
	ID                   string
	Sub, Dlvrd           int
	SubmitDate, DoneDate time.Time
	Stat                 string // upper-cased, e.g. DELIVRD
	Err                  string // as sent, e.g. "000"
	Text                 string
}

// Errors Parse returns for a text that is not a receipt.
var (
	ErrNoID   = errors.New("receipt: no id")
	ErrNoStat = errors.New("receipt: no stat")
)

// field names a key; words are matched case-insensitively and may be
// joined by spaces or '_' ("submit date", "submit_date", "Submit Date").
type field int

const (
	fID field = iota
	fSub
	fDlvrd
	fSubmitDate
	fDoneDate
	fStat
	fErr
	fText
)

var keys = []struct {
	words []string
	f     field
}{
	{[]string{"submit", "date"}, fSubmitDate},
	{[]string{"done", "date"}, fDoneDate},
	{[]string{"id"}, fID},
	{[]string{"sub"}, fSub},
	{[]string{"dlvrd"}, fDlvrd},
	{[]string{"stat"}, fStat},
	{[]string{"err"}, fErr},
	{[]string{"text"}, fText},
}

// Parse reads a receipt text. It is tolerant: keys in any case, "submit
// date" or "submit_date", spaces around ':', fields in any order, unknown
// key:value fields skipped, dates as YYMMDDhhmm, YYMMDDhhmmss or
// YYYYMMDDhhmmss (taken as UTC: receipts carry no zone). Only id and stat
// are required; a malformed optional field (count, date) is left zero so the
// receipt still reaches its message. Text is everything after "text:".
func Parse(s string) (Receipt, error) {
	var r Receipt
	var haveID, haveStat bool
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			i++
			continue
		}
		f, after, ok := matchKey(s, i)
		if !ok {
			i = skipToken(s, i)
			continue
		}
		if f == fText {
			r.Text = strings.Trim(s[after:], " \t\r\n\x00")
			break
		}
		v, next := value(s, after)
		i = next
		switch f {
		case fID:
			r.ID, haveID = v, v != ""
		case fSub:
			r.Sub = atoi(v)
		case fDlvrd:
			r.Dlvrd = atoi(v)
		case fSubmitDate:
			r.SubmitDate = parseDate(v)
		case fDoneDate:
			r.DoneDate = parseDate(v)
		case fStat:
			r.Stat, haveStat = strings.ToUpper(v), v != ""
		case fErr:
			r.Err = v
		}
	}
	switch {
	case !haveID:
		return r, fmt.Errorf("parse %.40q: %w", s, ErrNoID)
	case !haveStat:
		return r, fmt.Errorf("parse %.40q: %w", s, ErrNoStat)
	}
	return r, nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0
}

// skipToken moves past a run of non-space bytes.
func skipToken(s string, i int) int {
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return i
}

// matchKey reports whether a known key followed by ':' starts at i, and
// the index just after the ':'.
func matchKey(s string, i int) (field, int, bool) {
	for _, k := range keys {
		j, ok := i, true
		for w, word := range k.words {
			if w > 0 {
				// Words joined by one '_' or by spaces.
				start := j
				if j < len(s) && s[j] == '_' {
					j++
				} else {
					for j < len(s) && s[j] == ' ' {
						j++
					}
				}
				if j == start {
					ok = false
					break
				}
			}
			if len(s)-j < len(word) || !strings.EqualFold(s[j:j+len(word)], word) {
				ok = false
				break
			}
			j += len(word)
		}
		if !ok {
			continue
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == ':' {
			return k.f, j + 1, true
		}
	}
	return 0, 0, false
}

// value reads the value that starts after a key's ':' (spaces allowed
// before it) and returns it and the index after it. A following key means
// the value is empty ("err: text:…").
func value(s string, i int) (string, int) {
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if j > i {
		if _, _, isKey := matchKey(s, j); isKey {
			return "", j
		}
	}
	end := skipToken(s, j)
	return s[j:end], end
}

func atoi(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

// parseDate reads YYMMDDhhmm, YYMMDDhhmmss or YYYYMMDDhhmmss; anything else,
// or an impossible date, is the zero time.
func parseDate(v string) time.Time {
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			return time.Time{}
		}
	}
	n := func(a, b int) int { x, _ := strconv.Atoi(v[a:b]); return x }
	var y, mo, d, h, mi, sec int
	switch len(v) {
	case 10, 12:
		y, mo, d, h, mi = 2000+n(0, 2), n(2, 4), n(4, 6), n(6, 8), n(8, 10)
		if len(v) == 12 {
			sec = n(10, 12)
		}
	case 14:
		y, mo, d, h, mi, sec = n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14)
	default:
		return time.Time{}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	// time.Date normalises 31 April to 1 May; a receipt saying so is wrong.
	if t.Month() != time.Month(mo) || t.Day() != d || t.Hour() != h || t.Minute() != mi || t.Second() != sec {
		return time.Time{}
	}
	return t
}

// Format writes r in the exact Appendix B shape, dates to the minute:
// "id:%s sub:%03d dlvrd:%03d submit date:YYMMDDhhmm done date:YYMMDDhhmm
// stat:%s err:%03s text:%.20s". A zero date is written as 0000000000.
func Format(r Receipt) string {
	return fmt.Sprintf("id:%s sub:%03d dlvrd:%03d submit date:%s done date:%s stat:%s err:%03s text:%.20s",
		r.ID, r.Sub, r.Dlvrd, formatDate(r.SubmitDate), formatDate(r.DoneDate), r.Stat, r.Err, r.Text)
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return "0000000000"
	}
	return t.Format("0601021504")
}
