package main

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// daemon is the state the control socket acts on.
type daemon struct {
	cache  *cache
	faults *faults
	// ops counts the FUSE calls lazyfs's own code served (see node.go and file.go).
	ops atomic.Int64
	// directIO opens every file with FOPEN_DIRECT_IO (see main.go).
	directIO bool
}

const usage = "want one of: ping, lose, sync, stats, clear, eio <read|write|fsync|all> <percent 0-100> <glob>, latency <ms> <read|write|fsync|all> <glob>"

// handle answers one command line with one reply line, "ok ..." or "error ...". It never panics: a bad command is
// an error reply, and a bug caught here is reported the same way instead of taking the mount down.
func (d *daemon) handle(line string) (reply string) {
	defer func() {
		if p := recover(); p != nil {
			reply = fmt.Sprintf("error internal: %v", p)
		}
	}()
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return "error empty command; " + usage
	}
	args := fields[1:]
	switch fields[0] {
	case "ping":
		return "ok pong"
	case "lose":
		if len(args) != 0 {
			return "error lose takes no arguments"
		}
		r := d.cache.lose()
		return fmt.Sprintf("ok bytes=%d files=%d", r.bytes, r.files)
	case "sync":
		if len(args) != 0 {
			return "error sync takes no arguments"
		}
		r, err := d.cache.syncAll()
		if err != nil {
			return fmt.Sprintf("error sync failed: %v (bytes=%d files=%d flushed; the rest stays unsynced)", err, r.bytes, r.files)
		}
		return fmt.Sprintf("ok bytes=%d files=%d", r.bytes, r.files)
	case "stats":
		if len(args) != 0 {
			return "error stats takes no arguments"
		}
		return d.stats()
	case "clear":
		if len(args) != 0 {
			return "error clear takes no arguments"
		}
		return fmt.Sprintf("ok rules=%d", d.faults.clear())
	case "eio":
		r, err := parseEIO(args)
		if err != nil {
			return "error " + err.Error()
		}
		return fmt.Sprintf("ok rule=%d", d.faults.add(r))
	case "latency":
		r, err := parseLatency(args)
		if err != nil {
			return "error " + err.Error()
		}
		return fmt.Sprintf("ok rule=%d", d.faults.add(r))
	}
	return fmt.Sprintf("error unknown command %q; %s", fields[0], usage)
}

func (d *daemon) stats() string {
	dirty := d.cache.dirty()
	c, f := d.cache, d.faults
	return fmt.Sprintf("ok dirty_bytes=%d dirty_files=%d fsyncs=%d ops=%d lost_bytes=%d lost_files=%d synced_bytes=%d synced_files=%d eio_injected=%d delays_injected=%d rules=%d",
		dirty.bytes, dirty.files, c.fsyncs.Load(), d.ops.Load(), c.lostBytes.Load(), c.lostFiles.Load(),
		c.flushedBytes.Load(), c.flushedFiles.Load(), f.eioInjected.Load(), f.delaysInjected.Load(), f.count())
}

func parseEIO(args []string) (rule, error) {
	if len(args) != 3 {
		return rule{}, errors.New("eio wants 3 arguments: <read|write|fsync|all> <percent 0-100> <glob>")
	}
	ops, ok := parseOpClass(args[0])
	if !ok {
		return rule{}, fmt.Errorf("eio: operation %q is not read, write, fsync or all", args[0])
	}
	pct, err := strconv.ParseFloat(args[1], 64)
	if err != nil || math.IsNaN(pct) || pct < 0 || pct > 100 {
		return rule{}, fmt.Errorf("eio: percent %q is not a number from 0 to 100", args[1])
	}
	glob, err := parseGlob(args[2])
	if err != nil {
		return rule{}, fmt.Errorf("eio: %w", err)
	}
	return rule{ops: ops, glob: glob, percent: pct}, nil
}

func parseLatency(args []string) (rule, error) {
	if len(args) != 3 {
		return rule{}, errors.New("latency wants 3 arguments: <ms> <read|write|fsync|all> <glob>")
	}
	ms, err := strconv.ParseFloat(args[0], 64)
	if err != nil || math.IsNaN(ms) || ms <= 0 || ms > 3_600_000 {
		return rule{}, fmt.Errorf("latency: %q is not a delay in ms above 0 and at most 3600000", args[0])
	}
	ops, ok := parseOpClass(args[1])
	if !ok {
		return rule{}, fmt.Errorf("latency: operation %q is not read, write, fsync or all", args[1])
	}
	glob, err := parseGlob(args[2])
	if err != nil {
		return rule{}, fmt.Errorf("latency: %w", err)
	}
	return rule{ops: ops, glob: glob, delay: time.Duration(ms * float64(time.Millisecond))}, nil
}

func parseGlob(g string) (string, error) {
	if strings.HasPrefix(g, "/") {
		return "", fmt.Errorf("glob %q must be relative to the mount (no leading /)", g)
	}
	return strings.TrimPrefix(g, "./"), nil
}

// maxCommandBytes bounds a command line; a longer one is answered with an error and the connection closed.
const maxCommandBytes = 4096

// serveControl answers commands on a unix socket until the listener is closed. Each connection may send any
// number of commands, one per line.
func (d *daemon) serveControl(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			log.Printf("lazyfs: control accept: %v", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		go d.serveConn(conn)
	}
}

func (d *daemon) serveConn(conn net.Conn) {
	defer conn.Close()
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 512), maxCommandBytes)
	for sc.Scan() {
		if _, err := fmt.Fprintln(conn, d.handle(sc.Text())); err != nil {
			return
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(conn, "error %v (a command is one line of at most %d bytes)\n", err, maxCommandBytes)
	}
}

// listenControl replaces a socket file a dead daemon left behind and listens, readable by root only.
func listenControl(path string) (net.Listener, error) {
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("control socket path %s exists and is not a socket", path)
		}
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}
