package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// op builds one input op as the TypeScript wrapper sends it; ret < 0 stands for returnMs null.
func op(index, process int, call, ret float64, f string, fields map[string]interface{}) map[string]interface{} {
	m := map[string]interface{}{"index": index, "process": process, "callMs": call, "f": f}
	if ret >= 0 {
		m["returnMs"] = ret
	} else {
		m["returnMs"] = nil
	}
	for k, v := range fields {
		m[k] = v
	}
	return m
}

func read(index, process int, call, ret float64, value interface{}) map[string]interface{} {
	return op(index, process, call, ret, "read", map[string]interface{}{"value": value})
}

func write(index, process int, call, ret float64, value int) map[string]interface{} {
	return op(index, process, call, ret, "write", map[string]interface{}{"value": value})
}

func cas(index, process int, call, ret float64, from, to int, ok bool) map[string]interface{} {
	return op(index, process, call, ret, "cas", map[string]interface{}{"from": from, "to": to, "ok": ok})
}

func runJSON(t *testing.T, doc map[string]interface{}) (output, string, int) {
	t.Helper()
	in, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := realMain(bytes.NewReader(in), &stdout, &stderr)
	var out output
	if code == 0 {
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
		}
	}
	return out, stderr.String(), code
}

func oneKey(ops ...map[string]interface{}) map[string]interface{} {
	return map[string]interface{}{"timeoutMsPerKey": 10_000, "visualizationDir": nil, "keys": []interface{}{map[string]interface{}{"key": "k", "ops": ops}}}
}

func checkOne(t *testing.T, ops ...map[string]interface{}) keyResult {
	t.Helper()
	out, stderr, code := runJSON(t, oneKey(ops...))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(out.Keys) != 1 {
		t.Fatalf("expected one key, got %+v", out.Keys)
	}
	return out.Keys[0]
}

func TestStaleReadAfterWriteIsIllegalWithPrefixAndBreakingOp(t *testing.T) {
	r := checkOne(t,
		write(10, 0, 0, 10, 1),
		write(11, 0, 20, 30, 2),
		read(12, 1, 40, 50, 1),
	)
	if r.Result != resultIllegal {
		t.Fatalf("result %q, want illegal", r.Result)
	}
	if r.LinearizablePrefix == nil || !reflect.DeepEqual(*r.LinearizablePrefix, []int{10, 11}) {
		t.Errorf("prefix %v, want [10 11]", r.LinearizablePrefix)
	}
	if r.UnlinearizableOp == nil || *r.UnlinearizableOp != 12 {
		t.Errorf("unlinearizable op %v, want 12", r.UnlinearizableOp)
	}
}

func TestReadOfAValueNeverWrittenHasAnEmptyPrefix(t *testing.T) {
	r := checkOne(t, read(0, 0, 0, 10, 7))
	if r.Result != resultIllegal || r.LinearizablePrefix == nil || len(*r.LinearizablePrefix) != 0 {
		t.Fatalf("got %+v, want illegal with an empty prefix", r)
	}
	if r.UnlinearizableOp == nil || *r.UnlinearizableOp != 0 {
		t.Errorf("unlinearizable op %v, want 0", r.UnlinearizableOp)
	}
}

// Porcupine's own register examples (its TestRegisterModel), with its initial 0 read as nil here.
func TestPorcupineRegisterExamples(t *testing.T) {
	ok := checkOne(t,
		write(0, 0, 0, 100, 100),
		read(1, 1, 25, 75, 100),
		read(2, 2, 30, 60, nil),
	)
	if ok.Result != resultOk {
		t.Errorf("first example: %q, want ok", ok.Result)
	}
	bad := checkOne(t,
		write(0, 0, 0, 100, 200),
		read(1, 1, 10, 30, 200),
		read(2, 2, 40, 90, nil),
	)
	if bad.Result != resultIllegal {
		t.Errorf("second example: %q, want illegal", bad.Result)
	}
}

func TestUnknownWriteMayOrMayNotHaveHappened(t *testing.T) {
	happened := checkOne(t,
		write(0, 0, 0, -1, 3),
		read(1, 1, 10, 20, 3),
	)
	didNot := checkOne(t,
		write(0, 0, 0, -1, 3),
		read(1, 1, 10, 20, nil),
	)
	// Once a read saw it, a later read cannot miss it.
	flipFlop := checkOne(t,
		write(0, 0, 0, -1, 3),
		read(1, 1, 10, 20, 3),
		read(2, 1, 30, 40, nil),
	)
	if happened.Result != resultOk || didNot.Result != resultOk || flipFlop.Result != resultIllegal {
		t.Errorf("happened %q, did not %q, flip-flop %q; want ok, ok, illegal", happened.Result, didNot.Result, flipFlop.Result)
	}
	if happened.Ops != 2 {
		t.Errorf("ops %d, want 2", happened.Ops)
	}
}

