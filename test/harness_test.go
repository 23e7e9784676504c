// Package test holds the end-to-end tests: they boot the whole gateway
// through cluster.Start (the constructor `smsgw serve` uses) against the
// in-process SMSC simulator or node-smpp, on both store backends.
package test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"smsgw/actors/conf"
	"smsgw/cluster"
	"smsgw/transports/smpp/smsc"
)

const apiKey = "test-key-1"

// pgURL is the PostgreSQL standing in for CockroachDB.
func pgURL() string {
	if u := os.Getenv("SMSGW_TEST_PG_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// storeURL gives each test a fresh store of the backend.
func storeURL(t *testing.T, backend string) string {
	t.Helper()
	if backend == "sqlite" {
		return "sqlite:" + t.TempDir()
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgURL())
	if err != nil {
		t.Fatalf("PostgreSQL (for the CockroachDB backend) unreachable: %v", err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := "smsgw_e2e_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), pgURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
	})
	cfg, err := pgx.ParseConfig(pgURL())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, db)
}

var backends = []string{"sqlite", "crdb"}

// callbacks records the DR callbacks a customer receives.
type callbacks struct {
	srv    *httptest.Server
	mu     sync.Mutex
	byMsg  map[string]map[string]any // message_id → last body
	events map[string]int            // event_id → times received
	fail   bool                      // answer 500 while set
}

func newCallbacks(t *testing.T) *callbacks {
	c := &callbacks{byMsg: map[string]map[string]any{}, events: map[string]int{}}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		id, _ := m["message_id"].(string)
		ev, _ := m["event_id"].(string)
		c.byMsg[id] = m
		c.events[ev]++
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *callbacks) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byMsg)
}

func (c *callbacks) status(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, _ := c.byMsg[id]["status"].(string)
	return s
}

type harness struct {
	t    *testing.T
	sim  *smsc.Server
	node *cluster.Node
	cb   *callbacks
	url  string
	cfg  *conf.Config
}

// start boots a simulator and a gateway routed to it.
func start(t *testing.T, backend string, simCfg smsc.Config, mutate func(*conf.Config)) *harness {
	t.Helper()
	sim := smsc.New(simCfg)
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	h := &harness{t: t, sim: sim, cb: newCallbacks(t)}
	cfg := conf.Default()
	cfg.Store.URL = storeURL(t, backend)
	cfg.HTTP.Listen = "127.0.0.1:0"
	op := conf.DefaultOperator()
	op.ID, op.Address, op.SystemID, op.Password = "sim", sim.Addr(), "smsgw", "secret"
	op.Binds, op.TPS, op.Window, op.QueueSize = 2, 20000, 50, 50000
	op.ResponseTimeout, op.EnquireLink = 2*time.Second, 5*time.Second
	cfg.Operators = []conf.Operator{op}
	cfg.Routes = []conf.Route{{Prefix: "", Operators: []string{"sim"}}}
	c := conf.DefaultCustomer()
	c.ID, c.APIKeys, c.TPS, c.CallbackURL = "acme", []conf.Secret{apiKey}, 100000, h.cb.srv.URL+"/dr"
	cfg.Customers = []conf.Customer{c}
	if mutate != nil {
		mutate(cfg)
	}
	h.cfg = cfg
	h.boot()
	return h
}

func (h *harness) boot() {
	h.t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(h.t)).Level(zerolog.WarnLevel)
	node, err := cluster.Start(context.Background(), cluster.Options{Config: h.cfg, Log: log})
	if err != nil {
		h.t.Fatal(err)
	}
	h.node, h.url = node, "http://"+node.HTTPAddr()
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	if h.node == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.node.Shutdown(ctx); err != nil {
		h.t.Logf("shutdown: %v", err)
	}
	h.node = nil
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// post sends a request and decodes the JSON answer.
func (h *harness) post(body any, headers ...string) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case string:
		rd = bytes.NewBufferString(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(http.MethodPost, h.url+"/v1/messages", rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.do(req)
}

func (h *harness) get(id string) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.url+"/v1/messages/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+apiKey)
	return h.do(req)
}

func (h *harness) do(req *http.Request) (int, map[string]any) {
	resp, err := client.Do(req)
	if err != nil {
		h.t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
