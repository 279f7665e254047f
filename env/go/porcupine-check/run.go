package main

import (
	"fmt"
	"time"
)

// output is the JSON document written to stdout.
type output struct {
	Keys      []keyResult `json:"keys"`
	ElapsedMs float64     `json:"elapsedMs"`
	// PeakHeapMB is the largest Go heap (live and not yet collected objects) the memory watch sampled.
	PeakHeapMB float64 `json:"peakHeapMB"`
}

// memoryGuard reports the heap and whether it has outgrown the limit; see memory.go.
type memoryGuard interface {
	// overLimit is closed when the live heap passes the limit while a key is being checked.
	overLimit() <-chan struct{}
	// liveMB is the live heap after the last collection, forcing one when the heap looks big.
	liveMB() float64
	limitMB() float64
	peakMB() float64
}

// run checks each key in turn. A key's search is bounded by the per-key timeout and by what is left of the
// budget; a key whose search outgrows the memory limit is abandoned (its goroutine is left behind: the process
// exits once the output is written), and every key after it is reported unknown.
func run(s settings, histories []keyHistory, guard memoryGuard) output {
	start := time.Now()
	perKey := time.Duration(s.timeoutMsPerKey * float64(time.Millisecond))
	var deadline time.Time
	if s.budgetMs > 0 {
		deadline = start.Add(time.Duration(s.budgetMs * float64(time.Millisecond)))
	}
	keys := make([]string, len(histories))
	for i, h := range histories {
		keys[i] = h.key
	}
	fileNames := visualizationFileNames(keys)
	results := make([]keyResult, 0, len(histories))
	stopReason := ""
	for i, h := range histories {
		if stopReason == "" && i > 0 {
			if live := guard.liveMB(); live > guard.limitMB() {
				stopReason = fmt.Sprintf("not checked: the live heap was %.0f MB after the previous key, over the %.0f MB limit", live, guard.limitMB())
			}
		}
		timeout := perKey
		cutByBudget := false
		if stopReason == "" && !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				stopReason = fmt.Sprintf("not checked: the run's %s budget was spent", formatMs(s.budgetMs))
			} else if left < timeout {
				timeout, cutByBudget = left, true
			}
		}
		if stopReason != "" {
			results = append(results, keyResult{Key: h.key, Result: resultUnknown, Ops: len(h.ops), Reason: stopReason})
			continue
		}
		keyStart := time.Now()
		done := make(chan keyResult, 1)
		go func(h keyHistory, fileName string) {
			done <- checkKey(h, timeout, s.visualizationDir, fileName)
		}(h, fileNames[i])
		select {
		case r := <-done:
			if r.Result == resultUnknown && cutByBudget {
				r.Reason = fmt.Sprintf("search cut to %s, what was left of the run's %s budget", formatMs(float64(timeout)/float64(time.Millisecond)), formatMs(s.budgetMs))
			}
			results = append(results, r)
		case <-guard.overLimit():
			reason := fmt.Sprintf("search abandoned: the live heap passed the %.0f MB memory limit", guard.limitMB())
			results = append(results, keyResult{Key: h.key, Result: resultUnknown, Ops: len(h.ops), ElapsedMs: msSince(keyStart), Reason: reason})
			stopReason = "not checked: an earlier key's search passed the memory limit"
		}
	}
	return output{Keys: results, ElapsedMs: msSince(start), PeakHeapMB: guard.peakMB()}
}