func TestInfoReadIsDropped(t *testing.T) {
	r := checkOne(t, read(0, 0, 0, -1, 99), write(1, 1, 0, 5, 1))
	if r.Result != resultOk || r.Ops != 1 {
		t.Errorf("got %+v, want ok over 1 op", r)
	}
}

func TestFailedCasIsAConstraint(t *testing.T) {
	// The register holds 1 for the whole of the cas: a cas(1, 2) that returned false cannot be linearized.
	r := checkOne(t,
		write(0, 0, 0, 10, 1),
		cas(1, 1, 20, 30, 1, 2, false),
	)
	if r.Result != resultIllegal {
		t.Errorf("result %q, want illegal", r.Result)
	}
	r = checkOne(t,
		write(0, 0, 0, 10, 1),
		cas(1, 1, 20, 30, 5, 2, false),
		read(2, 1, 40, 50, 1),
	)
	if r.Result != resultOk {
		t.Errorf("result %q, want ok", r.Result)
	}
}

func TestBadInputExitsTwoNamingTheField(t *testing.T) {
	cases := map[string]map[string]interface{}{
		"returnMs":        oneKey(write(4, 0, 10, 5, 1)),
		"f: expected":     oneKey(op(4, 0, 0, 5, "append", nil)),
		"ok: a cas":       oneKey(op(4, 0, 0, 5, "cas", map[string]interface{}{"from": 1, "to": 2})),
		"value: a read":   oneKey(op(4, 0, 0, 5, "read", nil)),
		"value: a write":  oneKey(write(4, 0, 0, 5, 1), op(5, 0, 0, 5, "write", map[string]interface{}{"value": nil})),
		"timeoutMsPerKey": {"timeoutMsPerKey": 0, "keys": []interface{}{}},
		"unknown field":   {"timeoutMsPerKey": 1, "keys": []interface{}{}, "extra": 1},
	}
	for want, doc := range cases {
		_, stderr, code := runJSON(t, doc)
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q", want, code, stderr)
		}
	}
}

func TestVisualizationWrittenForIllegalKeyOnly(t *testing.T) {
	dir := t.TempDir()
	doc := map[string]interface{}{
		"timeoutMsPerKey":  10_000,
		"visualizationDir": dir,
		"keys": []interface{}{
			map[string]interface{}{"key": "a/b", "ops": []interface{}{write(0, 0, 0, 10, 1), read(1, 1, 20, 30, 2)}},
			map[string]interface{}{"key": "fine", "ops": []interface{}{write(2, 0, 0, 10, 1), read(3, 1, 20, 30, 1)}},
		},
	}
	out, stderr, code := runJSON(t, doc)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	bad, fine := out.Keys[0], out.Keys[1]
	want := filepath.Join(dir, "linearizability-a_b.html")
	if bad.Result != resultIllegal || bad.Visualization == nil || *bad.Visualization != want {
		t.Fatalf("illegal key: %+v, want visualization %s", bad, want)
	}
	html, err := os.ReadFile(want)
	if err != nil || !bytes.Contains(html, []byte(`read() -\u003e 2`)) || !bytes.Contains(html, []byte("history line 2")) {
		t.Errorf("visualization lacks the op description or its line (err %v)", err)
	}
	if fine.Result != resultOk || fine.Visualization != nil {
		t.Errorf("linearizable key: %+v", fine)
	}
}

func TestVisualizationFileNamesDoNotCollide(t *testing.T) {
	got := visualizationFileNames([]string{"a/b", "a_b", "3"})
	want := []string{"linearizability-a_b.html", "linearizability-a_b-2.html", "linearizability-3.html"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// concurrentHistory simulates a real register: each of `processes` clients runs ops back to back, each op taking
// effect at a random point of its interval, so the history is linearizable by construction.
func concurrentHistory(n, processes int, seed int64) []interface{} {
	rng := rand.New(rand.NewSource(seed))
	type pending struct {
		call, point, ret float64
		process, index   int
		f                string
		arg, from        int
	}
	var ops []pending
	next := make([]float64, processes)
	for i := 0; i < n; i++ {
		p := i % processes
		call := next[p] + rng.Float64()
		ret := call + 1 + rng.Float64()*20
		pd := pending{call: call, ret: ret, point: call + rng.Float64()*(ret-call), process: p, index: i}
		switch r := rng.Intn(10); {
		case r < 4:
			pd.f = "read"
		case r < 8:
			pd.f, pd.arg = "write", rng.Intn(5)
		default:
			pd.f, pd.from, pd.arg = "cas", rng.Intn(5), rng.Intn(5)
		}
		ops = append(ops, pd)
		next[p] = ret
	}
	order := make([]int, len(ops))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ops[order[a]].point < ops[order[b]].point })
	state := regState{}
	out := make([]interface{}, len(ops))
	for _, i := range order {
		o := ops[i]
		switch o.f {
		case "read":
			var v interface{}
			if state.set {
				v = state.value
			}
			out[i] = read(o.index, o.process, o.call, o.ret, v)
		case "write":
			state = regState{set: true, value: int64(o.arg)}
			out[i] = write(o.index, o.process, o.call, o.ret, o.arg)
		case "cas":
			swapped := state.set && state.value == int64(o.from)
			if swapped {
				state = regState{set: true, value: int64(o.arg)}
			}
			out[i] = cas(o.index, o.process, o.call, o.ret, o.from, o.arg, swapped)
		}
	}
	return out
}

