package main

// matchGlob reports whether name (a path relative to the mount, "/"-separated, no leading slash) matches pattern:
// "*" is any run of characters within one path segment, "**" any run including "/", "?" one character other than
// "/". Everything else matches itself. The pattern must match the whole name.
func matchGlob(pattern, name string) bool {
	for len(pattern) > 0 {
		switch {
		case len(pattern) >= 2 && pattern[0] == '*' && pattern[1] == '*':
			rest := pattern[2:]
			// "**/" also matches no directory at all, so "**/x" matches "x".
			if len(rest) > 0 && rest[0] == '/' && matchGlob(rest[1:], name) {
				return true
			}
			for k := 0; k <= len(name); k++ {
				if matchGlob(rest, name[k:]) {
					return true
				}
			}
			return false
		case pattern[0] == '*':
			rest := pattern[1:]
			for k := 0; k <= len(name); k++ {
				if matchGlob(rest, name[k:]) {
					return true
				}
				if k < len(name) && name[k] == '/' {
					return false
				}
			}
			return false
		case pattern[0] == '?':
			if len(name) == 0 || name[0] == '/' {
				return false
			}
		default:
			if len(name) == 0 || name[0] != pattern[0] {
				return false
			}
		}
		pattern, name = pattern[1:], name[1:]
	}
	return len(name) == 0
}
