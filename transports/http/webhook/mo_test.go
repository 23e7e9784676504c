package webhook

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMarshalMO(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		mo      MO
		payload []byte
		want    map[string]any
		err     bool
	}{
		{"text", MO{EventID: "e1", MOID: "m1", From: "447700900123", To: "12345", Text: "STOP", At: at}, []byte("STOP"),
			map[string]any{"type": "mo", "text": "STOP", "mo_id": "m1", "event_id": "e1"}, false},
		{"binary", MO{EventID: "e2", MOID: "m2", DataCoding: 4, At: at}, []byte{0, 1, 2},
			map[string]any{"payload_base64": "AAEC", "data_coding": float64(4)}, false},
		{"no event id", MO{MOID: "m"}, nil, nil, true},
		{"no mo id", MO{EventID: "e"}, nil, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := MarshalMO(c.mo, c.payload)
			if (err != nil) != c.err {
				t.Fatalf("err = %v", err)
			}
			if c.err {
				return
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}
