import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/**
 * The JSDoc of every schema field and schema in the sources, for the scenario reference: the schemas' runtime
 * objects carry no comments, the source does. Read with the TypeScript parser (syntax only, no type checking):
 * each object literal holding zod fields is indexed by what names it at runtime, so the renderer can find the
 * comment of a field it walks.
 *
 * - an object literal with a discriminator (`kind: z.literal("kill")`, `script: ...`, `type: ...`) by folder and
 *   discriminator: `faults:kind=kill`;
 * - any other object literal by the name of the const it is assigned to, or the const whose `z.object(...)` call it
 *   is the argument of: `Selector`, `scheduled`, `sloBase`.
 * A literal's spread (`...scheduled`) lends the spread object's comments to it; its own comments win.
 */

export interface DocEntry {
  /** Comment of the schema as a whole (the const's JSDoc). */
  doc?: string;
  /** Field name -> its JSDoc. */
  fields: Record<string, string>;
}

export type JsDocIndex = Map<string, DocEntry>;

const discriminators = ["kind", "script", "type"];

/** Indexes the .ts files under `dirs` (relative to `root`), recursively, skipping tests and k6 scripts. */
export function buildJsDocIndex(root: string, dirs: readonly string[]): JsDocIndex {
  const index: JsDocIndex = new Map();
  const pending: { key: string; entry: DocEntry; spreads: string[] }[] = [];
  const named = new Map<string, { entry: DocEntry; spreads: string[] }>();
  for (const dir of dirs)
    for (const file of tsFiles(join(root, dir))) {
      const folder = relative(root, file).split("/").slice(0, -1).join("/");
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isObjectLiteralExpression(node)) {
          const found = readLiteral(node);
          if (found) {
            const disc = discriminatorOf(node);
            const constName = owningConst(node);
            const doc = constName?.doc ?? elementDoc(node, source);
            const entry: DocEntry = { fields: found.fields, ...(doc ? { doc } : {}) };
            if (disc) {
              pending.push({ key: `${relative(root, file)}:${disc}`, entry, spreads: found.spreads });
              pending.push({ key: `${folder}:${disc}`, entry, spreads: found.spreads });
            }
            if (constName) {
              pending.push({ key: constName.name, entry, spreads: found.spreads });
              named.set(constName.name, { entry, spreads: found.spreads });
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  // Spreads resolve against the named literals (one level deep is all the schemas use; two is allowed).
  const fieldsOf = (name: string, depth = 0): Record<string, string> => {
    const item = named.get(name);
    if (!item || depth > 3) return {};
    return Object.assign({}, ...item.spreads.map((s) => fieldsOf(s, depth + 1)), item.entry.fields);
  };
  for (const { key, entry, spreads } of pending) {
    const fields = Object.assign({}, ...spreads.map((s) => fieldsOf(s)), entry.fields);
    const existing = index.get(key);
    // The first literal of a name wins (a const's own object, not one nested deeper in it).
    if (!existing) index.set(key, { ...entry, fields });
  }
  return index;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "k6" || e.name === "node_modules" ? [] : tsFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The fields of an object literal with their comments, and the identifiers it spreads; undefined when it holds no zod field. */
function readLiteral(node: ts.ObjectLiteralExpression): { fields: Record<string, string>; spreads: string[] } | undefined {
  const fields: Record<string, string> = {};
  const spreads: string[] = [];
  let zodish = false;
  for (const prop of node.properties) {
    if (ts.isSpreadAssignment(prop) && ts.isIdentifier(prop.expression)) spreads.push(prop.expression.text);
    if (!ts.isPropertyAssignment(prop)) continue;
    const name = ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name) ? prop.name.text : undefined;
    if (name === undefined) continue;
    const text = prop.initializer.getText();
    if (/^z\.|^[A-Z]\w*(\.|$)|\bz\./.test(text) || /^[a-z]\w*\.(default|optional|pipe)\(/.test(text)) zodish = true;
    const doc = jsDocText(prop);
    if (doc) fields[name] = doc;
  }
  return zodish || spreads.length > 0 ? { fields, spreads } : undefined;
}

/** `kind=kill` when the literal has `kind: z.literal("kill")` (or script/type). */
function discriminatorOf(node: ts.ObjectLiteralExpression): string | undefined {
  for (const prop of node.properties) {
    if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name) || !discriminators.includes(prop.name.text)) continue;
    const m = /^z\.literal\("([^"]+)"\)/.exec(prop.initializer.getText());
    if (m) return `${prop.name.text}=${m[1]}`;
  }
  return undefined;
}

/** The const the literal is the value of, or the first argument of a `z.object(...)` chain assigned to a const. */
function owningConst(node: ts.ObjectLiteralExpression): { name: string; doc?: string } | undefined {
  let at: ts.Node = node;
  // Up through `z.object(<literal>)` and the method chain on it (.strict().refine(...)), never into another literal.
  while (at.parent && (ts.isCallExpression(at.parent) || ts.isPropertyAccessExpression(at.parent) || ts.isParenthesizedExpression(at.parent) || ts.isAsExpression(at.parent))) {
    if (ts.isCallExpression(at.parent) && at.parent.arguments.includes(at as ts.Expression) && !/^z\.object$/.test(at.parent.expression.getText().replace(/\s+/g, ""))) return undefined;
    at = at.parent;
  }
  if (!at.parent || !ts.isVariableDeclaration(at.parent) || !ts.isIdentifier(at.parent.name)) return undefined;
  const statement = at.parent.parent?.parent;
  const doc = statement ? jsDocText(statement) : undefined;
  return { name: at.parent.name.text, ...(doc ? { doc } : {}) };
}

/** For `[ /** doc *\/ z.object({...}).strict(), ... ]`: the comment before the array element the literal is in. */
function elementDoc(node: ts.ObjectLiteralExpression, source: ts.SourceFile): string | undefined {
  let at: ts.Node = node;
  while (at.parent && !ts.isArrayLiteralExpression(at.parent)) {
    if (!(ts.isCallExpression(at.parent) || ts.isPropertyAccessExpression(at.parent))) return undefined;
    at = at.parent;
  }
  if (!at.parent) return undefined;
  const ranges = ts.getLeadingCommentRanges(source.text, at.getFullStart()) ?? [];
  const last = ranges.at(-1);
  if (!last) return undefined;
  const text = source.text.slice(last.pos, last.end);
  if (!text.startsWith("/**")) return undefined;
  return text.replace(/^\/\*\*|\*\/$/g, "").replace(/^\s*\* ?/gm, "").replace(/\s*\n\s*/g, " ").trim() || undefined;
}

/** The JSDoc comment right before a node, as one paragraph (tags left out). */
function jsDocText(node: ts.Node): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  const last = docs?.at(-1);
  if (!last) return undefined;
  const comment = typeof last.comment === "string" ? last.comment : ts.getTextOfJSDocComment(last.comment);
  return comment?.replace(/\s*\n\s*/g, " ").trim() || undefined;
}
