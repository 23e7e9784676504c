package conf

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// SMPP 3.4 field limits (C-octet strings, NUL excluded).
const (
	maxSystemID   = 15
	maxPassword   = 8
	maxSystemType = 12
)

var (
	idPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	prefixPattern = regexp.MustCompile(`^\+?[0-9]{1,15}$`)
	numericSender = regexp.MustCompile(`^\+?[0-9]+$`)
)

// validNPI lists the numbering plan indicators SMPP 3.4 defines.
var validNPI = map[uint8]bool{0: true, 1: true, 3: true, 4: true, 6: true, 8: true, 9: true, 10: true, 14: true, 18: true}

// validator collects every problem so the user sees them all at once.
type validator struct {
	src  *source
	errs []error
}

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.src.fileName(), Line: v.src.line(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// where names a path and, when known, its line, for "already used by" hints.
func (v *validator) where(path string) string {
	if l := v.src.line(path); l > 0 {
		return fmt.Sprintf("%s (line %d)", path, l)
	}
	return path
}

// Validate checks the whole configuration and returns every problem found,
// joined, or nil.
func (c *Config) Validate() error {
	v := &validator{src: c.src}
	v.store("store.url", c.Store.URL)
	v.listen("http.listen", c.HTTP.Listen, true)
	v.listen("smpp.listen", c.SMPP.Listen, false)
	if (c.SMPP.TLSCert == "") != (c.SMPP.TLSKey == "") {
		v.add("smpp.tls_key", "tls_cert and tls_key go together")
	}
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "json", "csv")

	operators := map[string]string{} // id -> path
	for i := range c.Operators {
		p := fmt.Sprintf("operators[%d]", i)
		o := &c.Operators[i]
		if v.id(p+".id", o.ID) {
			if first, dup := operators[o.ID]; dup {
				v.add(p+".id", "duplicate operator id %q, already used by %s", o.ID, v.where(first))
			} else {
				operators[o.ID] = p + ".id"
			}
		}
		v.operator(p, o)
	}

	prefixes := map[string]string{}
	for i, r := range c.Routes {
		p := fmt.Sprintf("routes[%d]", i)
		if r.Prefix != "" && !prefixPattern.MatchString(r.Prefix) {
			v.add(p+".prefix", `must be digits with an optional leading "+" (at most 15), or "*" for the default route`)
		} else if first, dup := prefixes[r.Prefix]; dup {
			v.add(p+".prefix", "duplicate prefix %q, already used by %s", r.Prefix, v.where(first))
		} else {
			prefixes[r.Prefix] = p + ".prefix"
		}
		if len(r.Operators) == 0 {
			v.add(p+".operators", "must list at least one operator")
		}
		seen := map[string]bool{}
		for j, id := range r.Operators {
			q := fmt.Sprintf("%s.operators[%d]", p, j)
			switch {
			case operators[id] == "":
				v.add(q, "unknown operator %q", id)
			case seen[id]:
				v.add(q, "operator %q listed twice", id)
			}
			seen[id] = true
		}
	}

	customers := map[string]string{}
	apiKeys := map[Secret]string{}
	systemIDs := map[string]string{}
	for i := range c.Customers {
		p := fmt.Sprintf("customers[%d]", i)
		cu := &c.Customers[i]
		if v.id(p+".id", cu.ID) {
			if first, dup := customers[cu.ID]; dup {
				v.add(p+".id", "duplicate customer id %q, already used by %s", cu.ID, v.where(first))
			} else {
				customers[cu.ID] = p + ".id"
			}
		}
		if len(cu.APIKeys) == 0 && cu.SMPP.SystemID == "" {
			v.add(p+".api_keys", "must list at least one key (or give the customer smpp credentials)")
		}
		for j, k := range cu.APIKeys {
			q := fmt.Sprintf("%s.api_keys[%d]", p, j)
			switch {
			case k == "":
				v.add(q, "must not be empty")
			case strings.IndexFunc(string(k), unicode.IsSpace) >= 0:
				v.add(q, "must not contain spaces")
			case apiKeys[k] != "":
				// Never print the key itself.
				v.add(q, "same key as %s", v.where(apiKeys[k]))
			default:
				apiKeys[k] = q
			}
		}
		v.customer(p, cu)
		if id := cu.SMPP.SystemID; id != "" {
			if first, dup := systemIDs[id]; dup {
				v.add(p+".smpp.system_id", "duplicate system_id %q, already used by %s", id, v.where(first))
			} else {
				systemIDs[id] = p + ".smpp.system_id"
			}
		}
	}
	for i, r := range c.MORoutes {
		p := fmt.Sprintf("mo_routes[%d]", i)
		if r.ShortCode == "" {
			v.add(p+".short_code", `must not be empty ("*" matches every short code)`)
		}
		if r.Keyword != "" && r.Regex != "" {
			v.add(p+".regex", "give a keyword or a regex, not both")
		}
		if r.Regex != "" {
			if _, err := regexp.Compile(r.Regex); err != nil {
				v.add(p+".regex", "invalid regular expression: %v", err)
			}
		}
		if customers[r.Customer] == "" {
			v.add(p+".customer", "unknown customer %q", r.Customer)
		}
	}
	return errors.Join(v.errs...)
}

