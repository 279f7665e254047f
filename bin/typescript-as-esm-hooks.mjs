// Node module hooks (registered after tsx's in bin/havoc.js, so they run first): a TypeScript file of the user's
// (outside node_modules) is loaded as an ES module even where its package.json has no "type": "module".
//
// Why: tsx follows the package type, so in a CommonJS repository (no "type" field, the npm default) it compiles a
// scenario to CommonJS; its `import { defineScenario } from "havoc"` then becomes require() of havoc's ES module
// TypeScript, which Node's CommonJS loader cannot parse ("Unexpected token '{'"), and top-level await is refused.
// TypeScript written with import/export is an ES module by its syntax, whatever package.json says.
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.format === "commonjs" && resolved.url.startsWith("file:") && !resolved.url.includes("/node_modules/")) {
    const path = new URL(resolved.url).pathname;
    if (/\.m?ts$/.test(path)) return { ...resolved, format: "module" };
  }
  return resolved;
}
