package router

import (
	"fmt"
	"regexp"
	"strings"
)

// MORoute sends MOs for a short code, optionally narrowed by a keyword (the
// first word of the text, case-insensitive) or a regular expression over the
// text, to a customer. ShortCode "*" matches every short code.
type MORoute struct {
	ShortCode, Keyword, Regex, Customer string
}

type moRoute struct {
	MORoute
	re *regexp.Regexp
}

// MOTable is an immutable MO routing snapshot.
type MOTable struct {
	routes []moRoute
}

// NewMO builds the table; routes are tried in order of specificity: a
// short code before "*", a keyword or regex before a bare short code, and
// in configuration order otherwise.
func NewMO(routes []MORoute) (*MOTable, error) {
	t := &MOTable{}
	for _, r := range routes {
		mr := moRoute{MORoute: r}
		if r.Regex != "" {
			re, err := regexp.Compile(r.Regex)
			if err != nil {
				return nil, fmt.Errorf("mo route %s/%s: %w", r.ShortCode, r.Regex, err)
			}
			mr.re = re
		}
		t.routes = append(t.routes, mr)
	}
	rank := func(r moRoute) int {
		n := 0
		if r.ShortCode != "*" {
			n += 2
		}
		if r.Keyword != "" || r.re != nil {
			n++
		}
		return n
	}
	// Stable insertion sort by descending rank keeps configuration order.
	for i := 1; i < len(t.routes); i++ {
		for j := i; j > 0 && rank(t.routes[j]) > rank(t.routes[j-1]); j-- {
			t.routes[j], t.routes[j-1] = t.routes[j-1], t.routes[j]
		}
	}
	return t, nil
}

// Lookup returns the customer for an MO to shortCode with text; "" when no
// route matches.
func (t *MOTable) Lookup(shortCode, text string) string {
	sc := Normalize(shortCode)
	word := ""
	if f := strings.Fields(text); len(f) > 0 {
		word = strings.ToLower(f[0])
	}
	for _, r := range t.routes {
		if r.ShortCode != "*" && Normalize(r.ShortCode) != sc {
			continue
		}
		switch {
		case r.Keyword != "" && strings.ToLower(r.Keyword) != word:
			continue
		case r.re != nil && !r.re.MatchString(text):
			continue
		}
		return r.Customer
	}
	return ""
}
