package smsc

import (
	"strconv"
	"time"
)

// Config configures a Server. The zero value is a working SMSC that accepts
// any credentials and sends immediate DELIVRD receipts when asked.
type Config struct {
	// SystemID and Password are the accepted credentials; empty accepts any.
	SystemID string
	Password string
	// SMSCSystemID is the system_id the SMSC returns in bind_resp
	// (default "smsgwsim").
	SMSCSystemID string

	// BindErrorBody sends system_id in refused bind_resps. By default they
	// are body-less, as SMPP 3.4 says; gosmpp v0.3.1 then cannot parse a
	// refused bind_transceiver_resp, and with the body it cannot parse a
	// refused bind_transmitter_resp or bind_receiver_resp.
	BindErrorBody bool

	// DRDelay is the time between a submit_sm and its delivery receipt.
	// Receipts are sent only when registered_delivery asks for them.
	DRDelay time.Duration
	// DRStat is the receipt's stat (default DELIVRD). Faults can override it
	// per destination.
	DRStat string
	// IDFormat is the message id format in submit_sm_resp (default hex).
	IDFormat IDFormat
	// ReceiptIDFormat is the id format in receipts (default: IDFormat). Some
	// operators answer hex and report decimal.
	ReceiptIDFormat IDFormat
	// FirstID is the first message id number (default 1).
	FirstID uint64
	// ReceiptNoTLVs leaves receipted_message_id and message_state out of
	// receipts, so only the text carries the id and state.
	ReceiptNoTLVs bool

	// DisableRecording stops Submits from growing (long runs, benchmarks);
	// Stats and OnSubmit still work.
	DisableRecording bool
	// OnSubmit, if set, is called for every submit_sm received, on the
	// session's goroutine, before it is answered. Keep it short.
	OnSubmit func(Submit)

	// WriteQueue is the per-session outgoing queue length (default 1024).
	WriteQueue int
}

// IDFormat selects how a message id number is written.
type IDFormat int

const (
	// IDDefault is hex for IDFormat, and "same as IDFormat" for
	// ReceiptIDFormat.
	IDDefault IDFormat = iota
	// IDHex is lower-case hex without padding ("1f").
	IDHex
	// IDDecimal is decimal without padding ("31").
	IDDecimal
	// IDDecimalZeroPadded is decimal padded to 10 digits ("0000000031"), the
	// width of Appendix B's id field.
	IDDecimalZeroPadded
)

// Format writes id n in format f.
func (f IDFormat) Format(n uint64) string {
	switch f {
	case IDDecimal:
		return strconv.FormatUint(n, 10)
	case IDDecimalZeroPadded:
		s := strconv.FormatUint(n, 10)
		if len(s) >= 10 {
			return s
		}
		return "0000000000"[len(s):] + s
	default:
		return strconv.FormatUint(n, 16)
	}
}

func (c Config) withDefaults() Config {
	if c.SMSCSystemID == "" {
		c.SMSCSystemID = "smsgwsim"
	}
	if c.DRStat == "" {
		c.DRStat = StatDelivered
	}
	if c.IDFormat == IDDefault {
		c.IDFormat = IDHex
	}
	if c.ReceiptIDFormat == IDDefault {
		c.ReceiptIDFormat = c.IDFormat
	}
	if c.FirstID == 0 {
		c.FirstID = 1
	}
	return c
}
