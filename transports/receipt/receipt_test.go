package receipt

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func date(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Receipt
	}{
		{"vonage (Appendix B exactly)",
			"id:0000000012345678 sub:001 dlvrd:001 submit date:1601010100 done date:1601010101 stat:DELIVRD err:000 text:none",
			Receipt{ID: "0000000012345678", Sub: 1, Dlvrd: 1, SubmitDate: date(2016, 1, 1, 1, 0, 0), DoneDate: date(2016, 1, 1, 1, 1, 0), Stat: "DELIVRD", Err: "000", Text: "none"}},
		{"kannel style, Text: capitalised, hex id",
			"id:483D47F1 sub:001 dlvrd:001 submit date:0905151857 done date:0905151857 stat:DELIVRD err:000 Text:Dear Godwin Akpabio",
			Receipt{ID: "483D47F1", Sub: 1, Dlvrd: 1, SubmitDate: date(2009, 5, 15, 18, 57, 0), DoneDate: date(2009, 5, 15, 18, 57, 0), Stat: "DELIVRD", Err: "000", Text: "Dear Godwin Akpabio"}},
		{"node-smpp peer, seconds in dates, no text",
			"id:abc-123 sub:001 dlvrd:001 submit date:260102030405 done date:260102030506 stat:DELIVRD err:000",
			Receipt{ID: "abc-123", Sub: 1, Dlvrd: 1, SubmitDate: date(2026, 1, 2, 3, 4, 5), DoneDate: date(2026, 1, 2, 3, 5, 6), Stat: "DELIVRD", Err: "000"}},
		{"melrose simulator undelivered, empty text",
			"id:7a3f0c12 sub:001 dlvrd:000 submit date:2103281135 done date:2103281135 stat:UNDELIV err:001 text:",
			Receipt{ID: "7a3f0c12", Sub: 1, Dlvrd: 0, SubmitDate: date(2021, 3, 28, 11, 35, 0), DoneDate: date(2021, 3, 28, 11, 35, 0), Stat: "UNDELIV", Err: "001"}},
		{"four-digit years, short err",
			"id:42 sub:001 dlvrd:001 submit date:20240229235959 done date:20240301000000 stat:DELIVRD err:0",
			Receipt{ID: "42", Sub: 1, Dlvrd: 1, SubmitDate: date(2024, 2, 29, 23, 59, 59), DoneDate: date(2024, 3, 1, 0, 0, 0), Stat: "DELIVRD", Err: "0"}},
		{"underscored keys, upper case, extra spaces",
			"  ID:99   SUB:1  DLVRD:1 SUBMIT_DATE:2501011200 Done_Date: 2501011201  STAT: delivrd ERR: 000 TEXT:  hi there  ",
			Receipt{ID: "99", Sub: 1, Dlvrd: 1, SubmitDate: date(2025, 1, 1, 12, 0, 0), DoneDate: date(2025, 1, 1, 12, 1, 0), Stat: "DELIVRD", Err: "000", Text: "hi there"}},
		{"fields reordered, unknown fields, text with keys inside",
			"stat:EXPIRED imsi:001010123456789 id:x1 err:027 text:id:zz stat:DELIVRD",
			Receipt{ID: "x1", Stat: "EXPIRED", Err: "027", Text: "id:zz stat:DELIVRD"}},
		{"only the required fields",
			"id:1 stat:REJECTD",
			Receipt{ID: "1", Stat: "REJECTD"}},
		{"empty err before text",
			"id:5 stat:DELIVRD err: text:ok",
			Receipt{ID: "5", Stat: "DELIVRD", Text: "ok"}},
		{"bad dates and counts are left zero",
			"id:5 sub:x dlvrd:1 submit date:1613011200 done date:1702301200 stat:DELIVRD",
			Receipt{ID: "5", Dlvrd: 1, Stat: "DELIVRD"}},
		{"epoch millis as date, NUL terminated",
			"id:5 submit date:1760000000000 stat:ENROUTE text:x\x00",
			Receipt{ID: "5", Stat: "ENROUTE", Text: "x"}},
		{"multiple spaces inside date key",
			"id:5 submit   date:2501011200 stat:ACCEPTD",
			Receipt{ID: "5", SubmitDate: date(2025, 1, 1, 12, 0, 0), Stat: "ACCEPTD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"", ErrNoID},
		{"hello world", ErrNoID},
		{"sub:001 stat:DELIVRD", ErrNoID},
		{"id: stat:DELIVRD", ErrNoID},
		{"idx:1 stat:DELIVRD", ErrNoID},
		{"id:1 sub:001 err:000", ErrNoStat},
		{"id:1 text:stat:DELIVRD", ErrNoStat},
	}
	for _, tt := range tests {
		if r, err := Parse(tt.in); !errors.Is(err, tt.err) {
			t.Errorf("%q: %+v, %v want %v", tt.in, r, err, tt.err)
		}
	}
}

func TestFormat(t *testing.T) {
	r := Receipt{ID: "0000000012345678", Sub: 1, Dlvrd: 1, SubmitDate: date(2016, 1, 1, 1, 0, 30), DoneDate: date(2016, 1, 1, 1, 1, 0), Stat: "DELIVRD", Err: "0", Text: "none"}
	want := "id:0000000012345678 sub:001 dlvrd:001 submit date:1601010100 done date:1601010101 stat:DELIVRD err:000 text:none"
	if got := Format(r); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	r = Receipt{ID: "a", Stat: "UNDELIV", Text: strings.Repeat("ж", 25)}
	want = "id:a sub:000 dlvrd:000 submit date:0000000000 done date:0000000000 stat:UNDELIV err:000 text:" + strings.Repeat("ж", 20)
	if got := Format(r); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	back, err := Parse(want)
	if err != nil || !back.SubmitDate.IsZero() || back.Text != strings.Repeat("ж", 20) {
		t.Fatalf("parse back: %+v, %v", back, err)
	}
}

func TestStates(t *testing.T) {
	tests := []struct {
		stat  string
		state byte
	}{
		{"ENROUTE", StateEnroute}, {"DELIVRD", StateDelivered}, {"EXPIRED", StateExpired},
		{"DELETED", StateDeleted}, {"UNDELIV", StateUndeliverable}, {"ACCEPTD", StateAccepted},
		{"UNKNOWN", StateUnknown}, {"REJECTD", StateRejected},
	}
	for _, tt := range tests {
		if got := StateFromStat(tt.stat); got != tt.state {
			t.Errorf("StateFromStat(%s) = %d want %d", tt.stat, got, tt.state)
		}
		if got := StateFromStat(strings.ToLower(tt.stat)); got != tt.state {
			t.Errorf("StateFromStat(lower %s) = %d", tt.stat, got)
		}
		if got := StatFromState(tt.state); got != tt.stat {
			t.Errorf("StatFromState(%d) = %s want %s", tt.state, got, tt.stat)
		}
	}
	for stat, state := range map[string]byte{"delivered": 2, " UNDELIVERABLE ": 5, "Accepted": 6, "REJECTED": 8, "0": 0, "": 0, "FAILED": 0} {
		if got := StateFromStat(stat); got != state {
			t.Errorf("StateFromStat(%q) = %d want %d", stat, got, state)
		}
	}
	for _, s := range []byte{0, 9, 255} {
		if got := StatFromState(s); got != "UNKNOWN" {
			t.Errorf("StatFromState(%d) = %s", s, got)
		}
	}
}

func TestIDCandidates(t *testing.T) {
	tests := []struct {
		in        string
		canonical string
		want      []string
	}{
		{"", "", nil},
		{"  ", "", nil},
		{"0", "0", []string{"0"}},
		{"000", "0", []string{"0"}},
		{"0000000012345678", "12345678", []string{"12345678", "bc614e", "305419896"}},
		{"ABCDEF", "abcdef", []string{"abcdef", "11259375"}},
		{" 0A1B2C ", "a1b2c", []string{"a1b2c", "662316"}},
		{"10", "10", []string{"10", "a", "16"}},
		{"9", "9", []string{"9"}},
		{"18446744073709551615", "18446744073709551615", []string{"18446744073709551615", "ffffffffffffffff"}},
		{"18446744073709551616", "18446744073709551616", []string{"18446744073709551616"}},
		{"ffffffffffffffff", "ffffffffffffffff", []string{"ffffffffffffffff", "18446744073709551615"}},
		{"1ffffffffffffffff", "1ffffffffffffffff", []string{"1ffffffffffffffff"}},
		{"abc-123", "abc-123", []string{"abc-123"}},
		{"0x1F", "x1f", []string{"x1f"}},
		{"7a3f0c12-9b1e-4c2d-8f00-000000000001", "7a3f0c12-9b1e-4c2d-8f00-000000000001", []string{"7a3f0c12-9b1e-4c2d-8f00-000000000001"}},
	}
	for _, tt := range tests {
		got := IDCandidates(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("IDCandidates(%q) = %q want %q", tt.in, got, tt.want)
		}
		if c := Canonical(tt.in); c != tt.canonical {
			t.Errorf("Canonical(%q) = %q want %q", tt.in, c, tt.canonical)
		}
	}
}

// TestIDMatching is the use: the id stored from submit_sm_resp is found
// through the candidates of the id a receipt carries.
func TestIDMatching(t *testing.T) {
	pairs := []struct{ resp, dlr string }{
		{"00BC614E", "12345678"}, // hex response, decimal receipt
		{"12345678", "0000000012345678"},
		{"305419896", "12345678"}, // decimal response, hex receipt
		{"ABC-1", "abc-1"},
	}
	for _, p := range pairs {
		stored := Canonical(p.resp)
		found := false
		for _, c := range IDCandidates(p.dlr) {
			found = found || c == stored
		}
		if !found {
			t.Errorf("receipt id %q does not find stored %q (candidates %q)", p.dlr, stored, IDCandidates(p.dlr))
		}
	}
}
