package smsc

import (
	"testing"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
)

// FuzzDataCoding checks the raw data_coding reader against gosmpp's decoder:
// it never panics, and agrees wherever gosmpp decodes a submit_sm.
func FuzzDataCoding(f *testing.F) {
	for _, dc := range []byte{0, 8, 0xF0} {
		sm := newSubmit("4915112345678", "", 1)
		_ = sm.Message.SetMessageDataWithEncoding([]byte("hi"), data.NewCustomEncoding(dc, data.BINARY8BIT2))
		f.Add(pduio.Marshal(sm))
	}
	f.Add(pduio.Marshal(concatSubmit(1, 2, 1, "part")))
	f.Fuzz(func(t *testing.T, raw []byte) {
		dc, ok := dataCodingOf(raw)
		p, err := pduio.Decode(raw)
		if err != nil {
			return
		}
		sm, isSubmit := p.(*pdu.SubmitSM)
		if !isSubmit {
			return
		}
		if !ok {
			t.Fatal("gosmpp decoded a submit_sm whose data_coding was not found")
		}
		if enc := sm.Message.Encoding(); enc != nil && enc.DataCoding() != dc {
			// gosmpp maps several values to one encoding (e.g. 2 and 4 are
			// both binary), so compare through its table.
			if want := data.FromDataCoding(dc); want == nil || want.DataCoding() != enc.DataCoding() {
				t.Fatalf("data_coding 0x%x, gosmpp says 0x%x", dc, enc.DataCoding())
			}
		}
	})
}
