package main

import "testing"

func TestRegisterModelStep(t *testing.T) {
	empty := regState{}
	one := regState{set: true, value: 1}
	two := regState{set: true, value: 2}
	cases := []struct {
		name   string
		state  regState
		in     regInput
		out    regOutput
		legal  bool
		result regState
	}{
		{"read of the empty register", empty, regInput{kind: opRead}, regOutput{}, true, empty},
		{"read of nil when it holds 1", one, regInput{kind: opRead}, regOutput{}, false, one},
		{"read of 1 when it holds 1", one, regInput{kind: opRead}, regOutput{read: one}, true, one},
		{"read of 2 when it holds 1", one, regInput{kind: opRead}, regOutput{read: two}, false, one},
		{"write", empty, regInput{kind: opWrite, value: 2}, regOutput{}, true, two},
		{"cas that swapped from the held value", one, regInput{kind: opCas, from: 1, to: 2}, regOutput{casOk: true}, true, two},
		{"cas that swapped from a value not held", two, regInput{kind: opCas, from: 1, to: 2}, regOutput{casOk: true}, false, two},
		{"cas that swapped on the empty register", empty, regInput{kind: opCas, from: 0, to: 2}, regOutput{casOk: true}, false, empty},
		{"cas that returned false while the value differed", two, regInput{kind: opCas, from: 1, to: 5}, regOutput{}, true, two},
		{"cas that returned false on the empty register", empty, regInput{kind: opCas, from: 1, to: 5}, regOutput{}, true, empty},
		{"cas that returned false although the value was from", one, regInput{kind: opCas, from: 1, to: 5}, regOutput{}, false, one},
		{"unknown cas when the value was from swaps", one, regInput{kind: opCas, from: 1, to: 2}, regOutput{unknown: true}, true, two},
		{"unknown cas when the value differed leaves it", two, regInput{kind: opCas, from: 1, to: 5}, regOutput{unknown: true}, true, two},
		{"unknown write", one, regInput{kind: opWrite, value: 2}, regOutput{unknown: true}, true, two},
	}
	for _, c := range cases {
		legal, next := registerModel.Step(c.state, c.in, c.out)
		if legal != c.legal {
			t.Errorf("%s: legal = %v, want %v", c.name, legal, c.legal)
		}
		if legal && next.(regState) != c.result {
			t.Errorf("%s: next state %v, want %v", c.name, next, c.result)
		}
	}
}

func TestRegisterModelHashAgreesWithEqual(t *testing.T) {
	states := []regState{{}, {set: true, value: 0}, {set: true, value: 1}, {set: true, value: -1}}
	for _, a := range states {
		for _, b := range states {
			if a == b && registerModel.Hash(a) != registerModel.Hash(b) {
				t.Errorf("equal states %v and %v hash differently", a, b)
			}
		}
	}
	if registerModel.Hash(regState{}) == registerModel.Hash(regState{set: true, value: 0}) {
		t.Errorf("nil and 0 share a hash: allowed, but the hash is meant to tell them apart")
	}
}

func TestDescriptions(t *testing.T) {
	got := registerModel.DescribeOperation(regInput{kind: opCas, from: 1, to: 2}, regOutput{unknown: true})
	if got != "cas(1, 2) -> unknown" {
		t.Errorf("cas description %q", got)
	}
	got = registerModel.DescribeOperation(regInput{kind: opRead}, regOutput{})
	if got != "read() -> nil" {
		t.Errorf("read description %q", got)
	}
	if got := registerModel.DescribeOperationMetadata(opMeta{process: 7, index: 41}); got != "process 7, history line 42" {
		t.Errorf("metadata description %q", got)
	}
}
