package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/anishathalye/porcupine"
)

// defaultMemoryLimitMB applies when the input names no memoryLimitMB.
const defaultMemoryLimitMB = 512

// maxAbsMs keeps ms * 1000 well inside int64 (and inside a float64's exact integers).
const maxAbsMs = 9e12

// checkInput is the JSON document read from stdin.
type checkInput struct {
	TimeoutMsPerKey *float64 `json:"timeoutMsPerKey"`
	// VisualizationDir receives linearizability-<key>.html for each illegal key; null writes none.
	VisualizationDir *string `json:"visualizationDir"`
	MemoryLimitMB    *int64  `json:"memoryLimitMB"`
	// BudgetMs bounds the whole run: keys not started in time are "unknown", and a key's search gets at most what
	// is left. Optional; the caller still kills the process past its own budget.
	BudgetMs *float64   `json:"budgetMs"`
	Keys     []keyInput `json:"keys"`
}

type keyInput struct {
	Key string    `json:"key"`
	Ops []opInput `json:"ops"`
}

type opInput struct {
	Process  *int     `json:"process"`
	CallMs   *float64 `json:"callMs"`
	ReturnMs *float64 `json:"returnMs"`
	F        string   `json:"f"`
	Value    optInt   `json:"value"`
	From     *int64   `json:"from"`
	To       *int64   `json:"to"`
	Ok       *bool    `json:"ok"`
	Index    *int     `json:"index"`
}

// optInt tells an absent field from an explicit null (a read of the empty register).
type optInt struct {
	present bool
	null    bool
	value   int64
}

func (o *optInt) UnmarshalJSON(b []byte) error {
	o.present = true
	if string(b) == "null" {
		o.null = true
		return nil
	}
	return json.Unmarshal(b, &o.value)
}

// keyHistory is one key's history in Porcupine's form.
type keyHistory struct {
	key string
	ops []porcupine.Operation
	// index[i] is the history index (WorkloadOp.index) of ops[i].
	index []int
	// returnUs[i] is ops[i].Return, kept to find where a partial linearization stops.
	returnUs []int64
}

// settings are the run-wide options, defaults applied.
type settings struct {
	timeoutMsPerKey  float64
	visualizationDir string // "" when none
	memoryLimitMB    int64
	budgetMs         float64 // 0 when none
}

