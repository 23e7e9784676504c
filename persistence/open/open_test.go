package open

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		url  string
		dir  string
		pg   bool
		fail bool
	}{
		{url: "sqlite:./data", dir: "./data"},
		{url: "sqlite:///var/lib/smsgw", dir: "/var/lib/smsgw"},
		{url: "/var/lib/smsgw", dir: "/var/lib/smsgw"},
		{url: "data", dir: "data"},
		{url: "postgres://u@h/db", pg: true},
		{url: "postgresql://u@h/db?sslmode=disable", pg: true},
		{url: "mysql://u@h/db", fail: true},
		{url: "sqlite:", fail: true},
		{url: "", fail: true},
	}
	for _, tt := range tests {
		dir, pg, err := parse(tt.url)
		if (err != nil) != tt.fail || dir != tt.dir || pg != tt.pg {
			t.Errorf("parse(%q) = %q, %v, %v", tt.url, dir, pg, err)
		}
	}
}

func TestOpenSQLite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	ctx := context.Background()
	if err := Migrate(ctx, "sqlite:"+dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "smsgw.db")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
