package main

import (
	"context"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// node is go-fuse's loopback node with file data kept in the cache until fsync. Metadata calls (mkdir, create,
// rename, unlink, link, symlink, chmod, chown, utimens, xattrs) go straight to the backing directory, as lazyfs
// does: a loss takes data and file sizes, never names.
type node struct {
	*fs.LoopbackNode
	d *daemon
}

var (
	_ fs.NodeWrapChilder    = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeTmpfiler       = (*node)(nil)
	_ fs.NodeGetattrer      = (*node)(nil)
	_ fs.NodeStatxer        = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeUnlinker       = (*node)(nil)
	_ fs.NodeRenamer        = (*node)(nil)
	_ fs.NodeCopyFileRanger = (*node)(nil)
	_ fs.NodeLookuper       = (*node)(nil)
	_ fs.NodeLinker         = (*node)(nil)
)

// WrapChild makes every node the loopback creates one of ours.
func (n *node) WrapChild(ctx context.Context, ops fs.InodeEmbedder) fs.InodeEmbedder {
	return &node{LoopbackNode: ops.(*fs.LoopbackNode), d: n.d}
}

func (n *node) ino() uint64 { return n.StableAttr().Ino }

// relPath is the node's path relative to the mount, as fault globs see it.
func (n *node) relPath() string { return n.Path(n.Root()) }

func (n *node) backingPath() string { return filepath.Join(n.RootData.Path, n.relPath()) }

// backingFlags are the open flags the backing file is opened with: the daemon, not the kernel, decides when data
// reaches it, so O_APPEND (the kernel computes append offsets), O_DIRECT (cached writes are not aligned), O_SYNC
// and O_DSYNC (honoured by flushing after each write) and O_TRUNC (a truncation is cached data) are dropped.
func backingFlags(flags uint32) uint32 {
	return flags &^ (syscall.O_APPEND | syscall.O_DIRECT | syscall.O_SYNC | syscall.O_DSYNC | syscall.O_TRUNC | fuse.FMODE_EXEC)
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	n.d.ops.Add(1)
	fh, _, errno := n.LoopbackNode.Open(ctx, backingFlags(flags))
	if errno != 0 {
		return nil, 0, errno
	}
	return n.wrapHandle(fh, flags)
}

func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	n.d.ops.Add(1)
	child, fh, _, errno := n.LoopbackNode.Create(ctx, name, backingFlags(flags), mode, out)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	cn, ok := child.Operations().(*node)
	if !ok {
		fh.(fs.FileReleaser).Release(ctx)
		return nil, nil, 0, syscall.EIO
	}
	h, fuseFlags, errno := cn.wrapHandle(fh, flags)
	if errno == 0 {
		cn.overlayAttr(&out.Attr)
	}
	return child, h, fuseFlags, errno
}

func (n *node) Tmpfile(ctx context.Context, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	n.d.ops.Add(1)
	child, fh, _, errno := n.LoopbackNode.Tmpfile(ctx, backingFlags(flags), mode, out)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	cn, ok := child.Operations().(*node)
	if !ok {
		fh.(fs.FileReleaser).Release(ctx)
		return nil, nil, 0, syscall.EIO
	}
	h, fuseFlags, errno := cn.wrapHandle(fh, flags)
	return child, h, fuseFlags, errno
}

// wrapHandle turns the loopback's handle into ours and applies what the backing open left out (O_TRUNC).
func (n *node) wrapHandle(fh fs.FileHandle, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	lf, ok := fh.(*fs.LoopbackFile)
	if !ok {
		return nil, 0, syscall.EIO
	}
	fd, ok := lf.PassthroughFd()
	if !ok {
		lf.Release(context.Background())
		return nil, 0, syscall.EBADF
	}
	f := &file{lf: lf, fd: fd, n: n, ino: n.ino(), syncWrites: flags&syscall.O_DSYNC != 0}
	n.d.cache.opened(f.ino)
	if flags&syscall.O_TRUNC != 0 && flags&syscall.O_ACCMODE != syscall.O_RDONLY {
		if errno := n.truncate(f, 0); errno != 0 {
			f.Release(context.Background())
			return nil, 0, errno
		}
	}
	var fuseFlags uint32
	if n.d.directIO {
		fuseFlags = fuse.FOPEN_DIRECT_IO
	}
	return f, fuseFlags, 0
}

