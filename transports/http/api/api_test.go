package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

const (
	testKey      = "sk_live_0123456789abcdef"
	testCustomer = "acme"
)

// fakeGateway records submits and answers with configurable results.
type fakeGateway struct {
	mu        sync.Mutex
	submits   []*SubmitRequest
	customers []string
	submitErr error
	msg       *MessageResponse
	msgErr    error
	readyErr  error
}

func (f *fakeGateway) Authenticate(key string) (string, bool) {
	return testCustomer, key == testKey
}

func (f *fakeGateway) Submit(_ context.Context, customer string, req *SubmitRequest) (*SubmitResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.submits = append(f.submits, req)
	f.customers = append(f.customers, customer)
	if f.submitErr != nil {
		return nil, f.submitErr
	}
	return &SubmitResponse{ID: "01J0000000000000000000000A", Status: "queued", Parts: 1, Encoding: "gsm7", ClientRef: req.ClientRef}, nil
}

func (f *fakeGateway) Message(_ context.Context, customer, id string) (*MessageResponse, error) {
	if f.msgErr != nil {
		return nil, f.msgErr
	}
	if customer != testCustomer || f.msg == nil || f.msg.ID != id {
		return nil, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such message"}
	}
	return f.msg, nil
}

func (f *fakeGateway) Ready() error { return f.readyErr }

func (f *fakeGateway) calls() []*SubmitRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*SubmitRequest(nil), f.submits...)
}

const goodBody = `{"to":"+31612345678","from":"ACME","text":"hello","client_ref":"order-1","callback_url":"https://example.com/dr"}`

func newTestServer(t testing.TB, g Gateway, opts Options) (http.Handler, *prometheus.Registry, *bytes.Buffer) {
	t.Helper()
	reg := prometheus.NewRegistry()
	var logBuf bytes.Buffer
	log := zerolog.New(&syncWriter{w: &logBuf}).Level(zerolog.DebugLevel)
	return New(g, reg, log, opts), reg, &logBuf
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func do(h http.Handler, method, path string, hdr map[string]string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func postHeaders() map[string]string {
	return map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": "application/json"}
}

func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json; body %s", ct, w.Body)
	}
	var e errorBody
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body: %v", err)
	}
	if e.Error.Message == "" {
		t.Errorf("error %q has no message", e.Error.Code)
	}
	return e.Error.Code
}

