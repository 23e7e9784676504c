package webhook

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzDrain feeds arbitrary response bodies, split in two reads, to the
// reader of non-2xx answers: the snippet stays bounded and printable.
func FuzzDrain(f *testing.F) {
	f.Add([]byte(`{"error":"bad"}`), uint(4))
	f.Add([]byte("line1\r\nline2\x00\xff"), uint(7))
	f.Add(bytes.Repeat([]byte("é"), 300), uint(255))
	f.Fuzz(func(t *testing.T, body []byte, split uint) {
		cut := int(split % uint(len(body)+1))
		s, err := drain(io.MultiReader(bytes.NewReader(body[:cut]), bytes.NewReader(body[cut:])))
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
		if len(s) > maxSnippetBytes || !utf8.ValidString(s) {
			t.Fatalf("snippet %q: too long or invalid UTF-8", s)
		}
		if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
			t.Fatalf("snippet %q has unprintable characters", s)
		}
	})
}
