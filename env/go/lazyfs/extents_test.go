package main

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// model is the obvious implementation the extent map must agree with: a byte slice and a "written" mask.
type model struct {
	data    []byte
	written []bool
}

func (m *model) write(off int64, p []byte) {
	for int64(len(m.data)) < off+int64(len(p)) {
		m.data = append(m.data, 0)
		m.written = append(m.written, false)
	}
	for k, b := range p {
		m.data[off+int64(k)] = b
		m.written[off+int64(k)] = true
	}
}

func (m *model) truncate(size int64) {
	if int64(len(m.data)) > size {
		m.data = m.data[:size]
		m.written = m.written[:size]
	}
}

func (m *model) count() int64 {
	n := int64(0)
	for _, w := range m.written {
		if w {
			n++
		}
	}
	return n
}

func checkInvariants(t *testing.T, m *extentMap) {
	t.Helper()
	total := int64(0)
	for k, e := range m.list {
		if len(e.data) == 0 {
			t.Fatalf("extent %d is empty", k)
		}
		if k > 0 && m.list[k-1].end() >= e.off {
			t.Fatalf("extents %d and %d overlap or touch: [%d,%d) [%d,%d)", k-1, k, m.list[k-1].off, m.list[k-1].end(), e.off, e.end())
		}
		total += int64(len(e.data))
	}
	if total != m.bytes {
		t.Fatalf("bytes counter %d, extents hold %d", m.bytes, total)
	}
}

func TestExtentMapAgreesWithModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for round := 0; round < 200; round++ {
		var m extentMap
		var ref model
		for op := 0; op < 60; op++ {
			if rng.IntN(8) == 0 {
				size := rng.Int64N(600)
				m.truncate(size)
				ref.truncate(size)
			} else {
				off := rng.Int64N(500)
				p := make([]byte, 1+rng.IntN(80))
				for k := range p {
					p[k] = byte(rng.IntN(255) + 1)
				}
				m.write(off, p)
				ref.write(off, p)
			}
			checkInvariants(t, &m)
			if m.bytes != ref.count() {
				t.Fatalf("round %d op %d: %d dirty bytes, model has %d", round, op, m.bytes, ref.count())
			}
			got := make([]byte, 700)
			m.overlay(got, 0)
			want := make([]byte, 700)
			for k, w := range ref.written {
				if w {
					want[k] = ref.data[k]
				}
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("round %d op %d: overlay differs from model", round, op)
			}
			// A window not starting at 0 must agree too.
			win := make([]byte, 37)
			m.overlay(win, 101)
			if !bytes.Equal(win, want[101:138]) {
				t.Fatalf("round %d op %d: windowed overlay differs", round, op)
			}
		}
	}
}

func TestSequentialAppendsStayOneExtent(t *testing.T) {
	var m extentMap
	block := bytes.Repeat([]byte{'x'}, 4096)
	for k := 0; k < 1000; k++ {
		m.write(int64(k)*4096, block)
	}
	if len(m.list) != 1 || m.bytes != 4096*1000 {
		t.Fatalf("want one extent of %d bytes, got %d extents, %d bytes", 4096*1000, len(m.list), m.bytes)
	}
}

func TestTruncateCutsStraddlingExtent(t *testing.T) {
	var m extentMap
	m.write(10, []byte("abcdef"))
	m.write(100, []byte("zz"))
	m.truncate(13)
	if m.bytes != 3 || len(m.list) != 1 || string(m.list[0].data) != "abc" {
		t.Fatalf("after truncate(13): %d bytes, %d extents", m.bytes, len(m.list))
	}
	if m.maxEnd() != 13 {
		t.Fatalf("maxEnd %d, want 13", m.maxEnd())
	}
}
