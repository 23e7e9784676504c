package conf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Load reads and validates the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a YAML configuration; name is used in errors.
// Absent keys take their defaults; an explicit value is always validated.
func Parse(name string, data []byte) (*Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Line: extra.Line, Msg: "only one YAML document is allowed"}
	}

	d := &decoder{src: &source{file: name, lines: map[string]int{}}}
	c := Default()
	c.src = d.src
	if len(doc.Content) > 0 {
		d.config(doc.Content[0], c)
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a yaml.v3 syntax error into an *Error with its line.
func yamlError(name string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1]) // the regexp guarantees digits; overflow leaves 0 = unknown line
		return &Error{File: name, Line: line, Msg: m[2]}
	}
	return &Error{File: name, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// decoder walks the YAML tree by hand rather than through yaml.Unmarshal so
// that every error can name its key and every key's line is remembered.
type decoder struct {
	src  *source
	errs []error
}

// field decodes the value node n found at path.
type field func(n *yaml.Node, path string)

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.src.file, Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapping decodes a mapping node whose keys must all be in fields.
// A null value (an empty "key:") leaves every field at its default.
func (d *decoder) mapping(n *yaml.Node, path string, fields map[string]field) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "must be a mapping")
		return
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "keys must be plain strings")
			continue
		}
		p := join(path, k.Value)
		if seen[k.Value] {
			d.fail(k, p, "duplicate key")
			continue
		}
		seen[k.Value] = true
		f, ok := fields[k.Value]
		if !ok {
			d.fail(k, p, "unknown key (want one of %s)", keys(fields))
			continue
		}
		d.src.lines[p] = k.Line
		if v.Kind == yaml.AliasNode {
			d.fail(v, p, "aliases are not supported")
			continue
		}
		f(v, p)
	}
}

func keys(fields map[string]field) string {
	ks := make([]string, 0, len(fields))
	for k := range fields {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// sequence calls item for every element of a sequence node.
func (d *decoder) sequence(n *yaml.Node, path string, item func(n *yaml.Node, path string)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "must be a list")
		return
	}
	for i, e := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.src.lines[p] = e.Line
		if e.Kind == yaml.AliasNode {
			d.fail(e, p, "aliases are not supported")
			continue
		}
		item(e, p)
	}
}

// scalar reports whether n is a non-null scalar, failing otherwise.
func (d *decoder) scalar(n *yaml.Node, path, want string) bool {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.fail(n, path, "must be %s", want)
		return false
	}
	return true
}

func (d *decoder) str(dst *string) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) {
			*dst = ""
			return
		}
		if d.scalar(n, path, "a string") {
			*dst = n.Value
		}
	}
}

func (d *decoder) secret(dst *Secret) field {
	var s string
	f := d.str(&s)
	return func(n *yaml.Node, path string) {
		f(n, path)
		*dst = Secret(s)
	}
}

func (d *decoder) integer(dst *int) field {
	return func(n *yaml.Node, path string) {
		if !d.scalar(n, path, "an integer") {
			return
		}
		var v int
		if n.Tag != "!!int" || n.Decode(&v) != nil {
			d.fail(n, path, "must be an integer")
			return
		}
		*dst = v
	}
}

func (d *decoder) float(dst *float64) field {
	return func(n *yaml.Node, path string) {
		if !d.scalar(n, path, "a number") {
			return
		}
		var v float64
		if (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&v) != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			d.fail(n, path, "must be a number")
			return
		}
		*dst = v
	}
}

func (d *decoder) boolean(dst *bool) field {
	return func(n *yaml.Node, path string) {
		if !d.scalar(n, path, "true or false") {
			return
		}
		var v bool
		if n.Tag != "!!bool" || n.Decode(&v) != nil {
			d.fail(n, path, "must be true or false")
			return
		}
		*dst = v
	}
}

func (d *decoder) duration(dst *time.Duration) field {
	return func(n *yaml.Node, path string) {
		if !d.scalar(n, path, `a duration such as "30s"`) {
			return
		}
		v, err := time.ParseDuration(n.Value)
		if err != nil {
			d.fail(n, path, `invalid duration %q (want e.g. "30s", "1m30s")`, n.Value)
			return
		}
		*dst = v
	}
}

func (d *decoder) octet(dst **uint8) field {
	return func(n *yaml.Node, path string) {
		if isNull(n) {
			*dst = nil
			return
		}
		var v int
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil || v < 0 || v > 255 {
			d.fail(n, path, "must be an integer from 0 to 255")
			return
		}
		b := uint8(v)
		*dst = &b
	}
}

func (d *decoder) strings(dst *[]string) field {
	return func(n *yaml.Node, path string) {
		var out []string
		d.sequence(n, path, func(e *yaml.Node, p string) {
			var s string
			d.str(&s)(e, p)
			out = append(out, s)
		})
		*dst = out
	}
}

