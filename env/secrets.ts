import { randomBytes } from "node:crypto";

/**
 * Per-run secrets: generated fresh for every run, substituted into `${secret:NAME}` placeholders,
 * and scrubbed from anything printed or written (redact()).
 */
export class RunSecrets {
  readonly #values = new Map<string, string>();

  constructor(names: readonly string[]) {
    for (const name of names) this.#values.set(name, randomBytes(18).toString("base64url"));
  }

  get(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined) throw new Error(`unknown secret "${name}"`);
    return value;
  }

  /** Replaces every `${secret:NAME}` in `text` by the secret's value. */
  resolve(text: string): string {
    return text.replace(/\$\{secret:([a-z][a-z0-9-]*)\}/g, (_, name: string) => this.get(name));
  }

  resolveRecord(record: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, this.resolve(v)]));
  }

  /** `text` with every secret value replaced by `<secret:NAME>`. */
  redact(text: string): string {
    let out = text;
    for (const [name, value] of this.#values) out = out.split(value).join(`<secret:${name}>`);
    return out;
  }
}
