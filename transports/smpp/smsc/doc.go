// Package smsc is an SMPP 3.4 SMSC simulator: the operator our gateway talks
// to in tests (started in-process like httptest) and behind `smsgw sim`.
//
// It owns the simulated operator's side of a link: binds and the session
// state machine, submit_sm answers with generated message ids, delivery
// receipts (Appendix B text plus TLVs) after a delay, MO injection (also
// multipart, out of order, retransmitted), runtime-switchable faults from the
// usual simulator catalogue (Jasmin, Melrose), and a record of everything
// submitted so tests can count what reached the operator. Framing is
// transports/smpp/pduio.
package smsc
