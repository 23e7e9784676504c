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
		{"insert smpp", persistence.InsertMessage{Message: persistence.Message{ID: "m", CustomerID: "c", Status: persistence.StatusAccepted, Channel: persistence.ChannelSMPP}, Parts: part}, true},
		{"insert unknown channel", persistence.InsertMessage{Message: persistence.Message{ID: "m", CustomerID: "c", Status: persistence.StatusAccepted, Channel: "x"}, Parts: part}, false},
		{"mo unrouted", persistence.InsertMO{MO: persistence.MO{ID: "m", Operator: "o"}}, true},
		{"mo smpp", persistence.InsertMO{MO: persistence.MO{ID: "m", Operator: "o", CustomerID: "c", Channel: persistence.ChannelSMPP}}, true},
		{"mo http", persistence.InsertMO{MO: persistence.MO{ID: "m", Operator: "o", CustomerID: "c", Channel: persistence.ChannelHTTP, URL: "u"}}, true},
		{"mo http without url", persistence.InsertMO{MO: persistence.MO{ID: "m", Operator: "o", CustomerID: "c", Channel: persistence.ChannelHTTP}}, false},
		{"mo customer without channel", persistence.InsertMO{MO: persistence.MO{ID: "m", Operator: "o", CustomerID: "c"}}, false},
		{"mo without operator", persistence.InsertMO{MO: persistence.MO{ID: "m"}}, false},
		{"part", persistence.InsertMOPart{Part: persistence.MOPart{MOPartKey: persistence.MOPartKey{Operator: "o", Total: 2}, Seq: 2}}, true},
		{"part past total", persistence.InsertMOPart{Part: persistence.MOPart{MOPartKey: persistence.MOPartKey{Operator: "o", Total: 2}, Seq: 3}}, false},
		{"part seq 0", persistence.InsertMOPart{Part: persistence.MOPart{MOPartKey: persistence.MOPartKey{Operator: "o", Total: 2}}}, false},
		{"delete parts", persistence.DeleteMOParts{Key: persistence.MOPartKey{Operator: "o", Total: 1}}, true},
		{"delete parts without total", persistence.DeleteMOParts{Key: persistence.MOPartKey{Operator: "o"}}, false},
		{"enqueue dr", persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "d", CustomerID: "c", Kind: persistence.KindDR, MessageID: "m"}}, true},
		{"enqueue mo without mo id", persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "d", CustomerID: "c", Kind: persistence.KindMO, MessageID: "m"}}, false},
		{"delivery done", persistence.DeliveryDone{ID: "d"}, true},
		{"delivery retry without id", persistence.DeliveryRetry{}, false},
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

	part := persistence.InsertMOPart{Part: persistence.MOPart{MOPartKey: persistence.MOPartKey{Operator: "o", Total: 1}, Seq: 1}}
	mo := persistence.InsertMO{MO: persistence.MO{ID: "mo", Operator: "o"}}
	b, err = NewBatch([][]persistence.Op{{part, mo}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.Results[0][0].PartsStored, b.Results[0][0].PartSet = 1, &persistence.MOPartSet{}
	b.Results[0][1].Duplicate, b.Results[0][1].MOID = true, "other"
	b.Reset()
	if b.Results[0][0] != (persistence.Result{}) || b.Results[0][1] != (persistence.Result{MOID: "mo"}) {
		t.Errorf("mo results after reset: %+v", b.Results)
	}
}
