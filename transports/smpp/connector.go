package smpp

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// connector dials and binds under one deadline. gosmpp's own connector has
// neither a dial nor a bind_resp timeout, and cannot read a body-less error
// bind_transceiver_resp.
type connector struct {
	ctx   context.Context
	cfg   *Config
	bt    pdu.BindingType
	guard *guardConn // set by Connect before gosmpp starts reading
}

func (c *connector) GetBindType() pdu.BindingType { return c.bt }

func (c *connector) Connect() (*gosmpp.Connection, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.BindTimeout)
	defer cancel()
	nc, err := c.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if err := c.bind(ctx, nc); err != nil {
		return nil, errors.Join(err, closeQuiet(nc))
	}
	c.guard = &guardConn{Conn: nc}
	return gosmpp.NewConnection(c.guard), nil
}

func (c *connector) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	if c.cfg.TLS == nil {
		return d.DialContext(ctx, "tcp", c.cfg.Address)
	}
	td := &tls.Dialer{NetDialer: d, Config: c.cfg.TLS}
	return td.DialContext(ctx, "tcp", c.cfg.Address)
}

func (c *connector) bind(ctx context.Context, nc net.Conn) error {
	deadline, _ := ctx.Deadline()
	if err := nc.SetDeadline(deadline); err != nil {
		return fmt.Errorf("bind: set deadline: %w", err)
	}
	// A cancelled ctx must also interrupt a read that is already blocked.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := pdu.NewBindRequest(c.bt)
	req.SystemID, req.Password, req.SystemType = c.cfg.SystemID, c.cfg.Password, c.cfg.SystemType
	buf := pdu.NewBuffer(make([]byte, 0, 64))
	req.Marshal(buf)
	if _, err := nc.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("bind: write: %w", errors.Join(err, ctx.Err()))
	}
	if err := readBindResp(nc, uint32(req.CommandID)|genericNack); err != nil {
		return fmt.Errorf("bind: %w", errors.Join(err, ctx.Err()))
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("bind: clear deadline: %w", err)
	}
	return nil
}

// readBindResp reads PDUs until the bind response with command id want and
// returns nil when it is ESME_ROK. The status is read from the header, so a
// refusal without a body is still a *BindError.
func readBindResp(r io.Reader, want uint32) error {
	var hdr [16]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return fmt.Errorf("read bind_resp: %w", err)
		}
		length := binary.BigEndian.Uint32(hdr[0:])
		id := binary.BigEndian.Uint32(hdr[4:])
		status := binary.BigEndian.Uint32(hdr[8:])
		if length < 16 || length > data.MAX_PDU_LEN {
			return fmt.Errorf("read bind_resp: command_length %d out of range", length)
		}
		// The body (system_id, TLVs) is not needed: skip it.
		if _, err := io.CopyN(io.Discard, r, int64(length-16)); err != nil {
			return fmt.Errorf("read bind_resp body: %w", err)
		}
		switch {
		case id == want && status == StatusOK:
			return nil
		case id == want:
			return &BindError{Status: status}
		case id == genericNack:
			return &BindError{Status: nackStatus(status)}
		}
		// Anything else before bind_resp (an early enquire_link) is ignored;
		// the deadline bounds how long this can go on.
	}
}

const genericNack = 0x80000000

func closeQuiet(c io.Closer) error {
	if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}
