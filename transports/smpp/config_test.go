package smpp

import (
	"testing"
	"time"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		want    Mode
		wantErr bool
	}{
		{"transmitter", Transmitter, false},
		{"TX", Transmitter, false},
		{"receiver", Receiver, false},
		{"rx", Receiver, false},
		{"transceiver", Transceiver, false},
		{" trx ", Transceiver, false},
		{"bind", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMode(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("ParseMode(%q) = %v, %v", tt.in, got, err)
		}
		if err == nil && got.String() == "" {
			t.Errorf("empty String for %v", got)
		}
	}
}

func TestSourceTonNpi(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		addr     string
		ton, npi byte
	}{
		{"alphanumeric", Config{}, "GATEWAY", 5, 0},
		{"alphanumeric with digits", Config{}, "Shop24", 5, 0},
		{"international", Config{}, "4915112345678", 1, 1},
		{"with plus", Config{}, "+4915112345678", 1, 1},
		{"plus only", Config{}, "+", 5, 0},
		{"empty", Config{}, "", 0, 0},
		{"configured", Config{SourceTON: 3, SourceNPI: 0}, "GATEWAY", 3, 0},
	}
	for _, tt := range tests {
		ton, npi := tt.cfg.sourceTonNpi(tt.addr)
		if ton != tt.ton || npi != tt.npi {
			t.Errorf("%s: %d/%d, want %d/%d", tt.name, ton, npi, tt.ton, tt.npi)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name    string
		in      Config
		wantErr bool
	}{
		{"defaults", Config{Address: "h:1"}, false},
		{"no address", Config{}, true},
		{"bad mode", Config{Address: "h:1", Mode: 7}, true},
		{"negative window", Config{Address: "h:1", Window: -1}, true},
	}
	for _, tt := range tests {
		got, err := tt.in.withDefaults()
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err %v", tt.name, err)
		}
		if err == nil && (got.BindTimeout != 10*time.Second || got.EnquireLink != 30*time.Second || got.WriteTimeout != 10*time.Second ||
			got.ResponseTimeout != 30*time.Second || got.Window != 10) {
			t.Fatalf("%s: defaults %+v", tt.name, got)
		}
	}
}
