import { spawn } from "node:child_process";

/**
 * A minimal stand-in for trackr's POST /api/readings on 127.0.0.1: answers 201 `{}` at once, in its own Node
 * process (so its CPU is not the bench's). The cheapest endpoint a load generator can hit on this machine.
 */
const serverCode = `
const http = require("node:http");
const s = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(201, { "X-Served-By": "bench", "Content-Type": "application/json", "Content-Length": 2 }); res.end("{}"); }); });
s.keepAliveTimeout = 65000;
s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;

export async function startStandIn(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = spawn(process.execPath, ["-e", serverCode], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    server.once("exit", (code) => reject(new Error(`stand-in server exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill();
      await exited;
    },
  };
}
