import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { nearest } from "../core/did-you-mean.ts";

/** A path as the reader types it: relative to the working directory unless that is longer than the absolute one. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && rel.length < path.length ? rel : path;
}

/**
 * What a relative path that names nothing probably meant: the same path further up, written from `dir`
 * ("./load/writers.js" from scenarios/ -> "../load/writers.js": a path written from the repository's root instead of
 * the scenario's folder, the usual slip), or a name of its folder near the one written ("writer.js" -> "writers.js").
 * Looks up to the folder holding package.json, at most four levels.
 */
export function nearbyPath(dir: string, written: string): string | undefined {
  if (isAbsolute(written)) return undefined;
  const target = join(dir, written);
  if (existsSync(dirname(target))) {
    const meant = nearest(basename(target), readdirSync(dirname(target)));
    if (meant !== undefined && meant !== basename(target)) {
      const rel = relative(dir, join(dirname(target), meant));
      return rel.startsWith(".") ? rel : `./${rel}`;
    }
  }
  const tail = written.replace(/^(\.\.?\/)+/, "");
  if (tail === "") return undefined;
  for (let up = dir, depth = 0; depth < 4; depth++, up = dirname(up)) {
    const candidate = join(up, tail);
    const rel = relative(dir, candidate);
    const spelled = rel.startsWith(".") ? rel : `./${rel}`;
    if (existsSync(candidate) && spelled !== written && rel !== written) return spelled;
    if (existsSync(join(up, "package.json")) || dirname(up) === up) break;
  }
  return undefined;
}
