package main

import "sort"

// extent is one run of unsynced bytes starting at off.
type extent struct {
	off  int64
	data []byte
}

func (e *extent) end() int64 { return e.off + int64(len(e.data)) }

// extentMap holds a file's unsynced data as sorted extents that neither overlap nor touch, so a sequential writer
// grows one extent instead of piling up thousands of small ones.
type extentMap struct {
	list  []extent
	bytes int64
}

// write stores p at off over whatever was there. The common shapes (an overwrite inside one extent, an append to
// the end of one extent) reuse that extent's buffer; only a write that bridges extents copies them into a new one.
func (m *extentMap) write(off int64, p []byte) {
	if len(p) == 0 {
		return
	}
	end := off + int64(len(p))
	i := sort.Search(len(m.list), func(k int) bool { return m.list[k].end() >= off })
	j := i
	for j < len(m.list) && m.list[j].off <= end {
		j++
	}
	if i == j {
		m.list = append(m.list, extent{})
		copy(m.list[i+1:], m.list[i:])
		m.list[i] = extent{off: off, data: append([]byte(nil), p...)}
		m.bytes += int64(len(p))
		return
	}
	first := &m.list[i]
	if j == i+1 && off >= first.off {
		if end <= first.end() {
			copy(first.data[off-first.off:], p)
			return
		}
		m.bytes -= int64(len(first.data))
		first.data = append(first.data[:off-first.off], p...)
		m.bytes += int64(len(first.data))
		return
	}
	start := min(off, first.off)
	stop := max(end, m.list[j-1].end())
	buf := make([]byte, stop-start)
	for k := i; k < j; k++ {
		copy(buf[m.list[k].off-start:], m.list[k].data)
		m.bytes -= int64(len(m.list[k].data))
	}
	copy(buf[off-start:], p)
	m.list[i] = extent{off: start, data: buf}
	m.list = append(m.list[:i+1], m.list[j:]...)
	m.bytes += int64(len(buf))
}

// truncate drops every unsynced byte at or beyond size.
func (m *extentMap) truncate(size int64) {
	i := sort.Search(len(m.list), func(k int) bool { return m.list[k].end() > size })
	if i == len(m.list) {
		return
	}
	for k := i; k < len(m.list); k++ {
		m.bytes -= int64(len(m.list[k].data))
	}
	e := m.list[i]
	m.list = m.list[:i]
	if e.off < size {
		kept := e.data[:size-e.off]
		m.list = append(m.list, extent{off: e.off, data: kept})
		m.bytes += int64(len(kept))
	}
}

// overlay copies the unsynced bytes that fall inside [off, off+len(buf)) over buf.
func (m *extentMap) overlay(buf []byte, off int64) {
	end := off + int64(len(buf))
	i := sort.Search(len(m.list), func(k int) bool { return m.list[k].end() > off })
	for ; i < len(m.list) && m.list[i].off < end; i++ {
		e := &m.list[i]
		from := max(off, e.off)
		to := min(end, e.end())
		copy(buf[from-off:to-off], e.data[from-e.off:to-e.off])
	}
}

// maxEnd is the end of the last extent (0 when empty).
func (m *extentMap) maxEnd() int64 {
	if len(m.list) == 0 {
		return 0
	}
	return m.list[len(m.list)-1].end()
}
