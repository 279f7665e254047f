package main

import "testing"

func TestMatchGlob(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"**", "a/b/c", true},
		{"**", "", true},
		{"*", "file", true},
		{"*", "dir/file", false},
		{"dir/*", "dir/file", true},
		{"dir/*", "dir/sub/file", false},
		{"dir/**", "dir/sub/file", true},
		{"**/file", "file", true},
		{"**/file", "a/b/file", true},
		{"**/file", "a/b/files", false},
		{"pg_wal/0000*", "pg_wal/000000010000000000000001", true},
		{"base/**/*.dat", "base/1/2/x.dat", true},
		{"base/**/*.dat", "base/x.dat", true},
		{"a?c", "abc", true},
		{"a?c", "a/c", false},
		{"exact.txt", "exact.txt", true},
		{"exact.txt", "exact.txt2", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, c := range cases {
		if got := matchGlob(c.pattern, c.name); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}
