package sqlstore

import (
	"fmt"
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

// fakeRows returns fixed rows of (id, message id).
type fakeRows struct {
	rows [][2]string
	i    int
}

func (r *fakeRows) Next() bool { r.i++; return r.i <= len(r.rows) }
func (r *fakeRows) Scan(dest ...any) error {
	*dest[0].(*string), *dest[1].(*string) = r.rows[r.i-1][0], r.rows[r.i-1][1]
	return nil
}
func (r *fakeRows) Err() error { return nil }
func (r *fakeRows) Close()     {}

func TestCallbacksDoneAsOneStatement(t *testing.T) {
	done := func(id string) []persistence.Op { return []persistence.Op{persistence.CallbackDone{ID: id}} }
	tests := []struct {
		name     string
		groups   [][]persistence.Op
		returned [][2]string // rows the UPDATE returns
		applied  []bool
		steps    int
	}{
		{"one", [][]persistence.Op{done("a")}, [][2]string{{"a", "m"}}, []bool{true}, 1},
		{"first of a repeated id", [][]persistence.Op{done("a"), done("a"), done("b")}, [][2]string{{"a", "m"}}, []bool{true, false, false}, 1},
		{"padded to four", [][]persistence.Op{done("a"), done("b"), done("c")}, [][2]string{{"c", "m"}, {"a", "m"}}, []bool{true, false, true}, 1},
		{"in a multi-op group stays per op", [][]persistence.Op{{persistence.CallbackDone{ID: "a"}, persistence.CallbackDone{ID: "b"}}}, nil, []bool{false, false}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBatch(tt.groups, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Steps) != tt.steps {
				t.Fatalf("%d steps, want %d", len(b.Steps), tt.steps)
			}
			if tt.steps == 1 {
				if n := len(b.Steps[0].Args); n&(n-1) != 0 {
					t.Errorf("%d ids, not a power of two", n)
				}
				if err := b.Steps[0].Read(&fakeRows{rows: tt.returned}); err != nil {
					t.Fatal(err)
				}
			}
			var got []bool
			for _, rs := range b.Results {
				for _, r := range rs {
					got = append(got, r.Applied)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.applied) {
				t.Errorf("applied = %v, want %v", got, tt.applied)
			}
		})
	}
}
