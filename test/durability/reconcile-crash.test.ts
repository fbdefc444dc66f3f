// Reconciliation survives crashes: the real service (journal on) starts with a crash service
// placed on every host of a 24-host cluster where no crash daemon runs yet, so its
// reconciler deploys 24 daemons in one ReconcileService operation. The service is SIGKILLed
// while that operation runs (after some daemons are deployed, before all are), several
// times, and restarted each time. At the end the cluster has converged and nothing was done
// twice: exactly one crash daemon on every host, every reconciliation ended SUCCEEDED, of
// origin RECONCILER, and a resumed operation kept its id.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Operation, Operation_Origin as Origin, Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { Api } from "../conformance/api.js";
import { makeClients } from "../support/harness.js";
import { freePort, killAll, killHard, startService, waitServing } from "./process.js";

const HOSTS = Array.from({ length: 24 }, (_, i) => `node-${String(i + 1).padStart(2, "0")}`);
const KILLS = 3;
const RECONCILE = "ceph_orchestrator.v1.ServiceService.ReconcileService";

const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fixture(): string {
  const lines = ["cluster:", "  fsid: 6a1c2d1e-7a6b-4c3d-9e8f-0a1b2c3d4e5f", "hosts:"];
  HOSTS.forEach((h, i) => lines.push(`  - { hostname: ${h}, addr: 10.2.0.${i + 1}, devices: [] }`));
  lines.push("services:", '  - { service_type: crash, placement: { host_pattern: "*" } }');
  lines.push("daemons:", `  - { daemon_type: mon, daemon_id: ${HOSTS[0]}, hostname: ${HOSTS[0]} }`);
  return `${lines.join("\n")}\n`;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe("reconciliation across crashes", () => {
  it("converges after SIGKILLs in the middle of a reconciliation, doing nothing twice", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-reconcile-crash-"));
    dirs.push(dir);
    const fixtureFile = path.join(dir, "cluster.yaml");
    writeFileSync(fixtureFile, fixture());
    const address = `127.0.0.1:${await freePort()}`;
    const args = [
      "--listen", address,
      "--data-dir", path.join(dir, "data"),
      "--log-level", "info",
      "--backend-opt", `fixture=${fixtureFile}`,
      // Slow enough that a kill lands mid-way: 24 deployments, 2 at a time.
      "--backend-opt", 'delays={"deployDaemon":250}',
      "--max-parallel-hosts", "2",
      "--reconcile-interval", "500ms",
      "--shutdown-grace", "500",
    ];
    const crashOnHosts = async (api: Api) => (await api.listDaemons({ serviceName: "crash" })).daemons.map((d) => d.hostname);
    const reconciliations = async (api: Api): Promise<Operation[]> =>
      (await api.listOperations({ method: RECONCILE, pageSize: 1000 })).operations;

    const killedIds = new Set<string>();
    for (let kill = 0; kill < KILLS; kill++) {
      const service = startService(args, path.join(dir, "service.log"));
      await waitServing(service);
      const clients = makeClients(address);
      const api = new Api(clients);
      try {
        // Wait until the reconciliation runs and has done more than last time, but not all.
        const before = (await crashOnHosts(api)).length;
        const deadline = Date.now() + 30_000;
        for (;;) {
          const running = (await reconciliations(api)).find((o) => o.state === S.STATE_RUNNING);
          const done = (await crashOnHosts(api)).length;
          if (running && done > before && done < HOSTS.length - 2) {
            killedIds.add(running.id);
            break;
          }
          if (Date.now() > deadline) throw new Error(`no reconciliation mid-way to kill (crash daemons: ${done})\n${service.output().slice(-3000)}`);
          await sleep(30);
        }
      } finally {
        for (const c of Object.values(clients)) (c as { close(): void }).close();
      }
      await killHard(service);
    }

    const service = startService(args, path.join(dir, "service.log"));
    await waitServing(service);
    const clients = makeClients(address);
    const api = new Api(clients);
    try {
      const deadline = Date.now() + 60_000;
      while ((await reconciliations(api)).some((o) => !o.done) || (await crashOnHosts(api)).length < HOSTS.length) {
        if (Date.now() > deadline) throw new Error(`did not converge: crash on ${(await crashOnHosts(api)).length} hosts`);
        await sleep(100);
      }
      // Exactly one crash daemon per host: none deployed twice.
      expect((await crashOnHosts(api)).sort()).toEqual(HOSTS);
      const ops = await reconciliations(api);
      expect(ops.length).toBeGreaterThan(0);
      for (const op of ops) expect([op.state, op.origin, op.message]).toEqual([S.STATE_SUCCEEDED, Origin.ORIGIN_RECONCILER, op.message]);
      // The operations killed mid-way were resumed under their ids, not started anew.
      for (const id of killedIds) expect(ops.map((o) => o.id)).toContain(id);
      // Each restart resumed the reconciliation it was killed in.
      const loads = readFileSync(path.join(dir, "service.log"), "utf8").split("\n").filter((l) => l.includes('"msg":"operations journal loaded"'));
      expect(loads.slice(1).map((l) => /"resumed":(\d+)/.exec(l)?.[1])).toEqual(Array(KILLS).fill("1"));
      // Converged: the passes that follow start nothing more.
      const count = ops.length;
      await sleep(1500);
      expect((await reconciliations(api)).length).toBe(count);
    } finally {
      for (const c of Object.values(clients)) (c as { close(): void }).close();
      await killHard(service);
    }
  });
});
