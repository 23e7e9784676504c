package receipt

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// token reports whether s survives as one receipt value: non-empty and
// without the separators Parse splits on.
func token(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n\x00")
}

func FuzzParse(f *testing.F) {
	f.Add("id:0000000012345678 sub:001 dlvrd:001 submit date:1601010100 done date:1601010101 stat:DELIVRD err:000 text:none",
		"abc", "DELIVRD", "0", "hello", 1, 1, int64(1_700_000_000))
	f.Add("id:483D47F1 sub:001 dlvrd:001 submit date:0905151857 done date:0905151857 stat:DELIVRD err:000 Text:Dear",
		"483D47F1", "undeliv", "", "", 0, 0, int64(0))
	f.Add("  ID:99 SUBMIT_DATE:2501011200 Done_Date: 2501011201  STAT: delivrd ERR: text:  hi  ",
		"id:x", "text:", "text:1", "ж😀 \x00", -1, 1000, int64(-1))
	f.Add("id: stat:", "x", "y", "z", "text:id:1 stat:2", 5, 5, int64(4_102_444_799))
	f.Fuzz(func(t *testing.T, s, id, stat, errCode, text string, sub, dlvrd int, unix int64) {
		if r, err := Parse(s); err == nil {
			again, err := Parse(Format(r))
			if err != nil || again.ID != r.ID || again.Stat != r.Stat || again.Sub != r.Sub || again.Dlvrd != r.Dlvrd {
				t.Fatalf("%q → %+v → %q → %+v, %v", s, r, Format(r), again, err)
			}
		}
		if !token(id) || !token(stat) || (errCode != "" && !token(errCode)) {
			return
		}
		// Dates Format can carry: years 2000-2099, whole minutes.
		when := time.Unix(946_684_800+(unix%(100*365*86400)+100*365*86400)%(100*365*86400), 0).UTC().Truncate(time.Minute)
		in := Receipt{ID: id, Sub: sub, Dlvrd: dlvrd, SubmitDate: when, DoneDate: when.Add(time.Minute),
			Stat: stat, Err: errCode, Text: text}
		out, err := Parse(Format(in))
		if err != nil {
			t.Fatalf("%q: %v", Format(in), err)
		}
		want := in
		want.Stat = strings.ToUpper(stat)
		want.Err = fmt.Sprintf("%03s", errCode)
		want.Text = strings.Trim(fmt.Sprintf("%.20s", text), " \t\r\n\x00")
		if !out.SubmitDate.Equal(want.SubmitDate) || !out.DoneDate.Equal(want.DoneDate) {
			t.Fatalf("%q: dates %v %v want %v %v", Format(in), out.SubmitDate, out.DoneDate, want.SubmitDate, want.DoneDate)
		}
		out.SubmitDate, out.DoneDate, want.SubmitDate, want.DoneDate = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if out != want {
			t.Fatalf("%q:\n got %+v\nwant %+v", Format(in), out, want)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	s := "id:0000000012345678 sub:001 dlvrd:001 submit date:1601010100 done date:1601010101 stat:DELIVRD err:000 text:none"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}
