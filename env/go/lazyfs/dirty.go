package main

import (
	"fmt"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// invalidator is the kernel-cache side of a file (a go-fuse Inode): after a loss the kernel must drop its pages and
// attributes for the file, or it would go on serving what was lost.
type invalidator interface {
	NotifyContent(off, sz int64) syscall.Errno
}

// dirtyFile is what one backing file looks like to readers of the mount while it has unsynced changes: the backing
// file cut to `low` bytes, zeros up to `size`, and the unsynced extents on top. Nothing of it reaches the backing
// file before flush.
//
// Every field is guarded by mu.
type dirtyFile struct {
	mu sync.Mutex
	// dead is set once the record left the cache (flushed, lost, or its file deleted): a caller that finds it dead
	// looks the file up again.
	dead bool
	// fd is an open file description of its own on the backing file (write-only), so a flush after the writer's
	// handle was closed still has somewhere to write, and no lock taken on the writer's description is kept alive.
	fd int
	// baseSize is the backing file's size when the record was made (the backing file is not written until flush).
	baseSize int64
	// low is how much of the backing file is still visible: baseSize, or less after a truncation.
	low int64
	// size is the file size as written.
	size int64
	ext  extentMap
	// mtime is the time of the last unsynced change (reported instead of the backing file's mtime).
	mtime time.Time
	// kernel is the last kernel inode that touched the file, invalidated after a loss.
	kernel invalidator
}

// newDirtyFile opens its own description of the backing file that fd (any open descriptor of it) refers to.
func newDirtyFile(fd int) (*dirtyFile, error) {
	own, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return newDirtyFileOwning(own)
}

// newDirtyFileOwning takes ownership of a write-only descriptor of the backing file.
func newDirtyFileOwning(own int) (*dirtyFile, error) {
	var st unix.Stat_t
	if err := unix.Fstat(own, &st); err != nil {
		unix.Close(own)
		return nil, err
	}
	return &dirtyFile{fd: own, baseSize: st.Size, low: st.Size, size: st.Size}, nil
}

func (d *dirtyFile) write(off int64, p []byte) {
	d.ext.write(off, p)
	d.size = max(d.size, off+int64(len(p)))
	d.mtime = time.Now()
}

func (d *dirtyFile) truncate(size int64) {
	d.ext.truncate(size)
	d.low = min(d.low, size)
	d.size = size
	d.mtime = time.Now()
}

// readAt fills buf with the file's content at off as a reader of the mount sees it, reading the backing part
// through baseFd (the reader's own descriptor: the record's descriptor is write-only). It returns the bytes read,
// short at end of file.
func (d *dirtyFile) readAt(baseFd int, buf []byte, off int64) (int, error) {
	if off >= d.size {
		return 0, nil
	}
	buf = buf[:min(int64(len(buf)), d.size-off)]
	got := 0
	if baseEnd := min(off+int64(len(buf)), d.low); baseEnd > off {
		for int64(got) < baseEnd-off {
			n, err := unix.Pread(baseFd, buf[got:baseEnd-off], off+int64(got))
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return 0, err
			}
			if n == 0 {
				break
			}
			got += n
		}
	}
	clear(buf[got:])
	d.ext.overlay(buf, off)
	return len(buf), nil
}

// flush writes the unsynced state to the backing file and fsyncs it (fdatasync when datasync). On error the record
// keeps its data: the caller may try again, or lose it.
func (d *dirtyFile) flush(datasync bool) error {
	if d.low < d.baseSize {
		if err := ftruncate(d.fd, d.low); err != nil {
			return err
		}
	}
	for _, e := range d.ext.list {
		if err := pwriteAll(d.fd, e.data, e.off); err != nil {
			return err
		}
	}
	var st unix.Stat_t
	if err := unix.Fstat(d.fd, &st); err != nil {
		return err
	}
	if st.Size != d.size {
		if err := ftruncate(d.fd, d.size); err != nil {
			return err
		}
	}
	var err error
	if datasync {
		err = retryEINTR(func() error { return unix.Fdatasync(d.fd) })
	} else {
		err = retryEINTR(func() error { return unix.Fsync(d.fd) })
	}
	if err != nil {
		return err
	}
	d.ext = extentMap{}
	d.baseSize, d.low = d.size, d.size
	return nil
}

// close releases the record's descriptor; the record must not be used afterwards.
func (d *dirtyFile) close() {
	if d.fd >= 0 {
		unix.Close(d.fd)
		d.fd = -1
	}
}

// linkCount is the backing file's link count (0 once every name of it was removed).
func (d *dirtyFile) linkCount() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(d.fd, &st); err != nil {
		return 0, err
	}
	return uint64(st.Nlink), nil
}

func pwriteAll(fd int, p []byte, off int64) error {
	for len(p) > 0 {
		n, err := unix.Pwrite(fd, p, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		p = p[n:]
		off += int64(n)
	}
	return nil
}

func ftruncate(fd int, size int64) error {
	return retryEINTR(func() error { return unix.Ftruncate(fd, size) })
}

func retryEINTR(call func() error) error {
	for {
		if err := call(); err != unix.EINTR {
			return err
		}
	}
}
