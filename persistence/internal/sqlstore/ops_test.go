package sqlstore

import (
	"testing"
	"time"

	"smsgw/persistence"
)

func TestValidate(t *testing.T) {
	part := []persistence.Part{{}}
	tests := []struct {
		name string
		op   persistence.Op
		ok   bool
	}{
		{"insert", persistence.InsertMessage{Message: persistence.Message{ID: "m", CustomerID: "c", Status: persistence.StatusQueued}, Parts: part}, true},
		{"insert without id", persistence.InsertMessage{Message: persistence.Message{CustomerID: "c", Status: persistence.StatusAccepted}, Parts: part}, false},
		{"insert submitted", persistence.InsertMessage{Message: persistence.Message{ID: "m", CustomerID: "c", Status: persistence.StatusSubmitted}, Parts: part}, false},
		{"insert without parts", persistence.InsertMessage{Message: persistence.Message{ID: "m", CustomerID: "c", Status: persistence.StatusAccepted}}, false},
		{"set", persistence.SetPartStatus{MessageID: "m", Status: persistence.StatusSubmitted, Operator: "o", OperatorID: "1"}, true},
		{"set unknown status", persistence.SetPartStatus{MessageID: "m", Status: "x"}, false},
		{"set id without operator", persistence.SetPartStatus{MessageID: "m", Status: persistence.StatusSubmitted, OperatorID: "1"}, false},
		{"dr", persistence.MatchDR{Operator: "o", Candidates: []string{"1"}, Status: persistence.StatusDelivered}, true},
		{"dr without candidates", persistence.MatchDR{Operator: "o", Status: persistence.StatusDelivered}, false},
		{"done", persistence.CallbackDone{ID: "x"}, true},
		{"retry without id", persistence.CallbackRetry{}, false},
	}
	for _, tt := range tests {
		if err := Validate([]persistence.Op{tt.op}); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

// TestResetRestoresResults checks a retried transaction starts from the
// results the plan began with, not from what the failed attempt wrote.
func TestResetRestoresResults(t *testing.T) {
	ins := persistence.InsertMessage{Message: persistence.Message{ID: "m", CustomerID: "c", RequestHash: "h", Status: persistence.StatusAccepted}, Parts: []persistence.Part{{}}}
	b, err := NewBatch([][]persistence.Op{{ins, persistence.CallbackDone{ID: "x"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.Results[0][0].Duplicate = true
	b.Results[0][1].Applied = true
	b.Reset()
	want := persistence.Result{MessageID: "m", RequestHash: "h", MessageStatus: persistence.StatusAccepted}
	if b.Results[0][0] != want || b.Results[0][1] != (persistence.Result{}) {
		t.Errorf("after reset: %+v", b.Results)
	}
}
