package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"smsgw/actors/conf"
	"smsgw/cluster"
	"smsgw/persistence/open"
)

func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("config", "smsgw.yaml", "YAML configuration file")
	pprofAddr := fs.String("pprof", "", "serve Go's profiler on this address (e.g. 127.0.0.1:6060)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := conf.Load(*path)
	if err != nil {
		return err
	}
	if cfg.Log.Format == "csv" {
		return fmt.Errorf("%s: log.format csv is not implemented yet; use json", *path)
	}
	log, err := newLogger(os.Stderr, cfg.Log.Level)
	if err != nil {
		return err
	}
	if err := servePprof(*pprofAddr, log); err != nil {
		return err
	}
	node, err := cluster.Start(ctx, cluster.Options{Config: cfg, Log: log})
	if err != nil {
		return err
	}
	<-ctx.Done()
	return shutdown(node)
}

func shutdown(node *cluster.Node) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return node.Shutdown(ctx)
}

func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	url := fs.String("store", conf.DefaultStoreURL, "store URL: sqlite:DIR or postgres://…")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := open.Migrate(ctx, *url); err != nil {
		return err
	}
	fmt.Println("schema is up to date")
	return nil
}