func TestSubmitRejects(t *testing.T) {
	huge := `{"to":"+31612345678","from":"ACME","text":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}`
	tests := []struct {
		name   string
		hdr    map[string]string
		body   string
		status int
		code   string
	}{
		{"no auth header", with(postHeaders(), "Authorization", ""), goodBody, 401, "unauthorized"},
		{"wrong key", with(postHeaders(), "Authorization", "Bearer nope"), goodBody, 401, "unauthorized"},
		{"basic scheme", with(postHeaders(), "Authorization", "Basic "+testKey), goodBody, 401, "unauthorized"},
		{"empty bearer", with(postHeaders(), "Authorization", "Bearer   "), goodBody, 401, "unauthorized"},
		{"no content type", with(postHeaders(), "Content-Type", ""), goodBody, 415, "unsupported_media_type"},
		{"form content type", with(postHeaders(), "Content-Type", "application/x-www-form-urlencoded"), goodBody, 415, "unsupported_media_type"},
		{"huge body", postHeaders(), huge, 413, "body_too_large"},
		{"empty body", postHeaders(), "", 400, "invalid_json"},
		{"malformed", postHeaders(), `{"to":`, 400, "invalid_json"},
		{"garbage", postHeaders(), `hello`, 400, "invalid_json"},
		{"array", postHeaders(), `[1,2]`, 400, "invalid_json"},
		{"string body", postHeaders(), `"x"`, 400, "invalid_json"},
		{"trailing object", postHeaders(), goodBody + `{}`, 400, "invalid_json"},
		{"trailing garbage", postHeaders(), goodBody + ` x`, 400, "invalid_json"},
		{"trailing brace", postHeaders(), goodBody + `}`, 400, "invalid_json"},
		{"number to", postHeaders(), `{"to":31612345678,"from":"ACME","text":"hi"}`, 400, "invalid_json"},
		{"unknown field", postHeaders(), `{"to":"+31612345678","from":"ACME","text":"hi","priority":1}`, 400, "unknown_field"},
		{"null body", postHeaders(), `null`, 400, "missing_field"},
		{"missing to", postHeaders(), `{"from":"ACME","text":"hi"}`, 400, "missing_field"},
		{"null to", postHeaders(), `{"to":null,"from":"ACME","text":"hi"}`, 400, "missing_field"},
		{"missing from", postHeaders(), `{"to":"+31612345678","text":"hi"}`, 400, "missing_field"},
		{"missing text", postHeaders(), `{"to":"+31612345678","from":"ACME"}`, 400, "missing_field"},
		{"empty to", postHeaders(), `{"to":"","from":"ACME","text":"hi"}`, 400, "invalid_to"},
		{"short to", postHeaders(), `{"to":"+12345","from":"ACME","text":"hi"}`, 400, "invalid_to"},
		{"long to", postHeaders(), `{"to":"+1234567890123456","from":"ACME","text":"hi"}`, 400, "invalid_to"},
		{"letters in to", postHeaders(), `{"to":"+3161234567a","from":"ACME","text":"hi"}`, 400, "invalid_to"},
		{"spaced to", postHeaders(), `{"to":"+31 6 12345678","from":"ACME","text":"hi"}`, 400, "invalid_to"},
		{"double plus to", postHeaders(), `{"to":"++31612345678","from":"ACME","text":"hi"}`, 400, "invalid_to"},
		{"unicode digits to", postHeaders(), `{"to":"+٣١٦١٢٣٤٥٦٧٨","from":"ACME","text":"hi"}`, 400, "invalid_to"},
		{"empty from", postHeaders(), `{"to":"+31612345678","from":"","text":"hi"}`, 400, "invalid_from"},
		{"long alpha from", postHeaders(), `{"to":"+31612345678","from":"ACMECORPORATE","text":"hi"}`, 400, "invalid_from"},
		{"space in from", postHeaders(), `{"to":"+31612345678","from":"AC ME","text":"hi"}`, 400, "invalid_from"},
		{"long numeric from", postHeaders(), `{"to":"+31612345678","from":"+12345678901234567","text":"hi"}`, 400, "invalid_from"},
		{"plus short from", postHeaders(), `{"to":"+31612345678","from":"+12","text":"hi"}`, 400, "invalid_from"},
		{"empty text", postHeaders(), `{"to":"+31612345678","from":"ACME","text":""}`, 400, "empty_text"},
		{"blank text", postHeaders(), `{"to":"+31612345678","from":"ACME","text":" \n\t"}`, 400, "empty_text"},
		{"long client_ref", postHeaders(), `{"to":"+31612345678","from":"ACME","text":"hi","client_ref":"` + strings.Repeat("r", 65) + `"}`, 400, "invalid_client_ref"},
		{"relative callback", postHeaders(), `{"to":"+31612345678","from":"ACME","text":"hi","callback_url":"/dr"}`, 400, "invalid_callback_url"},
		{"ftp callback", postHeaders(), `{"to":"+31612345678","from":"ACME","text":"hi","callback_url":"ftp://example.com/dr"}`, 400, "invalid_callback_url"},
		{"hostless callback", postHeaders(), `{"to":"+31612345678","from":"ACME","text":"hi","callback_url":"https:///dr"}`, 400, "invalid_callback_url"},
		{"userinfo callback", postHeaders(), `{"to":"+31612345678","from":"ACME","text":"hi","callback_url":"https://u:p@example.com/dr"}`, 400, "invalid_callback_url"},
		{"unparsable callback", postHeaders(), `{"to":"+31612345678","from":"ACME","text":"hi","callback_url":"http://exa mple.com/%zz"}`, 400, "invalid_callback_url"},
		{"long idempotency key", with(postHeaders(), "Idempotency-Key", strings.Repeat("k", 129)), goodBody, 400, "invalid_idempotency_key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &fakeGateway{}
			h, _, _ := newTestServer(t, g, Options{})
			w := do(h, http.MethodPost, "/v1/messages", tc.hdr, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if code := errorCode(t, w); code != tc.code {
				t.Errorf("code = %q, want %q", code, tc.code)
			}
			if n := len(g.calls()); n != 0 {
				t.Errorf("Submit called %d times for rejected input", n)
			}
			if tc.status == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestSubmitMaxBodyOption(t *testing.T) {
	g := &fakeGateway{}
	h, _, _ := newTestServer(t, g, Options{MaxBodyBytes: 32})
	w := do(h, http.MethodPost, "/v1/messages", postHeaders(), goodBody)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413", w.Code)
	}
	if len(g.calls()) != 0 {
		t.Error("Submit called for an oversized body")
	}
}

func TestSubmitAccepts(t *testing.T) {
	tests := []struct {
		name    string
		hdr     map[string]string
		body    string
		wantReq SubmitRequest // BodyHash checked separately
	}{
		{"full", postHeaders(), goodBody,
			SubmitRequest{To: "+31612345678", From: "ACME", Text: "hello", ClientRef: "order-1", CallbackURL: "https://example.com/dr", IdempotencyKey: "order-1"}},
		{"header key wins over client_ref", with(postHeaders(), "Idempotency-Key", "idem-42"), goodBody,
			SubmitRequest{To: "+31612345678", From: "ACME", Text: "hello", ClientRef: "order-1", CallbackURL: "https://example.com/dr", IdempotencyKey: "idem-42"}},
		{"no key at all", postHeaders(), `{"to":"31612345678","from":"+4412345","text":"hi"}`,
			SubmitRequest{To: "31612345678", From: "+4412345", Text: "hi"}},
		{"charset and lower bearer", with(postHeaders(), "Content-Type", "application/json; charset=utf-8", "Authorization", "bearer "+testKey),
			`{"to":"123456","from":"1","text":"x"}`, SubmitRequest{To: "123456", From: "1", Text: "x"}},
		{"edge lengths", postHeaders(),
			`{"to":"+123456789012345","from":"+1234567890123456","text":"€ ünïcode","client_ref":"` + strings.Repeat("é", 64) + `"}`,
			SubmitRequest{To: "+123456789012345", From: "+1234567890123456", Text: "€ ünïcode", ClientRef: strings.Repeat("é", 64), IdempotencyKey: strings.Repeat("é", 64)}},
		{"11 char alpha from, max key", with(postHeaders(), "Idempotency-Key", strings.Repeat("k", 128)),
			`{"to":"+31612345678","from":"Acme1234567","text":"hi","callback_url":"http://127.0.0.1:8080/cb?x=1"}`,
			SubmitRequest{To: "+31612345678", From: "Acme1234567", Text: "hi", CallbackURL: "http://127.0.0.1:8080/cb?x=1", IdempotencyKey: strings.Repeat("k", 128)}},
		{"whitespace around", postHeaders(), "  \n" + goodBody + "\n\n",
			SubmitRequest{To: "+31612345678", From: "ACME", Text: "hello", ClientRef: "order-1", CallbackURL: "https://example.com/dr", IdempotencyKey: "order-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &fakeGateway{}
			h, _, _ := newTestServer(t, g, Options{})
			w := do(h, http.MethodPost, "/v1/messages", tc.hdr, tc.body)
			if w.Code != http.StatusAccepted {
				t.Fatalf("status = %d, want 202; body %s", w.Code, w.Body)
			}
			if loc := w.Header().Get("Location"); loc != "/v1/messages/01J0000000000000000000000A" {
				t.Errorf("Location = %q", loc)
			}
			var resp SubmitResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.ID == "" || resp.Status != "queued" {
				t.Errorf("response %s: %v", w.Body, err)
			}
			calls := g.calls()
			if len(calls) != 1 {
				t.Fatalf("Submit called %d times, want 1", len(calls))
			}
			got := *calls[0]
			if got.BodyHash != BodyHash(&tc.wantReq) || len(got.BodyHash) != 64 {
				t.Errorf("BodyHash = %q, want %q", got.BodyHash, BodyHash(&tc.wantReq))
			}
			got.BodyHash = ""
			if got != tc.wantReq {
				t.Errorf("request = %+v, want %+v", got, tc.wantReq)
			}
			if g.customers[0] != testCustomer {
				t.Errorf("customer = %q", g.customers[0])
			}
		})
	}
}

func TestBodyHash(t *testing.T) {
	base := SubmitRequest{To: "+31612345678", From: "ACME", Text: "hello", ClientRef: "r", CallbackURL: "https://x.example/"}
	tests := []struct {
		name string
		mod  func(*SubmitRequest)
		same bool
	}{
		{"identical", func(*SubmitRequest) {}, true},
		{"key and hash fields ignored", func(r *SubmitRequest) { r.IdempotencyKey = "other"; r.BodyHash = "x" }, true},
		{"text differs", func(r *SubmitRequest) { r.Text = "hello!" }, false},
		{"to differs", func(r *SubmitRequest) { r.To = "+31612345679" }, false},
		{"client_ref differs", func(r *SubmitRequest) { r.ClientRef = "" }, false},
		{"callback differs", func(r *SubmitRequest) { r.CallbackURL = "" }, false},
		{"boundary shift", func(r *SubmitRequest) { r.From = "ACMEh"; r.Text = "ello" }, false},
	}
	want := BodyHash(&base)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.mod(&r)
			if got := BodyHash(&r); (got == want) != tc.same {
				t.Errorf("hash equal = %v, want %v", got == want, tc.same)
			}
		})
	}
}

