// Package pduio frames SMPP 3.4 PDUs on a byte stream, on top of gosmpp's pdu
// codec.
//
// It owns the framing loop and nothing above it: Reader turns a stream into
// one PDU at a time and classifies what cannot be decoded (bad length: the
// stream is lost; unknown command id or malformed body: the stream is still in
// sync and the peer gets a generic_nack), and Writer is the single writer of a
// connection that batches queued PDUs into one flush. Sessions, binds and
// state machines live in the packages that use it (the SMSC simulator, the
// customer-facing SMPP server).
package pduio
