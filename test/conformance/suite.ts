// The backend conformance suite, as csi-sanity is for CSI drivers: written once against the
// gRPC API and run against every backend (test/conformance/<backend>.test.ts). It drives
// only the gRPC API, and checks the behaviour every backend must have. What a backend cannot
// do (GetCapabilities says so) is skipped, except the check that such an RPC answers
// UNIMPLEMENTED; what depends on the cluster (which hosts, which spare machine, which disk)
// comes from the backend's ConformanceFacts.
//
// Every test leaves the cluster as it found it (labels removed again, the spare host removed,
// the OSD removed, the service removed, the daemon started again), so the tests share one
// backend and may run in any order, also against a real cluster.
import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { type Operation, Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { RpcCapability } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { OsdRemoval_State } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import {
  DaemonDescription_Status as DS,
  type Placement,
  ServiceAction,
  ServiceType,
  type StatelessServiceSpec,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type RpcName, rpcByName } from "../../src/domain/registry.js";
import type { Clients } from "../support/harness.js";
import {
  Api,
  type DeepPartial,
  type OpStream,
  type RpcError,
  allPages,
  allRpcs,
  clusterSnapshot,
  duration,
  emptyRequest,
  lifecycleProblems,
  opsOf,
  rawCall,
  refusal,
  requestFromPartial,
  requestsNamingNothing,
  rejection,
  stateName,
} from "./api.js";

/** Every stateless service type of the contract. */
const STATELESS = [
  ServiceType.SERVICE_TYPE_MDS,
  ServiceType.SERVICE_TYPE_RGW,
  ServiceType.SERVICE_TYPE_NFS,
  ServiceType.SERVICE_TYPE_ISCSI,
  ServiceType.SERVICE_TYPE_RBD_MIRROR,
  ServiceType.SERVICE_TYPE_CRASH,
  ServiceType.SERVICE_TYPE_NODE_EXPORTER,
  ServiceType.SERVICE_TYPE_PROMETHEUS,
  ServiceType.SERVICE_TYPE_GRAFANA,
  ServiceType.SERVICE_TYPE_ALERTMANAGER,
];

/** What the suite needs to know about the cluster behind a backend. */
export interface ConformanceFacts {
  /**
   * Hosts of the cluster, online, on which the suite may add and remove labels and place a
   * test service's daemons. At least one; with two or more the service update moves from
   * one daemon to two.
   */
  hosts: string[];
  /**
   * The RPCs the backend supports ("all", or their names): pinned, so that one lost to a
   * typo of a primitive fails the suite instead of turning its tests into skipped ones.
   */
  supportedRpcs: "all" | readonly RpcName[];
  /**
   * A machine outside the cluster that AddHost can add (and RemoveHost remove again), with
   * its address when the hostname does not resolve. Omit to skip the add/remove round trip.
   */
  spareHost?: { hostname: string; addr?: string };
  /**
   * Where the suite may create one OSD (and remove it again): a host of the cluster and an
   * available device on it. Without `path`, the host's first available device in the
   * inventory. Omit to skip the OSD round trip.
   */
  osdDevice?: { hostname: string; path?: string };
  /** Remove the test OSD with `force` (do not wait until it is safe to destroy). */
  forceOsdRemoval?: boolean;
  /**
   * A daemon the suite may stop and start again. Default: the first crash daemon, else the
   * test is skipped.
   */
  toggleDaemon?: string;
  /**
   * The stateless service the suite adds, updates and removes. Default: MDS
   * "conformance-<random>" with one daemon on hosts[0], updated to hosts[0..1].
   */
  statelessService?: { add: DeepPartial<StatelessServiceSpec>; update: DeepPartial<StatelessServiceSpec> };
}

export interface ConformanceTarget {
  /** Clients connected to the service under test. */
  clients: Clients;
  /** Stops the service (and releases the backend). */
  stop(): Promise<void>;
  facts: ConformanceFacts;
}

export interface ConformanceOptions {
  /** The time one test may take (writes on a real cluster take a while). Default 60 s. */
  timeoutMs?: number;
}

const PKG = "ceph_orchestrator.v1";
const ERROR_DOMAIN = "orchestrator.ceph.io";

/** Expects an error with this code and ErrorInfo reason (in our domain), and the status trailer to agree. */
function expectError(e: RpcError, code: grpc.status, reason: string): void {
  expect({ code: grpc.status[e.code], reason: e.info?.reason, domain: e.info?.domain }).toEqual({
    code: grpc.status[code],
    reason,
    domain: ERROR_DOMAIN,
  });
  expect(e.statusCode).toBe(code);
  expect(e.message).not.toBe("");
}

/** Runs a write to its end and expects it SUCCEEDED; returns every message. */
async function succeed(s: OpStream): Promise<{ msgs: Operation[]; op: Operation }> {
  const msgs = await opsOf(s);
  const op = msgs.at(-1);
  expect(op, "the stream sent no operation").toBeDefined();
  expect(stateName(op!.state), `operation ended: ${op!.message}`).toBe("STATE_SUCCEEDED");
  return { msgs, op: op! };
}

export function defineConformanceSuite(name: string, start: () => Promise<ConformanceTarget>, options: ConformanceOptions = {}): void {
  const timeout = options.timeoutMs ?? 60_000;

  describe(`backend conformance: ${name}`, () => {
    let target: ConformanceTarget | undefined;
    let api: Api;
    let facts: ConformanceFacts;
    let caps: Map<string, RpcCapability>;
    const supported = (rpc: string) => caps.get(`${PKG}.${rpc}`)?.supported === true;
    /** Skips the test unless the backend supports every RPC named ("HostService.AddHost"). */
    const needs = (ctx: TestContext, ...rpcs: string[]) => {
      const missing = rpcs.filter((r) => !supported(r));
      if (missing.length > 0) ctx.skip(`the backend does not support ${missing.join(", ")}`);
    };
    const snapshot = () => clusterSnapshot(api, supported);

    beforeAll(async () => {
      target = await start();
      api = new Api(target.clients);
      facts = target.facts;
      expect(facts.hosts.length, "facts.hosts names at least one host").toBeGreaterThan(0);
      const c = await api.getCapabilities();
      caps = new Map(c.rpcs.map((r) => [r.method, r]));
    }, timeout);

    afterAll(async () => {
      await target?.stop();
    }, timeout);

    // -------------------------------------------------------------------------------------
    describe("orchestrator", () => {
      it("GetStatus reports the backend available, under the name GetCapabilities gives", async () => {
        const s = await api.getStatus();
        expect(s.available, `unavailable: ${s.reason}`).toBe(true);
        expect(s.reason).toBe("");
        expect(s.backend).not.toBe("");
        const c = await api.getCapabilities();
        expect(c.backend).toBe(s.backend);
        expect(c.version).not.toBe("");
      });

      it("GetCapabilities lists every RPC of the API exactly once", async () => {
        const c = await api.getCapabilities();
        const listed = c.rpcs.map((r) => r.method);
        expect(new Set(listed).size, "no RPC is listed twice").toBe(listed.length);
        expect([...listed].sort()).toEqual(allRpcs().map((r) => r.fullName).sort());
        // The reads every orchestrator has.
        for (const rpc of ["OrchestratorService.GetStatus", "OrchestratorService.GetCapabilities", "HostService.ListHosts"]) {
          expect(supported(rpc), rpc).toBe(true);
        }
        for (const op of ["GetOperation", "ListOperations", "WatchOperation", "WaitOperations", "CancelOperation"]) {
          expect(supported(`OperationService.${op}`), op).toBe(true);
        }
        // Every option a backend declares unsupported is one the registry checks for that RPC.
        for (const r of c.rpcs) {
          for (const o of r.unsupportedOptions) expect(rpcByName(r.method)?.entry.options, `${r.method} option ${o}`).toContain(o);
        }
      });

      it("GetCapabilities reports supported exactly the RPCs the backend's facts pin", async () => {
        const c = await api.getCapabilities();
        const pinned = facts.supportedRpcs === "all" ? allRpcs().map((r) => r.name) : facts.supportedRpcs;
        const reported = c.rpcs.filter((r) => r.supported).map((r) => r.method.replace(`${PKG}.`, ""));
        expect([...reported].sort()).toEqual([...pinned].sort());
      });

      it("an RPC reported unsupported answers UNIMPLEMENTED (BACKEND_UNSUPPORTED); a supported one never does", { timeout }, async () => {
        const status = await api.getStatus();
        const upgrading = supported("UpgradeService.GetUpgradeStatus") && (await api.getUpgradeStatus()).status?.inProgress === true;
        // For unsupported RPCs: requests that pass validation (so only the capability check
        // can refuse them) and that would change nothing if the RPC did exist after all.
        const valid = requestsNamingNothing(facts.hosts[0]!);
        const checked: string[] = [];
        const skipped: string[] = [];
        for (const rpc of allRpcs()) {
          const key = rpc.name;
          const client = target!.clients[rpc.client] as unknown as grpc.Client;
          if (!supported(key)) {
            const out = await rawCall(client, rpc, requestFromPartial(rpc, valid[key]));
            expect(out.ok, `${key} is unsupported but answered OK`).toBe(false);
            if (!out.ok) {
              expectError(out.error, grpc.status.UNIMPLEMENTED, "BACKEND_UNSUPPORTED");
              expect(out.error.info?.metadata).toMatchObject({ backend: status.backend, method: rpc.fullName });
              expect(out.messages, `${key} streamed before refusing`).toEqual([]);
            }
            checked.push(`${key}: unsupported`);
            continue;
          }
          // Supported: an empty request is refused for its content, or answered; never
          // UNIMPLEMENTED. Upgrade controls are left alone while an upgrade runs.
          if (upgrading && /^UpgradeService\.(Pause|Resume|Stop)Upgrade$/.test(key)) {
            skipped.push(key);
            continue;
          }
          const out = await rawCall(client, rpc, emptyRequest(rpc));
          if (!out.ok) expect(grpc.status[out.error.code], `${key}: ${out.error.message}`).not.toBe("UNIMPLEMENTED");
          checked.push(`${key}: supported`);
        }
        // Each RPC was called once, as the capabilities say it is.
        const expected = allRpcs()
          .filter((r) => !skipped.includes(r.name))
          .map((r) => `${r.name}: ${supported(r.name) ? "supported" : "unsupported"}`);
        expect(checked).toEqual(expected);
      });
    });

    // -------------------------------------------------------------------------------------
    describe("hosts", () => {
      it("ListHosts lists the cluster's hosts, sorted, each once, online, and pages concatenate to the full list", async () => {
        const full = await api.listHosts();
        const names = full.hosts.map((h) => h.hostname);
        expect(full.totalSize).toBe(names.length);
        expect(full.nextPageToken).toBe("");
        expect(new Set(names).size).toBe(names.length);
        expect(names).toEqual([...names].sort());
        for (const h of facts.hosts) {
          const host = full.hosts.find((x) => x.hostname === h);
          expect(host, `host ${h} is listed`).toBeDefined();
          expect(host!.status).toBe(Host_Status.STATUS_ONLINE);
        }
        for (const h of full.hosts) expect(h.status, `${h.hostname} has a status`).not.toBe(Host_Status.STATUS_UNSPECIFIED);

        const paged = await allPages(async (t) => {
          const r = await api.listHosts({ pageSize: 1, pageToken: t });
          expect(r.hosts.length).toBeLessThanOrEqual(1);
          return { items: r.hosts, nextPageToken: r.nextPageToken, totalSize: r.totalSize };
        });
        expect(paged.items.map((h) => h.hostname)).toEqual(names);
        expect(new Set(paged.totalSizes)).toEqual(new Set([names.length]));
      });

      it("a label round trip: AddHostLabel, filter by it, add again (no change), RemoveHostLabel, remove again", { timeout }, async (ctx) => {
        needs(ctx, "HostService.AddHostLabel", "HostService.RemoveHostLabel");
        const host = facts.hosts[0]!;
        const label = `conformance-${randomUUID().slice(0, 8)}`;
        try {
          const { op, msgs } = await succeed(api.addHostLabel({ hostname: host, label }));
          expect(lifecycleProblems(msgs)).toEqual([]);
          expect(op.method).toBe(`${PKG}.HostService.AddHostLabel`);
          expect(op.hosts).toEqual([host]);
          expect(op.outcome?.$case).toBe("result");
          if (op.outcome?.$case === "result" && op.outcome.value.result?.$case === "host") {
            expect(op.outcome.value.result.value.hostname).toBe(host);
            expect(op.outcome.value.result.value.labels).toContain(label);
          } else expect.fail(`AddHostLabel result is ${JSON.stringify(op.outcome)}`);

          const withLabel = await api.listHosts({ label });
          expect(withLabel.hosts.map((h) => h.hostname)).toEqual([host]);
          expect(withLabel.totalSize).toBe(1);

          await succeed(api.addHostLabel({ hostname: host, label }));
          const again = (await api.listHosts()).hosts.find((h) => h.hostname === host)!;
          expect(again.labels.filter((l) => l === label)).toEqual([label]);

          const removed = await succeed(api.removeHostLabel({ hostname: host, label }));
          if (removed.op.outcome?.$case === "result" && removed.op.outcome.value.result?.$case === "host") {
            expect(removed.op.outcome.value.result.value.labels).not.toContain(label);
          } else expect.fail(`RemoveHostLabel result is ${JSON.stringify(removed.op.outcome)}`);
          expect((await api.listHosts({ label })).hosts).toEqual([]);
          await succeed(api.removeHostLabel({ hostname: host, label }));
        } finally {
          await opsOf(api.removeHostLabel({ hostname: host, label })).catch(() => undefined);
        }
      });

      it("AddHost brings the spare host in (listed, in the inventory), again changes nothing, RemoveHost takes it out", { timeout }, async (ctx) => {
        needs(ctx, "HostService.AddHost", "HostService.RemoveHost");
        if (!facts.spareHost) ctx.skip("no spare host in the facts");
        const spare = facts.spareHost!;
        expect((await api.listHosts()).hosts.map((h) => h.hostname)).not.toContain(spare.hostname);
        try {
          const { op, msgs } = await succeed(api.addHost({ host: { hostname: spare.hostname, addr: spare.addr ?? "" } }));
          expect(lifecycleProblems(msgs)).toEqual([]);
          expect(op.hosts).toEqual([spare.hostname]);
          if (op.outcome?.$case === "result" && op.outcome.value.result?.$case === "host") {
            expect(op.outcome.value.result.value.hostname).toBe(spare.hostname);
            if (spare.addr) expect(op.outcome.value.result.value.addr).toBe(spare.addr);
          } else expect.fail(`AddHost result is ${JSON.stringify(op.outcome)}`);
          const listed = (await api.listHosts()).hosts.find((h) => h.hostname === spare.hostname);
          expect(listed, "the added host is listed").toBeDefined();
          expect(listed!.status).toBe(Host_Status.STATUS_ONLINE);
          if (supported("InventoryService.GetInventory")) {
            const inv = await api.getInventory({ hostnames: [spare.hostname] });
            expect(inv.hosts.map((h) => h.hostname)).toEqual([spare.hostname]);
          }
          // The same host again, as the cluster now has it: succeeds, changes nothing.
          const before = await snapshot();
          await succeed(api.addHost({ host: { hostname: spare.hostname, addr: listed!.addr, labels: listed!.labels } }));
          const after = await snapshot();
          expect({ ...after, operations: 0 }).toEqual({ ...before, operations: 0 });
          // ... with another label: the label is added to its own, as cephadm does.
          await succeed(api.addHost({ host: { hostname: spare.hostname, addr: listed!.addr, labels: ["conformance-other"] } }));
          const relabelled = (await api.listHosts()).hosts.find((h) => h.hostname === spare.hostname);
          expect([...relabelled!.labels].sort()).toEqual([...new Set([...listed!.labels, "conformance-other"])].sort());
          if (supported("HostService.UpdateHostAddr")) {
            // Its own address again changes nothing; another host's address answers as that
            // host: the operation fails and the address stays.
            await succeed(api.updateHostAddr({ hostname: spare.hostname, addr: listed!.addr }));
            const taken = (await api.listHosts()).hosts.find((h) => h.hostname === facts.hosts[0])!.addr;
            const clash = (await opsOf(api.updateHostAddr({ hostname: spare.hostname, addr: taken }))).at(-1)!;
            expect(stateName(clash.state), clash.message).toBe("STATE_FAILED");
            expect((await api.listHosts()).hosts.find((h) => h.hostname === spare.hostname)?.addr).toBe(listed!.addr);
          }
          if (supported("HostService.DrainHost")) {
            // Drained: labelled so that no placement picks it; it runs nothing to remove.
            const drained = await succeed(api.drainHost({ hostname: spare.hostname }));
            expect(drained.op.outcome?.$case === "result" && drained.op.outcome.value.result).toEqual({ $case: "daemons", value: { daemonNames: [] } });
            expect((await api.listHosts()).hosts.find((h) => h.hostname === spare.hostname)!.labels).toContain("_no_schedule");
          }

          const removed = await succeed(api.removeHost({ hostname: spare.hostname }));
          if (removed.op.outcome?.$case === "result" && removed.op.outcome.value.result?.$case === "removedHost") {
            expect(removed.op.outcome.value.result.value.hostname).toBe(spare.hostname);
          } else expect.fail(`RemoveHost result is ${JSON.stringify(removed.op.outcome)}`);
          expect((await api.listHosts()).hosts.map((h) => h.hostname)).not.toContain(spare.hostname);
          const again = await refusal(api.removeHost({ hostname: spare.hostname }));
          expectError(again, grpc.status.NOT_FOUND, "NOT_FOUND");
        } finally {
          const still = (await api.listHosts()).hosts.some((h) => h.hostname === spare.hostname);
          if (still) await opsOf(api.removeHost({ hostname: spare.hostname, force: true })).catch(() => undefined);
        }
      });

      it("maintenance: entered only when HostOkToStop says it is safe (else refused, nothing changes); stops the host's daemons; exit starts them", { timeout }, async (ctx) => {
        needs(ctx, "HostService.HostOkToStop", "HostService.EnterHostMaintenance", "HostService.ExitHostMaintenance", "ServiceService.ListDaemons");
        const host = facts.hosts.at(-1)!;
        const onHost = async () => (await api.listDaemons({ hostname: host, pageSize: 1000 })).daemons;
        const before = await onHost();
        const check = await api.hostOkToStop({ hostname: host });
        expect(check.daemonNames).toEqual(before.map((d) => d.daemonName).sort());
        expect(check.ok).toBe(check.reasons.length === 0);
        if (!check.ok) {
          const e = await refusal(api.enterHostMaintenance({ hostname: host }));
          expectError(e, grpc.status.FAILED_PRECONDITION, "FAILED_PRECONDITION");
          expect(e.message).toContain(check.reasons[0]!);
          expect((await api.listHosts()).hosts.find((h) => h.hostname === host)!.status).toBe(Host_Status.STATUS_ONLINE);
          return;
        }
        const running = before.filter((d) => d.status === DS.STATUS_RUNNING).map((d) => d.daemonName).sort();
        try {
          const entered = await succeed(api.enterHostMaintenance({ hostname: host }));
          expect(entered.op.outcome?.$case === "result" && entered.op.outcome.value.result?.$case === "host" && entered.op.outcome.value.result.value.status).toBe(
            Host_Status.STATUS_MAINTENANCE,
          );
          expect((await api.listHosts()).hosts.find((h) => h.hostname === host)!.status).toBe(Host_Status.STATUS_MAINTENANCE);
          expect((await onHost()).filter((d) => d.status !== DS.STATUS_STOPPED).map((d) => d.daemonName)).toEqual([]);
        } finally {
          await succeed(api.exitHostMaintenance({ hostname: host }));
        }
        expect((await api.listHosts()).hosts.find((h) => h.hostname === host)!.status).toBe(Host_Status.STATUS_ONLINE);
        expect((await onHost()).filter((d) => d.status === DS.STATUS_RUNNING).map((d) => d.daemonName).sort()).toEqual(running);
      });

      it("RemoveHost of a host with daemons, without force, is FAILED_PRECONDITION and changes nothing", async (ctx) => {
        needs(ctx, "HostService.RemoveHost", "ServiceService.ListDaemons");
        const daemons = (await api.listDaemons({ pageSize: 1000 })).daemons;
        const host = facts.hosts.find((h) => daemons.some((d) => d.hostname === h));
        if (!host) ctx.skip("no host of the facts runs a daemon");
        const before = await snapshot();
        const e = await refusal(api.removeHost({ hostname: host! }));
        expectError(e, grpc.status.FAILED_PRECONDITION, "FAILED_PRECONDITION");
        expect(e.precondition?.violations.length ?? 0).toBeGreaterThan(0);
        expect(e.messages).toEqual([]);
        expect(await snapshot()).toEqual(before);
      });
    });

    // -------------------------------------------------------------------------------------
    describe("inventory", () => {
      it("every host has its devices with the ceph-volume fields; pages concatenate to the full list", async (ctx) => {
        needs(ctx, "InventoryService.GetInventory");
        const hosts = (await api.listHosts({ pageSize: 1000 })).hosts.map((h) => h.hostname);
        const full = await api.getInventory({ pageSize: 1000 });
        expect(full.totalSize).toBe(hosts.length);
        expect(full.hosts.map((h) => h.hostname)).toEqual(hosts);
        for (const h of full.hosts) {
          const paths = h.devices.map((d) => d.path);
          expect(new Set(paths).size, `${h.hostname}: device paths are unique`).toBe(paths.length);
          for (const d of h.devices) {
            const at = `${h.hostname}:${d.path}`;
            expect(d.path, at).toMatch(/^\//);
            expect(d.sizeBytes, `${at} size_bytes is a decimal string`).toMatch(/^\d+$/);
            expect(d.humanReadableSize, at).not.toBe("");
            expect(d.osdId, at).toBeGreaterThanOrEqual(-1);
            // ceph-volume says why a device is unavailable, and never gives reasons for an available one.
            if (d.available) expect(d.rejectedReasons, at).toEqual([]);
            else expect(d.rejectedReasons.length, `${at} is unavailable without a reason`).toBeGreaterThan(0);
            if (d.osdId >= 0) expect(d.available, `${at} holds osd.${d.osdId}`).toBe(false);
            for (const lv of d.lvs) expect(lv.osdId, `${at} LV ${lv.name}`).toBeGreaterThanOrEqual(0);
            // Ceph's own devices say so, and every device names its kernel node.
            if (d.lvs.length > 0) expect(d.cephDevice, `${at} holds Ceph volumes`).toBe(true);
            expect(d.deviceNodes, at).not.toBe("");
          }
        }
        const paged = await allPages(async (t) => {
          const r = await api.getInventory({ pageSize: 1, pageToken: t });
          return { items: r.hosts, nextPageToken: r.nextPageToken, totalSize: r.totalSize };
        });
        expect(paged.items.map((h) => h.hostname)).toEqual(hosts);
        expect(new Set(paged.totalSizes)).toEqual(new Set([hosts.length]));
        expect(paged.items.map((h) => h.devices.map((d) => d.path))).toEqual(full.hosts.map((h) => h.devices.map((d) => d.path)));

        const one = await api.getInventory({ hostnames: [facts.hosts[0]!] });
        expect(one.hosts.map((h) => h.hostname)).toEqual([facts.hosts[0]]);
        expect(one.totalSize).toBe(1);
        const missing = await rejection(api.getInventory({ hostnames: ["conformance-absent-host"] }));
        expectError(missing, grpc.status.NOT_FOUND, "NOT_FOUND");
        expect(missing.resource).toMatchObject({ resourceType: "host", resourceName: "conformance-absent-host" });
      });
    });

    // -------------------------------------------------------------------------------------
    describe("services and daemons", () => {
      it("DescribeServices and ListDaemons agree: running counts, names, filters, pages", async (ctx) => {
        needs(ctx, "ServiceService.DescribeServices", "ServiceService.ListDaemons");
        const daemons = (await api.listDaemons({ pageSize: 1000 })).daemons;
        const services = (await api.describeServices({ pageSize: 1000 })).services;
        // What `orch ps` shows beside the state: the host's address, a mon's ports, memory
        // of a running process, one active mgr, ranks only for active MDSs.
        const addrs = new Map((await api.listHosts({ pageSize: 1000 })).hosts.map((h) => [h.hostname, h.addr]));
        for (const d of daemons) {
          expect(d.ip, d.daemonName).toBe(addrs.get(d.hostname));
          if (d.daemonType === ServiceType.SERVICE_TYPE_MON) expect(d.ports, d.daemonName).toEqual([3300, 6789]);
          if (d.status !== DS.STATUS_RUNNING) expect(d.memoryUsage, d.daemonName).toBe("0");
          if (d.rank !== undefined) expect([d.daemonType, d.isActive], d.daemonName).toEqual([ServiceType.SERVICE_TYPE_MDS, true]);
        }
        const running = daemons.filter((d) => d.status === DS.STATUS_RUNNING);
        expect(running.some((d) => Number(d.memoryUsage) > 0), "some running daemon shows its memory").toBe(true);
        const mgrs = running.filter((d) => d.daemonType === ServiceType.SERVICE_TYPE_MGR);
        if (mgrs.length > 0) expect(mgrs.filter((d) => d.isActive).length, "active mgrs").toBe(1);
        const names = new Set(services.map((s) => s.serviceName));
        expect(names.size).toBe(services.length);
        for (const d of daemons) {
          expect(d.daemonName).toBe(`${typeName(d.daemonType)}.${d.daemonId}`);
          expect(names.has(d.serviceName), `${d.daemonName}'s service ${d.serviceName} is described`).toBe(true);
          expect(d.status, d.daemonName).not.toBe(DS.STATUS_UNSPECIFIED);
          expect(d.hostname, d.daemonName).not.toBe("");
        }
        for (const s of services) {
          const own = daemons.filter((d) => d.serviceName === s.serviceName);
          expect(s.running, `${s.serviceName}.running`).toBe(own.filter((d) => d.status === DS.STATUS_RUNNING).length);
          expect(s.serviceName).toBe(s.serviceId === "" ? typeName(s.serviceType) : `${typeName(s.serviceType)}.${s.serviceId}`);
          const bySvc = await api.listDaemons({ serviceName: s.serviceName });
          expect(bySvc.daemons.map((d) => d.daemonName).sort()).toEqual(own.map((d) => d.daemonName).sort());
        }
        const dnames = daemons.map((d) => d.daemonName);
        expect(new Set(dnames).size).toBe(dnames.length);
        const host = facts.hosts[0]!;
        const onHost = await api.listDaemons({ hostname: host });
        expect(onHost.daemons.map((d) => d.daemonName).sort()).toEqual(daemons.filter((d) => d.hostname === host).map((d) => d.daemonName).sort());
        const svcOnHost = await api.describeServices({ hostname: host });
        expect(svcOnHost.services.map((s) => s.serviceName).sort()).toEqual([...new Set(onHost.daemons.map((d) => d.serviceName))].sort());

        const paged = await allPages(async (t) => {
          const r = await api.listDaemons({ pageSize: 2, pageToken: t });
          return { items: r.daemons, nextPageToken: r.nextPageToken, totalSize: r.totalSize };
        });
        expect(paged.items.map((d) => d.daemonName)).toEqual(dnames);
        expect(new Set(paged.totalSizes)).toEqual(new Set([daemons.length]));
        const pagedSvc = await allPages(async (t) => {
          const r = await api.describeServices({ pageSize: 1, pageToken: t });
          return { items: r.services, nextPageToken: r.nextPageToken, totalSize: r.totalSize };
        });
        expect(pagedSvc.items.map((s) => s.serviceName)).toEqual(services.map((s) => s.serviceName));
      });

      it("DaemonAction STOP stops a daemon, START starts it again", { timeout }, async (ctx) => {
        needs(ctx, "ServiceService.DaemonAction", "ServiceService.ListDaemons");
        const daemons = (await api.listDaemons({ pageSize: 1000 })).daemons;
        const name = facts.toggleDaemon ?? daemons.find((d) => d.daemonType === ServiceType.SERVICE_TYPE_CRASH && d.status === DS.STATUS_RUNNING)?.daemonName;
        if (!name) ctx.skip("no daemon to stop and start (facts.toggleDaemon)");
        const status = async () => (await api.listDaemons({ daemonId: name! })).daemons.map((d) => d.status);
        expect(await status()).toEqual([DS.STATUS_RUNNING]);
        try {
          const stopped = await succeed(api.daemonAction({ action: ServiceAction.SERVICE_ACTION_STOP, daemonName: name! }));
          expect(lifecycleProblems(stopped.msgs)).toEqual([]);
          if (stopped.op.outcome?.$case === "result" && stopped.op.outcome.value.result?.$case === "daemons") {
            expect(stopped.op.outcome.value.result.value.daemonNames).toEqual([name]);
          } else expect.fail(`DaemonAction result is ${JSON.stringify(stopped.op.outcome)}`);
          expect(await status()).toEqual([DS.STATUS_STOPPED]);
          await succeed(api.daemonAction({ action: ServiceAction.SERVICE_ACTION_START, daemonName: name! }));
          expect(await status()).toEqual([DS.STATUS_RUNNING]);
        } finally {
          await opsOf(api.daemonAction({ action: ServiceAction.SERVICE_ACTION_START, daemonName: name! })).catch(() => undefined);
        }
      });

      it("a service type the backend cannot run (GetCapabilities' service_types) is refused naming spec.service_type; nothing changes", async (ctx) => {
        needs(ctx, "ServiceService.AddStatelessService", "ServiceService.DescribeServices");
        const types = new Set((await api.getCapabilities()).serviceTypes);
        for (const t of [ServiceType.SERVICE_TYPE_MON, ServiceType.SERVICE_TYPE_MGR, ServiceType.SERVICE_TYPE_OSD]) expect(types.has(t), `type ${t}`).toBe(true);
        const before = await snapshot();
        for (const t of STATELESS.filter((x) => !types.has(x))) {
          const e = await refusal(api.addStatelessService({ spec: { serviceType: t, serviceId: "conformance", placement: { count: 1 } } }));
          expectError(e, grpc.status.INVALID_ARGUMENT, "INVALID_FIELD");
          expect(e.fields, `type ${t}`).toContain("spec.service_type");
        }
        expect(await snapshot()).toEqual(before);
      });

      it("a stateless service: add (again: no change; other spec: ALREADY_EXISTS), update, act on, remove a daemon, remove", { timeout }, async (ctx) => {
        needs(
          ctx,
          "ServiceService.AddStatelessService",
          "ServiceService.UpdateStatelessService",
          "ServiceService.RemoveStatelessService",
          "ServiceService.ServiceAction",
          "ServiceService.DescribeServices",
          "ServiceService.ListDaemons",
        );
        const id = `conformance-${randomUUID().slice(0, 8)}`;
        const two = facts.hosts.slice(0, 2).map((hostname) => ({ hostname }));
        // The update moves from one daemon to two; with one host it only changes how the
        // placement names that host (a pattern instead of a list), which is another spec.
        const spec = facts.statelessService ?? {
          add: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: id, placement: { hosts: [{ hostname: facts.hosts[0]! }], count: 1 } },
          update: {
            serviceType: ServiceType.SERVICE_TYPE_MDS,
            serviceId: id,
            placement: two.length > 1 ? { hosts: two, count: two.length } : { hostPattern: facts.hosts[0]!, count: 1 },
          },
        };
        const svcName = `${typeName(spec.add.serviceType!)}${spec.add.serviceId ? `.${spec.add.serviceId}` : ""}`;
        const expectDaemons = (spec.add.placement as Placement | undefined)?.count || 1;
        const wantAfterUpdate = (spec.update.placement as Placement | undefined)?.count || 1;
        const daemonsOf = async () => (await api.listDaemons({ serviceName: svcName })).daemons;
        expect((await api.describeServices({ serviceName: svcName })).services).toEqual([]);
        try {
          const added = await succeed(api.addStatelessService({ spec: spec.add }));
          expect(lifecycleProblems(added.msgs)).toEqual([]);
          if (added.op.outcome?.$case === "result" && added.op.outcome.value.result?.$case === "service") {
            expect(added.op.outcome.value.result.value.serviceName).toBe(svcName);
          } else expect.fail(`AddStatelessService result is ${JSON.stringify(added.op.outcome)}`);
          const described = (await api.describeServices({ serviceName: svcName })).services;
          expect(described.map((s) => s.serviceName)).toEqual([svcName]);
          const first = await daemonsOf();
          expect(first.length).toBe(expectDaemons);
          expect(first.every((d) => d.status === DS.STATUS_RUNNING), JSON.stringify(first.map((d) => d.status))).toBe(true);
          expect(described[0]!.running).toBe(first.length);

          // The same spec again: no change.
          await succeed(api.addStatelessService({ spec: spec.add }));
          expect((await daemonsOf()).map((d) => d.daemonName).sort()).toEqual(first.map((d) => d.daemonName).sort());
          // Another spec under the same name: ALREADY_EXISTS.
          const clash = await refusal(api.addStatelessService({ spec: spec.update }));
          expectError(clash, grpc.status.ALREADY_EXISTS, "ALREADY_EXISTS");

          await succeed(api.updateStatelessService({ spec: spec.update }));
          const updated = await daemonsOf();
          expect(updated.length).toBe(wantAfterUpdate);
          expect(updated.every((d) => d.status === DS.STATUS_RUNNING)).toBe(true);
          expect((await api.describeServices({ serviceName: svcName })).services[0]!.running).toBe(updated.length);

          const acted = await succeed(api.serviceAction({ action: ServiceAction.SERVICE_ACTION_RESTART, serviceName: svcName }));
          if (acted.op.outcome?.$case === "result" && acted.op.outcome.value.result?.$case === "daemons") {
            expect([...acted.op.outcome.value.result.value.daemonNames].sort()).toEqual(updated.map((d) => d.daemonName).sort());
          } else expect.fail(`ServiceAction result is ${JSON.stringify(acted.op.outcome)}`);

          if (updated.length > 1 && supported("ServiceService.RemoveDaemons")) {
            // One daemon removed by name: it goes, the service stays with the others.
            const gone = updated[updated.length - 1]!.daemonName;
            await succeed(api.removeDaemons({ daemonNames: [gone] }));
            const left = (await daemonsOf()).map((d) => d.daemonName).sort();
            expect(left).toEqual(updated.map((d) => d.daemonName).filter((n) => n !== gone).sort());
            expect((await api.describeServices({ serviceName: svcName })).services.map((s) => s.serviceName)).toEqual([svcName]);
            updated.pop();
            if (supported("ServiceService.ReconcileService")) {
              // Its spec still asks for the one removed: reconciling deploys it again, on its host.
              const reconciled = await succeed(api.reconcileService({ serviceName: svcName }));
              expect(reconciled.op.hosts).toEqual(facts.hosts.slice(0, 2).filter((h) => !updated.some((d) => d.hostname === h)));
              updated.splice(0, updated.length, ...(await daemonsOf()));
              expect(updated.length).toBe(wantAfterUpdate);
              expect(updated.every((d) => d.status === DS.STATUS_RUNNING), JSON.stringify(updated.map((d) => d.status))).toBe(true);
              // Nothing left to do: another changes nothing.
              expect((await succeed(api.reconcileService({ serviceName: svcName }))).op.tasks).toEqual([]);
            }
          }
          if (supported("ServiceService.ReconcileService")) {
            // Unmanaged: the spec is kept, the daemons are left as they are, and reconciling is refused.
            await succeed(api.updateStatelessService({ spec: { ...spec.update, unmanaged: true } }));
            expect((await api.describeServices({ serviceName: svcName })).services[0]).toMatchObject({ unmanaged: true });
            expect((await daemonsOf()).map((d) => d.daemonName).sort()).toEqual(updated.map((d) => d.daemonName).sort());
            expectError(await refusal(api.reconcileService({ serviceName: svcName })), grpc.status.FAILED_PRECONDITION, "FAILED_PRECONDITION");
          }
          const removed = await succeed(api.removeStatelessService({ serviceName: svcName }));
          if (removed.op.outcome?.$case === "result" && removed.op.outcome.value.result?.$case === "removedService") {
            expect(removed.op.outcome.value.result.value.serviceName).toBe(svcName);
            expect([...removed.op.outcome.value.result.value.daemonNames].sort()).toEqual(updated.map((d) => d.daemonName).sort());
          } else expect.fail(`RemoveStatelessService result is ${JSON.stringify(removed.op.outcome)}`);
          expect((await api.describeServices({ serviceName: svcName })).services).toEqual([]);
          expect(await daemonsOf()).toEqual([]);

          expectError(await refusal(api.removeStatelessService({ serviceName: svcName })), grpc.status.NOT_FOUND, "NOT_FOUND");
          expectError(await refusal(api.updateStatelessService({ spec: spec.update })), grpc.status.NOT_FOUND, "NOT_FOUND");
        } finally {
          if ((await api.describeServices({ serviceName: svcName })).services.length > 0) {
            await opsOf(api.removeStatelessService({ serviceName: svcName })).catch(() => undefined);
          }
        }
      });
    });

    // -------------------------------------------------------------------------------------
    describe("OSDs", () => {
      it("CreateOsds on one device: a new OSD runs, the device is taken, a preview plans nothing; removed for replacement, the next OSD there takes its id; RemoveOsds: gone, DONE; ZapDevice refused while in use, then done", { timeout }, async (ctx) => {
        needs(
          ctx,
          "OsdService.CreateOsds",
          "OsdService.PreviewOsds",
          "OsdService.RemoveOsds",
          "OsdService.GetOsdRemovalStatus",
          "InventoryService.GetInventory",
          "ServiceService.ListDaemons",
        );
        if (!facts.osdDevice) ctx.skip("no OSD device in the facts");
        const host = facts.osdDevice!.hostname;
        const device = async (path: string) => (await api.getInventory({ hostnames: [host] })).hosts[0]!.devices.find((d) => d.path === path);
        const path = facts.osdDevice!.path ?? (await api.getInventory({ hostnames: [host] })).hosts[0]?.devices.find((d) => d.available)?.path;
        if (!path) ctx.skip(`no available device on ${host}`);
        expect((await device(path!))?.available, `${host}:${path} is available`).toBe(true);
        const spec = { serviceId: `conformance_${randomUUID().slice(0, 8)}`, hostPattern: host, dataDevices: { paths: [path!] } };

        const preview = await api.previewOsds({ spec });
        expect(preview.hosts.map((h) => h.hostname)).toEqual([host]);
        expect(preview.hosts[0]!.osds.map((o) => o.data)).toEqual([path]);

        let osdId: number | undefined;
        try {
          const created = await succeed(api.createOsds({ spec }));
          expect(lifecycleProblems(created.msgs)).toEqual([]);
          if (created.op.outcome?.$case === "result" && created.op.outcome.value.result?.$case === "osds") {
            const osds = created.op.outcome.value.result.value.osds;
            expect(osds.map((o) => ({ hostname: o.hostname, data: o.data }))).toEqual([{ hostname: host, data: path }]);
            osdId = osds[0]!.osdId;
          } else expect.fail(`CreateOsds result is ${JSON.stringify(created.op.outcome)}`);
          const daemon = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD, daemonId: String(osdId) })).daemons;
          expect(daemon.map((d) => ({ name: d.daemonName, host: d.hostname, status: d.status }))).toEqual([
            { name: `osd.${osdId}`, host, status: DS.STATUS_RUNNING },
          ]);
          const taken = await device(path!);
          expect(taken?.available).toBe(false);
          expect(taken?.osdId).toBe(osdId);
          if (supported("InventoryService.ZapDevice")) {
            // Zapping it while the OSD runs from it is refused, naming the OSD.
            const e = await refusal(api.zapDevice({ hostname: host, path: path! }));
            expectError(e, grpc.status.FAILED_PRECONDITION, "FAILED_PRECONDITION");
            expect(e.message).toContain(`osd.${osdId}`);
          }
          const after = await api.previewOsds({ spec });
          expect(after.hosts.flatMap((h) => h.osds)).toEqual([]);
          expect(after.hosts[0]?.message ?? "", "the preview says why nothing is planned").not.toBe("");
          // The same request again creates nothing new.
          const again = await succeed(api.createOsds({ spec }));
          if (again.op.outcome?.$case === "result" && again.op.outcome.value.result?.$case === "osds") {
            expect(again.op.outcome.value.result.value.osds.map((o) => o.osdId).filter((id) => id !== osdId)).toEqual([]);
          }
          expect((await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD, hostname: host })).daemons.filter((d) => d.daemonId === String(osdId))).toHaveLength(1);

          // Removed for replacement (osd rm --replace): destroyed, its id kept; the host's next
          // OSD takes that id without a claim, as cephadm's do.
          const replaced = await succeed(api.removeOsds({ osdIds: [osdId!], replace: true, force: facts.forceOsdRemoval ?? false }));
          expect(lifecycleProblems(replaced.msgs)).toEqual([]);
          expect((await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD, daemonId: String(osdId) })).daemons).toEqual([]);
          expect((await device(path!))?.available, `${host}:${path} is available again`).toBe(true);
          const reuse = await api.previewOsds({ spec });
          expect(reuse.hosts.flatMap((h) => h.osds.map((o) => [o.data, o.osdId]))).toEqual([[path, osdId]]);
          const recreated = await succeed(api.createOsds({ spec }));
          if (recreated.op.outcome?.$case === "result" && recreated.op.outcome.value.result?.$case === "osds") {
            expect(recreated.op.outcome.value.result.value.osds.map((o) => [o.hostname, o.data, o.osdId])).toEqual([[host, path, osdId]]);
          } else expect.fail(`CreateOsds result is ${JSON.stringify(recreated.op.outcome)}`);
          expect((await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD, daemonId: String(osdId) })).daemons.map((d) => d.status)).toEqual([
            DS.STATUS_RUNNING,
          ]);

          const removed = await succeed(api.removeOsds({ osdIds: [osdId!], force: facts.forceOsdRemoval ?? false }));
          expect(lifecycleProblems(removed.msgs)).toEqual([]);
          if (removed.op.outcome?.$case === "result" && removed.op.outcome.value.result?.$case === "osdRemovals") {
            expect(removed.op.outcome.value.result.value.removals.map((r) => ({ id: r.osdId, state: r.state }))).toEqual([
              { id: osdId, state: OsdRemoval_State.STATE_DONE },
            ]);
          } else expect.fail(`RemoveOsds result is ${JSON.stringify(removed.op.outcome)}`);
          const queue = (await api.getOsdRemovalStatus()).removals.filter((r) => r.osdId === osdId);
          expect(queue.map((r) => ({ state: r.state, host: r.hostname, op: r.operationId }))).toEqual([
            { state: OsdRemoval_State.STATE_DONE, host, op: removed.op.id },
          ]);
          expect((await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD, daemonId: String(osdId) })).daemons).toEqual([]);
          osdId = undefined;
          if (supported("InventoryService.ZapDevice")) {
            // Once the OSD is gone, the device can be zapped, and is available after it.
            const zapped = await succeed(api.zapDevice({ hostname: host, path: path! }));
            expect(lifecycleProblems(zapped.msgs)).toEqual([]);
            expect((await device(path!))?.available, `${host}:${path} is available after the zap`).toBe(true);
          }
        } finally {
          if (osdId !== undefined) await opsOf(api.removeOsds({ osdIds: [osdId], force: true })).catch(() => undefined);
        }
      });
    });

    // -------------------------------------------------------------------------------------
    describe("operations", () => {
      it("a write streams ACCEPTED (with the id), PERSISTENT, ..., one terminal message last; Get/List/Wait/Watch/Cancel find it", { timeout }, async (ctx) => {
        needs(ctx, "HostService.AddHostLabel", "HostService.RemoveHostLabel");
        const host = facts.hosts[0]!;
        const label = `conformance-${randomUUID().slice(0, 8)}`;
        const requestId = `conformance-${randomUUID()}`;
        try {
          const msgs = await opsOf(api.addHostLabel({ hostname: host, label, requestId }));
          expect(lifecycleProblems(msgs)).toEqual([]);
          const first = msgs[0]!;
          expect(first).toMatchObject({ state: S.STATE_ACCEPTED, persistent: false, done: false, requestId, method: `${PKG}.HostService.AddHostLabel` });
          expect(first.description).not.toBe("");
          expect(msgs[1]).toMatchObject({ state: S.STATE_PERSISTENT, persistent: true });
          const last = msgs.at(-1)!;
          expect(last.state).toBe(S.STATE_SUCCEEDED);
          expect(last.progress).toBe(1);
          expect(msgs.filter((m) => m.done)).toHaveLength(1);
          const id = first.id;

          expect((await api.getOperation(id)).operation).toEqual(last);
          const listed = await api.listOperations({ method: `${PKG}.HostService.AddHostLabel`, hostname: host, pageSize: 1000 });
          expect(listed.operations.map((o) => o.id)).toContain(id);
          expect(listed.totalSize).toBe(listed.operations.length);
          const times = listed.operations.map((o) => Number(o.createTime!.seconds) * 1e3 + o.createTime!.nanos / 1e6);
          expect(times, "newest first").toEqual([...times].sort((a, b) => b - a));
          const bySucceeded = await api.listOperations({ states: [S.STATE_SUCCEEDED], pageSize: 1000 });
          expect(bySucceeded.operations.every((o) => o.state === S.STATE_SUCCEEDED)).toBe(true);
          expect(bySucceeded.operations.map((o) => o.id)).toContain(id);
          const byFailed = await api.listOperations({ states: [S.STATE_FAILED], pageSize: 1000 });
          expect(byFailed.operations.map((o) => o.id)).not.toContain(id);

          const waited = await api.waitOperations({ ids: [id], timeout: duration(1000) });
          expect(waited.allDone).toBe(true);
          expect(waited.operations.map((o) => o.id)).toEqual([id]);
          const watched = await opsOf(api.watchOperation(id));
          expect(watched).toEqual([last]);
          const cancelled = (await api.cancelOperation(id)).operation!;
          expect(cancelled.state).toBe(S.STATE_SUCCEEDED);
          expect(cancelled.cancelRequested).toBe(false);

          const unknown = randomUUID();
          expectError(await rejection(api.getOperation(unknown)), grpc.status.NOT_FOUND, "NOT_FOUND");
          expectError(await refusal(api.watchOperation(unknown)), grpc.status.NOT_FOUND, "NOT_FOUND");
          expectError(await rejection(api.cancelOperation(unknown)), grpc.status.NOT_FOUND, "NOT_FOUND");
          expectError(await rejection(api.waitOperations({ ids: [id, unknown] })), grpc.status.NOT_FOUND, "NOT_FOUND");
        } finally {
          await opsOf(api.removeHostLabel({ hostname: host, label })).catch(() => undefined);
        }
      });

      it("request_id: the same id returns the same operation without doing the work twice; another request with it is REQUEST_ID_REUSED", { timeout }, async (ctx) => {
        needs(ctx, "HostService.AddHostLabel", "HostService.RemoveHostLabel");
        const host = facts.hosts[0]!;
        const label = `conformance-${randomUUID().slice(0, 8)}`;
        const requestId = `conformance-${randomUUID()}`;
        const hasLabel = async () => (await api.listHosts({ label })).hosts.some((h) => h.hostname === host);
        try {
          const first = await succeed(api.addHostLabel({ hostname: host, label, requestId }));
          expect(await hasLabel()).toBe(true);
          await succeed(api.removeHostLabel({ hostname: host, label }));
          expect(await hasLabel()).toBe(false);
          const count = (await api.listOperations({ pageSize: 1 })).totalSize;

          // A retry: the same operation, its terminal state at once, and the label is not added again.
          const retry = await opsOf(api.addHostLabel({ hostname: host, label, requestId }));
          expect(retry.map((m) => m.id)).toEqual(retry.map(() => first.op.id));
          expect(retry.at(-1)).toMatchObject({ id: first.op.id, state: S.STATE_SUCCEEDED, requestId });
          expect(await hasLabel(), "a retry must not do the work again").toBe(false);
          expect((await api.listOperations({ pageSize: 1 })).totalSize, "a retry creates no operation").toBe(count);

          // The same id with another request, or another RPC: ALREADY_EXISTS, REQUEST_ID_REUSED.
          for (const s of [
            api.addHostLabel({ hostname: host, label: `${label}-other`, requestId }),
            api.removeHostLabel({ hostname: host, label, requestId }),
          ]) {
            const e = await refusal(s);
            expectError(e, grpc.status.ALREADY_EXISTS, "REQUEST_ID_REUSED");
            expect(e.info?.metadata.operation).toBe(first.op.id);
            expect(e.messages).toEqual([]);
          }
          expect(await hasLabel()).toBe(false);
          expect((await api.listHosts({ label: `${label}-other` })).hosts).toEqual([]);
        } finally {
          await opsOf(api.removeHostLabel({ hostname: host, label })).catch(() => undefined);
        }
      });
    });

    // -------------------------------------------------------------------------------------
    describe("invalid input is INVALID_ARGUMENT with BadRequest naming the field, and changes nothing", () => {
      const absent = "conformance-absent-host";
      const cases: { rpc: string; field: string; call: () => OpStream | Promise<unknown> }[] = [
        { rpc: "HostService.AddHost", field: "host.hostname", call: () => api.addHost({ host: { hostname: "bad host!" } }) },
        { rpc: "HostService.AddHost", field: "host.hostname", call: () => api.addHost({ host: { hostname: "nul\0host" } }) },
        { rpc: "HostService.AddHost", field: "host.addr", call: () => api.addHost({ host: { hostname: absent, addr: "10.0.0.300" } }) },
        { rpc: "HostService.AddHost", field: "host.labels[1]", call: () => api.addHost({ host: { hostname: absent, labels: ["ok", "not ok"] } }) },
        { rpc: "HostService.RemoveHost", field: "hostname", call: () => api.removeHost({ hostname: "" }) },
        { rpc: "HostService.AddHostLabel", field: "label", call: () => api.addHostLabel({ hostname: facts.hosts[0], label: "has space" }) },
        { rpc: "HostService.AddHostLabel", field: "request_id", call: () => api.addHostLabel({ hostname: facts.hosts[0], label: "ok", requestId: "x".repeat(65) }) },
        { rpc: "HostService.RemoveHostLabel", field: "hostname", call: () => api.removeHostLabel({ hostname: "a/b", label: "mon" }) },
        { rpc: "HostService.ListHosts", field: "page_size", call: () => api.listHosts({ pageSize: -1 }) },
        { rpc: "InventoryService.GetInventory", field: "hostnames[0]", call: () => api.getInventory({ hostnames: ["bad/name"] }) },
        { rpc: "InventoryService.GetInventory", field: "page_size", call: () => api.getInventory({ pageSize: -5 }) },
        {
          rpc: "InventoryService.BlinkDeviceLight",
          field: "light",
          call: () => api.blinkDeviceLight({ light: LightType.LIGHT_TYPE_UNSPECIFIED, locations: [{ hostname: facts.hosts[0], path: "/dev/sda" }] }),
        },
        { rpc: "InventoryService.BlinkDeviceLight", field: "locations", call: () => api.blinkDeviceLight({ light: LightType.LIGHT_TYPE_IDENT, locations: [] }) },
        { rpc: "ServiceService.DescribeServices", field: "service_type", call: () => api.describeServices({ serviceType: 99 as ServiceType }) },
        { rpc: "ServiceService.ListDaemons", field: "daemon_type", call: () => api.listDaemons({ daemonType: 99 as ServiceType }) },
        { rpc: "ServiceService.DaemonAction", field: "action", call: () => api.daemonAction({ action: 99 as ServiceAction, daemonName: "mon.x" }) },
        { rpc: "ServiceService.ServiceAction", field: "action", call: () => api.serviceAction({ action: ServiceAction.SERVICE_ACTION_UNSPECIFIED, serviceName: "mon" }) },
        { rpc: "ServiceService.UpdateMons", field: "placement.count", call: () => api.updateMons({ placement: { count: 0 } }) },
        { rpc: "ServiceService.UpdateMgrs", field: "placement.hosts[0].hostname", call: () => api.updateMgrs({ placement: { count: 1, hosts: [{ hostname: absent }] } }) },
        {
          rpc: "ServiceService.AddStatelessService",
          field: "spec.service_id",
          call: () => api.addStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: "bad id!" } }),
        },
        {
          rpc: "ServiceService.AddStatelessService",
          field: "spec.service_type",
          call: () => api.addStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_MON, serviceId: "x" } }),
        },
        {
          rpc: "ServiceService.AddStatelessService",
          field: "spec.nfs.pool",
          call: () => api.addStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_NFS, serviceId: "x" } }),
        },
        { rpc: "ServiceService.RemoveStatelessService", field: "service_name", call: () => api.removeStatelessService({ serviceName: "" }) },
        {
          rpc: "OsdService.CreateOsds",
          field: "spec.host_pattern",
          call: () => api.createOsds({ spec: { hostPattern: "conformance-no-such-host-*", dataDevices: { all: true } } }),
        },
        {
          rpc: "OsdService.CreateOsds",
          field: "spec.data_devices.size",
          call: () => api.createOsds({ spec: { hostPattern: "*", dataDevices: { size: "10X" } } }),
        },
        { rpc: "OsdService.CreateOsds", field: "spec.data_devices", call: () => api.createOsds({ spec: { hostPattern: "*" } }) },
        {
          rpc: "OsdService.PreviewOsds",
          field: "spec.data_devices.paths[0]",
          call: () => api.previewOsds({ spec: { hostPattern: "*", dataDevices: { paths: ["relative/path"] } } }),
        },
        { rpc: "OsdService.RemoveOsds", field: "osd_ids[0]", call: () => api.removeOsds({ osdIds: [-1] }) },
        { rpc: "OsdService.RemoveOsds", field: "osd_ids", call: () => api.removeOsds({ osdIds: [] }) },
        { rpc: "UpgradeService.StartUpgrade", field: "target_version", call: () => api.startUpgrade({ targetVersion: "" }) },
        { rpc: "OperationService.GetOperation", field: "id", call: () => api.getOperation("not an id!") },
        { rpc: "OperationService.ListOperations", field: "page_size", call: () => api.listOperations({ pageSize: -1 }) },
        { rpc: "OperationService.ListOperations", field: "states[0]", call: () => api.listOperations({ states: [99 as S] }) },
        { rpc: "OperationService.WaitOperations", field: "ids", call: () => api.waitOperations({ ids: [] }) },
      ];
      for (const c of cases) {
        it(`${c.rpc} → ${c.field}`, async (ctx) => {
          needs(ctx, c.rpc);
          const before = await snapshot();
          const out = c.call();
          const e = out instanceof Promise ? { ...(await rejection(out)), messages: [] } : await refusal(out);
          expectError(e, grpc.status.INVALID_ARGUMENT, "INVALID_FIELD");
          expect(e.fields, e.message).toContain(c.field);
          const violation = e.badRequest!.fieldViolations.find((f) => f.field === c.field)!;
          expect(violation.description).not.toBe("");
          expect(e.messages, "no operation was started").toEqual([]);
          expect(await snapshot()).toEqual(before);
        });
      }
    });
  });
}

const TYPE_NAMES: Record<number, string> = {
  [ServiceType.SERVICE_TYPE_MON]: "mon",
  [ServiceType.SERVICE_TYPE_MGR]: "mgr",
  [ServiceType.SERVICE_TYPE_OSD]: "osd",
  [ServiceType.SERVICE_TYPE_MDS]: "mds",
  [ServiceType.SERVICE_TYPE_RGW]: "rgw",
  [ServiceType.SERVICE_TYPE_NFS]: "nfs",
  [ServiceType.SERVICE_TYPE_ISCSI]: "iscsi",
  [ServiceType.SERVICE_TYPE_RBD_MIRROR]: "rbd-mirror",
  [ServiceType.SERVICE_TYPE_CRASH]: "crash",
};

/** Ceph's name of a service type ("mon", "rbd-mirror"), as daemon and service names use it. */
export function typeName(t: ServiceType): string {
  const n = TYPE_NAMES[t];
  if (!n) throw new Error(`no Ceph name for service type ${t}`);
  return n;
}
