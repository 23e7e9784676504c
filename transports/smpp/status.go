package smpp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/linxGnu/gosmpp/data"
)

// SMPP command_status values the gateway acts on.
const (
	StatusOK         uint32 = 0x00000000
	StatusSysErr     uint32 = 0x00000008 // ESME_RSYSERR
	StatusMsgQFull   uint32 = 0x00000014 // ESME_RMSGQFUL
	StatusThrottled  uint32 = 0x00000058 // ESME_RTHROTTLED
	StatusTempAppErr uint32 = 0x00000064 // ESME_RX_T_APPN
	StatusPermAppErr uint32 = 0x00000065 // ESME_RX_P_APPN
)

// Errors returned by Client methods.
var (
	ErrWindowFull  = errors.New("smpp: window full")
	ErrClosed      = errors.New("smpp: client closed")
	ErrReceiveOnly = errors.New("smpp: receiver bind cannot submit")
	ErrUnbound     = errors.New("smpp: unbound by SMSC")
)

// BindError is the SMSC's refusal of a bind request.
type BindError struct {
	Status uint32
}

func (e *BindError) Error() string {
	return "smpp: bind refused: " + StatusName(e.Status)
}

// StatusName returns the SMPP name of a command_status ("ESME_RTHROTTLED"),
// or its hex value when the name is unknown.
func StatusName(status uint32) string {
	s := data.CommandStatusType(status).String()
	if strings.HasPrefix(s, "CommandStatusType(") {
		return fmt.Sprintf("0x%08X", status)
	}
	return s
}

// Temporary reports whether a submit refused with status may succeed later
// on the same route.
func Temporary(status uint32) bool {
	switch status {
	case StatusThrottled, StatusMsgQFull, StatusSysErr, StatusTempAppErr:
		return true
	}
	return false
}

// nackStatus is the status a generic_nack stands for: its own, or
// ESME_RSYSERR when it carries none.
func nackStatus(status uint32) uint32 {
	if status == StatusOK {
		return StatusSysErr
	}
	return status
}
