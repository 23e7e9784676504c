package router

import "testing"

func TestMOLookup(t *testing.T) {
	tab, err := NewMO([]MORoute{
		{ShortCode: "*", Customer: "catchall"},
		{ShortCode: "12345", Customer: "shop"},
		{ShortCode: "12345", Keyword: "STOP", Customer: "optout"},
		{ShortCode: "12345", Regex: `(?i)^win\b`, Customer: "contest"},
		{ShortCode: "+4455555", Customer: "uk"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ sc, text, want string }{
		{"12345", "stop please", "optout"},
		{"12345", "WIN a car", "contest"},
		{"12345", "hello", "shop"},
		{"12345", "", "shop"},
		{"4455555", "x", "uk"},
		{"99999", "anything", "catchall"},
	}
	for _, c := range cases {
		if got := tab.Lookup(c.sc, c.text); got != c.want {
			t.Errorf("Lookup(%q, %q) = %q, want %q", c.sc, c.text, got, c.want)
		}
	}
	empty, _ := NewMO(nil)
	if got := empty.Lookup("1", "x"); got != "" {
		t.Errorf("empty table routed to %q", got)
	}
	if _, err := NewMO([]MORoute{{ShortCode: "1", Regex: "("}}); err == nil {
		t.Error("bad regex accepted")
	}
}
