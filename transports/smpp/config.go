package smpp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linxGnu/gosmpp/pdu"
)

// Mode is the SMPP bind type.
type Mode int

// Bind types.
const (
	Transceiver Mode = iota
	Transmitter
	Receiver
)

// String returns the lower-case name used in configuration.
func (m Mode) String() string {
	switch m {
	case Transmitter:
		return "transmitter"
	case Receiver:
		return "receiver"
	case Transceiver:
		return "transceiver"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads a bind type from configuration text.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "transmitter", "tx":
		return Transmitter, nil
	case "receiver", "rx":
		return Receiver, nil
	case "transceiver", "trx":
		return Transceiver, nil
	}
	return 0, fmt.Errorf("smpp: unknown bind mode %q", s)
}

func (m Mode) bindingType() (pdu.BindingType, error) {
	switch m {
	case Transmitter:
		return pdu.Transmitter, nil
	case Receiver:
		return pdu.Receiver, nil
	case Transceiver:
		return pdu.Transceiver, nil
	}
	return 0, fmt.Errorf("smpp: invalid bind mode %d", int(m))
}

// Config describes one bind to an operator SMSC.
type Config struct {
	Address, SystemID, Password, SystemType string
	Mode                                    Mode
	// TLS, when set, wraps the connection in TLS; nil means plain TCP.
	TLS *tls.Config
	// BindTimeout bounds dial + bind_resp, and the wait for unbind_resp in
	// Close (default 10s).
	BindTimeout time.Duration
	// EnquireLink is the keep-alive period (default 30s); the session dies
	// when nothing is read for 3*EnquireLink.
	EnquireLink time.Duration
	// WriteTimeout bounds one PDU write (default 10s).
	WriteTimeout time.Duration
	// ResponseTimeout is how long a submit_sm waits for its response before
	// its outcome is reported unknown (default 30s).
	ResponseTimeout time.Duration
	// Window is the maximum number of outstanding submit_sm (default 10).
	Window int
	// Source and destination TON/NPI. When both values of a pair are 0 the
	// defaults apply: an alphanumeric sender gets TON 5 NPI 0, a numeric one
	// 1/1, an empty one 0/0; destinations get 1/1.
	SourceTON, SourceNPI, DestTON, DestNPI byte
}

// Defaults applied by Dial.
const (
	DefaultBindTimeout     = 10 * time.Second
	DefaultEnquireLink     = 30 * time.Second
	DefaultWriteTimeout    = 10 * time.Second
	DefaultResponseTimeout = 30 * time.Second
	DefaultWindow          = 10
)

func (c Config) withDefaults() (Config, error) {
	if c.Address == "" {
		return c, errors.New("smpp: config: empty address")
	}
	if _, err := c.Mode.bindingType(); err != nil {
		return c, err
	}
	if c.Window < 0 || c.BindTimeout < 0 || c.EnquireLink < 0 || c.WriteTimeout < 0 || c.ResponseTimeout < 0 {
		return c, fmt.Errorf("smpp: config for %s: negative window or timeout", c.Address)
	}
	if c.BindTimeout == 0 {
		c.BindTimeout = DefaultBindTimeout
	}
	if c.EnquireLink == 0 {
		c.EnquireLink = DefaultEnquireLink
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.ResponseTimeout == 0 {
		c.ResponseTimeout = DefaultResponseTimeout
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	return c, nil
}

// sourceTonNpi applies the TON/NPI rule for a sender address.
func (c *Config) sourceTonNpi(addr string) (ton, npi byte) {
	if c.SourceTON != 0 || c.SourceNPI != 0 {
		return c.SourceTON, c.SourceNPI
	}
	switch {
	case addr == "":
		return 0, 0
	case isNumeric(addr):
		return 1, 1
	default:
		return 5, 0
	}
}

func (c *Config) destTonNpi() (ton, npi byte) {
	if c.DestTON != 0 || c.DestNPI != 0 {
		return c.DestTON, c.DestNPI
	}
	return 1, 1
}

// isNumeric accepts digits with an optional leading '+'.
func isNumeric(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