// decodeInput reads and validates the whole input; every error names the key, the op and the field.
func decodeInput(r io.Reader) (settings, []keyHistory, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return settings{}, nil, fmt.Errorf("stdin: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var in checkInput
	if err := dec.Decode(&in); err != nil {
		return settings{}, nil, fmt.Errorf("stdin: not the expected JSON document: %w", err)
	}
	if dec.More() {
		return settings{}, nil, errors.New("stdin: more than one JSON document")
	}
	s := settings{memoryLimitMB: defaultMemoryLimitMB}
	if in.TimeoutMsPerKey == nil || !(*in.TimeoutMsPerKey > 0) || math.IsInf(*in.TimeoutMsPerKey, 0) {
		return s, nil, errors.New("timeoutMsPerKey: expected a number > 0 (Porcupine reads 0 as no timeout)")
	}
	s.timeoutMsPerKey = *in.TimeoutMsPerKey
	if in.VisualizationDir != nil {
		s.visualizationDir = *in.VisualizationDir
	}
	if in.MemoryLimitMB != nil {
		if *in.MemoryLimitMB < 16 {
			return s, nil, fmt.Errorf("memoryLimitMB: expected at least 16, got %d", *in.MemoryLimitMB)
		}
		s.memoryLimitMB = *in.MemoryLimitMB
	}
	if in.BudgetMs != nil {
		if !(*in.BudgetMs > 0) || math.IsInf(*in.BudgetMs, 0) {
			return s, nil, fmt.Errorf("budgetMs: expected a number > 0, got %v", *in.BudgetMs)
		}
		s.budgetMs = *in.BudgetMs
	}
	seen := make(map[string]bool, len(in.Keys))
	histories := make([]keyHistory, 0, len(in.Keys))
	for k, key := range in.Keys {
		if seen[key.Key] {
			return s, nil, fmt.Errorf("keys[%d]: key %q appears twice", k, key.Key)
		}
		seen[key.Key] = true
		h, err := convertKey(key)
		if err != nil {
			return s, nil, fmt.Errorf("keys[%d] (key %q): %w", k, key.Key, err)
		}
		histories = append(histories, h)
	}
	return s, histories, nil
}

// convertKey turns one key's ops into Porcupine operations. The rules for outcomes:
//   - returnMs null means the outcome is unknown (the op has type info). A write or cas may then have taken effect
//     at any time after its call, or never: it gets Return = +infinity (math.MaxInt64), so Porcupine may
//     linearize it anywhere after the call, including after every other op, which is the same as never happening.
//   - a read with returnMs null is dropped: it returned nothing, so it constrains nothing.
//   - a cas with a return carries `ok`: true when it swapped, false when the register did not hold `from`.
//
// Times become integer microseconds; Porcupine treats [call, return] as a closed interval.
// Processes are renumbered 0..n-1 per key because the visualization draws one row per client id up to the
// largest; the real process stays in the op's metadata.
func convertKey(key keyInput) (keyHistory, error) {
	h := keyHistory{key: key.Key}
	processes := make([]int, 0)
	seenProcess := make(map[int]bool)
	for i, op := range key.Ops {
		if op.Process == nil || *op.Process < 0 {
			return h, fmt.Errorf("ops[%d]: process: expected an integer >= 0", i)
		}
		if !seenProcess[*op.Process] {
			seenProcess[*op.Process] = true
			processes = append(processes, *op.Process)
		}
	}
	sort.Ints(processes)
	clientID := make(map[int]int, len(processes))
	for i, p := range processes {
		clientID[p] = i
	}
	for i, op := range key.Ops {
		where := fmt.Sprintf("ops[%d]", i)
		if op.Index == nil || *op.Index < 0 {
			return h, fmt.Errorf("%s: index: expected an integer >= 0", where)
		}
		where = fmt.Sprintf("ops[%d] (index %d)", i, *op.Index)
		if op.CallMs == nil || !finiteMs(*op.CallMs) {
			return h, fmt.Errorf("%s: callMs: expected a finite number within ±%g", where, maxAbsMs)
		}
		call := toMicros(*op.CallMs)
		ret := int64(math.MaxInt64)
		if op.ReturnMs != nil {
			if !finiteMs(*op.ReturnMs) {
				return h, fmt.Errorf("%s: returnMs: expected a finite number within ±%g or null", where, maxAbsMs)
			}
			if *op.ReturnMs < *op.CallMs {
				return h, fmt.Errorf("%s: returnMs %v is before callMs %v", where, *op.ReturnMs, *op.CallMs)
			}
			ret = toMicros(*op.ReturnMs)
		}
		unknown := op.ReturnMs == nil
		var in regInput
		var out regOutput
		switch op.F {
		case "read":
			if unknown {
				continue
			}
			if !op.Value.present {
				return h, fmt.Errorf("%s: value: a read needs the value it returned (null for the empty register)", where)
			}
			in = regInput{kind: opRead}
			if !op.Value.null {
				out.read = regState{set: true, value: op.Value.value}
			}
		case "write":
			if !op.Value.present || op.Value.null {
				return h, fmt.Errorf("%s: value: a write needs an integer value", where)
			}
			in = regInput{kind: opWrite, value: op.Value.value}
			out.unknown = unknown
		case "cas":
			if op.From == nil || op.To == nil {
				return h, fmt.Errorf("%s: from/to: a cas needs both as integers", where)
			}
			in = regInput{kind: opCas, from: *op.From, to: *op.To}
			out.unknown = unknown
			if !unknown {
				if op.Ok == nil {
					return h, fmt.Errorf("%s: ok: a cas that returned needs ok (true: swapped, false: value was not from)", where)
				}
				out.casOk = *op.Ok
			}
		default:
			return h, fmt.Errorf("%s: f: expected read, write or cas, got %q", where, op.F)
		}
		h.ops = append(h.ops, porcupine.Operation{
			ClientId: clientID[*op.Process],
			Input:    in,
			Call:     call,
			Output:   out,
			Return:   ret,
			Metadata: opMeta{process: *op.Process, index: *op.Index},
		})
		h.index = append(h.index, *op.Index)
		h.returnUs = append(h.returnUs, ret)
	}
	return h, nil
}

func finiteMs(ms float64) bool {
	return !math.IsNaN(ms) && !math.IsInf(ms, 0) && math.Abs(ms) <= maxAbsMs
}

func toMicros(ms float64) int64 {
	return int64(math.Round(ms * 1000))
}
