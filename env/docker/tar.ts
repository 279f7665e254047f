/**
 * The one-file tar archives the Docker API takes and gives for copying into and out of a container (PUT and GET
 * /containers/<id>/archive): POSIX ustar, 512-byte blocks. Enough for a script in and a summary out; not a general tar.
 */

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** A tar archive holding one regular file `name` (a path without "..", relative to where it is extracted). */
export function tarOneFile(name: string, content: Buffer, mode = 0o644): Buffer {
  if (Buffer.byteLength(name) > 100 || name.split("/").includes("..")) throw new Error(`tar: unsupported file name ${JSON.stringify(name)}`);
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, "utf8");
  header.write(octal(mode, 8), 100, "ascii");
  header.write(octal(0, 8), 108, "ascii"); // uid
  header.write(octal(0, 8), 116, "ascii"); // gid
  header.write(octal(content.length, 12), 124, "ascii");
  header.write(octal(Math.floor(Date.now() / 1000), 12), 136, "ascii");
  header.write("        ", 148, "ascii"); // checksum field counts as spaces while summing
  header.write("0", 156, "ascii"); // regular file
  header.write("ustar\0", 257, "ascii");
  header.write("00", 263, "ascii");
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + " ", 148, "ascii");
  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, content, padding, Buffer.alloc(BLOCK * 2)]);
}

/** The content of the first regular file in a tar archive whose name ends with `name`, else undefined. */
export function fileFromTar(archive: Buffer, name: string): Buffer | undefined {
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return undefined;
    const entry = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const prefix = header.subarray(345, 500).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(header.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const full = prefix ? `${prefix}/${entry}` : entry;
    const start = offset + BLOCK;
    if ((type === "0" || type === "\0") && (full === name || full.endsWith(`/${name}`))) return archive.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}
