package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"time"

	"smsgw/actors/conf"
	"smsgw/cluster"
	"smsgw/transports/smpp/smsc"
)

func runDev(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./smsgw-data", "folder of the embedded store")
	httpAddr := fs.String("http", conf.DefaultHTTPListen, "customer API listen address")
	demoKey := fs.String("demo-key", "", "API key of the demo customer (default: random, printed)")
	smppAddr := fs.String("smpp", "127.0.0.1:2775", "customer SMPP listen address (empty = off)")
	smppPassword := fs.String("demo-smpp-password", "", "SMPP password of the demo customer, system_id demo (default: random, printed)")
	drDelay := fs.Duration("dr-delay", 200*time.Millisecond, "simulated operator's delay before a delivery receipt")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	pprofAddr := fs.String("pprof", "", "serve Go's profiler on this address (e.g. 127.0.0.1:6060)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(os.Stderr, *level)
	if err != nil {
		return err
	}
	if err := servePprof(*pprofAddr, log); err != nil {
		return err
	}
	key := *demoKey
	if key == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		key = "demo-" + hex.EncodeToString(b[:])
	}
	pw := *smppPassword
	if pw == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		pw = hex.EncodeToString(b[:]) // SMPP passwords are at most 8 characters
	}
	sim := smsc.New(smsc.Config{DRDelay: *drDelay, DisableRecording: true})
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return fmt.Errorf("start simulator: %w", err)
	}
	defer sim.Close()

	cfg := devConfig(*dataDir, *httpAddr, sim.Addr(), key)
	cfg.SMPP.Listen = *smppAddr
	cfg.Customers[0].SMPP.SystemID, cfg.Customers[0].SMPP.Password = "demo", conf.Secret(pw)
	if err := cfg.Validate(); err != nil {
		return err
	}
	node, err := cluster.Start(ctx, cluster.Options{Config: cfg, Log: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, `
smsgw dev is running.
  HTTP API      http://%s
  store         %s
  operator      built-in simulator at %s (every number routes to it)
  demo API key  %s
  customer SMPP %s  (system_id demo, password %s)

Send a message:
  curl -s -X POST http://%s/v1/messages -H 'Authorization: Bearer %s' \
    -H 'Content-Type: application/json' -d '{"to":"+447700900123","from":"ACME","text":"Hello from smsgw"}'

`, node.HTTPAddr(), cfg.Store.URL, sim.Addr(), key, orOff(node.SMPPAddr()), pw, node.HTTPAddr(), key)
	<-ctx.Done()
	return shutdown(node)
}

// devConfig is the one-machine setup: the simulator carries every number
// with two transceiver binds, fast enough for `smsgw bench`.
func devConfig(dataDir, httpAddr, simAddr, key string) *conf.Config {
	cfg := conf.Default()
	cfg.Store.URL = "sqlite:" + dataDir
	cfg.HTTP.Listen = httpAddr
	op := conf.DefaultOperator()
	op.ID, op.Address, op.SystemID, op.Password = "sim", simAddr, "smsgw", "dev"
	op.Binds, op.TPS, op.Window, op.QueueSize = 2, 50000, 200, 100000
	cfg.Operators = []conf.Operator{op}
	cfg.Routes = []conf.Route{{Prefix: "", Operators: []string{"sim"}}}
	c := conf.DefaultCustomer()
	c.ID, c.APIKeys, c.TPS = "demo", []conf.Secret{conf.Secret(key)}, 50000
	cfg.Customers = []conf.Customer{c}
	return cfg
}

func orOff(addr string) string {
	if addr == "" {
		return "off"
	}
	return addr
}