// The same message spelled differently in JSON hashes the same, so a client
// re-serialising its retry still gets the replay rather than a 409.
func TestBodyHashIgnoresJSONSpelling(t *testing.T) {
	g := &fakeGateway{}
	h, _, _ := newTestServer(t, g, Options{})
	for _, body := range []string{
		`{"to":"+31612345678","from":"ACME","text":"h\u00e9","client_ref":"r"}`,
		"{ \"client_ref\" : \"r\", \"text\":\"hé\",\n \"from\":\"ACME\",\"to\":\"+31612345678\" }",
	} {
		if w := do(h, http.MethodPost, "/v1/messages", postHeaders(), body); w.Code != http.StatusAccepted {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	c := g.calls()
	if c[0].BodyHash != c[1].BodyHash {
		t.Errorf("hashes differ: %s vs %s", c[0].BodyHash, c[1].BodyHash)
	}
}

func TestSubmitErrorMapping(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{"unknown sender", &Error{Status: 422, Code: "unknown_sender", Message: "sender not allowed"}, 422, "unknown_sender", ""},
		{"rate limited", &Error{Status: 429, Code: "rate_limited", Message: "slow down"}, 429, "rate_limited", "1"},
		{"key reuse", &Error{Status: 409, Code: "idempotency_conflict", Message: "key reused"}, 409, "idempotency_conflict", ""},
		{"wrapped api error", fmt.Errorf("customer acme: %w", &Error{Status: 402, Code: "insufficient_balance", Message: "top up"}), 402, "insufficient_balance", ""},
		{"plain error", errors.New("store: commit: connection reset"), 503, "unavailable", ""},
		{"deadline", context.DeadlineExceeded, 503, "unavailable", ""},
		{"bogus status", &Error{Status: 200, Code: "weird", Message: "?"}, 503, "unavailable", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &fakeGateway{submitErr: tc.err}
			h, _, logs := newTestServer(t, g, Options{})
			w := do(h, http.MethodPost, "/v1/messages", postHeaders(), goodBody)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d", w.Code, tc.status)
			}
			if got := w.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
			if code := errorCode(t, w); code != tc.code {
				t.Errorf("code = %q, want %q", code, tc.code)
			}
			if w.Header().Get("Location") != "" {
				t.Error("Location set on an error")
			}
			if tc.status == 503 && !strings.Contains(logs.String(), "http_gateway_error") {
				t.Errorf("503 not logged: %s", logs)
			}
			if strings.Contains(logs.String(), testKey) || strings.Contains(logs.String(), "hello") {
				t.Errorf("log leaks key or text: %s", logs)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	msg := &MessageResponse{ID: "m1", Status: "delivered", To: "+31612345678", From: "ACME",
		Parts: []PartStatus{{Index: 1, Status: "delivered", UpdatedAt: at}}, CreatedAt: at, UpdatedAt: at}
	tests := []struct {
		name   string
		path   string
		hdr    map[string]string
		msgErr error
		status int
		code   string
	}{
		{"found", "/v1/messages/m1", postHeaders(), nil, 200, ""},
		{"not found", "/v1/messages/m2", postHeaders(), nil, 404, "not_found"},
		{"no auth", "/v1/messages/m1", nil, nil, 401, "unauthorized"},
		{"wrong key", "/v1/messages/m1", map[string]string{"Authorization": "Bearer x"}, nil, 401, "unauthorized"},
		{"store down", "/v1/messages/m1", postHeaders(), errors.New("store: timeout"), 503, "unavailable"},
		{"nested path", "/v1/messages/m1/parts", postHeaders(), nil, 404, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := newTestServer(t, &fakeGateway{msg: msg, msgErr: tc.msgErr}, Options{})
			w := do(h, http.MethodGet, tc.path, tc.hdr, "")
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if tc.status != 200 {
				if code := errorCode(t, w); code != tc.code {
					t.Errorf("code = %q, want %q", code, tc.code)
				}
				return
			}
			var got MessageResponse
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.ID != "m1" || got.Status != "delivered" || len(got.Parts) != 1 || !got.CreatedAt.Equal(at) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{http.MethodGet, "/v1/messages", 405, "method_not_allowed", "POST"},
		{http.MethodPut, "/v1/messages", 405, "method_not_allowed", "POST"},
		{http.MethodDelete, "/v1/messages/m1", 405, "method_not_allowed", "GET, HEAD"},
		{http.MethodPost, "/healthz", 405, "method_not_allowed", "GET, HEAD"},
		{http.MethodPost, "/metrics", 405, "method_not_allowed", "GET, HEAD"},
		{http.MethodGet, "/", 404, "not_found", ""},
		{http.MethodGet, "/v2/messages", 404, "not_found", ""},
		{http.MethodPost, "/v1/messages/", 404, "not_found", ""},
		{http.MethodGet, "/v1/messages/", 404, "not_found", ""},
	}
	h, _, _ := newTestServer(t, &fakeGateway{}, Options{})
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := do(h, tc.method, tc.path, postHeaders(), goodBody)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d", w.Code, tc.status)
			}
			if code := errorCode(t, w); code != tc.code {
				t.Errorf("code = %q, want %q", code, tc.code)
			}
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	tests := []struct {
		name     string
		ready    error
		status   int
		wantBody map[string]string
	}{
		{"ready", nil, 200, map[string]string{"status": "ok"}},
		{"draining", errors.New("draining"), 503, map[string]string{"status": "unavailable", "reason": "draining"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := newTestServer(t, &fakeGateway{readyErr: tc.ready}, Options{})
			w := do(h, http.MethodGet, "/healthz", nil, "")
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d", w.Code, tc.status)
			}
			var got map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantBody) {
				t.Errorf("body = %v, want %v", got, tc.wantBody)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	h, reg, _ := newTestServer(t, &fakeGateway{}, Options{})
	do(h, http.MethodPost, "/v1/messages", postHeaders(), goodBody)
	do(h, http.MethodPost, "/v1/messages", postHeaders(), `{}`)
	do(h, http.MethodGet, "/nowhere", nil, "")
	w := do(h, http.MethodGet, "/metrics", nil, "")
	if w.Code != 200 {
		t.Fatalf("/metrics status %d", w.Code)
	}
	for _, line := range []string{
		`smsgw_api_requests_total{code="202",route="POST /v1/messages"} 1`,
		`smsgw_api_requests_total{code="400",route="POST /v1/messages"} 1`,
		`smsgw_api_requests_total{code="404",route="/"} 1`,
		`smsgw_api_request_duration_seconds_count{route="POST /v1/messages"} 2`,
	} {
		if !strings.Contains(w.Body.String(), line+"\n") {
			t.Errorf("/metrics lacks %s\n%s", line, w.Body)
		}
	}
	// A second handler on the same registry shares the collectors.
	h2 := New(&fakeGateway{}, reg, zerolog.Nop(), Options{})
	do(h2, http.MethodPost, "/v1/messages", postHeaders(), goodBody)
	w = do(h, http.MethodGet, "/metrics", nil, "")
	if !strings.Contains(w.Body.String(), `smsgw_api_requests_total{code="202",route="POST /v1/messages"} 2`) {
		t.Errorf("shared registry not shared:\n%s", w.Body)
	}
}

func TestAccessLog(t *testing.T) {
	h, _, logs := newTestServer(t, &fakeGateway{}, Options{})
	do(h, http.MethodPost, "/v1/messages", postHeaders(), goodBody)
	do(h, http.MethodPost, "/v1/messages", with(postHeaders(), "Authorization", "Bearer sk_wrong_secret_key"), goodBody)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 access lines, got %d: %s", len(lines), logs)
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"level": "debug", "method": "POST", "path": "/v1/messages", "status": 202.0, "customer": testCustomer} {
		if first[k] != v {
			t.Errorf("access line %s = %v, want %v", k, first[k], v)
		}
	}
	if _, ok := first["duration"]; !ok {
		t.Error("access line has no duration")
	}
	if second["status"] != 401.0 || second["key"] != "sk_w…" {
		t.Errorf("unauthorized line: %v", second)
	}
	for _, secret := range []string{testKey, "sk_wrong_secret_key", "hello"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

func TestMaskKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "…"},
		{"abc", "…"},
		{"abcdefg", "…"},
		{"abcdefgh", "abcd…"},
		{testKey, "sk_l…"},
		{"ééééééééé", "éééé…"},
		{"ééééééé", "…"},
	}
	for _, tc := range tests {
		if got := MaskKey(tc.in); got != tc.want {
			t.Errorf("MaskKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidators(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"to min", validTo, "123456", true},
		{"to max plus", validTo, "+123456789012345", true},
		{"to only plus", validTo, "+", false},
		{"from 1 char", validFrom, "A", true},
		{"from 11 digits", validFrom, "12345678901", true},
		{"from 16 digits", validFrom, "1234567890123456", true},
		{"from 17 digits", validFrom, "12345678901234567", false},
		{"from plus alpha", validFrom, "+ACME", false},
		{"from dash", validFrom, "AC-ME", false},
		{"from non-ascii", validFrom, "ÄCME", false},
		{"callback https", validCallbackURL, "https://a.example/x", true},
		{"callback too long", validCallbackURL, "https://a.example/" + strings.Repeat("x", MaxCallbackURLBytes), false},
		{"callback mailto", validCallbackURL, "mailto:a@example.com", false},
	}
	for _, tc := range tests {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("%s: f(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

// Over a real loopback server: the body limit and the JSON answers hold on
// an actual connection, not only on a recorder.
func TestOverLoopbackServer(t *testing.T) {
	g := &fakeGateway{}
	h, _, _ := newTestServer(t, g, Options{MaxBodyBytes: 1024})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"accepted", goodBody, http.StatusAccepted},
		{"too large", `{"to":"+31612345678","from":"ACME","text":"` + strings.Repeat("a", 4096) + `"}`, http.StatusRequestEntityTooLarge},
		{"unknown field", `{"x":1}`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+testKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || !json.Valid(b) {
				t.Errorf("status %d body %s, want %d with JSON", resp.StatusCode, b, tc.status)
			}
		})
	}
	if n := len(g.calls()); n != 1 {
		t.Errorf("Submit called %d times, want 1", n)
	}
}
