package bench

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzParseCPU feeds metrics text whole and one byte per read.
func FuzzParseCPU(f *testing.F) {
	f.Add("process_cpu_seconds_total 1.5\n")
	f.Add("process_cpu_seconds_total{a=\"}\"} 2 3\n")
	f.Fuzz(func(t *testing.T, s string) {
		v1, err1 := parseCPU(strings.NewReader(s))
		v2, err2 := parseCPU(iotest.OneByteReader(strings.NewReader(s)))
		same := v1 == v2 || (math.IsNaN(v1) && math.IsNaN(v2))
		if (err1 == nil) != (err2 == nil) || !same {
			t.Fatalf("whole %v, %v; split %v, %v", v1, err1, v2, err2)
		}
	})
}

// FuzzCallback checks the DR receiver never panics and answers 204 or 400.
func FuzzCallback(f *testing.F) {
	f.Add([]byte(`{"event_id":"e1","type":"dr","message_id":"m1","status":"delivered"}`))
	f.Add([]byte(`{"event_id":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tr := newTracker()
		rec := httptest.NewRecorder()
		tr.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dr", iotest.HalfReader(bytes.NewReader(body))))
		if rec.Code != http.StatusNoContent && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d", rec.Code)
		}
	})
}
