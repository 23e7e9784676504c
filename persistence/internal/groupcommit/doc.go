// Package groupcommit batches concurrent writes into one transaction (group
// commit). It owns the queue and the single goroutine that drains it; the
// backends supply the function that applies a batch.
package groupcommit
