package conf

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error it returns is
// an *Error, and that an accepted config stays valid.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("testdata/smsgw.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte("operators:\n  - {id: a, address: 'h:1', system_id: s, tps: 0}\n"))
	f.Add([]byte("x: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			for _, e := range unwrap(err) {
				var ce *Error
				if !errors.As(e, &ce) {
					t.Fatalf("error %v is %T, not *Error", e, e)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config fails Validate: %v", err)
		}
		_ = c.String()
	})
}
