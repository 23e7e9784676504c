package smpp

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"testing"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// chunkReader returns b in pieces of at most n bytes, like partial TCP reads.
type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[k:]
	return k, nil
}

func FuzzReadBindResp(f *testing.F) {
	for _, st := range []data.CommandStatusType{data.ESME_ROK, data.ESME_RINVPASWD} {
		r := pdu.NewBindTransceiverResp().(*pdu.BindResp)
		r.CommandStatus = st
		r.SystemID = "smsc"
		f.Add(marshal(r), uint8(3))
	}
	f.Add(append(marshal(pdu.NewEnquireLink()), marshal(pdu.NewBindTransceiverResp())...), uint8(7))
	f.Add([]byte{0, 0, 0, 16, 0x80, 0, 0, 9, 0, 0, 0, 0x0e, 0, 0, 0, 1}, uint8(1)) // body-less refusal
	f.Add([]byte{0, 0, 0, 4, 0x80, 0, 0, 9}, uint8(16))
	f.Fuzz(func(t *testing.T, b []byte, split uint8) {
		want := uint32(data.BIND_TRANSCEIVER) | genericNack
		whole := readBindResp(bytes.NewReader(b), want)
		chunked := readBindResp(&chunkReader{b: b, n: int(split%32) + 1}, want)
		if (whole == nil) != (chunked == nil) {
			t.Fatalf("whole %v, chunked %v", whole, chunked)
		}
		var be1, be2 *BindError
		if errors.As(whole, &be1) != errors.As(chunked, &be2) || (be1 != nil && *be1 != *be2) {
			t.Fatalf("whole %v, chunked %v", whole, chunked)
		}
	})
}

func FuzzFrameScanner(f *testing.F) {
	f.Add(append(marshal(pdu.NewEnquireLink()), marshal(receiptPDU())...), uint8(5))
	crasher := []byte{0, 0, 0, 0x1a, 0, 0, 0, 3, '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', 0, '0', '0', 0, '0', '0', 0, 0}
	f.Add(append(marshal(pdu.NewEnquireLink()), crasher...), uint8(3))
	f.Add([]byte{0, 0, 0, 2, 0, 0, 0, 4}, uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, split uint8) {
		var whole frameScanner
		offW, errW := whole.scan(b)
		var chunked frameScanner
		n := int(split%32) + 1
		offC, errC := len(b), error(nil)
		for i := 0; i < len(b); i += n {
			end := min(i+n, len(b))
			if off, err := chunked.scan(b[i:end]); err != nil {
				offC, errC = i+off, err
				break
			}
		}
		if (errW == nil) != (errC == nil) {
			t.Fatalf("whole %v, chunked %v", errW, errC)
		}
		if errW == nil && !maps.Equal(whole.dcs, chunked.dcs) {
			t.Fatalf("data_codings whole %v, chunked %v", whole.dcs, chunked.dcs)
		}
		if errW == nil && offW != len(b) {
			t.Fatalf("offset %d of %d without error", offW, len(b))
		}
		// A chunk boundary inside the bad header lets its first bytes through;
		// whatever passes must never include the full bad header.
		if errW != nil && (offC >= offW+16 || offW > len(b)) {
			t.Fatalf("offsets whole %d, chunked %d", offW, offC)
		}
	})
}

// FuzzDeliver feeds what gosmpp's parser accepts (past our frame guard) to
// the conversion into Deliver.
func FuzzDeliver(f *testing.F) {
	f.Add(marshal(receiptPDU()))
	mo := pdu.NewDeliverSM().(*pdu.DeliverSM)
	mo.EsmClass = 0x40
	_ = mo.Message.SetMessageDataWithEncoding([]byte{5, 0, 3, 9, 2, 1, 'h', 'i'}, data.UCS2)
	mo.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarMsgRefNum, Data: []byte{1, 2}})
	mo.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarTotalSegments, Data: []byte{3}})
	mo.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarSegmentSeqnum, Data: []byte{1}})
	f.Add(marshal(mo))
	dsm := pdu.NewDataSM().(*pdu.DataSM)
	dsm.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: []byte("payload")})
	f.Add(marshal(dsm))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fs frameScanner
		if _, bad := fs.scan(b); bad != nil {
			return
		}
		p, err := pdu.Parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		var d *Deliver
		switch q := p.(type) {
		case *pdu.DeliverSM:
			// Our raw data_coding reader must agree with gosmpp where
			// gosmpp knows the value.
			dc, ok := deliverDataCoding(b[16:])
			if enc := q.Message.Encoding(); enc != nil && (!ok || dc != enc.DataCoding()) {
				t.Fatalf("raw data_coding %#x (%v), gosmpp %#x", dc, ok, enc.DataCoding())
			}
			d, err = deliverFromDeliverSM(q)
		case *pdu.DataSM:
			d, err = deliverFromDataSM(q)
		default:
			return
		}
		if err == nil && d.Receipt != (d.ESMClass&esmReceipt != 0 || d.ReceiptedID != "") {
			t.Fatalf("Receipt %v with esm_class %#x, receipted id %q", d.Receipt, d.ESMClass, d.ReceiptedID)
		}
	})
}

func marshal(p pdu.PDU) []byte {
	b := pdu.NewBuffer(nil)
	p.Marshal(b)
	return b.Bytes()
}
