// Package webhook is the HTTP client that delivers callbacks — delivery
// reports now, MOs later — to the URLs customers give us, and the JSON shape
// of those callbacks. It owns the wire: headers, timeouts, connection reuse,
// which failures are worth retrying and how long to wait between tries. The
// durable outbox, ordering and the decision to give up belong to the
// callback actor.
//
// # Request
//
// Every callback is one POST with a JSON body and these headers:
//
//	Content-Type: application/json
//	Idempotency-Key: <event id>
//	X-Smsgw-Event-Id: <event id>
//	User-Agent: <Options.UserAgent>
//
// Delivery is at least once: a retry carries the same event id, and
// receivers deduplicate on it (as with Twilio Event Streams, "two events are
// the same event if they have the same id"). Redirects are not followed.
//
// # Outcome
//
// A 2xx answer is delivered. Anything else — other statuses (*StatusError),
// timeouts, refused connections, TLS errors — is retryable, because customer
// endpoints go down for deploys and outages far more often than they mean
// "never". The exceptions, reported by Retryable as permanent: 410 Gone (the
// receiver says the endpoint is retired, the one status that means so), a URL
// that cannot form a request (ErrInvalidURL), and, when
// Options.BlockPrivateNetworks is set, an address in a private, loopback or
// link-local range (ErrBlockedAddress). 4xx answers are retried too: a
// receiver that answers 400 or 404 during a faulty deploy is fixed within
// hours, and a lost DR costs more than a few wasted POSTs.
//
// # Retry schedule
//
// Backoff(n) is the wait after the n-th failed attempt: 1 s doubling per
// attempt (1, 2, 4, … 512 s), capped at 10 min from the 11th failure on, each
// value jittered by ±20 % so that a recovering receiver is not hit by every
// queued event at once. The first 10 retries span about 17 min; after that
// one try every ~10 min, so 24 h of retrying is about 150 attempts.
//
// # Delivery report body
//
// Field names follow the DR webhooks customers know (Vonage's messageId,
// client-ref, status, err-code; Twilio's MessageStatus), in snake_case:
//
//	{
//	  "event_id":   "01J…",            stable across retries; dedupe on it
//	  "type":       "dr",
//	  "message_id": "01J…",            the id POST /v1/messages returned
//	  "client_ref": "order-1",         the customer's reference, echoed (omitted when none)
//	  "status":     "delivered",       the message's status, derived from its parts
//	  "to":         "+31612345678",
//	  "from":       "ACME",
//	  "parts": [{
//	    "index": 1,                    1-based part number
//	    "status": "delivered",         this part's status
//	    "operator": "kpn",             operator that carried the part (omitted when unknown)
//	    "operator_message_id": "8f3a…",the operator's id for the part (omitted when unknown)
//	    "error": "000"                 operator's raw error code or reason (omitted when none)
//	  }],
//	  "at": "2025-01-02T03:04:05.123Z" when the status was reached, UTC RFC 3339
//	}
//
// Statuses are the message life's terminal and intermediate states
// (submitted, delivered, undeliverable, expired, rejected, failed); which
// ones trigger a callback is the callback actor's decision, and no callback
// is sent for the initial accepted state.
package webhook
