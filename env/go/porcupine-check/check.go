package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"github.com/anishathalye/porcupine"
)

const (
	resultOk      = "ok"
	resultIllegal = "illegal"
	resultUnknown = "unknown"
)

// keyResult is one key's line of the output.
type keyResult struct {
	Key    string `json:"key"`
	Result string `json:"result"`
	Ops    int    `json:"ops"`
	// ElapsedMs is the search alone (bounded by the per-key timeout); writing the visualization is not in it.
	ElapsedMs     float64 `json:"elapsedMs"`
	Visualization *string `json:"visualization"`
	// LinearizablePrefix (illegal keys): the longest partial linearization Porcupine found, as history indexes in
	// linearization order. Empty when not even the first op could be linearized.
	LinearizablePrefix *[]int `json:"linearizablePrefix,omitempty"`
	// UnlinearizableOp (illegal keys): the history index of the op the longest prefix could not get past: of the ops
	// outside the prefix, the one that returns first. Porcupine's search backtracks exactly when it reaches that
	// op's return without having linearized it.
	UnlinearizableOp *int `json:"unlinearizableOp,omitempty"`
	// Reason (unknown keys): why the search gave no answer.
	Reason string `json:"reason,omitempty"`
}

// checkKey runs Porcupine on one key and, for an illegal key, extracts the longest linearizable prefix and writes
// the visualization when a directory is given.
func checkKey(h keyHistory, timeout time.Duration, visualizationDir string, fileName string) keyResult {
	r := keyResult{Key: h.key, Ops: len(h.ops)}
	start := time.Now()
	result, info := porcupine.CheckOperationsVerbose(registerModel, h.ops, timeout)
	switch result {
	case porcupine.Ok:
		r.Result = resultOk
	case porcupine.Illegal:
		r.Result = resultIllegal
		prefix, stuck := longestPrefix(h, info)
		r.LinearizablePrefix = &prefix
		r.UnlinearizableOp = stuck
	default:
		r.Result = resultUnknown
		r.Reason = fmt.Sprintf("search past its %s timeout", formatMs(float64(timeout)/float64(time.Millisecond)))
	}
	r.ElapsedMs = msSince(start)
	if r.Result == resultIllegal && visualizationDir != "" {
		path := filepath.Join(visualizationDir, fileName)
		if err := porcupine.VisualizePath(registerModel, info, path); err != nil {
			// The verdict stands without the picture; say why it is missing.
			r.Reason = fmt.Sprintf("visualization not written: %v", err)
		} else {
			r.Visualization = &path
		}
	}
	return r
}

// longestPrefix picks the longest of Porcupine's partial linearizations (one partition: each key is checked on
// its own) and maps its operation ids, which are positions in h.ops, back to history indexes.
func longestPrefix(h keyHistory, info porcupine.LinearizationInfo) ([]int, *int) {
	var longest []int
	for _, partition := range info.PartialLinearizations() {
		for _, seq := range partition {
			if len(seq) > len(longest) {
				longest = seq
			}
		}
	}
	prefix := make([]int, len(longest))
	inPrefix := make([]bool, len(h.ops))
	for i, id := range longest {
		prefix[i] = h.index[id]
		inPrefix[id] = true
	}
	stuck := -1
	for id := range h.ops {
		if inPrefix[id] {
			continue
		}
		if stuck < 0 || h.returnUs[id] < h.returnUs[stuck] || (h.returnUs[id] == h.returnUs[stuck] && h.index[id] < h.index[stuck]) {
			stuck = id
		}
	}
	if stuck < 0 {
		return prefix, nil
	}
	index := h.index[stuck]
	return prefix, &index
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// visualizationFileNames gives each key its file, linearizability-<key>.html, with characters a file name cannot
// safely hold replaced; a key whose cleaned name collides with an earlier one gets a numeric suffix.
func visualizationFileNames(keys []string) []string {
	names := make([]string, len(keys))
	used := make(map[string]bool, len(keys))
	for i, key := range keys {
		base := "linearizability-" + unsafeFileChars.ReplaceAllString(key, "_")
		name := base + ".html"
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s-%d.html", base, n)
		}
		used[name] = true
		names[i] = name
	}
	return names
}

func msSince(start time.Time) float64 {
	return float64(time.Since(start).Microseconds()) / 1000
}

func formatMs(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.4g s", ms/1000)
	}
	return fmt.Sprintf("%.4g ms", ms)
}
