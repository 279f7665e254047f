package main

import (
	"context"
	"syscall"
	"testing"
	"time"
)

func path(p string) func() string { return func() string { return p } }

func TestEIOShareFollowsPercentAndSeed(t *testing.T) {
	count := func(seed uint64) int {
		f := newFaults(seed)
		f.add(rule{ops: opWrite, glob: "data/**", percent: 30})
		failed := 0
		for k := 0; k < 2000; k++ {
			if f.check(context.Background(), opWrite, path("data/x")) == syscall.EIO {
				failed++
			}
		}
		return failed
	}
	a, b := count(42), count(42)
	if a != b {
		t.Fatalf("same seed gave %d and %d failures", a, b)
	}
	if a < 500 || a > 700 {
		t.Fatalf("30%% of 2000 calls: got %d failures", a)
	}
}

func TestEIORuleScope(t *testing.T) {
	f := newFaults(1)
	f.add(rule{ops: opFsync, glob: "wal/*", percent: 100})
	ctx := context.Background()
	if f.check(ctx, opFsync, path("wal/1")) != syscall.EIO {
		t.Fatal("100% rule did not fire on a matching fsync")
	}
	if f.check(ctx, opWrite, path("wal/1")) != 0 {
		t.Fatal("fsync rule fired on a write")
	}
	if f.check(ctx, opFsync, path("data/1")) != 0 {
		t.Fatal("rule fired on a path outside its glob")
	}
	if f.add(rule{ops: opAll, glob: "**", percent: 0}); f.check(ctx, opRead, path("x")) != 0 {
		t.Fatal("0% rule fired")
	}
	if n := f.clear(); n != 2 || f.check(ctx, opFsync, path("wal/1")) != 0 {
		t.Fatalf("clear removed %d rules, or a rule survived it", n)
	}
}

func TestLatencyRuleDelaysAndHonoursCancel(t *testing.T) {
	f := newFaults(1)
	f.add(rule{ops: opRead, glob: "**", delay: 50 * time.Millisecond})
	start := time.Now()
	if e := f.check(context.Background(), opRead, path("a")); e != 0 {
		t.Fatalf("latency rule returned %v", e)
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Fatalf("delay was %v, want >= 50ms", took)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if e := f.check(ctx, opRead, path("a")); e != syscall.EINTR {
		t.Fatalf("cancelled call returned %v, want EINTR", e)
	}
}
