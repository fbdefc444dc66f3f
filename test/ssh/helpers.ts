// Helpers of the ssh backend's vitest files (kept out of env.ts, which plain scripts import too).
import { expect } from "vitest";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { lifecycleProblems, opsOf, type OpStream, stateName } from "../conformance/api.js";

/** The last message of a write's stream, which must be SUCCEEDED after a proper lifecycle. */
export async function succeed(s: OpStream): Promise<Operation> {
  const msgs = await opsOf(s);
  const op = msgs.at(-1)!;
  expect(stateName(op.state), `${op.description}: ${op.message} ${JSON.stringify(op.outcome)}`).toBe("STATE_SUCCEEDED");
  expect(lifecycleProblems(msgs)).toEqual([]);
  return op;
}

/** Polls `probe` (every `everyMs`) until it gives a value; its last error is in the timeout's message. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 1000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
