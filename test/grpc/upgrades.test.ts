// UpgradeService over real gRPC against the sim: available versions, the rolling order
// (mon, mgr, osd, mds, ..., crash), "x of y" progress, pause, resume, stop, and failures.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ServiceType as T } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { UpgradeStatus } from "../../gen/ts/ceph_orchestrator/v1/upgrade.js";
import { type Api, detach, eventually, lifecycleProblems, opError, opsOf, refusal } from "../conformance/api.js";
import { readUntil, rest, simPerTest, sleep } from "./helpers.js";

const { start, stop } = simPerTest();

const ORDER = ["mon", "mgr", "osd", "mds", "rgw", "nfs", "iscsi", "rbd-mirror", "crash"];
const ALL = [
  "mon.node-1",
  "mon.node-2",
  "mon.node-3",
  "mgr.node-1.xkqvzc",
  "mgr.node-2.lhmqbe",
  "osd.0",
  "osd.1",
  "osd.2",
  "crash.node-1",
  "crash.node-2",
  "crash.node-3",
];

function upgradeResult(op: Operation): UpgradeStatus {
  if (op.outcome?.$case !== "result" || op.outcome.value.result?.$case !== "upgrade") throw new Error(`no upgrade result: ${op.message}`);
  return op.outcome.value.result.value;
}
async function versions(api: Api): Promise<Record<string, string>> {
  return Object.fromEntries((await api.listDaemons()).daemons.map((d) => [d.daemonName, d.version]));
}
async function status(api: Api): Promise<UpgradeStatus> {
  return (await api.getUpgradeStatus()).status!;
}

describe("available upgrades and status", () => {
  it("lists the newer versions, oldest first, and an idle status", async () => {
    const api = await start();
    expect(await api.getAvailableUpgrades()).toEqual({ currentVersion: "16.2.15", versions: ["17.2.7", "18.2.4"] });
    expect(await status(api)).toMatchObject({ inProgress: false, targetVersion: "", currentVersion: "16.2.15", paused: false, operationId: "", daemonsTotal: 0 });
  });

  it("follows the configured registry", async () => {
    const api = await start({ args: ["--backend-opt", 'availableVersions=["16.2.15","16.2.16","17.2.7"]', "--backend-opt", "version=16.2.15"] });
    expect((await api.getAvailableUpgrades()).versions).toEqual(["16.2.16", "17.2.7"]);
  });
});

