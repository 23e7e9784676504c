package webhook

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type captured struct {
	method, contentType, idemKey, eventID, userAgent string
	body                                             string
}

// receiver is an httptest server answering status and recording requests.
func receiver(t *testing.T, status int, respBody string) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver read: %v", err)
		}
		mu.Lock()
		got = append(got, captured{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"),
			r.Header.Get("X-Smsgw-Event-Id"), r.Header.Get("User-Agent"), string(b)})
		mu.Unlock()
		if status == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
		io.WriteString(w, respBody)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return append([]captured(nil), got...)
	}
}

func TestPostStatuses(t *testing.T) {
	tests := []struct {
		status    int
		respBody  string
		wantErr   bool
		retryable bool
	}{
		{200, `{"ok":true}`, false, false},
		{201, "", false, false},
		{202, "", false, false},
		{204, "", false, false},
		{302, "", true, true},
		{400, "bad\x00 request\n", true, true},
		{404, "", true, true},
		{408, "", true, true},
		{410, "gone", true, false},
		{429, "", true, true},
		{500, strings.Repeat("x", 100_000), true, true},
		{502, "", true, true},
		{503, "", true, true},
	}
	c := New(Options{UserAgent: "test-agent/1"})
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv, got := receiver(t, tc.status, tc.respBody)
			err := c.Post(context.Background(), srv.URL+"/dr?token=s3cret", "evt-1", []byte(`{"a":1}`))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if Retryable(err) != tc.retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, Retryable(err), tc.retryable)
			}
			if err != nil {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != tc.status {
					t.Errorf("err = %v, want *StatusError %d", err, tc.status)
				}
				if len(se.Snippet) > maxSnippetBytes || strings.ContainsAny(se.Snippet, "\x00\n") {
					t.Errorf("snippet %q not bounded/printable", se.Snippet)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error leaks the query: %v", err)
				}
			}
			if n := len(got()); n != 1 {
				t.Errorf("receiver saw %d requests, want 1 (no redirects followed)", n)
			}
		})
	}
}

func TestPostHeaders(t *testing.T) {
	srv, got := receiver(t, 200, "")
	body := []byte(`{"event_id":"evt-9","type":"dr"}`)
	if err := New(Options{UserAgent: "acme-test/2"}).Post(context.Background(), srv.URL, "evt-9", body); err != nil {
		t.Fatal(err)
	}
	want := captured{"POST", "application/json", "evt-9", "evt-9", "acme-test/2", string(body)}
	if g := got(); len(g) != 1 || g[0] != want {
		t.Errorf("got %+v, want %+v", g, want)
	}
	if err := New(Options{}).Post(context.Background(), srv.URL, "evt-10", body); err != nil {
		t.Fatal(err)
	}
	if g := got(); g[1].userAgent != DefaultUserAgent {
		t.Errorf("default User-Agent = %q", g[1].userAgent)
	}
}

func TestPostTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	err := New(Options{Timeout: 50 * time.Millisecond}).Post(context.Background(), srv.URL, "e", []byte("{}"))
	if err == nil || !Retryable(err) {
		t.Fatalf("err = %v, want a retryable timeout", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("err = %v, want a timeout", err)
	}
}

func TestPostContextCanceled(t *testing.T) {
	srv, _ := receiver(t, 200, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := New(Options{}).Post(ctx, srv.URL, "e", []byte("{}"))
	if !errors.Is(err, context.Canceled) || !Retryable(err) {
		t.Errorf("err = %v, want retryable context.Canceled", err)
	}
}

func TestPostTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/dr"
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	open, _ := receiver(t, 200, "")
	tests := []struct {
		name      string
		opts      Options
		url       string
		is        error
		retryable bool
	}{
		{"connection refused", Options{}, closedURL, nil, true},
		{"not a URL", Options{}, "http://exa mple.com/", ErrInvalidURL, false},
		{"relative", Options{}, "/dr", ErrInvalidURL, false},
		{"ftp", Options{}, "ftp://example.com/dr", ErrInvalidURL, false},
		{"loopback blocked", Options{BlockPrivateNetworks: true}, open.URL, ErrBlockedAddress, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := New(tc.opts).Post(context.Background(), tc.url, "e", []byte("{}"))
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want %v", err, tc.is)
			}
			if Retryable(err) != tc.retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, Retryable(err), tc.retryable)
			}
		})
	}
}

func TestRetryableNil(t *testing.T) {
	if Retryable(nil) {
		t.Error("nil is not a failure to retry")
	}
}

func TestRefusePrivate(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1:80", true},
		{"[::1]:443", true},
		{"10.1.2.3:80", true},
		{"192.168.0.1:80", true},
		{"172.16.0.1:80", true},
		{"169.254.169.254:80", true},
		{"0.0.0.0:80", true},
		{"[fd00::1]:80", true},
		{"8.8.8.8:443", false},
		{"[2001:4860:4860::8888]:443", false},
	}
	for _, tc := range tests {
		err := refusePrivate("tcp", tc.addr, nil)
		if errors.Is(err, ErrBlockedAddress) != tc.blocked {
			t.Errorf("refusePrivate(%s) = %v, want blocked %v", tc.addr, err, tc.blocked)
		}
	}
}

// Sequential posts reuse one kept-alive connection.
func TestPostReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := New(Options{})
	t.Cleanup(c.CloseIdleConnections)
	for i := 0; i < 5; i++ {
		if err := c.Post(context.Background(), srv.URL, "e", []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 5 sequential posts, want 1", n)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		base    time.Duration
	}{
		{-3, time.Second},
		{0, time.Second},
		{1, time.Second},
		{2, 2 * time.Second},
		{3, 4 * time.Second},
		{10, 512 * time.Second},
		{11, 10 * time.Minute},
		{12, 10 * time.Minute},
		{64, 10 * time.Minute},
		{1 << 30, 10 * time.Minute},
	}
	for _, tc := range tests {
		lo, hi := tc.base*8/10, tc.base*12/10
		for range 200 {
			if d := Backoff(tc.attempt); d < lo || d >= hi {
				t.Fatalf("Backoff(%d) = %v, want in [%v, %v)", tc.attempt, d, lo, hi)
			}
		}
	}
}

// Jitter: repeated calls for one attempt do not all return the same value.
func TestBackoffJitters(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[Backoff(5)] = true
	}
	if len(seen) < 2 {
		t.Errorf("Backoff(5) returned one value over 50 calls: %v", seen)
	}
}
