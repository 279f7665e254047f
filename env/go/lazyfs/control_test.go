package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newTestDaemon() *daemon {
	return &daemon{cache: newCache(), faults: newFaults(1)}
}

func TestBadCommandsAnswerErrors(t *testing.T) {
	d := newTestDaemon()
	bad := []string{
		"", "   ", "bogus", "lose now", "eio", "eio write", "eio write 50", "eio jump 50 x", "eio write 101 x",
		"eio write -1 x", "eio write NaN x", "eio write 50 /abs", "eio write 50 a b", "latency 0 read x",
		"latency -5 read x", "latency abc read x", "latency 10 nope x", "latency 10 read", "stats x", "clear all",
		"sync please", "\x00\x01", strings.Repeat("x", 3000),
	}
	for _, line := range bad {
		if r := d.handle(line); !strings.HasPrefix(r, "error ") {
			t.Errorf("command %q answered %q, want an error", line, r)
		}
	}
	if d.faults.count() != 0 {
		t.Fatalf("bad commands added %d rules", d.faults.count())
	}
}

func TestGoodCommands(t *testing.T) {
	d := newTestDaemon()
	want := map[string]string{
		"ping":                  "ok pong",
		"eio write 50 data/**":  "ok rule=1",
		"latency 100 read *":    "ok rule=2",
		"eio all 100 ./x":       "ok rule=3",
		"lose":                  "ok bytes=0 files=0",
		"sync":                  "ok bytes=0 files=0",
		"clear":                 "ok rules=3",
		"  ping  ":              "ok pong",
		"latency 0.5 fsync w/*": "ok rule=4",
	}
	for _, line := range []string{"ping", "eio write 50 data/**", "latency 100 read *", "eio all 100 ./x", "lose", "sync", "clear", "  ping  ", "latency 0.5 fsync w/*"} {
		if r := d.handle(line); r != want[line] {
			t.Errorf("command %q answered %q, want %q", line, r, want[line])
		}
	}
	if r := d.handle("stats"); !strings.HasPrefix(r, "ok dirty_bytes=0 dirty_files=0 fsyncs=0 ") || !strings.Contains(r, " rules=1") {
		t.Errorf("stats answered %q", r)
	}
}

func TestLoseAndSyncCountDirtyData(t *testing.T) {
	dir := t.TempDir()
	d := newTestDaemon()
	for k, name := range []string{"a", "b"} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := d.cache.lockedOrNew(uint64(k+1), func() (*dirtyFile, error) { return newDirtyFile(int(f.Fd())) })
		if err != nil {
			t.Fatal(err)
		}
		rec.write(0, []byte(strings.Repeat("z", 10*(k+1))))
		rec.mu.Unlock()
		f.Close()
	}
	if r := d.handle("stats"); !strings.HasPrefix(r, "ok dirty_bytes=30 dirty_files=2 ") {
		t.Fatalf("stats before lose: %q", r)
	}
	if r := d.handle("lose"); r != "ok bytes=30 files=2" {
		t.Fatalf("lose answered %q", r)
	}
	for _, name := range []string{"a", "b"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); len(b) != 0 {
			t.Fatalf("lost data reached backing file %s: %q", name, b)
		}
	}
	f, _ := os.OpenFile(filepath.Join(dir, "a"), os.O_RDWR, 0)
	defer f.Close()
	rec, _ := d.cache.lockedOrNew(1, func() (*dirtyFile, error) { return newDirtyFile(int(f.Fd())) })
	rec.write(3, []byte("kept"))
	rec.mu.Unlock()
	if r := d.handle("sync"); r != "ok bytes=4 files=1" {
		t.Fatalf("sync answered %q", r)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) != "\x00\x00\x00kept" {
		t.Fatalf("synced backing file holds %q", b)
	}
}

func TestControlSocketServesLines(t *testing.T) {
	d := newTestDaemon()
	sock := filepath.Join(t.TempDir(), "c.sock")
	ln, err := listenControl(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go d.serveControl(ln)
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	for _, c := range []struct{ cmd, want string }{{"ping", "ok pong"}, {"nope", "error unknown command"}, {"clear", "ok rules=0"}} {
		conn.Write([]byte(c.cmd + "\n"))
		line, err := rd.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, c.want) {
			t.Fatalf("%q answered %q (%v), want prefix %q", c.cmd, line, err, c.want)
		}
	}
	conn.Write([]byte(strings.Repeat("y", maxCommandBytes+10) + "\n"))
	if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "error ") {
		t.Fatalf("over-long line answered %q", line)
	}
}
