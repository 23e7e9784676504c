package webhook

import (
	"strings"
	"testing"
	"time"
)

func TestMarshalDR(t *testing.T) {
	at := time.Date(2025, 1, 2, 4, 4, 5, 123e6, time.FixedZone("CET", 3600))
	tests := []struct {
		name    string
		dr      DR
		want    string
		wantErr string
	}{
		{
			name: "two parts",
			dr: DR{EventID: "evt-1", MessageID: "msg-1", ClientRef: "order-1", Status: "delivered",
				To: "+31612345678", From: "ACME", At: at, Parts: []DRPart{
					{Index: 1, Status: "delivered", Operator: "kpn", OperatorMessageID: "0A1B", Error: "000"},
					{Index: 2, Status: "delivered"},
				}},
			want: `{"event_id":"evt-1","type":"dr","message_id":"msg-1","client_ref":"order-1","status":"delivered",` +
				`"to":"+31612345678","from":"ACME","parts":[{"index":1,"status":"delivered","operator":"kpn",` +
				`"operator_message_id":"0A1B","error":"000"},{"index":2,"status":"delivered"}],"at":"2025-01-02T03:04:05.123Z"}`,
		},
		{
			name: "no parts, no client_ref, type forced",
			dr:   DR{EventID: "e", Type: "mo", MessageID: "m", Status: "expired", To: "123456", From: "A", At: at},
			want: `{"event_id":"e","type":"dr","message_id":"m","status":"expired","to":"123456","from":"A","parts":[],"at":"2025-01-02T03:04:05.123Z"}`,
		},
		{name: "no event id", dr: DR{MessageID: "m", Status: "delivered"}, wantErr: "empty event_id"},
		{name: "no message id", dr: DR{EventID: "e", Status: "delivered"}, wantErr: "empty message_id"},
		{name: "no status", dr: DR{EventID: "e", MessageID: "m"}, wantErr: "empty status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := MarshalDR(tc.dr)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
}
