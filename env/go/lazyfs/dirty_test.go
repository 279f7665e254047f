package main

import (
	"os"
	"path/filepath"
	"testing"
)

// backing makes a backing file with content and returns a read-write descriptor on it.
func backing(t *testing.T, content string) (*os.File, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, p
}

func readAll(t *testing.T, d *dirtyFile, f *os.File) string {
	t.Helper()
	buf := make([]byte, 100)
	n, err := d.readAt(int(f.Fd()), buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestDirtyReadMergesOverBacking(t *testing.T) {
	f, p := backing(t, "0123456789")
	d, err := newDirtyFile(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	d.write(2, []byte("ab"))
	d.write(12, []byte("XY"))
	if got := readAll(t, d, f); got != "01ab456789\x00\x00XY" {
		t.Fatalf("merged read %q", got)
	}
	if b, _ := os.ReadFile(p); string(b) != "0123456789" {
		t.Fatalf("backing file changed before flush: %q", b)
	}
	// A read starting past the backing file's end.
	buf := make([]byte, 10)
	n, _ := d.readAt(int(f.Fd()), buf, 11)
	if string(buf[:n]) != "\x00XY" {
		t.Fatalf("read at 11: %q", buf[:n])
	}
}

func TestDirtyTruncateHidesBackingTail(t *testing.T) {
	f, p := backing(t, "0123456789")
	d, _ := newDirtyFile(int(f.Fd()))
	defer d.close()
	d.truncate(3)
	d.truncate(6) // grows again: bytes 3..5 must read as zeros, not as the old backing bytes
	d.write(4, []byte("z"))
	if got := readAll(t, d, f); got != "012\x00z\x00" {
		t.Fatalf("after truncations %q", got)
	}
	if err := d.flush(false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "012\x00z\x00" {
		t.Fatalf("flushed backing file %q", b)
	}
	if d.ext.bytes != 0 || d.low != 6 || d.baseSize != 6 {
		t.Fatalf("after flush: %d dirty bytes, low %d, base %d", d.ext.bytes, d.low, d.baseSize)
	}
}

func TestDirtyFlushExtendsWithoutData(t *testing.T) {
	f, p := backing(t, "ab")
	d, _ := newDirtyFile(int(f.Fd()))
	defer d.close()
	d.truncate(5)
	if err := d.flush(true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "ab\x00\x00\x00" {
		t.Fatalf("flushed backing file %q", b)
	}
}

func TestDirtyRecordHasItsOwnDescription(t *testing.T) {
	f, p := backing(t, "x")
	d, _ := newDirtyFile(int(f.Fd()))
	f.Close()
	// The writer's descriptor is gone; the record can still flush.
	d.write(1, []byte("y"))
	if err := d.flush(false); err != nil {
		t.Fatal(err)
	}
	d.close()
	if b, _ := os.ReadFile(p); string(b) != "xy" {
		t.Fatalf("flushed backing file %q", b)
	}
}
