package gateway

import (
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/transports/smpp/server"
)

func TestIDFormats(t *testing.T) {
	id := ulid.Make().String()
	for _, format := range []string{"hex", "decimal", ""} {
		s := FormatID(format, id)
		back, err := ParseID(s)
		if err != nil || back != id {
			t.Errorf("%s: %s → %q (%v), want %s", format, s, back, err, id)
		}
	}
	if back, err := ParseID(id); err != nil || back != id {
		t.Errorf("ULID itself: %q %v", back, err)
	}
	for _, bad := range []string{"", "xyz", "9999999999999999999999999999999999999999999"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

func TestDedupKey(t *testing.T) {
	ref := uint16(7)
	other := uint16(8)
	now := time.Unix(1_800_000_000, 0)
	sub := func(r *uint16, text string) *server.Submit {
		return &server.Submit{Source: "ACME", Dest: "447700900123", ShortMessage: []byte(text), UserMessageReference: r}
	}
	umr := SMPPAccount{DedupWindow: 10 * time.Minute}
	content := SMPPAccount{DedupWindow: 10 * time.Minute, DedupContent: true}
	key := func(a SMPPAccount, m *server.Submit, at time.Time) string { k, _ := dedupKey(a, m, at); return k }
	cases := []struct {
		name string
		a, b string
		same bool
	}{
		{"same reference and text", key(umr, sub(&ref, "x"), now), key(umr, sub(&ref, "x"), now.Add(time.Second)), true},
		{"other reference", key(umr, sub(&ref, "x"), now), key(umr, sub(&other, "x"), now), false},
		{"other text", key(umr, sub(&ref, "x"), now), key(umr, sub(&ref, "y"), now), false},
		{"next window", key(umr, sub(&ref, "x"), now), key(umr, sub(&ref, "x"), now.Add(time.Hour)), false},
		{"content dedup", key(content, sub(nil, "x"), now), key(content, sub(nil, "x"), now), true},
	}
	for _, c := range cases {
		if (c.a == c.b) != c.same || c.a == "" {
			t.Errorf("%s: %q vs %q", c.name, c.a, c.b)
		}
	}
	if k := key(umr, sub(nil, "x"), now); k != "" {
		t.Errorf("no reference, no content dedup: key %q", k)
	}
}
