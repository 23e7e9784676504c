package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode"
)

const (
	// DefaultTimeout bounds one attempt (connect, send, answer) when
	// Options.Timeout is 0.
	DefaultTimeout = 10 * time.Second
	// DefaultUserAgent is sent when Options.UserAgent is empty.
	DefaultUserAgent = "smsgw-webhook/1"

	maxIdleConnsPerHost = 64 // a busy customer gets a warm pool, not a handshake per DR
	maxDrainBytes       = 64 << 10
	maxSnippetBytes     = 256
)

var (
	// ErrInvalidURL: the callback URL cannot form a request. Permanent.
	ErrInvalidURL = errors.New("webhook: invalid callback URL")
	// ErrBlockedAddress: the URL resolves to a private, loopback or
	// link-local address while Options.BlockPrivateNetworks is set. Permanent.
	ErrBlockedAddress = errors.New("webhook: callback address is in a blocked network")
)

// Options configures a Client; the zero value is usable.
type Options struct {
	Timeout   time.Duration // per attempt; DefaultTimeout when 0
	UserAgent string        // DefaultUserAgent when empty
	// BlockPrivateNetworks refuses to connect to loopback, private,
	// link-local and unspecified addresses, checked on the resolved address
	// at dial time so DNS cannot smuggle one in. Set it in production, where
	// callback URLs come from customers; leave it off for loopback tests.
	// Proxies from the environment are not used when it is set, since the
	// check would then see only the proxy's address.
	BlockPrivateNetworks bool
}

// Client posts callbacks. It holds one connection pool (keep-alive, up to 64
// idle connections per host): create one and share it among all senders.
// It is safe for concurrent use.
type Client struct {
	hc *http.Client
	ua string
}

// New builds a Client.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 1024
	tr.MaxIdleConnsPerHost = maxIdleConnsPerHost
	tr.IdleConnTimeout = 90 * time.Second
	tr.DisableKeepAlives = false
	if opts.BlockPrivateNetworks {
		dialer.Control = refusePrivate
		tr.Proxy = nil
	}
	tr.DialContext = dialer.DialContext
	return &Client{
		hc: &http.Client{
			Transport: tr,
			Timeout:   opts.Timeout,
			// A redirected callback is not delivered: following it would
			// turn the POST into a GET for 301/302 and hide a moved endpoint.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ua: opts.UserAgent,
	}
}

// CloseIdleConnections closes the pool's idle connections (on shutdown).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// StatusError is a non-2xx answer from the receiver.
type StatusError struct {
	Code    int
	Snippet string // start of the response body, printable characters only, for the log
}

func (e *StatusError) Error() string {
	if e.Snippet == "" {
		return fmt.Sprintf("webhook: status %d", e.Code)
	}
	return fmt.Sprintf("webhook: status %d: %s", e.Code, e.Snippet)
}

// Retryable reports whether the receiver might accept the same request later.
func (e *StatusError) Retryable() bool { return e.Code != http.StatusGone }

// Retryable reports whether a Post error is worth retrying: all are, except
// 410 Gone, ErrInvalidURL and ErrBlockedAddress (see the package doc).
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Retryable()
	}
	return !errors.Is(err, ErrInvalidURL) && !errors.Is(err, ErrBlockedAddress)
}

// Post sends body to rawURL as one JSON POST carrying eventID in the
// Idempotency-Key and X-Smsgw-Event-Id headers. nil means the receiver
// answered 2xx. Errors never contain the URL's query, which may hold a
// customer's token.
func (c *Client) Post(ctx context.Context, rawURL, eventID string, body []byte) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("post %s: %w", safeURL(rawURL), ErrInvalidURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post %s: %w: %v", safeURL(rawURL), ErrInvalidURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", eventID)
	req.Header.Set("X-Smsgw-Event-Id", eventID)
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.hc.Do(req)
	if err != nil {
		// *url.Error repeats the full URL; keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post %s: %w", safeURL(rawURL), err)
	}
	snippet, readErr := drain(resp.Body)
	if closeErr := resp.Body.Close(); readErr == nil {
		readErr = closeErr
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// The receiver has accepted: a failure to read the rest of its
		// answer only costs the connection, not the delivery.
		return nil
	}
	if readErr != nil {
		snippet += " (body read: " + readErr.Error() + ")"
	}
	return fmt.Errorf("post %s: %w", safeURL(rawURL), &StatusError{Code: resp.StatusCode, Snippet: snippet})
}

// drain reads (a bounded amount of) the body so the connection can be
// reused, returning its printable start.
func drain(r io.Reader) (string, error) {
	var head [maxSnippetBytes]byte
	n, err := io.ReadFull(r, head[:])
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	} else if err == nil {
		_, err = io.CopyN(io.Discard, r, maxDrainBytes)
		if errors.Is(err, io.EOF) {
			err = nil
		}
	}
	s := strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, string(head[:n]))
	return strings.TrimSpace(s), err
}

// safeURL is rawURL without user info, query and fragment, for errors and logs.
func safeURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "<unparsable URL>"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddress)
	}
	return nil
}

// Backoff is the wait before retrying after the attempt-th consecutive
// failure (attempt ≥ 1; smaller values count as 1): 1 s·2^(attempt-1),
// capped at 10 min, times a uniform factor in [0.8, 1.2).
func Backoff(attempt int) time.Duration {
	const (
		base    = time.Second
		ceiling = 10 * time.Minute
	)
	d := ceiling
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 10 { // 2^9 s = 512 s is the last step below the cap
		d = base << (attempt - 1)
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
