package conf

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is the whole gateway configuration.
type Config struct {
	Store     Store
	HTTP      HTTP
	SMPP      SMPP
	Log       Log
	Operators []Operator
	Routes    []Route
	Customers []Customer
	MORoutes  []MORoute

	// src remembers where each key came from so Validate can name lines.
	src *source
}

// Store selects the persistence backend.
type Store struct {
	// URL is "sqlite:<folder>" for the embedded store or
	// "postgres://…" for CockroachDB. It may hold a password.
	URL string
}

// String redacts any password in the URL.
func (s Store) String() string { return redactURL(s.URL) }

// MarshalJSON redacts the URL like String.
func (s Store) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ URL string }{redactURL(s.URL)})
}

// HTTP is the customer API / dashboard listener.
type HTTP struct {
	Listen string // host:port
}

// SMPP is the customer-facing SMPP listener; empty Listen disables it.
// With TLSCert and TLSKey (PEM files) it speaks SMPP over TLS.
type SMPP struct {
	Listen          string
	TLSCert, TLSKey string
}

// Log configures the event log.
type Log struct {
	Level  string // debug, info, warn, error
	Format string // json or csv
}

// Operator is one connection group to a mobile operator.
type Operator struct {
	ID         string
	Protocol   string // "smpp"
	Address    string // host:port
	SystemID   string
	Password   Secret
	SystemType string
	// Bind is "transmitter", "receiver" or "transceiver" ("trx" is read as
	// "transceiver"). A transmitter-only operator sends no DRs.
	Bind            string
	Binds           int
	TPS             float64
	Window          int
	QueueSize       int
	EnquireLink     time.Duration
	ResponseTimeout time.Duration
	BindTimeout     time.Duration
	TLS             bool
	// ReceiptIDFormat says how receipts write the id submit_sm_resp gave:
	// "" the same way (case and leading zeros aside); "decimal" when
	// submit_sm_resp is hex and receipts decimal; "hex" the reverse; "auto"
	// tries both readings (can pick the wrong message when an id reads
	// validly in both bases).
	ReceiptIDFormat string
	// Address numbering; nil means "derive from the address".
	SourceTON, SourceNPI *uint8
	DestTON, DestNPI     *uint8
}

// ReceivesDRs reports whether the operator's binds can carry delivery reports.
func (o *Operator) ReceivesDRs() bool { return o.Bind != BindTransmitter }

// Bind modes.
const (
	BindTransmitter = "transmitter"
	BindReceiver    = "receiver"
	BindTransceiver = "transceiver"
)

// Route maps a destination prefix to an ordered operator list.
type Route struct {
	// Prefix is matched against the destination ("+44"). The default route
	// has an empty prefix; "*" in the file is read as "".
	Prefix    string
	Operators []string
}

// Customer is one customer account.
type Customer struct {
	ID          string
	APIKeys     []Secret
	CallbackURL string
	TPS         float64
	Senders     []string // allowed sender ids; empty means any
	MaxParts    int
	SMPP        CustomerSMPP
	// MOURL receives MO messages as HTTP callbacks; without it MOs go to the
	// customer's SMPP receiver binds.
	MOURL string
	// DeliveryTTL is how long DRs and MOs are held for a customer who has no
	// receiver bound (default 48h).
	DeliveryTTL time.Duration
}

// CustomerSMPP holds a customer's SMPP settings; empty SystemID means the
// customer does not use SMPP.
type CustomerSMPP struct {
	SystemID string
	Password Secret
	MaxBinds int     // concurrent binds allowed (default 4)
	BindTPS  float64 // submit_sm per second per bind (default: the customer's tps)
	IDFormat string  // how our message ids are written in receipts: "hex" (default) or "decimal"
	// DedupWindow: a submit_sm repeated within it (same
	// user_message_reference, destination and content) is one message
	// (default 10m). DedupContent extends that to submits without a
	// user_message_reference: same source, destination and content.
	DedupWindow  time.Duration
	DedupContent bool
}