describe("StartUpgrade", () => {
  it("rolls every daemon to the target in order mon, mgr, osd, mds, crash, one at a time", async () => {
    const api = await start({ delays: { upgradeDaemon: 5 } });
    await opsOf(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "fs", placement: { hosts: [{ hostname: "node-3" }] } } }));
    const mds = (await api.listDaemons({ serviceName: "mds.fs" })).daemons[0]!.daemonName;

    const msgs = await opsOf(api.startUpgrade({ targetVersion: "18.2.4" }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(op.method).toBe("ceph_orchestrator.v1.UpgradeService.StartUpgrade");
    // Tasks appear in the order they ran.
    const targets = op.tasks.map((t) => t.target);
    expect(targets).toEqual([...ALL.slice(0, 8), mds, ...ALL.slice(8)]);
    const ranks = targets.map((t) => ORDER.indexOf(t.split(".")[0]!));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(op.tasks.every((t) => t.state === S.STATE_SUCCEEDED)).toBe(true);
    expect(op.tasks.find((t) => t.target === "osd.1")?.hostname).toBe("node-2");
    // Never two daemons at once: each task started after the previous one ended.
    const spans = targets.map((t) => {
      const start = msgs.find((m) => m.tasks.some((x) => x.target === t && x.state === S.STATE_RUNNING));
      const end = msgs.find((m) => m.tasks.some((x) => x.target === t && x.state === S.STATE_SUCCEEDED));
      return [msgs.indexOf(start!), msgs.indexOf(end!)] as const;
    });
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0], `${targets[i]} started after ${targets[i - 1]} ended`).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(msgs.some((m) => m.message === "upgrading mon.node-1 on node-1")).toBe(true);

    expect(upgradeResult(op)).toMatchObject({
      inProgress: false,
      targetVersion: "18.2.4",
      daemonsUpgraded: 12,
      daemonsTotal: 12,
      progress: "12 of 12 daemons upgraded",
      servicesComplete: ["mon", "mgr", "osd", "mds", "crash"],
    });
    expect(new Set(Object.values(await versions(api)))).toEqual(new Set(["18.2.4"]));
    expect(await api.getAvailableUpgrades()).toEqual({ currentVersion: "18.2.4", versions: [] });
    expect((await api.getStatus()).details.version).toBe("18.2.4");
    expect(await status(api)).toMatchObject({ inProgress: false, currentVersion: "18.2.4" });
  });

  it("reports progress as 'x of y daemons upgraded' while it runs, and services as they complete", async () => {
    const api = await start({ delays: { upgradeDaemon: 60 } });
    const s = api.startUpgrade({ targetVersion: "17.2.7" });
    const first = (await readUntil(s, () => true))[0]!;
    const mid = await eventually(async () => {
      const st = await status(api);
      return st.inProgress && st.daemonsUpgraded >= 4 ? st : undefined;
    }, 20_000, "4 daemons upgraded");
    expect(mid).toMatchObject({ targetVersion: "17.2.7", currentVersion: "16.2.15", daemonsTotal: 11, operationId: first.id, paused: false });
    expect(mid.progress).toBe(`${mid.daemonsUpgraded} of 11 daemons upgraded`);
    expect(mid.servicesComplete[0]).toBe("mon");
    expect(ORDER.filter((t) => mid.servicesComplete.includes(t))).toEqual(mid.servicesComplete);
    const final = (await rest(s)).at(-1)!;
    expect(final.state).toBe(S.STATE_SUCCEEDED);
  });

  it("while one runs: the same target returns its operation, another target is FAILED_PRECONDITION", async () => {
    const api = await start({ delays: { upgradeDaemon: 50 } });
    const s = api.startUpgrade({ targetVersion: "18.2.4" });
    const id = (await readUntil(s, (op) => op.state === S.STATE_RUNNING))[0]!.id;
    const again = api.startUpgrade({ targetVersion: "18.2.4" });
    const same = await readUntil(again, () => true);
    detach(again);
    expect(same[0]!.id).toBe(id);
    const other = await refusal(api.startUpgrade({ targetVersion: "17.2.7" }));
    expect(grpc.status[other.code]).toBe("FAILED_PRECONDITION");
    expect(other.message).toContain(id);
    expect((await rest(s)).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
  });

  it("an unreachable host fails the upgrade at its first daemon; those before stay upgraded", async () => {
    const api = await start({ failures: { unreachableHosts: ["node-3"] } });
    const op = (await opsOf(api.startUpgrade({ targetVersion: "18.2.4" }))).at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(opError(op)?.info).toMatchObject({ reason: "BACKEND_FAILED", metadata: { hostname: "node-3" } });
    expect(op.tasks.map((t) => [t.target, t.state])).toEqual([
      ["mon.node-1", S.STATE_SUCCEEDED],
      ["mon.node-2", S.STATE_SUCCEEDED],
      ["mon.node-3", S.STATE_FAILED],
    ]);
    const v = await versions(api);
    expect([v["mon.node-1"], v["mon.node-2"], v["mon.node-3"], v["osd.0"]]).toEqual(["18.2.4", "18.2.4", "16.2.15", "16.2.15"]);
    expect((await status(api)).inProgress).toBe(false);
  });
});

