// First part of every npm script: makes node_modules match package-lock.json before anything imports a dependency.
// Plain Node, no dependencies, because it runs before they exist. Instant and silent when nothing changed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const lockPath = join(root, "package-lock.json");
const packagePath = join(root, "package.json");
const modulesPath = join(root, "node_modules");
// npm writes this "hidden lockfile" at the end of every install, so it is newer than the lock it installed from.
const installedMarkerPath = join(modulesPath, ".package-lock.json");
const npmFlags = ["--no-audit", "--no-fund"];

const mtimeMs = (path) => statSync(path).mtimeMs;

function needsInstall(hasLock) {
  if (!existsSync(modulesPath) || !existsSync(installedMarkerPath)) return true;
  return mtimeMs(hasLock ? lockPath : packagePath) > mtimeMs(installedMarkerPath);
}

function fail(what, result) {
  process.stderr.write(`[havoc] ${what} failed${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}\n`);
  process.exit(3); // environment error, as in core/errors.ts
}

function npmInstall() {
  const result = spawnSync("npm", ["install", ...npmFlags], { cwd: root, stdio: "inherit" });
  if (result.error || result.status !== 0) fail("npm install", result);
}

/**
 * npm ci reproduces the lock exactly. But the registry reachable here does not serve other platforms' optional
 * packages (e.g. @rollup/rollup-darwin-arm64 is a 404), so the lock cannot list them and npm 11's ci refuses it as
 * "Missing: ... from lock file" (EUSAGE). npm install then installs the same versions and leaves the lock unchanged.
 */
function npmCi() {
  const result = spawnSync("npm", ["ci", ...npmFlags], { cwd: root, stdio: ["inherit", "inherit", "pipe"], encoding: "utf8" });
  if (!result.error && result.status === 0) return;
  const stderr = result.stderr ?? "";
  if (/EUSAGE/.test(stderr) && /from lock file/.test(stderr)) {
    process.stderr.write("[havoc] npm ci refused the lock (optional packages for other platforms are not in it); using npm install\n");
    return npmInstall();
  }
  process.stderr.write(stderr);
  fail("npm ci", result);
}

const hasLock = existsSync(lockPath);
if (needsInstall(hasLock)) {
  process.stderr.write(`[havoc] installing npm dependencies (npm ${hasLock ? "ci" : "install"}) ...\n`);
  const startedMs = Date.now();
  if (hasLock) npmCi();
  else npmInstall(); // without a lock only npm install can resolve versions
  process.stderr.write(`[havoc] npm dependencies installed in ${((Date.now() - startedMs) / 1000).toFixed(1)} s\n`);
}
