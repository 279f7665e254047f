package main

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// opKind is a register operation's function.
type opKind uint8

const (
	opRead opKind = iota
	opWrite
	opCas
)

// regState is a register's value. The zero value is the empty register (JSON null), which is also the initial
// state: a register that nobody wrote reads as null.
type regState struct {
	set   bool
	value int64
}

func (s regState) String() string {
	if !s.set {
		return "nil"
	}
	return fmt.Sprintf("%d", s.value)
}

// regInput is what an operation asked for.
type regInput struct {
	kind  opKind
	value int64 // write: the value written
	from  int64 // cas: the value it compares with
	to    int64 // cas: the value it sets when the comparison holds
}

// regOutput is what an operation returned.
type regOutput struct {
	// unknown: the client never learnt the outcome (an info write or cas; info reads are dropped before this). Such
	// an op is legal in any state; a cas then does what the register would do, setting `to` only if it holds `from`.
	unknown bool
	// casOk: the cas reported that it swapped (true) or that the value was not `from` (false).
	casOk bool
	// read: the value a read returned.
	read regState
}

// opMeta travels with each Porcupine operation so the visualization names the history line and the real process.
type opMeta struct {
	process int
	index   int
}

// registerModel is a compare-and-set register with initial value nil, one per key (the checker runs each key as
// its own history, so the model needs no partition function).
//
// A cas that returned false is an observation, as in Porcupine's own etcd model: at its linearization point the
// register did not hold `from`; the register is unchanged. (Knossos instead drops every op of type fail; Havoc's
// wrapper drops a fail op only when the driver reported an error, i.e. the op did not happen, and keeps a plain
// "cas returned false" as this constraint.)
var registerModel = porcupine.Model{
	Init: func() interface{} { return regState{} },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(regState)
		in := input.(regInput)
		out := output.(regOutput)
		switch in.kind {
		case opRead:
			return st == out.read, st
		case opWrite:
			return true, regState{set: true, value: in.value}
		case opCas:
			holdsFrom := st.set && st.value == in.from
			swapped := st
			if holdsFrom {
				swapped = regState{set: true, value: in.to}
			}
			switch {
			case out.unknown:
				return true, swapped
			case out.casOk:
				return holdsFrom, swapped
			default:
				return !holdsFrom, st
			}
		}
		return false, st
	},
	// Equal is left to Porcupine's default (==): regState is a comparable value.
	Hash: func(state interface{}) uint64 {
		st := state.(regState)
		if !st.set {
			return 0x9e3779b97f4a7c15
		}
		return uint64(st.value)*0xbf58476d1ce4e5b9 + 1
	},
	DescribeOperation: func(input, output interface{}) string {
		in := input.(regInput)
		out := output.(regOutput)
		switch in.kind {
		case opRead:
			return fmt.Sprintf("read() -> %s", out.read)
		case opWrite:
			if out.unknown {
				return fmt.Sprintf("write(%d) -> unknown", in.value)
			}
			return fmt.Sprintf("write(%d)", in.value)
		case opCas:
			result := "false"
			if out.unknown {
				result = "unknown"
			} else if out.casOk {
				result = "true"
			}
			return fmt.Sprintf("cas(%d, %d) -> %s", in.from, in.to, result)
		}
		return "<invalid>"
	},
	DescribeState: func(state interface{}) string { return state.(regState).String() },
	DescribeOperationMetadata: func(info interface{}) string {
		meta, ok := info.(opMeta)
		if !ok {
			return ""
		}
		return fmt.Sprintf("process %d, history line %d", meta.process, meta.index+1)
	},
}