describe("Pause, Resume, Stop", () => {
  it("pause holds the upgrade after the daemon it is on; resume carries it to the end", async () => {
    const api = await start({ delays: { upgradeDaemon: 40 } });
    const s = api.startUpgrade({ targetVersion: "18.2.4" });
    await readUntil(s, (op) => op.tasks.some((t) => t.state === S.STATE_SUCCEEDED));

    const paused = (await opsOf(api.pauseUpgrade())).at(-1)!;
    expect(paused.state).toBe(S.STATE_SUCCEEDED);
    expect(paused.method).toBe("ceph_orchestrator.v1.UpgradeService.PauseUpgrade");
    expect(upgradeResult(paused)).toMatchObject({ inProgress: true, paused: true });
    const holding = (await readUntil(s, (op) => op.message.startsWith("paused after"))).at(-1)!;
    const n = (await status(api)).daemonsUpgraded;
    expect(holding.message).toBe(`paused after ${n} of 11 daemons`);
    expect(n).toBeLessThan(11);
    // Well over the time of several daemons: still nothing more upgraded.
    await sleep(300);
    expect(await status(api)).toMatchObject({ inProgress: true, paused: true, daemonsUpgraded: n });
    expect(grpc.status[(await refusal(api.pauseUpgrade())).code]).toBe("FAILED_PRECONDITION");

    const resumed = (await opsOf(api.resumeUpgrade())).at(-1)!;
    expect(upgradeResult(resumed)).toMatchObject({ inProgress: true, paused: false });
    expect(grpc.status[(await refusal(api.resumeUpgrade())).code]).toBe("FAILED_PRECONDITION");
    const final = (await rest(s)).at(-1)!;
    expect(final.state).toBe(S.STATE_SUCCEEDED);
    expect(new Set(Object.values(await versions(api)))).toEqual(new Set(["18.2.4"]));
  });

  it("a paused upgrade stays paused across a restart of the service; resume then carries it to the end", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-upgrade-restart-"));
    const journaled = { delays: { upgradeDaemon: 40 }, args: ["--journal=true", "--data-dir", dir, "--shutdown-grace", "100"] };
    try {
      let api = await start(journaled);
      const s = api.startUpgrade({ targetVersion: "18.2.4" });
      const id = (await readUntil(s, (op) => op.tasks.some((t) => t.state === S.STATE_SUCCEEDED))).at(-1)!.id;
      expect((await opsOf(api.pauseUpgrade())).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
      await readUntil(s, (op) => op.message.startsWith("paused after"));
      const n = (await status(api)).daemonsUpgraded;
      detach(s);
      await stop();

      api = await start(journaled);
      const after = await eventually(async () => {
        const st = await status(api);
        return st.inProgress ? st : undefined;
      });
      expect(after).toMatchObject({ inProgress: true, paused: true, daemonsUpgraded: n, operationId: id, message: "paused" });
      await sleep(300); // several daemons' time: still nothing more upgraded
      expect(await status(api)).toMatchObject({ paused: true, daemonsUpgraded: n });
      expect((await opsOf(api.resumeUpgrade())).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
      const [final] = (await api.waitOperations({ ids: [id], timeout: { seconds: "30", nanos: 0 } })).operations;
      expect(final!.state).toBe(S.STATE_SUCCEEDED);
      expect(new Set(Object.values(await versions(api)))).toEqual(new Set(["18.2.4"]));
    } finally {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stop ends the upgrade CANCELLED; upgraded daemons stay upgraded; a new start does only the rest", async () => {
    const api = await start({ delays: { upgradeDaemon: 40 } });
    const s = api.startUpgrade({ targetVersion: "17.2.7" });
    await readUntil(s, (op) => op.tasks.filter((t) => t.state === S.STATE_SUCCEEDED).length >= 2);
    const stopped = (await opsOf(api.stopUpgrade())).at(-1)!;
    expect(stopped.state).toBe(S.STATE_SUCCEEDED);
    expect(upgradeResult(stopped)).toMatchObject({ inProgress: false });
    const final = (await rest(s)).at(-1)!;
    expect(final.state).toBe(S.STATE_CANCELLED);
    expect(final.tasks.filter((t) => t.state === S.STATE_RUNNING)).toEqual([]);
    const v = await versions(api);
    const done = Object.values(v).filter((x) => x === "17.2.7").length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(11);
    expect(final.tasks.filter((t) => t.state === S.STATE_SUCCEEDED)).toHaveLength(done);
    expect(ALL.slice(0, done).map((d) => v[d])).toEqual(ALL.slice(0, done).map(() => "17.2.7"));
    expect(await status(api)).toMatchObject({ inProgress: false, currentVersion: "16.2.15" });
    expect(grpc.status[(await refusal(api.stopUpgrade())).code]).toBe("FAILED_PRECONDITION");

    const again = (await opsOf(api.startUpgrade({ targetVersion: "17.2.7" }))).at(-1)!;
    expect(again.state).toBe(S.STATE_SUCCEEDED);
    expect(again.tasks.map((t) => t.target)).toEqual(ALL.slice(done));
    expect(upgradeResult(again)).toMatchObject({ daemonsUpgraded: 11, daemonsTotal: 11 });
  });

  it("a stopped upgrade's operation says how far it got", async () => {
    const api = await start({ delays: { upgradeDaemon: 40 } });
    const s = api.startUpgrade({ targetVersion: "17.2.7" });
    await readUntil(s, (op) => op.tasks.filter((t) => t.state === S.STATE_SUCCEEDED).length >= 2);
    await opsOf(api.stopUpgrade());
    const final = (await rest(s)).at(-1)!;
    const done = Object.values(await versions(api)).filter((x) => x === "17.2.7").length;
    expect(final.message).toBe(`upgrade stopped after ${done} of 11 daemons`);
  });

  it("stop while paused cancels it too", async () => {
    const api = await start({ delays: { upgradeDaemon: 40 } });
    const s = api.startUpgrade({ targetVersion: "18.2.4" });
    await readUntil(s, (op) => op.state === S.STATE_RUNNING);
    await opsOf(api.pauseUpgrade());
    await readUntil(s, (op) => op.message.startsWith("paused after"));
    expect((await opsOf(api.stopUpgrade())).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    expect((await rest(s)).at(-1)!.state).toBe(S.STATE_CANCELLED);
    expect((await status(api)).inProgress).toBe(false);
  });
});
