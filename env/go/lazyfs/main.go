// Command lazyfs mounts a passthrough filesystem that keeps written data in memory until it is fsynced and, on
// command, discards every unfsynced write: a power cut for one directory, in the manner of Jepsen's lazyfs. It
// also injects I/O errors and latency. See README.md for the semantics and the control protocol.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

type config struct {
	backing, mount, control string
	allowOther, directIO    bool
	xattrs                  bool
	seed                    uint64
	debug                   bool
}

func parseFlags(args []string) (config, error) {
	var c config
	fl := flag.NewFlagSet("lazyfs", flag.ContinueOnError)
	fl.StringVar(&c.backing, "backing", "", "directory holding the files (required)")
	fl.StringVar(&c.mount, "mount", "", "empty directory to mount on (required)")
	fl.StringVar(&c.control, "control", "", "path of the control unix socket (required)")
	fl.BoolVar(&c.allowOther, "allow-other", false, "let every user (and containers bind-mounting the mount) use it")
	fl.BoolVar(&c.directIO, "direct-io", false, "open files with FOPEN_DIRECT_IO instead of invalidating the kernel page cache on loss")
	fl.BoolVar(&c.xattrs, "xattrs", false, "pass extended attributes through (off: every write costs the kernel an extra GETXATTR round trip)")
	fl.Uint64Var(&c.seed, "seed", 1, "seed of the random choices of fault rules")
	fl.BoolVar(&c.debug, "debug", false, "log every FUSE request")
	if err := fl.Parse(args); err != nil {
		return c, err
	}
	if fl.NArg() != 0 {
		return c, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	for name, v := range map[string]string{"--backing": c.backing, "--mount": c.mount, "--control": c.control} {
		if v == "" {
			return c, fmt.Errorf("%s is required", name)
		}
	}
	for name, dir := range map[string]string{"--backing": c.backing, "--mount": c.mount} {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return c, fmt.Errorf("%s %s is not a directory", name, dir)
		}
	}
	return c, nil
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	c, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "lazyfs: %v\nusage: lazyfs --backing DIR --mount DIR --control SOCKET [--allow-other] [--seed N] [--direct-io] [--xattrs]\n", err)
		os.Exit(2)
	}
	if err := run(c); err != nil {
		log.Printf("lazyfs: %v", err)
		os.Exit(1)
	}
}

func run(c config) error {
	raiseFileLimit()
	d := &daemon{cache: newCache(), faults: newFaults(c.seed), directIO: c.directIO}
	lbRoot, err := fs.NewLoopbackRoot(c.backing)
	if err != nil {
		return fmt.Errorf("backing %s: %w", c.backing, err)
	}
	root := &node{LoopbackNode: lbRoot.(*fs.LoopbackNode), d: d}
	root.RootData.RootNode = root

	ln, err := listenControl(c.control)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", c.control, err)
	}
	defer os.Remove(c.control)
	defer ln.Close()

	server, err := fs.Mount(c.mount, root, mountOptions(c))
	if err != nil {
		return fmt.Errorf("mount %s: %w", c.mount, err)
	}
	go d.serveControl(ln)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	served := make(chan struct{})
	go func() { server.Wait(); close(served) }()
	// The line the control side waits for.
	fmt.Printf("lazyfs ready mount=%s control=%s pid=%d\n", c.mount, c.control, os.Getpid())

	select {
	case sig := <-stop:
		log.Printf("lazyfs: %v: unmounting %s", sig, c.mount)
		unmount(server, c.mount, served)
	case <-served:
		log.Printf("lazyfs: %s was unmounted from outside", c.mount)
	}
	// An unmount is a power cut, not a sync: what was never fsynced is gone (README.md, "Unmount").
	lost := d.cache.lose()
	log.Printf("lazyfs: stopped; %d unfsynced bytes in %d files discarded", lost.bytes, lost.files)
	return nil
}

// mountOptions: a direct mount(2) as root (no fusermount needed); allow_other with default_permissions so other
// users see the backing files' permissions enforced by the kernel rather than acting as root through the daemon.
func mountOptions(c config) *fs.Options {
	second := time.Second
	opts := &fs.Options{
		AttrTimeout:     &second,
		EntryTimeout:    &second,
		NullPermissions: true,
		MountOptions: fuse.MountOptions{
			AllowOther:  c.allowOther,
			DirectMount: true,
			FsName:      c.backing,
			Name:        "lazyfs",
			MaxWrite:    1 << 20,
			Debug:       c.debug,
			// Without this the kernel asks for security.capability before every buffered write (to strip it),
			// doubling the round trips of a write; ENOSYS makes it stop asking.
			DisableXAttrs: !c.xattrs,
		},
	}
	if c.allowOther {
		opts.MountOptions.Options = append(opts.MountOptions.Options, "default_permissions")
	}
	if c.directIO {
		// Lets a process mmap a direct-I/O file (kernel 6.6 and later); such pages are cached and dropped on loss.
		opts.MountOptions.ExtraCapabilities = fuse.CAP_DIRECT_IO_ALLOW_MMAP
	}
	return opts
}

// unmount detaches the mount even while files on it are open (a plain unmount would fail with EBUSY), then waits
// briefly for the serve loop to end.
func unmount(server *fuse.Server, mount string, served <-chan struct{}) {
	done := make(chan error, 1)
	go func() { done <- server.Unmount() }()
	select {
	case err := <-done:
		if err == nil {
			return
		}
		log.Printf("lazyfs: unmount %s: %v; detaching it", mount, err)
	case <-time.After(3 * time.Second):
		log.Printf("lazyfs: unmount %s is taking long; detaching it", mount)
	}
	if err := unix.Unmount(mount, unix.MNT_DETACH); err != nil && err != unix.EINVAL {
		log.Printf("lazyfs: detach %s: %v", mount, err)
	}
	// With files still open the serve loop never ends on its own; exiting closes /dev/fuse, which fails their calls.
	select {
	case <-served:
	case <-time.After(500 * time.Millisecond):
	}
}

// raiseFileLimit lifts the soft descriptor limit to the hard one: every file with unsynced data holds a descriptor.
func raiseFileLimit() {
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	}
}
