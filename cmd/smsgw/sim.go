package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/linxGnu/gosmpp/data"

	"smsgw/transports/smpp/smsc"
)

// faultKinds are the names the control API takes for the simulator's
// fault catalogue.
var faultKinds = map[string]smsc.FaultKind{
	"no_response":        smsc.FaultNoResponse,
	"generic_nack":       smsc.FaultGenericNack,
	"status":             smsc.FaultStatus,
	"resp_delay":         smsc.FaultRespDelay,
	"unbind":             smsc.FaultUnbind,
	"disconnect":         smsc.FaultDisconnect,
	"dr_before_resp":     smsc.FaultDRBeforeResp,
	"receipt_first_part": smsc.FaultReceiptFirstPartOnly,
	"receipt_stat":       smsc.FaultReceiptStat,
	"bind_refused":       smsc.FaultBindRefused,
	"no_bind_response":   smsc.FaultNoBindResponse,
}

var idFormats = map[string]smsc.IDFormat{"": smsc.IDDefault, "hex": smsc.IDHex, "decimal": smsc.IDDecimal, "padded": smsc.IDDecimalZeroPadded}

// faultJSON is one fault in the control API: {"kind":"status","status":88,"count":5}.
type faultJSON struct {
	Kind       string `json:"kind"`
	Status     uint32 `json:"status"`
	After      int    `json:"after"`
	Count      int    `json:"count"`
	DestPrefix string `json:"dest_prefix"`
	DelayMS    int    `json:"delay_ms"`
	Stat       string `json:"stat"`
	Err        string `json:"err"`
}

func runSim(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:2776", "SMPP listen address")
	control := fs.String("http", "", "control API listen address (GET /stats, POST /faults, POST /mo); empty = off")
	systemID := fs.String("system-id", "", "accepted system_id (empty = any)")
	password := fs.String("password", "", "accepted password (empty = any)")
	drDelay := fs.Duration("dr-delay", 100*time.Millisecond, "delay before a delivery receipt")
	idFormat := fs.String("id-format", "hex", "message id format in submit_sm_resp: hex, decimal, padded")
	receiptID := fs.String("receipt-id-format", "", "id format in receipts (default: as --id-format)")
	record := fs.Bool("record", true, "keep every submit for /stats duplicate counting (memory grows with traffic)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	idf, ok := idFormats[*idFormat]
	rif, ok2 := idFormats[*receiptID]
	if !ok || !ok2 {
		return fmt.Errorf("id formats are hex, decimal or padded")
	}
	sim := smsc.New(smsc.Config{SystemID: *systemID, Password: *password, DRDelay: *drDelay,
		IDFormat: idf, ReceiptIDFormat: rif, DisableRecording: !*record})
	if err := sim.Start(*listen); err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	defer sim.Close()
	fmt.Fprintf(os.Stderr, "smsgw sim: SMPP on %s\n", sim.Addr())
	if *control != "" {
		ln, err := net.Listen("tcp", *control)
		if err != nil {
			return fmt.Errorf("listen %s: %w", *control, err)
		}
		srv := &http.Server{Handler: simControl(sim), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		fmt.Fprintf(os.Stderr, "smsgw sim: control API on http://%s\n", ln.Addr())
	}
	<-ctx.Done()
	return nil
}

// simControl is the simulator's HTTP control API, for tests and demos that
// run it as a separate process.
func simControl(sim *smsc.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		unique, dups := smsc.CountUnique(sim.Submits())
		writeJSON(w, http.StatusOK, map[string]any{"stats": sim.Stats(), "unique_submits": unique, "duplicate_submits": dups})
	})
	mux.HandleFunc("POST /faults", func(w http.ResponseWriter, r *http.Request) {
		var in []faultJSON
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		var faults []smsc.Fault
		for _, f := range in {
			kind, ok := faultKinds[f.Kind]
			if !ok {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown fault kind " + f.Kind})
				return
			}
			faults = append(faults, smsc.Fault{Kind: kind, Status: data.CommandStatusType(f.Status), After: f.After, Count: f.Count,
				DestPrefix: f.DestPrefix, Delay: time.Duration(f.DelayMS) * time.Millisecond, Stat: f.Stat, Err: f.Err})
		}
		sim.SetFault(faults...)
		writeJSON(w, http.StatusOK, map[string]int{"faults": len(faults)})
	})
	mux.HandleFunc("POST /mo", func(w http.ResponseWriter, r *http.Request) {
		var mo smsc.MO
		if err := json.NewDecoder(r.Body).Decode(&mo); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := sim.InjectMO(mo); err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, smsc.ErrNoReceiver) {
				code = http.StatusConflict
			}
			writeJSON(w, code, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]bool{"queued": true})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
