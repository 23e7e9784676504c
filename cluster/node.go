package cluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"

	"smsgw/actors/bind"
	"smsgw/actors/callback"
	"smsgw/actors/conf"
	"smsgw/actors/customer"
	"smsgw/actors/gateway"
	"smsgw/actors/metrics"
	"smsgw/actors/mo"
	"smsgw/actors/operator"
	"smsgw/actors/router"
	"smsgw/persistence"
	"smsgw/persistence/open"
	"smsgw/supervisors"
	"smsgw/transports/http/api"
	"smsgw/transports/http/webhook"
	"smsgw/transports/smpp"
	"smsgw/transports/smpp/server"
)

// Options start a node.
type Options struct {
	Config *conf.Config
	Log    zerolog.Logger
	// Dial replaces the SMPP dialer (tests); nil = real sessions.
	Dial bind.Dialer
}

// Node is one running gateway.
type Node struct {
	log          zerolog.Logger
	store        persistence.Store
	system       *actor.ActorSystem
	tree         *supervisors.Tree
	server       *http.Server
	listener     net.Listener
	served       chan error
	smpp         *server.Server
	smppListener net.Listener
}

// Start opens the store, starts the supervision tree, recovers unfinished
// work and listens for HTTP.
func Start(ctx context.Context, o Options) (*Node, error) {
	cfg, log := o.Config, o.Log
	store, err := open.Open(ctx, cfg.Store.URL)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	n := &Node{log: log, store: store, served: make(chan error, 1)}
	if err := n.start(ctx, o); err != nil {
		n.Shutdown(context.Background())
		return nil, err
	}
	return n, nil
}

func (n *Node) start(ctx context.Context, o Options) error {
	cfg, log := o.Config, o.Log
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	mx := metrics.New(reg)

	// protoactor logs through slog; route it into zerolog, warnings and up.
	actorLog := log.With().Str("lib", "protoactor").Logger().Level(zerolog.WarnLevel)
	n.system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(zerolog.NewSlogHandler(actorLog))
	}))

	spec := supervisors.Spec{
		Loads:        map[string]*operator.Load{},
		OperatorDeps: operator.Deps{Store: n.store, Metrics: mx, Log: log, Dial: o.Dial},
		CustomerDeps: customer.Deps{Store: n.store, Metrics: mx, Log: log},
		Callback: callback.Config{Backoff: webhook.Backoff, Gone: func(err error) bool { return !webhook.Retryable(err) },
			Body: callbackBody},
		CallbackDeps: callback.Deps{Store: n.store, Poster: webhook.New(webhook.Options{}), Metrics: mx, Log: log},
		Store:        n.store,
		Log:          log,
	}
	var routes []router.Route
	for _, r := range cfg.Routes {
		routes = append(routes, router.Route{Prefix: r.Prefix, Operators: r.Operators})
	}
	gwCfg := gateway.Config{Routes: router.New(routes), Loads: spec.Loads}
	moRouter, err := moRouterOf(cfg)
	if err != nil {
		return err
	}
	spec.OperatorDeps.MO, spec.MO = moRouter, moRouter
	for _, op := range cfg.Operators {
		oc, err := operatorConfig(op)
		if err != nil {
			return err
		}
		spec.Operators = append(spec.Operators, oc)
		spec.Loads[op.ID] = operator.NewLoad(oc.QueueSize)
	}
	for _, c := range cfg.Customers {
		idFormat := c.SMPP.IDFormat
		spec.Customers = append(spec.Customers, customer.Config{ID: c.ID, TPS: c.TPS, Senders: c.Senders,
			FormatID: func(id string) string { return gateway.FormatID(idFormat, id) }})
		gc := gateway.Customer{ID: c.ID, MaxParts: c.MaxParts, CallbackURL: c.CallbackURL,
			SMPP: gateway.SMPPAccount{SystemID: c.SMPP.SystemID, Password: string(c.SMPP.Password), MaxBinds: c.SMPP.MaxBinds,
				BindTPS: c.SMPP.BindTPS, IDFormat: c.SMPP.IDFormat, DedupWindow: c.SMPP.DedupWindow, DedupContent: c.SMPP.DedupContent}}
		for _, k := range c.APIKeys {
			gc.APIKeys = append(gc.APIKeys, string(k))
		}
		gwCfg.Customers = append(gwCfg.Customers, gc)
	}
	if n.tree, err = supervisors.Start(n.system, spec); err != nil {
		return err
	}
	gw := gateway.New(n.system, n.store, mx, log, gwCfg)
	n.listener, err = net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen http %s: %w", cfg.HTTP.Listen, err)
	}
	n.server = &http.Server{Handler: api.New(gw, reg, log, api.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go func() { n.served <- n.server.Serve(n.listener) }()
	if cfg.SMPP.Listen != "" {
		if n.smppListener, err = net.Listen("tcp", cfg.SMPP.Listen); err != nil {
			return fmt.Errorf("listen smpp %s: %w", cfg.SMPP.Listen, err)
		}
		scfg := server.Config{}
		if cfg.SMPP.TLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.SMPP.TLSCert, cfg.SMPP.TLSKey)
			if err != nil {
				return fmt.Errorf("smpp tls: %w", err)
			}
			scfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		n.smpp = server.New(scfg, gw.SMPP(), log.With().Str("component", "smpp-server").Logger())
		go func() { _ = n.smpp.Serve(n.smppListener) }()
		log.Info().Str("smpp", n.smppListener.Addr().String()).Msg("customer SMPP server listening")
	}
	log.Info().Str("http", n.listener.Addr().String()).Int("operators", len(spec.Operators)).Int("customers", len(spec.Customers)).Msg("smsgw started")
	return nil
}