// MORoute sends MO messages for a short code (and optionally a keyword, the
// first word of the text, case-insensitive, or a regular expression over
// the text) to a customer. ShortCode "*" is the catch-all.
type MORoute struct {
	ShortCode string
	Keyword   string
	Regex     string
	Customer  string
}

// Secret is a string that never prints: fmt, %#v and JSON all show it
// redacted. Use string(s) where the value is really needed.
type Secret string

const redacted = "[redacted]"

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from revealing the value.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// MarshalJSON keeps the value out of JSON dumps (dashboard, logs).
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Defaults.
const (
	DefaultStoreURL        = "sqlite:./smsgw-data"
	DefaultHTTPListen      = "127.0.0.1:8080"
	DefaultLogLevel        = "info"
	DefaultLogFormat       = "json"
	DefaultProtocol        = "smpp"
	DefaultBinds           = 1
	DefaultOperatorTPS     = 100
	DefaultWindow          = 10
	DefaultQueueSize       = 10000
	DefaultEnquireLink     = 30 * time.Second
	DefaultResponseTimeout = 30 * time.Second
	DefaultBindTimeout     = 10 * time.Second
	DefaultCustomerTPS     = 100
	DefaultMaxParts        = 10
	DefaultMaxBinds        = 4
	DefaultDeliveryTTL     = 48 * time.Hour
	DefaultDedupWindow     = 10 * time.Minute
)

// Default returns a Config with every default filled in and no operators,
// routes or customers.
func Default() *Config {
	return &Config{
		Store: Store{URL: DefaultStoreURL},
		HTTP:  HTTP{Listen: DefaultHTTPListen},
		Log:   Log{Level: DefaultLogLevel, Format: DefaultLogFormat},
	}
}

// DefaultOperator returns an Operator with every default filled in.
func DefaultOperator() Operator {
	return Operator{
		Protocol:        DefaultProtocol,
		Bind:            BindTransceiver,
		Binds:           DefaultBinds,
		TPS:             DefaultOperatorTPS,
		Window:          DefaultWindow,
		QueueSize:       DefaultQueueSize,
		EnquireLink:     DefaultEnquireLink,
		ResponseTimeout: DefaultResponseTimeout,
		BindTimeout:     DefaultBindTimeout,
	}
}

// DefaultCustomer returns a Customer with every default filled in.
func DefaultCustomer() Customer {
	return Customer{TPS: DefaultCustomerTPS, MaxParts: DefaultMaxParts, DeliveryTTL: DefaultDeliveryTTL,
		SMPP: CustomerSMPP{MaxBinds: DefaultMaxBinds, IDFormat: "hex", DedupWindow: DefaultDedupWindow}}
}

// String summarises the configuration without secrets.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "store: %s\nhttp: %s\n", c.Store, c.HTTP.Listen)
	if c.SMPP.Listen != "" {
		fmt.Fprintf(&b, "smpp: %s\n", c.SMPP.Listen)
	}
	fmt.Fprintf(&b, "log: %s %s\n", c.Log.Level, c.Log.Format)
	for _, o := range c.Operators {
		fmt.Fprintf(&b, "operator %s: %s %s system_id=%s bind=%s×%d tps=%g window=%d\n",
			o.ID, o.Protocol, o.Address, o.SystemID, o.Bind, o.Binds, o.TPS, o.Window)
	}
	for _, r := range c.Routes {
		p := r.Prefix
		if p == "" {
			p = "*"
		}
		fmt.Fprintf(&b, "route %s: %s\n", p, strings.Join(r.Operators, ", "))
	}
	for _, cu := range c.Customers {
		fmt.Fprintf(&b, "customer %s: %d api key(s) tps=%g callback=%s\n",
			cu.ID, len(cu.APIKeys), cu.TPS, redactURL(cu.CallbackURL))
	}
	return b.String()
}

// redactURL hides the password of a URL; text that does not parse is hidden
// entirely since it might be a secret.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	return u.Redacted()
}
