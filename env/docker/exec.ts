import type Dockerode from "dockerode";
import { demultiplex } from "./demux.ts";

export interface ExecResult {
  exitCode: number;
  output: string;
}

/** Runs a command in a running container and collects its output; rejects after `timeoutMs`. */
export async function execInContainer(container: Dockerode.Container, command: string[], timeoutMs: number): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const output = new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`exec "${command.join(" ")}" timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([output, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, output: demultiplex(Buffer.concat(chunks)) };
}