func TestSimulatedHistoryIsLinearizable(t *testing.T) {
	doc := map[string]interface{}{"timeoutMsPerKey": 30_000, "keys": []interface{}{map[string]interface{}{"key": "sim", "ops": concurrentHistory(2000, 10, 1)}}}
	out, stderr, code := runJSON(t, doc)
	if code != 0 || out.Keys[0].Result != resultOk {
		t.Fatalf("exit %d (%s), result %+v", code, stderr, out.Keys)
	}
}

func TestTinyTimeoutIsUnknownWithReason(t *testing.T) {
	doc := map[string]interface{}{"timeoutMsPerKey": 1, "keys": []interface{}{map[string]interface{}{"key": "big", "ops": concurrentHistory(20_000, 10, 2)}}}
	out, stderr, code := runJSON(t, doc)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := out.Keys[0]
	if r.Result != resultUnknown || !strings.Contains(r.Reason, "1 ms timeout") {
		t.Fatalf("got %+v, want unknown past the 1 ms timeout", r)
	}
}

func TestSpentBudgetLeavesLaterKeysUnknown(t *testing.T) {
	keys := []interface{}{}
	for i := 0; i < 3; i++ {
		keys = append(keys, map[string]interface{}{"key": fmt.Sprint(i), "ops": concurrentHistory(20_000, 10, int64(i))})
	}
	doc := map[string]interface{}{"timeoutMsPerKey": 10_000, "budgetMs": 1, "keys": keys}
	out, stderr, code := runJSON(t, doc)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, r := range out.Keys {
		if r.Result != resultUnknown || !strings.Contains(r.Reason, "budget") {
			t.Errorf("key %s: %+v, want unknown for the budget", r.Key, r)
		}
	}
}

// fakeGuard reports a heap over its limit while a key is checked.
type fakeGuard struct{ over chan struct{} }

func (g fakeGuard) overLimit() <-chan struct{} { return g.over }
func (g fakeGuard) liveMB() float64            { return 1 }
func (g fakeGuard) limitMB() float64           { return 512 }
func (g fakeGuard) peakMB() float64            { return 600 }

func TestMemoryOverLimitAbandonsTheKeyAndSkipsTheRest(t *testing.T) {
	over := make(chan struct{})
	close(over)
	s := settings{timeoutMsPerKey: 60_000, memoryLimitMB: 512}
	var histories []keyHistory
	for i := 0; i < 2; i++ {
		raw, _ := json.Marshal(map[string]interface{}{"key": fmt.Sprint(i), "ops": concurrentHistory(50_000, 10, int64(i))})
		var k keyInput
		if err := json.Unmarshal(raw, &k); err != nil {
			t.Fatal(err)
		}
		h, err := convertKey(k)
		if err != nil {
			t.Fatal(err)
		}
		histories = append(histories, h)
	}
	out := run(s, histories, fakeGuard{over: over})
	if len(out.Keys) != 2 || out.Keys[0].Result != resultUnknown || !strings.Contains(out.Keys[0].Reason, "memory limit") {
		t.Fatalf("first key: %+v", out.Keys)
	}
	if out.Keys[1].Result != resultUnknown || !strings.Contains(out.Keys[1].Reason, "not checked") {
		t.Errorf("second key: %+v", out.Keys[1])
	}
}

func TestConvertKeyRules(t *testing.T) {
	raw, _ := json.Marshal(map[string]interface{}{"key": "k", "ops": []interface{}{
		write(0, 7, 0.0004, -1, 1),
		read(1, 3, 1, -1, nil),
		cas(2, 3, 2, 3.0015, 1, 2, true),
	}})
	var k keyInput
	if err := json.Unmarshal(raw, &k); err != nil {
		t.Fatal(err)
	}
	h, err := convertKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.ops) != 2 || !reflect.DeepEqual(h.index, []int{0, 2}) {
		t.Fatalf("ops %d, index %v: the info read should be dropped", len(h.ops), h.index)
	}
	if h.ops[0].Return != math.MaxInt64 || h.ops[0].Output.(regOutput).unknown != true {
		t.Errorf("info write: return %d, output %+v; want +infinity and unknown", h.ops[0].Return, h.ops[0].Output)
	}
	if h.ops[1].Call != 2000 || h.ops[1].Return != 3002 {
		t.Errorf("cas times %d..%d µs, want 2000..3002", h.ops[1].Call, h.ops[1].Return)
	}
	// Processes 3 and 7 become clients 0 and 1.
	if h.ops[0].ClientId != 1 || h.ops[1].ClientId != 0 {
		t.Errorf("client ids %d, %d; want 1, 0", h.ops[0].ClientId, h.ops[1].ClientId)
	}
}
