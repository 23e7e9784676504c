package pduio

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// queryCrasher is a query_sm with a zero-length TLV that panics gosmpp's codec.
const queryCrasher = "0000001a00000003303030303030303030300030300030300000"

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func submitBytes(seq int32, text string) []byte {
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	sm.SequenceNumber = seq
	sm.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(5, 0, "SRC")
	sm.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "4915112345678")
	_ = sm.Message.SetMessageWithEncoding(text, data.GSM7BIT)
	return Marshal(sm)
}

func enquireBytes(seq int32) []byte {
	e := pdu.NewEnquireLink()
	e.SetSequenceNumber(seq)
	return Marshal(e)
}

// rawHeader builds a header-only frame with an arbitrary length field.
func rawHeader(length, id, status uint32, seq int32) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b, length)
	binary.BigEndian.PutUint32(b[4:], id)
	binary.BigEndian.PutUint32(b[8:], status)
	binary.BigEndian.PutUint32(b[12:], uint32(seq))
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestReaderClassifies(t *testing.T) {
	unknown := cat(rawHeader(20, 0x00000099, 0, 7), []byte{1, 2, 3, 4})
	badBody := cat(rawHeader(19, cmd(data.SUBMIT_SM), 0, 8), []byte{'a', 'b', 'c'})
	tests := []struct {
		name     string
		in       []byte
		wantKind error // nil: a PDU
		wantSeq  int32
		wantType any
		fatal    bool
		thenOK   bool // an enquire_link follows and must still be read
	}{
		{name: "submit_sm", in: submitBytes(42, "hello"), wantSeq: 42, wantType: &pdu.SubmitSM{}},
		{name: "unknown command", in: cat(unknown, enquireBytes(9)), wantKind: ErrUnknownCommand, wantSeq: 7, thenOK: true},
		{name: "malformed body", in: cat(badBody, enquireBytes(9)), wantKind: ErrBadBody, wantSeq: 8, thenOK: true},
		{name: "too short", in: rawHeader(15, cmd(data.ENQUIRE_LINK), 0, 3), wantKind: ErrBadLength, wantSeq: 3, fatal: true},
		{name: "too long", in: rawHeader(data.MAX_PDU_LEN+1, cmd(data.SUBMIT_SM), 0, 4), wantKind: ErrBadLength, wantSeq: 4, fatal: true},
		{name: "negative length", in: rawHeader(0xFFFFFFF0, cmd(data.SUBMIT_SM), 0, 5), wantKind: ErrBadLength, wantSeq: 5, fatal: true},
		{name: "query_sm crasher", in: cat(mustHex(t, queryCrasher), enquireBytes(9)), wantSeq: 0x30303030, wantType: &pdu.QuerySM{}, thenOK: true},
		{name: "body-less deliver_sm_resp error", in: rawHeader(16, cmd(data.DELIVER_SM_RESP), 0x64, 11), wantSeq: 11, wantType: &pdu.DeliverSMResp{}},
		{name: "body-less bind_transceiver_resp error", in: rawHeader(16, cmd(data.BIND_TRANSCEIVER_RESP), 0x0E, 12), wantSeq: 12, wantType: &pdu.BindResp{}},
		{name: "body-less data_sm_resp error", in: rawHeader(16, cmd(data.DATA_SM_RESP), 0x08, 13), wantSeq: 13, wantType: &pdu.DataSMResp{}},
	}
	for _, tc := range tests {
		for _, split := range []bool{false, true} {
			var src io.Reader = bytes.NewReader(tc.in)
			if split {
				src = iotest.OneByteReader(src)
			}
			r := NewReader(src)
			p, h, err := r.Next()
			if h.SequenceNumber != tc.wantSeq {
				t.Errorf("%s: seq %d, want %d", tc.name, h.SequenceNumber, tc.wantSeq)
			}
			if tc.wantKind == nil {
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if got, want := typeName(p), typeName(tc.wantType); got != want {
					t.Errorf("%s: got %s, want %s", tc.name, got, want)
				}
			} else {
				var pe *PDUError
				if !errors.As(err, &pe) || !errors.Is(err, tc.wantKind) {
					t.Fatalf("%s: err %v, want %v", tc.name, err, tc.wantKind)
				}
				if pe.Fatal() != tc.fatal {
					t.Errorf("%s: fatal %v", tc.name, pe.Fatal())
				}
				n := pe.Nack().(*pdu.GenericNack)
				if n.SequenceNumber != tc.wantSeq || n.CommandStatus != pe.Status {
					t.Errorf("%s: nack %+v", tc.name, n.Header)
				}
				if tc.fatal {
					if _, _, err2 := r.Next(); !errors.Is(err2, tc.wantKind) {
						t.Errorf("%s: error not sticky: %v", tc.name, err2)
					}
				}
			}
			if tc.thenOK {
				p, h, err := r.Next()
				if err != nil || h.SequenceNumber != 9 || typeName(p) != typeName(&pdu.EnquireLink{}) {
					t.Errorf("%s: stream out of sync: %T %v %v", tc.name, p, h, err)
				}
			}
			if _, _, err := r.Next(); !tc.fatal && err != io.EOF {
				t.Errorf("%s: end: %v, want EOF", tc.name, err)
			}
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *pdu.SubmitSM:
		return "submit_sm"
	case *pdu.QuerySM:
		return "query_sm"
	case *pdu.DeliverSMResp:
		return "deliver_sm_resp"
	case *pdu.BindResp:
		return "bind_resp"
	case *pdu.DataSMResp:
		return "data_sm_resp"
	case *pdu.EnquireLink:
		return "enquire_link"
	}
	return "other"
}

func TestReaderTruncated(t *testing.T) {
	full := submitBytes(1, "hello")
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, io.EOF},
		{"half header", full[:8], io.ErrUnexpectedEOF},
		{"half body", full[:len(full)-2], io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		if _, _, err := NewReader(bytes.NewReader(tc.in)).Next(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestRawAndDecode(t *testing.T) {
	in := submitBytes(5, "raw")
	r := NewReader(bytes.NewReader(in))
	if _, _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Raw(), in) {
		t.Fatalf("raw % x", r.Raw())
	}
	if _, err := Decode(in[:10]); !errors.Is(err, ErrBadLength) {
		t.Fatalf("short decode: %v", err)
	}
}

func TestResponse(t *testing.T) {
	tests := []struct {
		name   string
		req    pdu.PDU
		status data.CommandStatusType
		wantID data.CommandIDType
	}{
		{"submit_sm", pdu.NewSubmitSM(), data.ESME_RTHROTTLED, data.SUBMIT_SM_RESP},
		{"query_sm", pdu.NewQuerySM(), data.ESME_RINVBNDSTS, data.QUERY_SM_RESP},
		{"bind_transceiver", pdu.NewBindTransceiver(), data.ESME_RINVPASWD, data.BIND_TRANSCEIVER_RESP},
		{"response gets nack", pdu.NewSubmitSMResp(), data.ESME_RINVCMDID, data.GENERIC_NACK},
	}
	for _, tc := range tests {
		tc.req.SetSequenceNumber(77)
		r := Response(tc.req, tc.status)
		p, err := Decode(Marshal(r))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		h := p.GetHeader()
		if h.CommandID != tc.wantID || h.CommandStatus != tc.status || h.SequenceNumber != 77 {
			t.Errorf("%s: %+v", tc.name, h)
		}
	}
}

func cmd(id data.CommandIDType) uint32 { return uint32(id) }

func TestErrorResponseBodies(t *testing.T) {
	// gosmpp alone fails on both: an error bind_transmitter_resp that still
	// carries system_id, and a body-less one from MarshalBodyless.
	resp := Response(pdu.NewBindTransmitter(), data.ESME_RBINDFAIL).(*pdu.BindResp)
	resp.SystemID = "smsc"
	for name, b := range map[string][]byte{"with body": Marshal(resp), "bodyless": MarshalBodyless(resp)} {
		p, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if h := p.GetHeader(); h.CommandStatus != data.ESME_RBINDFAIL || h.SequenceNumber != resp.SequenceNumber {
			t.Fatalf("%s: %+v", name, h)
		}
	}
	if n := len(MarshalBodyless(resp)); n != HeaderLen {
		t.Fatalf("bodyless length %d", n)
	}
}

// panicky is a PDU whose codec panics, like gosmpp's query_sm did.
type panicky struct{ pdu.PDU }

func (panicky) Unmarshal(*pdu.ByteBuffer) error { panic("assignment to entry in nil map") }

func TestUnmarshalRecovers(t *testing.T) {
	err := unmarshal(panicky{}, enquireBytes(1))
	if err == nil || !strings.Contains(err.Error(), "codec panic") {
		t.Fatalf("err %v", err)
	}
}
