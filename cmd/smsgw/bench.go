package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"smsgw/cmd/smsgw/internal/bench"
)

func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o bench.Options
	fs.StringVar(&o.URL, "url", bench.DefaultURL, "gateway base URL")
	fs.StringVar(&o.APIKey, "key", "", "customer API key (required)")
	fs.IntVar(&o.Count, "count", bench.DefaultCount, "messages to send")
	fs.IntVar(&o.Concurrency, "concurrency", bench.DefaultConcurrency, "parallel requests")
	fs.Float64Var(&o.Rate, "rate", 0, "messages per second (0 = as fast as possible)")
	fs.BoolVar(&o.Mix, "mix", false, "cycle GSM, UCS2-with-emoji and 400-character texts")
	fs.StringVar(&o.CallbackListen, "callback-listen", bench.DefaultCallbackListen, "where the DR callback receiver listens")
	fs.DurationVar(&o.Timeout, "timeout", bench.DefaultTimeout, "how long to wait for DRs after the last submit")
	smppAddr := fs.String("smpp", "", "benchmark the customer SMPP server at this address instead of the HTTP API")
	systemID := fs.String("system-id", "demo", "SMPP system_id (with --smpp)")
	password := fs.String("password", "", "SMPP password (with --smpp)")
	window := fs.Int("window", 100, "SMPP window (with --smpp)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *smppAddr != "" {
		rep, err := bench.RunSMPP(ctx, bench.SMPPOptions{Address: *smppAddr, SystemID: *systemID, Password: *password,
			Count: o.Count, Window: *window, Timeout: o.Timeout, MetricsURL: o.URL + "/metrics"}, os.Stderr)
		if rep != nil {
			fmt.Println(rep.String())
		}
		return err
	}
	if o.APIKey == "" {
		return fmt.Errorf("--key is required (smsgw dev prints its demo key)")
	}
	rep, err := bench.Run(ctx, o, os.Stderr)
	if rep != nil {
		fmt.Println(rep.String())
	}
	return err
}
