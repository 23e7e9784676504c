// Package open picks a persistence backend from a URL, so that persistence
// itself never imports its backends: "sqlite:DIR" or a bare folder path is
// the embedded SQLite store, "postgres://" and "postgresql://" the
// CockroachDB store (PostgreSQL speaks the same protocol).
package open
