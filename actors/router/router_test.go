package router

import (
	"reflect"
	"testing"
)

func TestLookup(t *testing.T) {
	tab := New([]Route{
		{Prefix: "+44", Operators: []string{"uk"}},
		{Prefix: "+447700", Operators: []string{"uk-test", "uk"}},
		{Prefix: "0049", Operators: []string{"de"}},
		{Prefix: "*", Operators: []string{"world"}},
	})
	cases := []struct {
		dest string
		want []string
	}{
		{"+447700900123", []string{"uk-test", "uk"}},
		{"447911123456", []string{"uk"}},
		{"+4915112345678", []string{"de"}},
		{"+33612345678", []string{"world"}},
	}
	for _, c := range cases {
		if got := tab.Lookup(c.dest); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Lookup(%q) = %v, want %v", c.dest, got, c.want)
		}
	}
	if got := New(nil).Lookup("+44"); got != nil {
		t.Errorf("empty table routed to %v", got)
	}
}
