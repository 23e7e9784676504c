// Package groupcommit batches concurrent writes into one transaction (group
// commit). It owns the queue and the worker goroutines that drain it, one
// transaction in flight per worker; the backends supply the function that
// applies a batch.
package groupcommit
