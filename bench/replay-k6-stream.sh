#!/bin/sh
# Stand-in for k6 in bench/result-processing.ts: ignores k6's arguments except --console-output=<file>, and copies a
# prepared file of op lines there (where k6 writes a script's console), as fast as the disk takes it. The file is made
# once, before any timer starts.
for arg in "$@"; do
  case "$arg" in --console-output=*) exec cat "$BENCH_OP_FILE" >> "${arg#--console-output=}" ;; esac
done
exec cat "$BENCH_OP_FILE" >&2
