// Package storetest is the contract every persistence.Store backend passes:
// monotonic transitions, status derivation, DR matching (also before the
// submit_sm_resp), idempotency, the callback outbox, retention and
// concurrent group-committed writes. Backends call Run from their tests.
package storetest
