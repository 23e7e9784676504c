// Package bench is the load generator behind `smsgw bench`: it submits
// messages to a running gateway's HTTP API, receives the DR callbacks on its
// own HTTP server, and reports accept throughput and latency, DR throughput
// and the gateway's CPU time per message (from its /metrics).
package bench
