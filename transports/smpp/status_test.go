package smpp

import "testing"

func TestStatusName(t *testing.T) {
	tests := []struct {
		status uint32
		want   string
	}{
		{0, "ESME_ROK"},
		{0x58, "ESME_RTHROTTLED"},
		{0x14, "ESME_RMSGQFUL"},
		{0x64, "ESME_RX_T_APPN"},
		{0x400, "0x00000400"},
	}
	for _, tt := range tests {
		if got := StatusName(tt.status); got != tt.want {
			t.Errorf("StatusName(%#x) = %q, want %q", tt.status, got, tt.want)
		}
	}
}

func TestTemporary(t *testing.T) {
	tests := []struct {
		status uint32
		want   bool
	}{
		{StatusThrottled, true},
		{StatusMsgQFull, true},
		{StatusSysErr, true},
		{StatusTempAppErr, true},
		{StatusOK, false},
		{StatusPermAppErr, false},
		{0x0B, false}, // ESME_RINVDSTADR
	}
	for _, tt := range tests {
		if got := Temporary(tt.status); got != tt.want {
			t.Errorf("Temporary(%s) = %v", StatusName(tt.status), got)
		}
	}
}

func TestBindErrorMessage(t *testing.T) {
	if got := (&BindError{Status: 0x0E}).Error(); got != "smpp: bind refused: ESME_RINVPASWD" {
		t.Fatalf("Error() = %q", got)
	}
}
