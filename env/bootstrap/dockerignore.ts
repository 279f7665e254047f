/**
 * `.dockerignore` of a build context, as Docker reads it (docs: "Dockerignore files"): one pattern a line, `#`
 * comments, a leading `/` or `./` dropped, `*` and `?` within one path segment, `**` across any number of them,
 * `!` re-includes; the last matching line wins, and a pattern that matches a folder matches everything under it.
 * havoc hashes and sends exactly the files Docker would keep, so an ignored node_modules neither triggers a
 * rebuild nor slows the hash.
 */
export interface IgnoreRule {
  pattern: string;
  negate: boolean;
  regex: RegExp;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    line = line.replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
    if (line === "" || line === ".") continue;
    rules.push({ pattern: line, negate, regex: globToRegex(line) });
  }
  return rules;
}

/** True when Docker would leave `path` (relative, "/" separators) out of the context. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (matchesSelfOrParent(rule.regex, path)) ignored = !rule.negate;
  }
  return ignored;
}

function matchesSelfOrParent(regex: RegExp, path: string): boolean {
  const parts = path.split("/");
  for (let i = parts.length; i >= 1; i--) if (regex.test(parts.slice(0, i).join("/"))) return true;
  return false;
}

function globToRegex(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      // "**/" matches zero or more folders; a trailing or inner "**" anything.
      if (pattern[i + 2] === "/") {
        out += "(?:.*/)?";
        i += 2;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) out += "\\[";
      else {
        out += `[${pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (c === "\\" && i + 1 < pattern.length) out += escape(pattern[++i]!);
    else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

function escape(c: string): string {
  return c.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
}
