// Package actors holds the gateway's behaviour, one package per actor kind:
// customer (admission), router (pure routing tables), operator (throttle
// queue, failover, DR matching hand-off), bind (one SMPP session), callback
// (the durable outbox to customers), gateway (the facade the transports
// call), plus the journal (one log line per state change) and metrics.
package actors
