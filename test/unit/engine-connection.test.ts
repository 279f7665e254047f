import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { HostSpec } from "../../core/hosts.ts";
import { describeEndpoint, dockerOptions, engineEndpoint, readDockerContext, urlHost } from "../../env/docker/engine-connection.ts";
import { parseHostFlags } from "../../engine/commands/host-flags.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A Docker CLI configuration folder holding one context, written the way `docker context create` writes it. */
function contextStore(name: string, host: string, tls?: { ca: string; cert: string; key: string }, skipVerify = false): string {
  const dir = mkdtempSync(join(tmpdir(), "havoc-context-"));
  dirs.push(dir);
  const id = createHash("sha256").update(name).digest("hex");
  mkdirSync(join(dir, "contexts", "meta", id), { recursive: true });
  writeFileSync(join(dir, "contexts", "meta", id, "meta.json"), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skipVerify } } }));
  if (tls) {
    const tlsDir = join(dir, "contexts", "tls", id, "docker");
    mkdirSync(tlsDir, { recursive: true });
    writeFileSync(join(tlsDir, "ca.pem"), tls.ca);
    writeFileSync(join(tlsDir, "cert.pem"), tls.cert);
    writeFileSync(join(tlsDir, "key.pem"), tls.key);
  }
  return dir;
}

describe("how a declared host's engine is reached", () => {
  it("unix://: the socket, and nothing of DOCKER_HOST", () => {
    const options = dockerOptions(engineEndpoint(HostSpec.parse({ docker: "unix:///run/east/docker.sock" })));
    expect(options).toMatchObject({ socketPath: "/run/east/docker.sock", host: undefined, port: undefined });
  });

  it("tcp://: plain HTTP on 2375 by default; with TLS, https on 2376 with the PEM files read", () => {
    expect(dockerOptions(engineEndpoint(HostSpec.parse({ docker: "tcp://10.0.0.5" })))).toMatchObject({ protocol: "http", host: "10.0.0.5", port: 2375, socketPath: undefined });
    const dir = mkdtempSync(join(tmpdir(), "havoc-tls-"));
    dirs.push(dir);
    for (const f of ["ca", "cert", "key"]) writeFileSync(join(dir, `${f}.pem`), `${f} pem`);
    const spec = HostSpec.parse({ docker: "tcp://10.0.0.5", tls: { ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") } });
    const options = dockerOptions(engineEndpoint(spec));
    expect(options).toMatchObject({ protocol: "https", host: "10.0.0.5", port: 2376 });
    expect(String(options.ca)).toBe("ca pem");
    expect(String(options.key)).toBe("key pem");
    expect("checkServerIdentity" in options).toBe(false);
    const unverified = dockerOptions(engineEndpoint({ ...spec, tls: { ...spec.tls!, verify: false } }));
    expect(typeof (unverified as { checkServerIdentity?: unknown }).checkServerIdentity).toBe("function");
  });

  it("a TLS file that cannot be read is refused naming the field", () => {
    expect(() => engineEndpoint(HostSpec.parse({ docker: "tcp://10.0.0.5:2376", tls: { ca: "/nonexistent/ca.pem", cert: "c", key: "k" } }))).toThrow(/tls\.ca: cannot read \/nonexistent\/ca\.pem/);
  });

  it("ssh://: docker-modem's ssh transport, the user and port from the URL, keys from the agent", () => {
    const options = dockerOptions(engineEndpoint(HostSpec.parse({ docker: "ssh://deploy@10.0.0.6:2222" })), { SSH_AUTH_SOCK: "/tmp/agent.sock" });
    expect(options).toMatchObject({ protocol: "ssh", host: "10.0.0.6", port: 2222, username: "deploy", sshOptions: { agent: "/tmp/agent.sock" } });
    expect(urlHost(engineEndpoint(HostSpec.parse({ docker: "ssh://deploy@10.0.0.6" })))).toBe("10.0.0.6");
  });

  it("a Docker context: its endpoint and TLS files read from the CLI's context store", () => {
    const store = contextStore("east", "tcp://10.1.2.3:2376", { ca: "CA", cert: "CERT", key: "KEY" });
    const endpoint = readDockerContext("east", store);
    expect(endpoint.url).toBe("tcp://10.1.2.3:2376");
    expect(String(endpoint.tls!.ca)).toBe("CA");
    expect(endpoint.tls!.verify).toBe(true);
    expect(dockerOptions(endpoint)).toMatchObject({ protocol: "https", host: "10.1.2.3", port: 2376 });
    expect(describeEndpoint(endpoint)).toBe('tcp://10.1.2.3:2376 (TLS) (Docker context "east")');
    expect(engineEndpoint(HostSpec.parse({ docker: "east" }), store).url).toBe("tcp://10.1.2.3:2376");
    const ssh = readDockerContext("plain", contextStore("plain", "ssh://me@10.1.2.4"));
    expect(ssh).toEqual({ url: "ssh://me@10.1.2.4", context: "plain" });
  });

  it("an unknown context is refused naming it and where it was looked for", () => {
    const store = contextStore("east", "tcp://10.1.2.3:2376");
    expect(() => readDockerContext("west", store)).toThrow(InputError);
    expect(() => readDockerContext("west", store)).toThrow(/Docker context "west": no .*meta\.json/);
  });
});

describe("--host NAME=ENGINE", () => {
  it("declares hosts by name", () => {
    expect(parseHostFlags(["east=tcp://10.0.0.5:2375", "west=ssh://me@10.0.0.6"])).toEqual({ east: { docker: "tcp://10.0.0.5:2375" }, west: { docker: "ssh://me@10.0.0.6" } });
    expect(parseHostFlags(undefined)).toEqual({});
  });

  it.each([
    ["tcp://10.0.0.5:2375", /expected NAME=ENGINE/],
    ["East=tcp://10.0.0.5", /host name "East": expected a lower-case name/],
    ["local=tcp://10.0.0.5", /"local" is this machine's own engine/],
    ["east=http://10.0.0.5", /expected unix:\/\/\/path, tcp:\/\/host:port, ssh:\/\/user@host or a Docker context name/],
    ["east=", /expected NAME=ENGINE/],
  ])("refuses %s, quoting it", (text, why) => {
    expect(() => parseHostFlags([text])).toThrow(why);
    expect(() => parseHostFlags([text])).toThrow(`--host ${text}`);
  });

  it("refuses one host given twice", () => {
    expect(() => parseHostFlags(["east=tcp://10.0.0.5", "east=tcp://10.0.0.6"])).toThrow(/host "east" is given twice/);
  });
});