func (v *validator) operator(p string, o *Operator) {
	switch o.Protocol {
	case "smpp":
	case "ucp", "http":
		v.add(p+".protocol", `protocol %q is not supported yet (only "smpp")`, o.Protocol)
	default:
		v.add(p+".protocol", `unknown protocol %q (want "smpp")`, o.Protocol)
	}
	v.address(p+".address", o.Address)
	switch {
	case o.SystemID == "":
		v.add(p+".system_id", "must not be empty")
	case len(o.SystemID) > maxSystemID:
		v.add(p+".system_id", "must be at most %d characters", maxSystemID)
	}
	if len(o.Password) > maxPassword {
		v.add(p+".password", "must be at most %d characters", maxPassword)
	}
	if len(o.SystemType) > maxSystemType {
		v.add(p+".system_type", "must be at most %d characters", maxSystemType)
	}
	v.oneOf(p+".bind", o.Bind, BindTransmitter, BindReceiver, BindTransceiver, "trx")
	if o.ReceiptIDFormat != "" {
		v.oneOf(p+".receipt_id_format", o.ReceiptIDFormat, "decimal", "hex", "auto")
	}
	v.positive(p+".binds", o.Binds)
	v.positive(p+".window", o.Window)
	v.positive(p+".queue_size", o.QueueSize)
	v.rate(p+".tps", o.TPS)
	for _, d := range []struct {
		key string
		val time.Duration
	}{{"enquire_link", o.EnquireLink}, {"response_timeout", o.ResponseTimeout}, {"bind_timeout", o.BindTimeout}} {
		if d.val <= 0 {
			v.add(p+"."+d.key, "must be > 0")
		}
	}
	for _, t := range []struct {
		key string
		val *uint8
	}{{"source_ton", o.SourceTON}, {"dest_ton", o.DestTON}} {
		if t.val != nil && *t.val > 6 {
			v.add(p+"."+t.key, "must be a TON from 0 to 6")
		}
	}
	for _, t := range []struct {
		key string
		val *uint8
	}{{"source_npi", o.SourceNPI}, {"dest_npi", o.DestNPI}} {
		if t.val != nil && !validNPI[*t.val] {
			v.add(p+"."+t.key, "must be an NPI defined by SMPP 3.4 (0, 1, 3, 4, 6, 8, 9, 10, 14, 18)")
		}
	}
}

func (v *validator) customer(p string, c *Customer) {
	if c.CallbackURL != "" {
		u, err := url.Parse(c.CallbackURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(p+".callback_url", "must be an absolute http:// or https:// URL")
		}
	}
	v.rate(p+".tps", c.TPS)
	if c.MaxParts < 1 || c.MaxParts > 255 {
		v.add(p+".max_parts", "must be from 1 to 255")
	}
	for i, s := range c.Senders {
		q := fmt.Sprintf("%s.senders[%d]", p, i)
		switch {
		case s == "":
			v.add(q, "must not be empty")
		case numericSender.MatchString(s):
			if len(strings.TrimPrefix(s, "+")) > 15 {
				v.add(q, "a numeric sender must have at most 15 digits")
			}
		case len(s) > 11:
			v.add(q, "an alphanumeric sender must have at most 11 characters")
		}
	}
	if len(c.SMPP.SystemID) > maxSystemID {
		v.add(p+".smpp.system_id", "must be at most %d characters", maxSystemID)
	}
	if len(c.SMPP.Password) > maxPassword {
		v.add(p+".smpp.password", "must be at most %d characters", maxPassword)
	}
	if c.SMPP.SystemID != "" && c.SMPP.Password == "" {
		v.add(p+".smpp.password", "must be set when smpp.system_id is")
	}
	v.positive(p+".smpp.max_binds", c.SMPP.MaxBinds)
	if c.SMPP.BindTPS < 0 {
		v.add(p+".smpp.bind_tps", "must be >= 0")
	}
	v.oneOf(p+".smpp.id_format", c.SMPP.IDFormat, "hex", "decimal")
	if c.SMPP.DedupWindow <= 0 {
		v.add(p+".smpp.dedup_window", "must be > 0")
	}
	if c.MOURL != "" {
		u, err := url.Parse(c.MOURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(p+".mo_url", "must be an absolute http:// or https:// URL")
		}
	}
	if c.DeliveryTTL <= 0 {
		v.add(p+".delivery_ttl", "must be > 0")
	}
}

// id checks an actor-facing identifier; ids become PID path segments and
// cluster identities, so they are kept to a safe alphabet.
func (v *validator) id(path, id string) bool {
	switch {
	case id == "":
		v.add(path, "must not be empty")
	case !idPattern.MatchString(id):
		v.add(path, "%q must be letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)", id)
	default:
		return true
	}
	return false
}

func (v *validator) store(path, s string) {
	switch {
	case strings.HasPrefix(s, "sqlite:"):
		if strings.TrimPrefix(s, "sqlite:") == "" {
			v.add(path, `sqlite: needs a folder, e.g. "sqlite:./smsgw-data"`)
		}
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		// The URL may hold a password: never echo it.
		if u, err := url.Parse(s); err != nil || u.Host == "" {
			v.add(path, "must be a valid postgres:// URL with a host")
		}
	default:
		v.add(path, `must start with "sqlite:" or "postgres://"`)
	}
}

// listen checks a listen address; the host may be empty and port 0 picks a free port.
func (v *validator) listen(path, addr string, required bool) {
	if addr == "" {
		if required {
			v.add(path, "must not be empty")
		}
		return
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || !validPort(port, 0) {
		v.add(path, "%q must be host:port", addr)
	}
}

// address checks an address to dial: host and non-zero port required.
func (v *validator) address(path, addr string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || !validPort(port, 1) {
		v.add(path, "%q must be host:port", addr)
	}
}

func validPort(s string, min int) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= min && n <= 65535
}

func (v *validator) oneOf(path, val string, allowed ...string) {
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	v.add(path, "%q must be one of %s", val, strings.Join(allowed, ", "))
}

func (v *validator) positive(path string, n int) {
	if n <= 0 {
		v.add(path, "must be > 0")
	}
}

func (v *validator) rate(path string, f float64) {
	if !(f > 0) || math.IsInf(f, 0) {
		v.add(path, "must be > 0")
	}
}
