// Package server is the customer-facing SMPP 3.4 server: smsgw acting as an
// SMSC towards customers' ESMEs.
//
// It owns the session layer and nothing above it: accepting connections
// (plain or TLS), the bind state machine with SMPP's own states (open,
// bound_tx, bound_rx, bound_trx, unbound), the session_init, inactivity,
// enquire_link and response timers, the per-session deliver_sm window, and
// the translation of submit_sm, submit_multi, data_sm and query_sm into calls
// on a Backend that the actors layer implements. Framing and the PDU codec
// are pduio's (over gosmpp's pdu package); business rules (accounts,
// per-bind TPS, routing, storage) are the Backend's.
//
// Behaviour worth knowing:
//   - submit_sm, data_sm, query_sm and each submit_multi are handled off the
//     read loop, at most Config.SubmitConcurrency at a time per session;
//     beyond that the read loop stops reading (TCP back-pressure). Everything
//     else, enquire_link included, is answered by the read loop itself.
//   - submit_multi is expanded into one Backend.Submit per SME destination;
//     distribution lists are refused per destination with ESME_RINVDSTADR.
//   - cancel_sm and replace_sm are not supported: they are answered with
//     ESME_RCANCELFAIL and ESME_RREPLACEFAIL.
//   - On unbind from the customer, submits still in flight are answered
//     before the unbind_resp. Server.Close unbinds every session the same
//     way from our side, bounded by Config.ResponseTimeout.
//   - The inactivity timer is reset by every PDU from the customer except
//     the answers to our own enquire_link probes: a customer that only keeps
//     the link alive passively is closed after InactivityTimeout.
//   - Error responses carry a body (empty message_id, our system_id in
//     bind_resp), because gosmpp-based customers fail to parse body-less
//     bind_transceiver_resp.
package server
