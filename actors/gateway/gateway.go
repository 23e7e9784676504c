// Package gateway is the facade the customer transports call: it prepares a
// message (encoding, parts, route), pushes back when the operator queue is
// full, and asks the customer actor to accept it. Reads go to the store.
package gateway

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/oklog/ulid/v2"
	"github.com/rs/zerolog"

	"smsgw/actors/customer"
	"smsgw/actors/metrics"
	"smsgw/actors/operator"
	"smsgw/actors/router"
	"smsgw/persistence"
	"smsgw/transports/http/api"
	"smsgw/transports/text"
)

// Customer is what admission needs of an account.
type Customer struct {
	ID          string
	APIKeys     []string
	MaxParts    int
	CallbackURL string // default when a request names none
	SMPP        SMPPAccount
}

// Config is the gateway's view of the configuration.
type Config struct {
	Customers []Customer
	Routes    *router.Table
	Loads     map[string]*operator.Load // by operator id
	Timeout   time.Duration             // admission answer deadline (default 30s)
}

// Gateway implements api.Gateway.
type Gateway struct {
	system    *actor.ActorSystem
	store     persistence.Store
	metrics   *metrics.Set
	log       zerolog.Logger
	cfg       Config
	keys      map[string]string // api key → customer id
	customers map[string]Customer

	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
}

var _ api.Gateway = (*Gateway)(nil)

// New builds the facade over a running actor system.
func New(system *actor.ActorSystem, store persistence.Store, mx *metrics.Set, log zerolog.Logger, cfg Config) *Gateway {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	g := &Gateway{system: system, store: store, metrics: mx, log: log, cfg: cfg,
		keys: map[string]string{}, customers: map[string]Customer{},
		entropy: ulid.Monotonic(rand.Reader, 0)}
	for _, c := range cfg.Customers {
		g.customers[c.ID] = c
		for _, k := range c.APIKeys {
			g.keys[k] = c.ID
		}
	}
	return g
}

// Authenticate maps an API key to its customer.
func (g *Gateway) Authenticate(key string) (string, bool) {
	id, ok := g.keys[key]
	return id, ok
}

// Ready is nil while the gateway takes traffic.
func (g *Gateway) Ready() error { return nil }

func (g *Gateway) newID(now time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return ulid.MustNew(ulid.Timestamp(now), g.entropy).String()
}

func unprocessable(code, msg string) *api.Error {
	return &api.Error{Status: http.StatusUnprocessableEntity, Code: code, Message: msg}
}

// Submit prepares the message and has the customer actor accept it.
func (g *Gateway) Submit(ctx context.Context, customerID string, req *api.SubmitRequest) (*api.SubmitResponse, error) {
	c, ok := g.customers[customerID]
	if !ok {
		return nil, &api.Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "unknown account"}
	}
	var ref [2]byte
	_, _ = rand.Read(ref[:])
	parts, enc, err := text.Split(req.Text, text.SplitOptions{MaxParts: c.MaxParts, Ref: binary.BigEndian.Uint16(ref[:])})
	var tooMany *text.TooManyPartsError
	switch {
	case errors.As(err, &tooMany):
		return nil, unprocessable("too_many_parts", fmt.Sprintf("the text needs %d parts; this account allows %d", tooMany.Parts, tooMany.Max))
	case err != nil:
		return nil, &api.Error{Status: http.StatusBadRequest, Code: "invalid_text", Message: err.Error()}
	}
	callbackURL := req.CallbackURL
	if callbackURL == "" {
		callbackURL = c.CallbackURL
	}
	return g.accept(ctx, prepared{customerID: customerID, from: req.From, to: req.To, clientRef: req.ClientRef,
		callbackURL: callbackURL, idempotencyKey: req.IdempotencyKey, requestHash: req.BodyHash, encoding: enc.String(),
		dataCoding: enc.DataCoding(), parts: parts, channel: persistence.ChannelHTTP})
}

// prepared is a message ready for admission, from either transport.
type prepared struct {
	customerID, from, to, clientRef, callbackURL   string
	idempotencyKey, requestHash, encoding, channel string
	dataCoding                                     byte
	parts                                          []text.Part
}

// accept routes a prepared message, pushes back when its operator's queue
// is full, and has the customer actor store it.
func (g *Gateway) accept(ctx context.Context, in prepared) (*api.SubmitResponse, error) {
	route := g.cfg.Routes.Lookup(in.to)
	if len(route) == 0 {
		return nil, unprocessable("no_route", "no operator serves "+in.to)
	}
	if l := g.cfg.Loads[route[0]]; l != nil && l.Full(len(in.parts)) {
		g.metrics.Rejected.WithLabelValues(in.customerID, "queue_full").Inc()
		return nil, &api.Error{Status: http.StatusTooManyRequests, Code: "queue_full", Message: "the operator queue is full; retry later"}
	}
	now := time.Now().UTC()
	msg := persistence.Message{ID: g.newID(now), CustomerID: in.customerID, ClientRef: in.clientRef,
		IdempotencyKey: in.idempotencyKey, RequestHash: in.requestHash, From: in.from, To: in.to,
		DataCoding: in.dataCoding, Route: route, CallbackURL: in.callbackURL, RegisteredDelivery: true,
		Status: persistence.StatusQueued, PartCount: len(in.parts), Channel: in.channel, CreatedAt: now, UpdatedAt: now}
	sub := &customer.Submit{Message: msg, Encoding: in.encoding}
	for i, p := range in.parts {
		sub.Parts = append(sub.Parts, persistence.Part{MessageID: msg.ID, Index: i, DataCoding: p.DataCoding,
			ESMClass: p.ESMClass, Payload: p.Payload, Status: persistence.StatusQueued, Operator: route[0], UpdatedAt: now})
	}
	res, err := g.system.Root.RequestFuture(customer.PID(g.system.Address(), in.customerID), sub, g.cfg.Timeout).Result()
	if err != nil {
		return nil, fmt.Errorf("accept %s: %w", msg.ID, err)
	}
	switch r := res.(type) {
	case *customer.Accepted:
		return &r.Response, nil
	case *api.Error:
		return nil, r
	case error:
		return nil, fmt.Errorf("accept %s: %w", msg.ID, r)
	}
	return nil, fmt.Errorf("accept %s: unexpected answer %T", msg.ID, res)
}

// Message returns a customer's own message.
func (g *Gateway) Message(ctx context.Context, customerID, id string) (*api.MessageResponse, error) {
	v, err := g.store.Message(ctx, customerID, id)
	if errors.Is(err, persistence.ErrNotFound) {
		return nil, &api.Error{Status: http.StatusNotFound, Code: "not_found", Message: "no message " + id}
	}
	if err != nil {
		return nil, fmt.Errorf("read message %s: %w", id, err)
	}
	m := v.Message
	r := &api.MessageResponse{ID: m.ID, Status: string(m.Status), To: m.To, From: m.From, ClientRef: m.ClientRef,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Parts: []api.PartStatus{}, Events: []api.MessageEvent{}}
	for _, p := range v.Parts {
		r.Parts = append(r.Parts, api.PartStatus{Index: p.Index, Status: string(p.Status), Operator: p.Operator,
			OperatorID: p.OperatorID, Error: p.Error, UpdatedAt: p.UpdatedAt})
	}
	for _, e := range v.Events {
		ev := api.MessageEvent{Type: e.Type, Status: string(e.Status), Detail: e.Detail, At: e.At}
		if e.Part >= 0 {
			part := e.Part
			ev.Part = &part
		}
		r.Events = append(r.Events, ev)
	}
	return r, nil
}
