package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits of the submit request, checked before the gateway sees it.
const (
	MaxClientRefChars      = 64
	MaxIdempotencyKeyChars = 128
	MaxCallbackURLBytes    = 2048
)

// submitBody is the wire form: pointers tell a missing field from an empty one.
type submitBody struct {
	To          *string `json:"to"`
	From        *string `json:"from"`
	Text        *string `json:"text"`
	ClientRef   *string `json:"client_ref"`
	CallbackURL *string `json:"callback_url"`
}

func (s *server) submit(w http.ResponseWriter, r *http.Request, customer string) {
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		writeError(w, err)
		return
	}
	req, apiErr := decodeSubmit(http.MaxBytesReader(w, r.Body, s.maxBody))
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	key, apiErr := idempotencyKey(r.Header.Get("Idempotency-Key"), req.ClientRef)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	req.IdempotencyKey = key
	req.BodyHash = BodyHash(req)
	resp, err := s.g.Submit(r.Context(), customer, req)
	if err != nil {
		s.fail(w, r, customer, "submit", err)
		return
	}
	w.Header().Set("Location", "/v1/messages/"+url.PathEscape(resp.ID))
	writeJSON(w, http.StatusAccepted, resp)
}

func checkJSONContentType(ct string) *Error {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "Content-Type must be application/json"}
	}
	return nil
}

// decodeSubmit reads one JSON object from body and checks its syntax. A
// *http.MaxBytesError from body becomes 413.
func decodeSubmit(body io.Reader) (*SubmitRequest, *Error) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var b submitBody
	if err := dec.Decode(&b); err != nil {
		return nil, decodeError(err)
	}
	// Anything but whitespace after the object is an error, including a
	// second object: one request, one message.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, decodeError(err)
		}
		return nil, badRequest("invalid_json", "unexpected data after the JSON object")
	}
	return b.validate()
}

func decodeError(err error) *Error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: fmt.Sprintf("request body exceeds %d bytes", tooLarge.Limit)}
	case errors.Is(err, io.EOF):
		return badRequest("invalid_json", "empty request body")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("invalid_json", "truncated JSON")
	case errors.As(err, &syntax):
		return badRequest("invalid_json", fmt.Sprintf("%s at byte %d", syntax.Error(), syntax.Offset))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("invalid_json", "the body must be a JSON object")
		}
		return badRequest("invalid_json", fmt.Sprintf("field %q must be a %s", typ.Field, typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for DisallowUnknownFields.
		return badRequest("unknown_field", strings.TrimPrefix(err.Error(), "json: "))
	default:
		return badRequest("invalid_json", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func badRequest(code, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: msg}
}

func (b *submitBody) validate() (*SubmitRequest, *Error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"to", b.To}, {"from", b.From}, {"text", b.Text}} {
		if f.v == nil {
			return nil, badRequest("missing_field", fmt.Sprintf("field %q is required", f.name))
		}
	}
	req := &SubmitRequest{To: *b.To, From: *b.From, Text: *b.Text}
	if b.ClientRef != nil {
		req.ClientRef = *b.ClientRef
	}
	if b.CallbackURL != nil {
		req.CallbackURL = *b.CallbackURL
	}
	switch {
	case !validTo(req.To):
		return nil, badRequest("invalid_to", "to must be an international number: optional '+' and 6 to 15 digits")
	case !validFrom(req.From):
		return nil, badRequest("invalid_from", "from must be 1 to 11 letters or digits, or a number of 3 to 16 digits with optional '+'")
	case strings.TrimSpace(req.Text) == "":
		// A blank SMS is billed like any other and says nothing: refuse it.
		return nil, badRequest("empty_text", "text must not be empty or blank")
	case utf8.RuneCountInString(req.ClientRef) > MaxClientRefChars:
		return nil, badRequest("invalid_client_ref", fmt.Sprintf("client_ref exceeds %d characters", MaxClientRefChars))
	case req.CallbackURL != "" && !validCallbackURL(req.CallbackURL):
		return nil, badRequest("invalid_callback_url", fmt.Sprintf("callback_url must be an absolute http or https URL of at most %d bytes", MaxCallbackURLBytes))
	}
	return req, nil
}

// validTo: E.164 without the spaces — optional '+', 6 to 15 digits.
func validTo(s string) bool {
	s = strings.TrimPrefix(s, "+")
	return len(s) >= 6 && len(s) <= 15 && allDigits(s)
}

// validFrom: an alphanumeric sender id (1 to 11 ASCII letters or digits, the
// GSM 03.40 limit) or a numeric one (3 to 16 digits, optional '+').
func validFrom(s string) bool {
	if n := strings.TrimPrefix(s, "+"); len(n) >= 3 && len(n) <= 16 && allDigits(n) {
		return true
	}
	if len(s) < 1 || len(s) > 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validCallbackURL(s string) bool {
	if len(s) > MaxCallbackURLBytes {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// idempotencyKey picks the header, else client_ref (which may be empty: no key).
func idempotencyKey(header, clientRef string) (string, *Error) {
	if header == "" {
		return clientRef, nil
	}
	if utf8.RuneCountInString(header) > MaxIdempotencyKeyChars {
		return "", badRequest("invalid_idempotency_key", fmt.Sprintf("Idempotency-Key exceeds %d characters", MaxIdempotencyKeyChars))
	}
	return header, nil
}

// BodyHash is the hex SHA-256 of the canonical form of a submit: to, from,
// text, client_ref and callback_url in that order, each as its byte length
// (unsigned varint) followed by its bytes. Length prefixes make the encoding
// unambiguous, and it ignores JSON spelling (key order, escapes, spaces), so
// a client retrying with a re-serialised body still matches.
func BodyHash(r *SubmitRequest) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, f := range [...]string{r.To, r.From, r.Text, r.ClientRef, r.CallbackURL} {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		io.WriteString(h, f)
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message}})
}

// writeJSON encodes before writing the header so that an encoding failure can
// still become a 500 instead of a truncated 2xx.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"response encoding failed: ` + jsonSafe(err.Error()) + `"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A failed write means the client left; the recorder keeps the error for
	// the access log, and there is no one left to tell.
	_, _ = w.Write(buf.Bytes())
}

// jsonSafe drops the characters that would need escaping in a JSON string.
func jsonSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 {
			return -1
		}
		return r
	}, s)
}
