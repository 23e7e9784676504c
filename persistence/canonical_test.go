package persistence

import "testing"

func TestCanonicalOperatorID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"0", "0"},
		{"0000", "0"},
		{"00AB12", "ab12"},
		{" 0012345 ", "12345"},
		{"ABCDEF", "abcdef"},
		{"10", "10"},
		{"0 0 5", "5"},
		{"\t0x1F\n", "x1f"},
	}
	for _, tt := range tests {
		if got := CanonicalOperatorID(tt.in); got != tt.want {
			t.Errorf("CanonicalOperatorID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStatusRanks(t *testing.T) {
	tests := []struct {
		s     Status
		final bool
	}{
		{StatusAccepted, false}, {StatusQueued, false}, {StatusUnknown, false}, {StatusSubmitted, false},
		{StatusDelivered, true}, {StatusExpired, true}, {StatusUndeliverable, true}, {StatusRejected, true}, {StatusFailed, true},
	}
	for _, tt := range tests {
		if tt.s.Final() != tt.final {
			t.Errorf("%s.Final() = %v", tt.s, tt.s.Final())
		}
		if StatusOfRank(tt.s.Rank()) != tt.s {
			t.Errorf("StatusOfRank(%d) = %q, want %q", tt.s.Rank(), StatusOfRank(tt.s.Rank()), tt.s)
		}
	}
	if Status("bogus").Rank() != 0 || StatusOfRank(0) != "" {
		t.Error("unknown status must have rank 0 and rank 0 no status")
	}
}

// FuzzCanonicalOperatorID checks the canonical form is a fixed point.
func FuzzCanonicalOperatorID(f *testing.F) {
	for _, s := range []string{"", "0", "000", "00AB12", " 12 ", "ÄÖ0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CanonicalOperatorID(s)
		if CanonicalOperatorID(c) != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, CanonicalOperatorID(c))
		}
	})
}
