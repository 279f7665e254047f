package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

const (
	metricLive    = "/gc/heap/live:bytes"
	metricObjects = "/memory/classes/heap/objects:bytes"
	mb            = 1 << 20
)

// heapWatch enforces the memory limit. debug.SetMemoryLimit alone is soft: when Porcupine's cache of visited
// states holds more live data than the limit, the collector runs constantly and the heap keeps growing. So a
// sampler reads the live heap (as of the last collection, which the soft limit makes frequent near the limit)
// every pollEvery, and closes `over` once it passes the limit; the run then abandons the key in progress.
type heapWatch struct {
	limitBytes uint64
	over       chan struct{}
	closeOnce  sync.Once
	mu         sync.Mutex
	peakBytes  uint64
	stop       chan struct{}
}

const pollEvery = 50 * time.Millisecond

func startHeapWatch(limitMB int64) *heapWatch {
	debug.SetMemoryLimit(limitMB * mb)
	w := &heapWatch{limitBytes: uint64(limitMB) * mb, over: make(chan struct{}), stop: make(chan struct{})}
	go w.loop()
	return w
}

func (w *heapWatch) loop() {
	ticker := time.NewTicker(pollEvery)
	defer ticker.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-ticker.C:
			live, _ := w.sample()
			if live > w.limitBytes {
				w.closeOnce.Do(func() { close(w.over) })
			}
		}
	}
}

// sample reads the live heap and the heap in use (live plus garbage), recording the peak of the latter.
func (w *heapWatch) sample() (live, objects uint64) {
	samples := []metrics.Sample{{Name: metricLive}, {Name: metricObjects}}
	metrics.Read(samples)
	if samples[0].Value.Kind() == metrics.KindUint64 {
		live = samples[0].Value.Uint64()
	}
	if samples[1].Value.Kind() == metrics.KindUint64 {
		objects = samples[1].Value.Uint64()
	}
	w.mu.Lock()
	if objects > w.peakBytes {
		w.peakBytes = objects
	}
	w.mu.Unlock()
	return live, objects
}

func (w *heapWatch) overLimit() <-chan struct{} { return w.over }

// liveMB is checked between keys: the previous key's data is garbage by then, so when the heap in use is over half
// the limit a collection is forced to learn what is really live.
func (w *heapWatch) liveMB() float64 {
	live, objects := w.sample()
	if objects > w.limitBytes/2 {
		runtime.GC()
		live, _ = w.sample()
	}
	return float64(live) / mb
}

func (w *heapWatch) limitMB() float64 { return float64(w.limitBytes) / mb }

func (w *heapWatch) peakMB() float64 {
	w.sample()
	w.mu.Lock()
	defer w.mu.Unlock()
	return float64(w.peakBytes*10/mb) / 10
}

func (w *heapWatch) close() { close(w.stop) }
