// Package sqlite is the embedded persistence.Store: one SQLite file in a
// folder, through the pure-Go modernc.org/sqlite driver. WAL with
// synchronous=FULL, so a Write returns only after its commit is fsynced. One
// connection writes (fed by the group-commit writer), a small pool reads.
package sqlite