func (d *decoder) secrets(dst *[]Secret) field {
	return func(n *yaml.Node, path string) {
		var out []Secret
		d.sequence(n, path, func(e *yaml.Node, p string) {
			var s Secret
			d.secret(&s)(e, p)
			out = append(out, s)
		})
		*dst = out
	}
}

func (d *decoder) config(n *yaml.Node, c *Config) {
	d.mapping(n, "", map[string]field{
		"store": func(n *yaml.Node, p string) {
			d.mapping(n, p, map[string]field{"url": d.str(&c.Store.URL)})
		},
		"http": func(n *yaml.Node, p string) {
			d.mapping(n, p, map[string]field{"listen": d.str(&c.HTTP.Listen)})
		},
		"smpp": func(n *yaml.Node, p string) {
			d.mapping(n, p, map[string]field{"listen": d.str(&c.SMPP.Listen), "tls_cert": d.str(&c.SMPP.TLSCert),
				"tls_key": d.str(&c.SMPP.TLSKey)})
		},
		"log": func(n *yaml.Node, p string) {
			d.mapping(n, p, map[string]field{"level": d.str(&c.Log.Level), "format": d.str(&c.Log.Format)})
		},
		"operators": func(n *yaml.Node, p string) {
			d.sequence(n, p, func(n *yaml.Node, p string) {
				o := DefaultOperator()
				d.operator(n, p, &o)
				c.Operators = append(c.Operators, o)
			})
		},
		"routes": func(n *yaml.Node, p string) {
			d.sequence(n, p, func(n *yaml.Node, p string) {
				var r Route
				d.mapping(n, p, map[string]field{"prefix": d.str(&r.Prefix), "operators": d.strings(&r.Operators)})
				if r.Prefix == "*" {
					r.Prefix = ""
				}
				c.Routes = append(c.Routes, r)
			})
		},
		"customers": func(n *yaml.Node, p string) {
			d.sequence(n, p, func(n *yaml.Node, p string) {
				cu := DefaultCustomer()
				d.customer(n, p, &cu)
				c.Customers = append(c.Customers, cu)
			})
		},
		"mo_routes": func(n *yaml.Node, p string) {
			d.sequence(n, p, func(n *yaml.Node, p string) {
				var r MORoute
				d.mapping(n, p, map[string]field{"short_code": d.str(&r.ShortCode), "keyword": d.str(&r.Keyword),
					"regex": d.str(&r.Regex), "customer": d.str(&r.Customer)})
				c.MORoutes = append(c.MORoutes, r)
			})
		},
	})
}

func (d *decoder) operator(n *yaml.Node, path string, o *Operator) {
	d.mapping(n, path, map[string]field{
		"id":                d.str(&o.ID),
		"protocol":          d.str(&o.Protocol),
		"address":           d.str(&o.Address),
		"system_id":         d.str(&o.SystemID),
		"password":          d.secret(&o.Password),
		"system_type":       d.str(&o.SystemType),
		"bind":              d.str(&o.Bind),
		"binds":             d.integer(&o.Binds),
		"tps":               d.float(&o.TPS),
		"window":            d.integer(&o.Window),
		"queue_size":        d.integer(&o.QueueSize),
		"enquire_link":      d.duration(&o.EnquireLink),
		"response_timeout":  d.duration(&o.ResponseTimeout),
		"bind_timeout":      d.duration(&o.BindTimeout),
		"tls":               d.boolean(&o.TLS),
		"source_ton":        d.octet(&o.SourceTON),
		"source_npi":        d.octet(&o.SourceNPI),
		"dest_ton":          d.octet(&o.DestTON),
		"dest_npi":          d.octet(&o.DestNPI),
		"receipt_id_format": d.str(&o.ReceiptIDFormat),
	})
	if o.Bind == "trx" {
		o.Bind = BindTransceiver
	}
}

func (d *decoder) customer(n *yaml.Node, path string, c *Customer) {
	d.mapping(n, path, map[string]field{
		"id":           d.str(&c.ID),
		"api_keys":     d.secrets(&c.APIKeys),
		"callback_url": d.str(&c.CallbackURL),
		"tps":          d.float(&c.TPS),
		"senders":      d.strings(&c.Senders),
		"max_parts":    d.integer(&c.MaxParts),
		"smpp": func(n *yaml.Node, p string) {
			d.mapping(n, p, map[string]field{
				"system_id":     d.str(&c.SMPP.SystemID),
				"password":      d.secret(&c.SMPP.Password),
				"max_binds":     d.integer(&c.SMPP.MaxBinds),
				"bind_tps":      d.float(&c.SMPP.BindTPS),
				"id_format":     d.str(&c.SMPP.IDFormat),
				"dedup_window":  d.duration(&c.SMPP.DedupWindow),
				"dedup_content": d.boolean(&c.SMPP.DedupContent),
			})
		},
		"mo_url":       d.str(&c.MOURL),
		"delivery_ttl": d.duration(&c.DeliveryTTL),
	})
}
