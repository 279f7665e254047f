package main

import (
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// cache maps backing inodes to their unsynced state. Lock order: a dirtyFile's mu may be held while taking c.mu,
// never the other way round (lose, sync and stats copy the records out of the map before locking them).
type cache struct {
	mu    sync.Mutex
	files map[uint64]*dirtyFile
	// opens counts open handles per inode, so the data of a deleted file is dropped once nobody can reach it.
	opens map[uint64]int

	fsyncs       atomic.Int64
	lostBytes    atomic.Int64
	lostFiles    atomic.Int64
	flushedBytes atomic.Int64
	flushedFiles atomic.Int64
}

func newCache() *cache {
	return &cache{files: map[uint64]*dirtyFile{}, opens: map[uint64]int{}}
}

func (c *cache) lookup(ino uint64) *dirtyFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.files[ino]
}

// locked returns ino's record locked, or nil (nothing locked) when the file has no unsynced state.
func (c *cache) locked(ino uint64) *dirtyFile {
	for {
		d := c.lookup(ino)
		if d == nil {
			return nil
		}
		d.mu.Lock()
		if !d.dead {
			return d
		}
		d.mu.Unlock()
	}
}

// lockedOrNew returns ino's record locked, making it with create when the file has none.
func (c *cache) lockedOrNew(ino uint64, create func() (*dirtyFile, error)) (*dirtyFile, error) {
	for {
		c.mu.Lock()
		d := c.files[ino]
		if d == nil {
			var err error
			if d, err = create(); err != nil {
				c.mu.Unlock()
				return nil, err
			}
			c.files[ino] = d
		}
		c.mu.Unlock()
		d.mu.Lock()
		if !d.dead {
			return d, nil
		}
		d.mu.Unlock()
	}
}

// retire removes a locked record from the map and closes it.
func (c *cache) retire(ino uint64, d *dirtyFile) {
	d.dead = true
	d.close()
	c.mu.Lock()
	if c.files[ino] == d {
		delete(c.files, ino)
	}
	c.mu.Unlock()
}

// flushLocked flushes a locked record and retires it on success.
func (c *cache) flushLocked(ino uint64, d *dirtyFile, datasync bool) error {
	bytes := d.ext.bytes
	if err := d.flush(datasync); err != nil {
		return err
	}
	c.flushedBytes.Add(bytes)
	c.flushedFiles.Add(1)
	c.retire(ino, d)
	return nil
}

func (c *cache) snapshot() map[uint64]*dirtyFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[uint64]*dirtyFile, len(c.files))
	for ino, d := range c.files {
		out[ino] = d
	}
	return out
}

// lossReport is what a loss or a sync covered.
type lossReport struct {
	bytes int64
	files int64
}

// lose discards every unsynced change, then makes the kernel drop what it cached of those files (outside every
// lock: the kernel may wait on a read that needs this daemon).
func (c *cache) lose() lossReport {
	c.mu.Lock()
	old := c.files
	c.files = map[uint64]*dirtyFile{}
	c.mu.Unlock()
	var r lossReport
	var kernel []invalidator
	for _, d := range old {
		d.mu.Lock()
		if !d.dead {
			r.bytes += d.ext.bytes
			r.files++
			d.dead = true
			d.close()
			if d.kernel != nil {
				kernel = append(kernel, d.kernel)
			}
		}
		d.mu.Unlock()
	}
	c.lostBytes.Add(r.bytes)
	c.lostFiles.Add(r.files)
	for _, k := range kernel {
		// ENOENT: the kernel already forgot the inode, so it caches nothing of it.
		k.NotifyContent(0, 0)
	}
	return r
}

// syncAll flushes every file; a file whose flush fails keeps its data and the first error is returned.
func (c *cache) syncAll() (lossReport, error) {
	var r lossReport
	var first error
	for ino, d := range c.snapshot() {
		d.mu.Lock()
		if !d.dead {
			bytes := d.ext.bytes
			if err := c.flushLocked(ino, d, false); err != nil {
				if first == nil {
					first = err
				}
			} else {
				r.bytes += bytes
				r.files++
			}
		}
		d.mu.Unlock()
	}
	return r, first
}

// dirty reports the unsynced bytes and files now.
func (c *cache) dirty() lossReport {
	var r lossReport
	for _, d := range c.snapshot() {
		d.mu.Lock()
		if !d.dead {
			r.bytes += d.ext.bytes
			r.files++
		}
		d.mu.Unlock()
	}
	return r
}

func (c *cache) opened(ino uint64) {
	c.mu.Lock()
	c.opens[ino]++
	c.mu.Unlock()
}

// released is called when a handle closes; a deleted file nobody has open any more loses its record.
func (c *cache) released(ino uint64) {
	c.mu.Lock()
	c.opens[ino]--
	open := c.opens[ino] > 0
	if !open {
		delete(c.opens, ino)
	}
	d := c.files[ino]
	c.mu.Unlock()
	if !open && d != nil {
		c.dropIfDeleted(ino, d)
	}
}

// dropDeleted checks every record after a name was removed (unlink, rename over a file).
func (c *cache) dropDeleted() {
	for ino, d := range c.snapshot() {
		c.dropIfDeleted(ino, d)
	}
}

// dropIfDeleted retires the record of a file that has no name left and no open handle: nothing can read or fsync
// it any more, so keeping its data would only hold memory (it counts as neither lost nor flushed).
func (c *cache) dropIfDeleted(ino uint64, d *dirtyFile) {
	c.mu.Lock()
	open := c.opens[ino] > 0
	c.mu.Unlock()
	if open {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead {
		return
	}
	if n, err := d.linkCount(); err == nil && n == 0 {
		c.retire(ino, d)
	}
}

// fsyncClean fsyncs a backing file that has no unsynced state (its metadata may still want it).
func fsyncClean(fd int, datasync bool) syscall.Errno {
	var err error
	if datasync {
		err = retryEINTR(func() error { return unix.Fdatasync(fd) })
	} else {
		err = retryEINTR(func() error { return unix.Fsync(fd) })
	}
	return errno(err)
}

func errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	return syscall.EIO
}
