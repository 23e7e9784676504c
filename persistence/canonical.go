package persistence

import (
	"strings"
	"unicode"
)

// CanonicalOperatorID is the form under which operator message ids are
// indexed and matched: trimmed, lower-case, leading zeros stripped ("0" for
// an all-zero id). Operators print the same id differently in submit_sm_resp
// and in the receipt text, so both sides are reduced to this form.
func CanonicalOperatorID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return ""
	}
	// Spaces between leading zeros go too, so the result is a fixed point.
	trimmed := strings.TrimLeftFunc(id, func(r rune) bool { return r == '0' || unicode.IsSpace(r) })
	if trimmed == "" {
		return "0"
	}
	return trimmed
}
