// Command smsgw is the SMS gateway: one binary with the subcommands dev,
// serve, sim, bench and migrate. This file only parses flags and wires.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/rs/zerolog"
)

const usage = `smsgw — SMS gateway

usage:
  smsgw dev      [--data-dir DIR] [--http ADDR] [--demo-key KEY]   one process: store, simulator, demo customer
  smsgw serve    --config FILE                                     run from a YAML configuration
  smsgw sim      [--listen ADDR] [--dr-delay D] ...                an SMSC simulator for tests and demos
  smsgw bench    [--url URL] [--key KEY] [--count N] ...           load test a running gateway
  smsgw migrate  --store URL                                       create or upgrade the store schema
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "dev":
		err = runDev(ctx, args)
	case "serve":
		err = runServe(ctx, args)
	case "sim":
		err = runSim(ctx, args)
	case "bench":
		err = runBench(ctx, args)
	case "migrate":
		err = runMigrate(ctx, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "smsgw: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "smsgw %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// newLogger writes JSON lines to w at the given level.
func newLogger(w io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("log level %q: %w", level, err)
	}
	zerolog.TimeFieldFormat = "2006-01-02T15:04:05.000Z07:00"
	zerolog.DurationFieldUnit = 1e6 // durations in milliseconds
	zerolog.DurationFieldInteger = false
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}
