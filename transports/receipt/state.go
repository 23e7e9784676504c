package receipt

import "strings"

// SMPP 3.4 message_state values (TLV 0x0427, query_sm_resp).
const (
	StateEnroute       byte = 1
	StateDelivered     byte = 2
	StateExpired       byte = 3
	StateDeleted       byte = 4
	StateUndeliverable byte = 5
	StateAccepted      byte = 6
	StateUnknown       byte = 7
	StateRejected      byte = 8
)

var stats = [...]string{
	StateEnroute:       "ENROUTE",
	StateDelivered:     "DELIVRD",
	StateExpired:       "EXPIRED",
	StateDeleted:       "DELETED",
	StateUndeliverable: "UNDELIV",
	StateAccepted:      "ACCEPTD",
	StateUnknown:       "UNKNOWN",
	StateRejected:      "REJECTD",
}

// longStats are the spelled-out names some SMSCs send instead.
var longStats = map[string]byte{
	"DELIVERED":     StateDelivered,
	"UNDELIVERABLE": StateUndeliverable,
	"ACCEPTED":      StateAccepted,
	"REJECTED":      StateRejected,
}

// StateFromStat maps a receipt's stat word (any case, Appendix B's
// seven-letter form or the spelled-out message_state name) to its
// message_state. It returns 0, which SMPP 3.4 does not define, for a word
// it does not know, so the caller can tell "UNKNOWN" from garbage.
func StateFromStat(stat string) byte {
	s := strings.ToUpper(strings.TrimSpace(stat))
	for st, name := range stats {
		if name != "" && name == s {
			return byte(st)
		}
	}
	return longStats[s]
}

// StatFromState is the Appendix B stat word for a message_state; UNKNOWN
// for a value outside 1..8.
func StatFromState(state byte) string {
	if int(state) < len(stats) && stats[state] != "" {
		return stats[state]
	}
	return stats[StateUnknown]
}
