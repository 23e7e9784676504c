// Package smpp owns the operator-side SMPP bind: one TCP (or TLS) session
// from the gateway to an operator's SMSC, built on github.com/linxGnu/gosmpp.
//
// A Client is one bind. It dials and binds with a deadline, keeps its own
// window of outstanding submit_sm keyed by sequence number, reports every
// submit exactly once (SubmitResponded or SubmitUnknown), hands deliver_sm and
// data_sm to the Handler and acknowledges them only when the caller says the
// message is durable, and reports Closed exactly once. It never reconnects:
// once closed the Client is dead and the supervisor dials a new one.
//
// gosmpp types never appear in this package's API; nothing else in smsgw may
// import gosmpp. The subpackages smsc and pduio are separate and own the
// server side.
package smpp