// moRouterOf builds MO routing: short code and keyword to a customer, who
// takes MOs over HTTP (mo_url) or on its SMPP receiver binds.
func moRouterOf(cfg *conf.Config) (*mo.Router, error) {
	var routes []router.MORoute
	for _, r := range cfg.MORoutes {
		routes = append(routes, router.MORoute{ShortCode: r.ShortCode, Keyword: r.Keyword, Regex: r.Regex, Customer: r.Customer})
	}
	table, err := router.NewMO(routes)
	if err != nil {
		return nil, err
	}
	var customers []mo.Customer
	for _, c := range cfg.Customers {
		customers = append(customers, mo.Customer{ID: c.ID, URL: c.MOURL, TTL: c.DeliveryTTL, SMPP: c.SMPP.SystemID != ""})
	}
	return mo.NewRouter(table, customers), nil
}

func operatorConfig(op conf.Operator) (operator.Config, error) {
	mode, err := smpp.ParseMode(op.Bind)
	if err != nil {
		return operator.Config{}, fmt.Errorf("operator %s: %w", op.ID, err)
	}
	bc := smpp.Config{Address: op.Address, SystemID: op.SystemID, Password: string(op.Password), SystemType: op.SystemType,
		Mode: mode, BindTimeout: op.BindTimeout, EnquireLink: op.EnquireLink, ResponseTimeout: op.ResponseTimeout,
		Window: op.Window}
	if op.TLS {
		host, _, _ := net.SplitHostPort(op.Address)
		bc.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	for _, p := range []struct {
		dst *byte
		src *uint8
	}{{&bc.SourceTON, op.SourceTON}, {&bc.SourceNPI, op.SourceNPI}, {&bc.DestTON, op.DestTON}, {&bc.DestNPI, op.DestNPI}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return operator.Config{ID: op.ID, Binds: op.Binds, Bind: bc, TPS: op.TPS, QueueSize: op.QueueSize,
		ReceiptIDFormat: op.ReceiptIDFormat}, nil
}

// SMPPAddr is the address the customer SMPP server listens on ("" if off).
func (n *Node) SMPPAddr() string {
	if n.smppListener == nil {
		return ""
	}
	return n.smppListener.Addr().String()
}

// HTTPAddr is the address the customer API listens on.
func (n *Node) HTTPAddr() string { return n.listener.Addr().String() }

// Shutdown drains: stop taking requests, stop the tree (binds unbind), close
// the store.
func (n *Node) Shutdown(ctx context.Context) error {
	var errs []error
	if n.server != nil {
		errs = append(errs, n.server.Shutdown(ctx))
		if err := <-n.served; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if n.smpp != nil {
		errs = append(errs, n.smpp.Close())
	}
	if n.tree != nil {
		n.tree.Stop()
	}
	if n.system != nil {
		n.system.Shutdown()
	}
	errs = append(errs, n.store.Close())
	n.log.Info().Msg("smsgw stopped")
	return errors.Join(errs...)
}

// callbackBody renders an outbox entry: a DR or an MO.
func callbackBody(cb persistence.Callback) ([]byte, error) {
	if cb.Kind == persistence.KindMO && cb.MO != nil {
		m := cb.MO
		return webhook.MarshalMO(webhook.MO{EventID: cb.ID, MOID: m.ID, From: m.From, To: m.To, Text: m.Text,
			DataCoding: int(m.DataCoding), Operator: m.Operator, At: m.ReceivedAt}, m.Payload)
	}
	return webhook.MarshalDR(drOf(cb))
}

// drOf is the customer's view of a final message.
func drOf(cb persistence.Callback) webhook.DR {
	m := cb.View.Message
	dr := webhook.DR{EventID: cb.ID, MessageID: m.ID, ClientRef: m.ClientRef, Status: string(m.Status),
		To: m.To, From: m.From, At: m.UpdatedAt}
	for _, p := range cb.View.Parts {
		dr.Parts = append(dr.Parts, webhook.DRPart{Index: p.Index, Status: string(p.Status), Operator: p.Operator,
			OperatorMessageID: p.OperatorID, Error: p.Error})
	}
	return dr
}
