package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// opClass is the kind of call a fault rule applies to (a bit set: "all" is every bit).
type opClass uint8

const (
	opRead opClass = 1 << iota
	opWrite
	opFsync
	opAll = opRead | opWrite | opFsync
)

func parseOpClass(s string) (opClass, bool) {
	switch s {
	case "read":
		return opRead, true
	case "write":
		return opWrite, true
	case "fsync":
		return opFsync, true
	case "all":
		return opAll, true
	}
	return 0, false
}

// rule is one fault: an I/O error on a share of matching calls, or a delay before every matching call.
type rule struct {
	id  int
	ops opClass
	// glob is matched against the path relative to the mount (see matchGlob).
	glob string
	// percent of matching calls that fail with EIO (eio rules).
	percent float64
	// delay added before each matching call (latency rules).
	delay time.Duration
}

// faults holds the active rules. Random choices come from one seeded generator, so a run's sequence of decisions
// repeats for the same sequence of calls.
type faults struct {
	mu     sync.Mutex
	rules  []rule
	rng    *rand.Rand
	nextID int
	// active lets the hot path skip computing paths and taking the lock while no rule exists.
	active atomic.Int32

	eioInjected    atomic.Int64
	delaysInjected atomic.Int64
}

func newFaults(seed uint64) *faults {
	return &faults{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), nextID: 1}
}

func (f *faults) add(r rule) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.id = f.nextID
	f.nextID++
	f.rules = append(f.rules, r)
	f.active.Store(int32(len(f.rules)))
	return r.id
}

func (f *faults) clear() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.rules)
	f.rules = nil
	f.active.Store(0)
	return n
}

func (f *faults) count() int { return int(f.active.Load()) }

// check applies the rules to one call: it sleeps for the sum of the matching latency rules (EINTR when the call is
// interrupted meanwhile), then returns EIO when any matching eio rule fires. path is only computed when a rule
// exists.
func (f *faults) check(ctx context.Context, op opClass, path func() string) syscall.Errno {
	if f.active.Load() == 0 {
		return 0
	}
	p := path()
	var delay time.Duration
	fail := false
	f.mu.Lock()
	for _, r := range f.rules {
		if r.ops&op == 0 || !matchGlob(r.glob, p) {
			continue
		}
		if r.delay > 0 {
			delay += r.delay
		} else if f.rng.Float64()*100 < r.percent {
			fail = true
		}
	}
	f.mu.Unlock()
	if delay > 0 {
		f.delaysInjected.Add(1)
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return syscall.EINTR
		}
	}
	if fail {
		f.eioInjected.Add(1)
		return syscall.EIO
	}
	return 0
}
