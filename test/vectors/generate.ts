// Writes the shared test vectors: for each case in cases.ts,
//   test/vectors/data/<name>.bin   ts-proto's binary encoding
//   test/vectors/data/<name>.json  {name, type, json: canonical proto3 JSON of those bytes}
// and deletes data files of cases that no longer exist. Commit the result.
// Run: npx tsx test/vectors/generate.ts
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { cases } from "./cases.js";
import { DATA_DIR, encode, ROOT, vectorJsonText } from "./codec.js";

const NAME = /^[a-z0-9_]+$/;

function main(): void {
  mkdirSync(DATA_DIR, { recursive: true });
  const seen = new Set<string>();
  for (const c of cases) {
    if (!NAME.test(c.name)) throw new Error(`case name ${JSON.stringify(c.name)} must match ${NAME}`);
    if (seen.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
    seen.add(c.name);
    const bytes = encode(c.type, c.value);
    writeFileSync(join(DATA_DIR, `${c.name}.bin`), bytes);
    writeFileSync(join(DATA_DIR, `${c.name}.json`), vectorJsonText(c.name, c.type, bytes));
  }
  for (const file of readdirSync(DATA_DIR)) {
    const stem = file.replace(/\.(bin|json)$/, "");
    if (!seen.has(stem)) {
      rmSync(join(DATA_DIR, file));
      console.log(`removed stale ${file}`);
    }
  }
  console.log(`wrote ${cases.length} vectors to ${relative(ROOT, DATA_DIR)}/`);
}

main();
