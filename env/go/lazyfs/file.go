package main

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// file is an open handle. It deliberately does not embed the loopback handle: that one offers PassthroughFd, and
// with passthrough the kernel would read and write the backing file itself, past the cache.
type file struct {
	lf *fs.LoopbackFile
	// fd is the loopback handle's descriptor on the backing file (opened with backingFlags).
	fd  int
	n   *node
	ino uint64
	// syncWrites: opened with O_SYNC or O_DSYNC, so every write is flushed before it is acknowledged.
	syncWrites bool
}

var (
	_ fs.FileReader    = (*file)(nil)
	_ fs.FileWriter    = (*file)(nil)
	_ fs.FileWritever  = (*file)(nil)
	_ fs.FileFsyncer   = (*file)(nil)
	_ fs.FileFlusher   = (*file)(nil)
	_ fs.FileReleaser  = (*file)(nil)
	_ fs.FileGetattrer = (*file)(nil)
	_ fs.FileStatxer   = (*file)(nil)
	_ fs.FileLseeker   = (*file)(nil)
	_ fs.FileAllocater = (*file)(nil)
)

func (f *file) newDirty() (*dirtyFile, error) { return newDirtyFile(f.fd) }

func (f *file) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	f.n.d.ops.Add(1)
	if e := f.n.d.faults.check(ctx, opRead, f.n.relPath); e != 0 {
		return nil, e
	}
	d := f.n.d.cache.locked(f.ino)
	if d == nil {
		return fuse.ReadResultFd(uintptr(f.fd), off, len(dest)), 0
	}
	defer d.mu.Unlock()
	// The kernel may now cache these pages under this inode: it is the one to invalidate after a loss.
	d.kernel = f.n.EmbeddedInode()
	n, err := d.readAt(f.fd, dest, off)
	if err != nil {
		return nil, errno(err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (f *file) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	return f.Writev(ctx, [][]byte{data}, off)
}

func (f *file) Writev(ctx context.Context, data [][]byte, off int64) (uint32, syscall.Errno) {
	f.n.d.ops.Add(1)
	if e := f.n.d.faults.check(ctx, opWrite, f.n.relPath); e != 0 {
		return 0, e
	}
	d, err := f.n.d.cache.lockedOrNew(f.ino, f.newDirty)
	if err != nil {
		return 0, errno(err)
	}
	defer d.mu.Unlock()
	written := 0
	for _, p := range data {
		d.write(off+int64(written), p)
		written += len(p)
	}
	d.kernel = f.n.EmbeddedInode()
	if f.syncWrites {
		if err := f.n.d.cache.flushLocked(f.ino, d, true); err != nil {
			return 0, errno(err)
		}
	}
	return uint32(written), 0
}

// Fsync writes this file's unsynced data to the backing file and fsyncs it. An injected error leaves the data
// unsynced (still readable, still lost by a later loss).
func (f *file) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	f.n.d.ops.Add(1)
	f.n.d.cache.fsyncs.Add(1)
	if e := f.n.d.faults.check(ctx, opFsync, f.n.relPath); e != 0 {
		return e
	}
	datasync := flags&1 != 0 // FUSE_FSYNC_FDATASYNC
	d := f.n.d.cache.locked(f.ino)
	if d == nil {
		return fsyncClean(f.fd, datasync)
	}
	defer d.mu.Unlock()
	return errno(f.n.d.cache.flushLocked(f.ino, d, datasync))
}

// Flush (close(2) of one descriptor) is not a sync: the data stays cached, as close leaves it in the page cache.
func (f *file) Flush(ctx context.Context) syscall.Errno {
	f.n.d.ops.Add(1)
	return f.lf.Flush(ctx)
}

func (f *file) Release(ctx context.Context) syscall.Errno {
	f.n.d.ops.Add(1)
	errno := f.lf.Release(ctx)
	f.n.d.cache.released(f.ino)
	return errno
}

func (f *file) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	if errno := f.lf.Getattr(ctx, out); errno != 0 {
		return errno
	}
	f.n.overlayAttr(&out.Attr)
	return 0
}

func (f *file) Statx(ctx context.Context, flags uint32, mask uint32, out *fuse.StatxOut) syscall.Errno {
	if errno := f.lf.Statx(ctx, flags, mask, out); errno != 0 {
		return errno
	}
	f.n.overlayStatx(&out.Statx)
	return 0
}

// Lseek answers SEEK_DATA and SEEK_HOLE (the only whence values the kernel forwards) for a file with unsynced
// state as one run of data up to its size: holes are an optimisation, never a promise.
func (f *file) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	f.n.d.ops.Add(1)
	d := f.n.d.cache.locked(f.ino)
	if d == nil {
		return f.lf.Lseek(ctx, off, whence)
	}
	defer d.mu.Unlock()
	if int64(off) >= d.size {
		return 0, syscall.ENXIO
	}
	switch whence {
	case unix.SEEK_DATA:
		return off, 0
	case unix.SEEK_HOLE:
		return uint64(d.size), 0
	}
	return 0, syscall.EINVAL
}

// Allocate caches what fallocate changes that a reader can see: mode 0 may grow the file (zeros), a punched hole
// reads as zeros. A space reservation alone (KEEP_SIZE) changes nothing visible. Other modes are refused, and
// callers such as posix_fallocate then fall back to writing.
func (f *file) Allocate(ctx context.Context, off uint64, size uint64, mode uint32) syscall.Errno {
	f.n.d.ops.Add(1)
	if e := f.n.d.faults.check(ctx, opWrite, f.n.relPath); e != 0 {
		return e
	}
	end := int64(off + size)
	switch mode {
	case 0:
		var st unix.Stat_t
		if err := unix.Fstat(f.fd, &st); err != nil {
			return errno(err)
		}
		d := f.n.d.cache.locked(f.ino)
		current := st.Size
		if d != nil {
			current = d.size
			d.mu.Unlock()
		}
		if end > current {
			return f.n.truncate(f, end)
		}
		return 0
	case unix.FALLOC_FL_KEEP_SIZE:
		return 0
	case unix.FALLOC_FL_KEEP_SIZE | unix.FALLOC_FL_PUNCH_HOLE:
		d, err := f.n.d.cache.lockedOrNew(f.ino, f.newDirty)
		if err != nil {
			return errno(err)
		}
		defer d.mu.Unlock()
		if int64(off) < d.size {
			d.write(int64(off), make([]byte, min(end, d.size)-int64(off)))
			d.kernel = f.n.EmbeddedInode()
		}
		return 0
	}
	return syscall.EOPNOTSUPP
}
