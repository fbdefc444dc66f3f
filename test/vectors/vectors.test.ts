// Shared test vectors, TypeScript side. See test/vectors/README.md for the order of the steps.
//
// "committed vectors" (always): test/vectors/data/ is exactly what ts-proto encodes from
// cases.ts now, and decodes back to the case values.
//
// "cross-language decode" (only with VECTORS_CROSS=1, which scripts/test-vectors.sh sets after
// the Python and Go tests have run): the encodings that Python and Go wrote to
// test/vectors/out/<lang>/ decode to the case values. With VECTORS_CROSS=1 a missing file
// fails the test.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cases, type VectorCase } from "./cases.js";
import {
  binaryFromJson,
  canonicalJson,
  comparable,
  DATA_DIR,
  decode,
  encode,
  fns,
  OUT_DIR,
  sameMessage,
  vectorJsonText,
} from "./codec.js";

const CROSS = process.env.VECTORS_CROSS === "1";
const LANGUAGES = ["python", "go"] as const;

function readData(c: VectorCase, ext: "bin" | "json"): Buffer {
  const file = join(DATA_DIR, `${c.name}.${ext}`);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npx tsx test/vectors/generate.ts\` and commit test/vectors/data/`);
  }
  return readFileSync(file);
}

/** Whether ts-proto's own toJSON/fromJSON keep this message exactly. */
function tsProtoJsonRoundTrips(c: VectorCase, bytes: Uint8Array): { fromJSON: boolean; toJSON: boolean } {
  const f = fns(c.type);
  let fromJSON: boolean;
  try {
    expect(comparable(f.fromJSON(canonicalJson(c.type, bytes)))).toEqual(comparable(c.value));
    fromJSON = true;
  } catch {
    fromJSON = false;
  }
  let toJSON: boolean;
  try {
    toJSON = sameMessage(c.type, binaryFromJson(c.type, JSON.parse(JSON.stringify(f.toJSON(c.value)))), bytes);
  } catch {
    toJSON = false;
  }
  return { fromJSON, toJSON };
}

describe("committed vectors", () => {
  it("data/ holds exactly <name>.bin and <name>.json for every case", () => {
    const want = cases.flatMap((c) => [`${c.name}.bin`, `${c.name}.json`]).sort();
    expect(readdirSync(DATA_DIR).sort(), "run `npx tsx test/vectors/generate.ts` and commit test/vectors/data/").toEqual(
      want,
    );
  });

  it("case names are unique", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  describe.each(cases)("$name ($type)", (c) => {
    it("the committed .bin is what ts-proto encodes now", () => {
      const committed = readData(c, "bin");
      const now = Buffer.from(encode(c.type, c.value));
      expect(
        now.toString("hex"),
        "the encoding changed: if intended, run `npx tsx test/vectors/generate.ts` and commit test/vectors/data/",
      ).toBe(committed.toString("hex"));
    });

    it("the committed .json is the canonical proto3 JSON of that encoding", () => {
      const committed = readData(c, "json").toString("utf8");
      expect(committed, "run `npx tsx test/vectors/generate.ts` and commit test/vectors/data/").toBe(
        vectorJsonText(c.name, c.type, encode(c.type, c.value)),
      );
    });

    it("ts-proto decodes the committed .bin to the case value", () => {
      expect(decode(c.type, readData(c, "bin"))).toEqual(c.value);
    });

    it("a conformant JSON parser reads the committed .json back to the same message", () => {
      const doc = JSON.parse(readData(c, "json").toString("utf8"));
      expect(doc.type).toBe(c.type);
      expect(sameMessage(c.type, binaryFromJson(c.type, doc.json), readData(c, "bin"))).toBe(true);
    });

    if (c.tsProtoJsonLossy === undefined) {
      it("ts-proto's toJSON and fromJSON keep the message exactly", () => {
        expect(tsProtoJsonRoundTrips(c, encode(c.type, c.value))).toEqual({ fromJSON: true, toJSON: true });
      });
    } else {
      it(`ts-proto's JSON loses something (known: ${c.tsProtoJsonLossy})`, () => {
        const r = tsProtoJsonRoundTrips(c, encode(c.type, c.value));
        expect(
          r.fromJSON && r.toJSON,
          "ts-proto's JSON now round-trips this case: drop tsProtoJsonLossy from it in cases.ts",
        ).toBe(false);
      });
    }
  });
});

describe.skipIf(!CROSS)("cross-language decode (VECTORS_CROSS=1, after the Python and Go vector tests)", () => {
  describe.each(LANGUAGES)("%s", (lang) => {
    const dir = join(OUT_DIR, lang);
    const hint = `run the ${lang} vector test first (scripts/test-vectors.sh runs every step in order)`;

    it(`out/${lang}/ holds exactly one .bin per case`, () => {
      expect(existsSync(dir), `${dir} is missing: ${hint}`).toBe(true);
      expect(readdirSync(dir).sort(), hint).toEqual(cases.map((c) => `${c.name}.bin`).sort());
    });

    it.each(cases)("$name: decodes to the case value", (c) => {
      const file = join(dir, `${c.name}.bin`);
      expect(existsSync(file), `${file} is missing: ${hint}`).toBe(true);
      const bytes = readFileSync(file);
      // What the service's own code (ts-proto) sees...
      expect(comparable(decode(c.type, bytes))).toEqual(comparable(c.value));
      // ...and a conformant decoder that also compares unknown fields (ts-proto drops them).
      expect(sameMessage(c.type, bytes, readData(c, "bin")), "differs under a conformant decoder").toBe(true);
    });
  });
});