// truncate caches a size change, through the handle's descriptor when there is one, else through the path.
func (n *node) truncate(f *file, size int64) syscall.Errno {
	ino := n.ino()
	if n.d.cache.lookup(ino) == nil {
		var st unix.Stat_t
		var err error
		if f != nil {
			err = unix.Fstat(f.fd, &st)
		} else {
			err = unix.Stat(n.backingPath(), &st)
		}
		if err != nil {
			return errno(err)
		}
		if st.Size == size {
			// Nothing changes: no record, so a later loss does not count this file.
			return 0
		}
	}
	d, err := n.d.cache.lockedOrNew(ino, func() (*dirtyFile, error) {
		if f != nil {
			return newDirtyFile(f.fd)
		}
		fd, err := unix.Open(n.backingPath(), unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		return newDirtyFileOwning(fd)
	})
	if err != nil {
		return errno(err)
	}
	defer d.mu.Unlock()
	d.truncate(size)
	d.kernel = n.EmbeddedInode()
	return 0
}

// overlayAttr reports the size and mtime as written instead of the backing file's.
func (n *node) overlayAttr(a *fuse.Attr) {
	d := n.d.cache.locked(n.ino())
	if d == nil {
		return
	}
	defer d.mu.Unlock()
	a.Size = uint64(d.size)
	a.Blocks = max(a.Blocks, (a.Size+511)/512)
	if !d.mtime.IsZero() {
		a.Mtime, a.Mtimensec = uint64(d.mtime.Unix()), uint32(d.mtime.Nanosecond())
		a.Ctime, a.Ctimensec = a.Mtime, a.Mtimensec
	}
}

func (n *node) overlayStatx(s *fuse.Statx) {
	d := n.d.cache.locked(n.ino())
	if d == nil {
		return
	}
	defer d.mu.Unlock()
	s.Size = uint64(d.size)
	s.Blocks = max(s.Blocks, (s.Size+511)/512)
	if !d.mtime.IsZero() {
		s.Mtime = fuse.SxTime{Sec: uint64(d.mtime.Unix()), Nsec: uint32(d.mtime.Nanosecond())}
		s.Ctime = s.Mtime
	}
}

// Lookup (also behind READDIRPLUS) reports a child's size as written, or the kernel would cache the backing size.
func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.d.ops.Add(1)
	child, errno := n.LoopbackNode.Lookup(ctx, name, out)
	if errno == 0 {
		if cn, ok := child.Operations().(*node); ok {
			cn.overlayAttr(&out.Attr)
		}
	}
	return child, errno
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.d.ops.Add(1)
	child, errno := n.LoopbackNode.Link(ctx, target, name, out)
	if errno == 0 {
		if cn, ok := child.Operations().(*node); ok {
			cn.overlayAttr(&out.Attr)
		}
	}
	return child, errno
}

func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.d.ops.Add(1)
	if h, ok := f.(*file); ok {
		return h.Getattr(ctx, out)
	}
	if errno := n.LoopbackNode.Getattr(ctx, nil, out); errno != 0 {
		return errno
	}
	n.overlayAttr(&out.Attr)
	return 0
}

func (n *node) Statx(ctx context.Context, f fs.FileHandle, flags uint32, mask uint32, out *fuse.StatxOut) syscall.Errno {
	n.d.ops.Add(1)
	if h, ok := f.(*file); ok {
		return h.Statx(ctx, flags, mask, out)
	}
	if errno := n.LoopbackNode.Statx(ctx, nil, flags, mask, out); errno != 0 {
		return errno
	}
	n.overlayStatx(&out.Statx)
	return 0
}

// Setattr caches a size change and passes every other attribute to the backing file at once.
func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	n.d.ops.Add(1)
	h, _ := f.(*file)
	if size, ok := in.GetSize(); ok {
		if errno := n.truncate(h, int64(size)); errno != 0 {
			return errno
		}
	}
	if _, ok := in.GetMTime(); ok {
		// An explicit mtime (touch, utimens) wins over the time of the last cached write.
		if d := n.d.cache.locked(n.ino()); d != nil {
			d.mtime = time.Time{}
			d.mu.Unlock()
		}
	}
	rest := *in
	rest.Valid &^= fuse.FATTR_SIZE
	var lf fs.FileHandle
	if h != nil {
		lf = h.lf
	}
	if errno := n.LoopbackNode.Setattr(ctx, lf, &rest, out); errno != 0 {
		return errno
	}
	n.overlayAttr(&out.Attr)
	return 0
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	n.d.ops.Add(1)
	errno := n.LoopbackNode.Unlink(ctx, name)
	if errno == 0 {
		n.d.cache.dropDeleted()
	}
	return errno
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	n.d.ops.Add(1)
	errno := n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
	if errno == 0 {
		n.d.cache.dropDeleted()
	}
	return errno
}

// CopyFileRange is refused so the kernel copies through read and write, which see and make cached data (the
// loopback's version would copy between backing files and skip the cache).
func (n *node) CopyFileRange(ctx context.Context, fhIn fs.FileHandle, offIn uint64, out *fs.Inode, fhOut fs.FileHandle, offOut uint64, length uint64, flags uint64) (uint32, syscall.Errno) {
	return 0, syscall.ENOSYS
}
