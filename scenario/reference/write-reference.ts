import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { referenceText } from "./reference-text.ts";

/** `npm run docs:reference`: writes docs/scenario-reference.md from the schemas and their JSDoc. */
const root = join(import.meta.dirname, "../..");
const file = join(root, "docs/scenario-reference.md");
writeFileSync(file, referenceText(root));
process.stdout.write(`wrote ${file}\n`);
