import { nearest } from "./did-you-mean.ts";

/**
 * Names a reference may point at: the parsed ones and those written in elements that did not parse (undefined: an
 * element whose name cannot be read, so no reference into that list can be called unknown).
 */
export class Names {
  readonly #all: string[];
  readonly #unreadable: boolean;
  constructor(
    readonly what: string,
    readonly plural: string,
    parsed: readonly string[],
    unparsed: readonly (string | undefined)[] = [],
  ) {
    this.#all = [...new Set([...parsed, ...unparsed.flatMap((n) => n ?? [])])];
    this.#unreadable = unparsed.includes(undefined);
  }
  has(name: string): boolean {
    return this.#unreadable || this.#all.includes(name);
  }
  /** `unknown node "app-9"; did you mean "app-2"? nodes: app-1, app-2`. */
  unknown(name: string): string {
    const meant = nearest(name, this.#all);
    return `unknown ${this.what} "${name}"${meant ? `; did you mean "${meant}"?` : ";"} ${this.plural}: ${this.#all.join(", ") || "none"}`;
  }
}
