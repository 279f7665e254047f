// Command porcupine-check decides whether register histories are linearizable, one key at a time, with
// Porcupine's search (github.com/anishathalye/porcupine). It reads one JSON document on stdin (see checkInput in
// input.go), writes one on stdout (see output in run.go), and exits 0; bad input exits 2 with the reason on
// stderr, an output it cannot write exits 1. A key whose search runs out of time or memory is "unknown", never a
// crash.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(realMain(os.Stdin, os.Stdout, os.Stderr))
}

func realMain(stdin io.Reader, stdout, stderr io.Writer) int {
	s, histories, err := decodeInput(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "porcupine-check: bad input: %v\n", err)
		return 2
	}
	if s.visualizationDir != "" {
		if err := os.MkdirAll(s.visualizationDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "porcupine-check: visualizationDir: %v\n", err)
			return 2
		}
	}
	guard := startHeapWatch(s.memoryLimitMB)
	defer guard.close()
	out := run(s, histories, guard)
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "porcupine-check: writing the output: %v\n", err)
		return 1
	}
	return 0
}
