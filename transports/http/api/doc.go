// Package api is the customer-facing HTTP API of smsgw: it owns the routes,
// authentication by API key, the syntactic validation of a submit, the JSON
// shapes on the wire, the idempotency key and body hash handed to the
// gateway, the mapping of errors to status codes, the access log and the
// HTTP metrics. It decides no business rule: everything past syntax (sender
// allowed, rate limit, balance, routing) is the Gateway's.
//
// Routes:
//
//	POST /v1/messages       submit one message        → 202 SubmitResponse, Location header
//	GET  /v1/messages/{id}  a customer's own message  → 200 MessageResponse
//	GET  /healthz           readiness                 → 200 {"status":"ok"} | 503 {"status":"unavailable","reason":…}
//	GET  /metrics           Prometheus exposition of the registry given to New
//
// The /v1 routes need "Authorization: Bearer <api key>". Every error is
// {"error":{"code":…,"message":…}} with a stable code: unauthorized,
// unsupported_media_type, body_too_large, invalid_json, unknown_field,
// missing_field, invalid_to, invalid_from, empty_text, invalid_client_ref,
// invalid_callback_url, invalid_idempotency_key, not_found,
// method_not_allowed, unavailable, plus whatever codes the Gateway returns
// in an *Error. A 429 always carries "Retry-After: 1".
//
// Idempotency: the Idempotency-Key header, or client_ref when the header is
// absent, is the key; BodyHash lets the gateway tell a replay (same key, same
// body → original response) from a reuse (same key, other body → 409).
//
// Decoding is strict (unknown fields, trailing data and wrong types are
// rejected) with one exception inherited from encoding/json: object keys
// match field names case-insensitively, so "To" is read as "to".
//
// Nothing here logs a message text or a full API key: keys are masked with
// MaskKey wherever they appear.
package api
