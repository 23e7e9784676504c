// Package router maps a destination number to the ordered list of operators
// that may carry it: longest matching prefix wins. It is a pure function over
// a configuration snapshot, rebuilt when the configuration changes.
package router

import (
	"sort"
	"strings"
)

// Route is one configured prefix and its operators, in failover order.
type Route struct {
	Prefix    string
	Operators []string
}

// Table is an immutable routing snapshot.
type Table struct {
	routes []Route // sorted by descending normalised prefix length
	def    []string
}

// New builds a table. A prefix of "" or "*" is the default route.
func New(routes []Route) *Table {
	t := &Table{}
	for _, r := range routes {
		p := Normalize(r.Prefix)
		if r.Prefix == "" || r.Prefix == "*" {
			t.def = append([]string(nil), r.Operators...)
			continue
		}
		t.routes = append(t.routes, Route{Prefix: p, Operators: append([]string(nil), r.Operators...)})
	}
	sort.SliceStable(t.routes, func(i, j int) bool { return len(t.routes[i].Prefix) > len(t.routes[j].Prefix) })
	return t
}

// Normalize strips what customers and operators write differently around
// the same number: a leading '+' or "00".
func Normalize(number string) string {
	n := strings.TrimPrefix(number, "+")
	if strings.HasPrefix(n, "00") {
		n = n[2:]
	}
	return n
}

// Lookup returns the operators for a destination, nil when none matches.
func (t *Table) Lookup(dest string) []string {
	d := Normalize(dest)
	for _, r := range t.routes {
		if strings.HasPrefix(d, r.Prefix) {
			return r.Operators
		}
	}
	return t.def
}
