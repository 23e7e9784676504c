package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// FuzzSubmitBody drives arbitrary bodies through POST /v1/messages, read in
// two chunks split at an arbitrary point as a network read would deliver
// them. The handler must never panic nor answer 5xx, must answer JSON, and
// must call Submit exactly when it answers 202, with a request that passes
// the checks.
func FuzzSubmitBody(f *testing.F) {
	for _, seed := range []string{
		goodBody,
		`{"to":"123456","from":"A","text":"x"}`,
		`{"to":"+31612345678","from":"ACME","text":"","client_ref":"r"}`,
		`{"to":1}`,
		`{"to":"+31612345678","from":"ACME","text":"hi","x":1}`,
		goodBody + `{}`,
		`[`,
		`null`,
		`{"text":"\ud800"}`,
	} {
		f.Add([]byte(seed), uint(len(seed)/2))
	}
	g := &lastGateway{}
	h := New(g, prometheus.NewRegistry(), zerolog.Nop(), Options{MaxBodyBytes: 4096})
	f.Fuzz(func(t *testing.T, body []byte, split uint) {
		g.reset()
		cut := int(split % uint(len(body)+1))
		r := httptest.NewRequest(http.MethodPost, "/v1/messages",
			io.MultiReader(bytes.NewReader(body[:cut]), bytes.NewReader(body[cut:])))
		r.Header.Set("Authorization", "Bearer "+testKey)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("response is not JSON: %q", w.Body)
		}
		n, req := g.result()
		if w.Code != http.StatusAccepted {
			if n != 0 {
				t.Fatalf("Submit called for rejected input %q (status %d)", body, w.Code)
			}
			return
		}
		if n != 1 {
			t.Fatalf("202 with %d Submit calls", n)
		}
		if !validTo(req.To) || !validFrom(req.From) || req.Text == "" ||
			utf8.RuneCountInString(req.ClientRef) > MaxClientRefChars ||
			req.BodyHash != BodyHash(req) {
			t.Fatalf("accepted an invalid request %+v from %q", req, body)
		}
	})
}

// lastGateway keeps only the last submit, so long fuzz runs stay small.
type lastGateway struct {
	noopGateway
	mu   sync.Mutex
	n    int
	last *SubmitRequest
}

func (g *lastGateway) Submit(ctx context.Context, customer string, req *SubmitRequest) (*SubmitResponse, error) {
	g.mu.Lock()
	g.n++
	g.last = req
	g.mu.Unlock()
	return g.noopGateway.Submit(ctx, customer, req)
}

func (g *lastGateway) reset() {
	g.mu.Lock()
	g.n, g.last = 0, nil
	g.mu.Unlock()
}

func (g *lastGateway) result() (int, *SubmitRequest) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n, g.last
}
