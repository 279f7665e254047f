#!/bin/sh
# Stand-in for k6 in bench/result-processing.ts: ignores k6's arguments and writes a prepared file of op lines to
# stderr (where k6 prints them), as fast as the reader takes them. The file is made once, before any timer starts.
exec cat "$BENCH_OP_FILE" >&2
