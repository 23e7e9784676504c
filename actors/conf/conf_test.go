package conf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadExample(t *testing.T) {
	c, err := Load("testdata/smsgw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Operators); got != 2 {
		t.Fatalf("operators = %d, want 2", got)
	}
	a, b := c.Operators[0], c.Operators[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"store", c.Store.URL, "sqlite:./smsgw-data"},
		{"smpp listen", c.SMPP.Listen, "127.0.0.1:2775"},
		{"log format", c.Log.Format, "csv"},
		{"a binds", a.Binds, 3},
		{"a tps", a.TPS, 500.0},
		{"a window", a.Window, 50},
		{"a queue default", a.QueueSize, DefaultQueueSize},
		{"a enquire default", a.EnquireLink, 30 * time.Second},
		{"a password", string(a.Password), "secret"},
		{"a ton unset", a.SourceTON == nil, true},
		{"b protocol default", b.Protocol, "smpp"},
		{"b trx", b.Bind, BindTransceiver},
		{"b binds default", b.Binds, 1},
		{"b tps default", b.TPS, 100.0},
		{"b enquire", b.EnquireLink, 15 * time.Second},
		{"b bind timeout", b.BindTimeout, 2 * time.Second},
		{"b tls", b.TLS, true},
		{"b source ton", *b.SourceTON, uint8(5)},
		{"b dest npi", *b.DestNPI, uint8(1)},
		{"default route", c.Routes[1].Prefix, ""},
		{"route ops", strings.Join(c.Routes[0].Operators, ","), "op-a,op-b"},
		{"acme tps", c.Customers[0].TPS, 100.0},
		{"acme max parts default", c.Customers[0].MaxParts, DefaultMaxParts},
		{"globex keys", len(c.Customers[1].APIKeys), 2},
		{"globex senders", len(c.Customers[1].Senders), 2},
		{"globex max parts", c.Customers[1].MaxParts, 4},
		{"globex smpp", c.Customers[1].SMPP.SystemID, "globex"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	for _, src := range []string{"", "{}", "store:\nhttp:\n"} {
		c, err := Parse("x.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if c.Store.URL != DefaultStoreURL || c.HTTP.Listen != DefaultHTTPListen || c.Log.Level != "info" || c.Log.Format != "json" {
			t.Errorf("%q: defaults not applied: %+v", src, c)
		}
	}
}

const (
	op   = "operators:\n  - {id: op-a, address: \"127.0.0.1:2776\", system_id: gw}\n"
	cust = "customers:\n  - {id: acme, api_keys: [k1]}\n"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // a substring of the error, including file and line
	}{
		{"syntax", "store: [\n", "t.yaml:1: did not find expected node content"},
		{"bad indentation", "store:\n  url: x\n bad: y\n", "t.yaml:2: did not find expected key"},
		{"tab indentation", "store:\n\turl: x\n", "t.yaml:2: "},
		{"two documents", "{}\n---\n{}\n", "only one YAML document"},
		{"root not a mapping", "- a\n", "t.yaml:1: must be a mapping"},
		{"unknown top key", "stor: {}\n", "t.yaml:1: stor: unknown key"},
		{"duplicate key", "log: {level: info}\nlog: {level: debug}\n", "t.yaml:2: log: duplicate key"},
		{"alias", "x: &a {url: 'sqlite:x'}\n", "t.yaml:1: x: unknown key"},
		{"alias value", "http: &a {listen: ':1'}\nsmpp: *a\n", "t.yaml:2: smpp: aliases are not supported"},
		{"store scheme", "store: {url: 'mysql://x'}\n", `t.yaml:1: store.url: must start with "sqlite:"`},
		{"store empty sqlite", "store:\n  url: 'sqlite:'\n", "t.yaml:2: store.url: sqlite: needs a folder"},
		{"mo route unknown customer", "mo_routes:\n  - {short_code: '123', customer: nobody}\n", `t.yaml:2: mo_routes[0].customer: unknown customer "nobody"`},
		{"mo route bad regex", "customers:\n  - {id: c, api_keys: [k]}\nmo_routes:\n  - {short_code: '1', regex: '(', customer: c}\n", "t.yaml:4: mo_routes[0].regex: invalid regular expression"},
		{"mo route keyword and regex", "customers:\n  - {id: c, api_keys: [k]}\nmo_routes:\n  - {short_code: '1', keyword: a, regex: b, customer: c}\n", "mo_routes[0].regex: give a keyword or a regex"},
		{"smpp id format", "customers:\n  - id: c\n    smpp: {system_id: c, password: p, id_format: octal}\n", "t.yaml:3: customers[0].smpp.id_format"},
		{"smpp tls half", "smpp: {listen: '127.0.0.1:2775', tls_cert: c.pem}\n", "smpp.tls_key: tls_cert and tls_key go together"},
		{"mo_url scheme", "customers:\n  - {id: c, api_keys: [k], mo_url: 'ftp://x'}\n", "t.yaml:2: customers[0].mo_url: must be an absolute"},
		{"http listen", "http:\n  listen: localhost\n", `t.yaml:2: http.listen: "localhost" must be host:port`},
		{"http listen empty", "http: {listen: ''}\n", "t.yaml:1: http.listen: must not be empty"},
		{"log level", "log:\n  level: loud\n", `t.yaml:2: log.level: "loud" must be one of debug, info, warn, error`},
		{"log format", "log: {format: xml}\n", "t.yaml:1: log.format:"},
		{"operators not list", "operators: {id: x}\n", "t.yaml:1: operators: must be a list"},
		{"operator unknown key", op + "  - id: op-b\n    adress: x\n", "t.yaml:4: operators[1].adress: unknown key"},
		{"operator tps zero", op + "  - id: op-b\n    address: h:1\n    system_id: s\n    tps: 0\n", "t.yaml:6: operators[1].tps: must be > 0"},
		{"operator tps negative", op + "  - {id: op-b, address: 'h:1', system_id: s, tps: -5}\n", "t.yaml:3: operators[1].tps: must be > 0"},
		{"operator tps string", op + "  - id: op-b\n    tps: fast\n", "t.yaml:4: operators[1].tps: must be a number"},
		{"operator tps nan", op + "  - id: op-b\n    tps: .nan\n", "t.yaml:4: operators[1].tps: must be a number"},
		{"operator binds float", op + "  - id: op-b\n    binds: 1.5\n", "t.yaml:4: operators[1].binds: must be an integer"},
		{"operator binds zero", "operators:\n  - id: op-a\n    address: h:1\n    system_id: s\n    binds: 0\n", "t.yaml:5: operators[0].binds: must be > 0"},
		{"operator window", "operators:\n  - id: op-a\n    address: h:1\n    system_id: s\n    window: -1\n", "t.yaml:5: operators[0].window: must be > 0"},
		{"operator queue", "operators:\n  - id: op-a\n    address: h:1\n    system_id: s\n    queue_size: 0\n", "t.yaml:5: operators[0].queue_size: must be > 0"},
		{"operator duplicate id", op + "  - {id: op-a, address: 'h:1', system_id: s}\n", `t.yaml:3: operators[1].id: duplicate operator id "op-a", already used by operators[0].id (line 2)`},
		{"operator missing id", "operators:\n  - {address: 'h:1', system_id: s}\n", "t.yaml:2: operators[0].id: must not be empty"},
		{"operator bad id", "operators:\n  - {id: 'a b', address: 'h:1', system_id: s}\n", "t.yaml:2: operators[0].id:"},
		{"operator missing address", "operators:\n  - id: a\n    system_id: s\n", `t.yaml:2: operators[0].address: "" must be host:port`},
		{"operator address no port", "operators:\n  - id: a\n    system_id: s\n    address: smsc.example\n", `t.yaml:4: operators[0].address: "smsc.example" must be host:port`},
		{"operator address port 0", "operators:\n  - id: a\n    system_id: s\n    address: 'h:0'\n", "t.yaml:4: operators[0].address:"},
		{"operator address no host", "operators:\n  - id: a\n    system_id: s\n    address: ':2775'\n", "t.yaml:4: operators[0].address:"},
		{"protocol ucp", "operators:\n  - id: a\n    system_id: s\n    address: h:1\n    protocol: ucp\n", `t.yaml:5: operators[0].protocol: protocol "ucp" is not supported yet`},
		{"protocol http", "operators:\n  - id: a\n    system_id: s\n    address: h:1\n    protocol: http\n", "not supported yet"},
		{"protocol unknown", "operators:\n  - id: a\n    system_id: s\n    address: h:1\n    protocol: smtp\n", `t.yaml:5: operators[0].protocol: unknown protocol "smtp"`},
		{"bind mode", "operators:\n  - id: a\n    system_id: s\n    address: h:1\n    bind: both\n", `t.yaml:5: operators[0].bind: "both" must be one of`},
		{"system id missing", "operators:\n  - id: a\n    address: h:1\n", "t.yaml:2: operators[0].system_id: must not be empty"},
		{"system id long", "operators:\n  - id: a\n    address: h:1\n    system_id: abcdefghijklmnopq\n", "t.yaml:4: operators[0].system_id: must be at most 15"},
		{"password long", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    password: topsecret1\n", "t.yaml:5: operators[0].password: must be at most 8"},
		{"system type long", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    system_type: abcdefghijklm\n", "t.yaml:5: operators[0].system_type:"},
		{"duration bad", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    enquire_link: 30\n", `t.yaml:5: operators[0].enquire_link: invalid duration "30"`},
		{"duration zero", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    bind_timeout: 0s\n", "t.yaml:5: operators[0].bind_timeout: must be > 0"},
		{"duration list", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    response_timeout: [1s]\n", "t.yaml:5: operators[0].response_timeout: must be a duration"},
		{"tls not bool", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    tls: 'yes'\n", "t.yaml:5: operators[0].tls: must be true or false"},
		{"ton range", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    source_ton: 7\n", "t.yaml:5: operators[0].source_ton: must be a TON"},
		{"ton byte", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    dest_ton: 300\n", "t.yaml:5: operators[0].dest_ton: must be an integer from 0 to 255"},
		{"npi", "operators:\n  - id: a\n    address: h:1\n    system_id: s\n    dest_npi: 2\n", "t.yaml:5: operators[0].dest_npi: must be an NPI"},
		{"route unknown operator", op + "routes:\n  - prefix: '+44'\n    operators: [op-a, op-x]\n", `t.yaml:5: routes[0].operators[1]: unknown operator "op-x"`},
		{"route no operators", op + "routes:\n  - prefix: '+44'\n", "t.yaml:4: routes[0].operators: must list at least one operator"},
		{"route twice", op + "routes:\n  - {prefix: '+44', operators: [op-a, op-a]}\n", `t.yaml:4: routes[0].operators[1]: operator "op-a" listed twice`},
		{"route bad prefix", op + "routes:\n  - {prefix: '44x', operators: [op-a]}\n", "t.yaml:4: routes[0].prefix: must be digits"},
		{"route duplicate prefix", op + "routes:\n  - {prefix: '*', operators: [op-a]}\n  - {prefix: '', operators: [op-a]}\n", `t.yaml:5: routes[1].prefix: duplicate prefix "", already used by routes[0].prefix (line 4)`},
		{"route operators not list", op + "routes:\n  - {prefix: '1', operators: op-a}\n", "t.yaml:4: routes[0].operators: must be a list"},
		{"customer no keys", "customers:\n  - id: acme\n", "t.yaml:2: customers[0].api_keys: must list at least one key"},
		{"customer empty key", "customers:\n  - id: acme\n    api_keys: ['']\n", "t.yaml:3: customers[0].api_keys[0]: must not be empty"},
		{"customer key with space", "customers:\n  - id: acme\n    api_keys: ['a b']\n", "t.yaml:3: customers[0].api_keys[0]: must not contain spaces"},
		{"customer duplicate key", cust + "  - id: globex\n    api_keys:\n      - k2\n      - k1\n", "t.yaml:6: customers[1].api_keys[1]: same key as customers[0].api_keys[0] (line 2)"},
		{"customer duplicate id", cust + "  - {id: acme, api_keys: [k2]}\n", `t.yaml:3: customers[1].id: duplicate customer id "acme"`},
		{"customer callback relative", cust + "  - id: b\n    api_keys: [k2]\n    callback_url: /dr\n", "t.yaml:5: customers[1].callback_url: must be an absolute"},
		{"customer callback scheme", cust + "  - id: b\n    api_keys: [k2]\n    callback_url: 'ftp://h/dr'\n", "t.yaml:5: customers[1].callback_url:"},
		{"customer tps", cust + "  - id: b\n    api_keys: [k2]\n    tps: 0\n", "t.yaml:5: customers[1].tps: must be > 0"},
		{"customer max parts", cust + "  - id: b\n    api_keys: [k2]\n    max_parts: 256\n", "t.yaml:5: customers[1].max_parts: must be from 1 to 255"},
		{"customer sender long", cust + "  - id: b\n    api_keys: [k2]\n    senders:\n      - ok\n      - WayTooLongSender\n", "t.yaml:7: customers[1].senders[1]: an alphanumeric sender"},
		{"customer numeric sender long", cust + "  - id: b\n    api_keys: [k2]\n    senders: ['+1234567890123456']\n", "t.yaml:5: customers[1].senders[0]: a numeric sender"},
		{"customer smpp no password", cust + "  - id: b\n    api_keys: [k2]\n    smpp: {system_id: b}\n", "t.yaml:5: customers[1].smpp.password: must be set"},
		{"customer smpp duplicate", "customers:\n  - {id: a, api_keys: [k1], smpp: {system_id: s, password: p}}\n  - {id: b, api_keys: [k2], smpp: {system_id: s, password: p}}\n", `t.yaml:3: customers[1].smpp.system_id: duplicate system_id "s"`},
		{"customer unknown key", "customers:\n  - id: a\n    apikeys: [k]\n", "t.yaml:3: customers[0].apikeys: unknown key"},
		{"string is a list", "store:\n  url: [a]\n", "t.yaml:2: store.url: must be a string"},
		{"non-scalar key", "? [a]\n: b\n", "t.yaml:1: keys must be plain strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	_, err := Parse("t.yaml", []byte("operators:\n  - id: a\n    address: h:1\n    system_id: s\n    tps: 0\n    window: 0\n"))
	var lines []int
	for _, e := range unwrap(err) {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("%T is not *Error", e)
		}
		lines = append(lines, ce.Line)
	}
	if fmt.Sprint(lines) != "[6 5]" && fmt.Sprint(lines) != "[5 6]" {
		t.Fatalf("lines = %v (err %v), want 5 and 6", lines, err)
	}
}

func unwrap(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// secrets lists every secret in testdata/smsgw.yaml.
var secrets = []string{"secret", "s3cr3t", "acme-key-0123456789", "globex-key-1", "globex-key-2"}

func TestSecretsNeverPrinted(t *testing.T) {
	c, err := Load("testdata/smsgw.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Store.URL = "postgres://root:hunter2@db:26257/smsgw"
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"String":       c.String(),
		"%v":           fmt.Sprintf("%v", *c),
		"%+v":          fmt.Sprintf("%+v", *c),
		"%#v":          fmt.Sprintf("%#v", c.Operators),
		"%v customers": fmt.Sprintf("%v", c.Customers),
		"json":         string(js),
	}
	for name, out := range outputs {
		for _, s := range append(secrets, "hunter2") {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains secret %q:\n%s", name, s, out)
			}
		}
	}
}

func TestSecretsNotInErrors(t *testing.T) {
	tests := []string{
		"customers:\n  - {id: a, api_keys: [sekrit-1]}\n  - {id: b, api_keys: [sekrit-1]}\n",
		"operators:\n  - {id: a, address: 'h:1', system_id: s, password: sekrit-1-too-long}\n",
		"store: {url: 'postgres://u:sekrit-1@/x'}\n",
		"store: {url: 'mysql://u:sekrit-1@h/x'}\n",
		"customers:\n  - {id: a, api_keys: [sekrit-1, sekrit-1]}\n",
	}
	for _, y := range tests {
		_, err := Parse("t.yaml", []byte(y))
		if err == nil {
			t.Fatalf("%q: no error", y)
		}
		if strings.Contains(err.Error(), "sekrit") {
			t.Errorf("error reveals a secret: %v", err)
		}
	}
}

func TestValidateInCode(t *testing.T) {
	c := Default()
	o := DefaultOperator()
	o.ID, o.Address, o.SystemID = "sim", "127.0.0.1:2775", "gw"
	c.Operators = append(c.Operators, o)
	c.Routes = []Route{{Operators: []string{"sim"}}}
	cu := DefaultCustomer()
	cu.ID, cu.APIKeys = "dev", []Secret{"dev-key"}
	c.Customers = append(c.Customers, cu)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Operators[0].TPS = 0
	err := c.Validate()
	if err == nil || err.Error() != "operators[0].tps: must be > 0" {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "f.yaml", Line: 3, Path: "a.b", Msg: "bad"}, "f.yaml:3: a.b: bad"},
		{Error{File: "f.yaml", Msg: "bad"}, "f.yaml: bad"},
		{Error{Path: "a", Msg: "bad"}, "a: bad"},
		{Error{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
