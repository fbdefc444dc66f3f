// Limits: writes per second per caller, the longest WatchOperation and WaitOperations, the
// largest message, and calls open at once on one connection. A limit that is hit answers
// RESOURCE_EXHAUSTED (with RetryInfo where waiting helps) and changes nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { Api, detach, duration, firstOp, opsOf, refusal, rejection, toRpcError } from "../conformance/api.js";
import { type Sim, startSim } from "../grpc/helpers.js";
import { WriteRateLimiter } from "../../src/security/rate-limit.js";
import { makeClients } from "../support/harness.js";
import { TOKENS, writeTokens } from "./helpers.js";

const retryMs = (e: { retry?: { retryDelay?: { seconds: string; nanos: number } } }) =>
  e.retry?.retryDelay ? Number(e.retry.retryDelay.seconds) * 1000 + e.retry.retryDelay.nanos / 1e6 : undefined;

describe("the write rate limiter", () => {
  it("lets a burst through, then one write per 1/rate seconds, per caller, and says when to retry", () => {
    let now = 0;
    const l = new WriteRateLimiter(2, 3, () => now);
    for (let i = 0; i < 3; i++) l.take("a", "m");
    expect(() => l.take("a", "m")).toThrow(/faster than 2 per second/);
    l.take("b", "m");
    try {
      l.take("a", "m");
    } catch (err) {
      expect((err as { retryAfterMs: number }).retryAfterMs).toBe(500);
    }
    now += 500;
    l.take("a", "m");
    expect(() => l.take("a", "m")).toThrow();
    expect(new WriteRateLimiter(0, 1).enabled).toBe(false);
  });
});

describe("limits over real gRPC", () => {
  let dir: string;
  let sim: Sim;
  let upgradeId = "";
  const as = (token: string) => new Api(makeClients(sim.address, { token }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orch-limits-"));
    writeTokens(join(dir, "tokens.yaml"), { alice: ["admin", TOKENS.admin], bob: ["operator", TOKENS.operator] });
    sim = await startSim({
      // An upgrade runs for about 11 s: long enough to watch, wait for and hold a stream.
      delays: { upgradeDaemon: 1000 },
      args: [
        "--tokens-file", join(dir, "tokens.yaml"),
        "--write-rate", "1", "--write-burst", "3",
        "--max-watch", "1", "--max-wait", "1",
        "--max-message-bytes", "65536",
        "--max-concurrent-streams", "2",
      ],
    });
  });
  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a caller's writes beyond the burst answer RESOURCE_EXHAUSTED with RetryInfo; other callers and reads go on", async () => {
    const alice = as(TOKENS.admin);
    for (let i = 0; i < 3; i++) await opsOf(alice.addHostLabel({ hostname: "node-1", label: `rate-${i}` }));
    const e = await refusal(alice.addHostLabel({ hostname: "node-1", label: "rate-3" }));
    expect(grpc.status[e.code]).toBe("RESOURCE_EXHAUSTED");
    expect(e.info).toMatchObject({ reason: "WRITE_RATE_LIMIT", metadata: { caller: "alice", ratePerSecond: "1", burst: "3" } });
    expect(retryMs(e)).toBeGreaterThan(0);
    expect(retryMs(e)).toBeLessThanOrEqual(1000);
    expect(e.messages).toEqual([]);
    expect((await alice.listHosts()).hosts.find((h) => h.hostname === "node-1")!.labels).not.toContain("rate-3");
    // Bob has his own bucket; reads are not counted.
    await opsOf(as(TOKENS.operator).daemonAction({ action: 4, daemonName: "mon.node-1" }));
    expect((await alice.getStatus()).available).toBe(true);
    // After the delay, alice may write again.
    await new Promise((r) => setTimeout(r, retryMs(e)! + 50));
    const ok = await opsOf(alice.addHostLabel({ hostname: "node-1", label: "rate-3" }));
    expect(ok.at(-1)!.state).toBe(Operation_State.STATE_SUCCEEDED);
  });

  it("ends a WatchOperation at --max-watch with RESOURCE_EXHAUSTED and RetryInfo; watching again goes on; WaitOperations likewise", async () => {
    await new Promise((r) => setTimeout(r, 1100)); // a fresh write token for bob
    const versions = (await as(TOKENS.admin).getAvailableUpgrades()).versions;
    await new Promise((r) => setTimeout(r, 1100));
    const upgrade = as(TOKENS.admin).startUpgrade({ targetVersion: versions.at(-1)! });
    const op = await firstOp(upgrade);
    detach(upgrade);
    const started = Date.now();
    const watch = as(TOKENS.admin).watchOperation(op.id);
    const seen: unknown[] = [];
    const err = await new Promise<grpc.ServiceError>((resolve, reject) => {
      watch.on("data", (m) => seen.push(m));
      watch.on("error", resolve);
      watch.on("end", () => reject(new Error("the watch ended OK before the limit")));
    });
    upgradeId = op.id;
    const e = toRpcError(err);
    expect(grpc.status[e.code]).toBe("RESOURCE_EXHAUSTED");
    expect(e.info?.reason).toBe("WATCH_LIMIT");
    expect(retryMs(e)).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);

    // Watching again goes on from the current state.
    const again = as(TOKENS.admin).watchOperation(op.id);
    expect((await firstOp(again)).id).toBe(op.id);
    detach(again);

    // A wait up to the limit answers as usual; a longer one hits the limit.
    const short = await as(TOKENS.admin).waitOperations({ ids: [op.id], timeout: duration(300) });
    expect(short.allDone).toBe(false);
    const long = await rejection(as(TOKENS.admin).waitOperations({ ids: [op.id], timeout: duration(10_000) }));
    expect(grpc.status[long.code]).toBe("RESOURCE_EXHAUSTED");
    expect(long.info?.reason).toBe("WAIT_LIMIT");
    expect(retryMs(long)).toBe(0);
  });

  it("refuses a message larger than --max-message-bytes with RESOURCE_EXHAUSTED", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const e = await refusal(as(TOKENS.admin).addHost({ host: { hostname: "node-4", labels: Array.from({ length: 2000 }, (_, i) => `label-${i}-${"x".repeat(30)}`) } }));
    expect(grpc.status[e.code]).toBe("RESOURCE_EXHAUSTED");
    expect((await as(TOKENS.admin).listHosts()).hosts.map((h) => h.hostname)).not.toContain("node-4");
  });

  it("serves at most --max-concurrent-streams calls at once on a connection; the next one waits for a free slot", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const api = as(TOKENS.admin);
    // Two streams open on this client's connection: two watches of the running upgrade.
    const watches = [api.watchOperation(upgradeId), api.watchOperation(upgradeId)];
    for (const w of watches) await firstOp(w);
    let answered = false;
    const status = api.getStatus().then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 400));
    expect(answered).toBe(false);
    detach(watches[0]!);
    await status;
    expect(answered).toBe(true);
    detach(watches[1]!);
    await api.cancelOperation(upgradeId);
  });
});
