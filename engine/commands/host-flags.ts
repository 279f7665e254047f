import { InputError } from "../../core/errors.ts";
import { HostName, HostSpec, LOCAL_HOST } from "../../core/hosts.ts";

/** `--host NAME=ENGINE`, shared by the commands that reach engines (run, clean). */
export const hostFlag = {
  kind: "text",
  value: "NAME=ENGINE",
  multiple: true,
  help: "a Docker engine on another machine (unix://..., tcp://host:port, ssh://user@host or a Docker context): declares host NAME, or replaces the scenario's declaration of it",
} as const;

/** The hosts given on the command line, validated like a scenario's `hosts` (a bad one names the flag and what was typed). */
export function parseHostFlags(values: readonly string[] | string | undefined): Record<string, { docker: string }> {
  const list = values === undefined ? [] : typeof values === "string" ? [values] : values;
  const hosts: Record<string, { docker: string }> = {};
  for (const text of list) {
    const at = text.indexOf("=");
    const name = text.slice(0, at);
    const docker = text.slice(at + 1);
    if (at <= 0 || docker === "") throw new InputError(`--host ${text}: expected NAME=ENGINE, e.g. --host east=tcp://10.0.0.5:2376`);
    const parsedName = HostName.safeParse(name);
    if (!parsedName.success) throw new InputError(`--host ${text}: host name "${name}": ${parsedName.error.issues[0]?.message ?? "invalid"}`);
    if (name === LOCAL_HOST) throw new InputError(`--host ${text}: "${LOCAL_HOST}" is this machine's own engine; give the host another name`);
    const spec = HostSpec.safeParse({ docker });
    if (!spec.success) throw new InputError(`--host ${text}: ${spec.error.issues[0]?.message ?? "invalid engine"}`);
    if (name in hosts) throw new InputError(`--host ${text}: host "${name}" is given twice`);
    hosts[name] = { docker };
  }
  return hosts;
}
