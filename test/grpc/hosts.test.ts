// HostService over real gRPC against the sim's default fixture: listing, adding the spare
// machines (which bring their disks), labels, removing, idempotent repeats, and failures.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { allPages, lifecycleProblems, opError, opsOf, refusal, rejection } from "../conformance/api.js";
import { type Sim, type SimOptions, startSim } from "./helpers.js";

let sim: Sim | undefined;
async function start(o: SimOptions = {}): Promise<Sim> {
  sim = await startSim(o);
  return sim;
}
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

function resultHost(op: { outcome?: unknown }) {
  const o = op.outcome as { $case: string; value: { result?: { $case: string; value: unknown } } } | undefined;
  if (o?.$case !== "result" || o.value.result?.$case !== "host") throw new Error(`no host result: ${JSON.stringify(op.outcome)}`);
  return o.value.result.value as { hostname: string; addr: string; labels: string[]; status: Host_Status };
}

describe("ListHosts", () => {
  it("lists the fixture's hosts by name with address, labels and status", async () => {
    const { api } = await start();
    const r = await api.listHosts();
    expect(r.hosts.map((h) => [h.hostname, h.addr, [...h.labels].sort(), h.status, h.statusMessage])).toEqual([
      ["node-1", "10.0.0.11", ["_admin", "mgr", "mon", "osd"], Host_Status.STATUS_ONLINE, ""],
      ["node-2", "10.0.0.12", ["mgr", "mon", "osd"], Host_Status.STATUS_ONLINE, ""],
      ["node-3", "10.0.0.13", ["mon", "osd"], Host_Status.STATUS_ONLINE, ""],
    ]);
    expect(r.totalSize).toBe(3);
    expect(r.nextPageToken).toBe("");
  });

  it("filters by label; pages of 2 concatenate to the list; 0 means the default size, huge sizes are capped", async () => {
    const { api } = await start();
    expect((await api.listHosts({ label: "mgr" })).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2"]);
    expect((await api.listHosts({ label: "_admin" })).hosts.map((h) => h.hostname)).toEqual(["node-1"]);
    expect(await api.listHosts({ label: "nfs" })).toEqual({ hosts: [], nextPageToken: "", totalSize: 0 });
    const paged = await allPages(async (t) => {
      const r = await api.listHosts({ pageSize: 2, pageToken: t });
      return { items: r.hosts.map((h) => h.hostname), nextPageToken: r.nextPageToken, totalSize: r.totalSize };
    });
    expect(paged).toEqual({ items: ["node-1", "node-2", "node-3"], pages: 2, totalSizes: [3, 3] });
    const labelled = await allPages(async (t) => {
      const r = await api.listHosts({ label: "mon", pageSize: 1, pageToken: t });
      return { items: r.hosts.map((h) => h.hostname), nextPageToken: r.nextPageToken, totalSize: r.totalSize };
    });
    expect(labelled.items).toEqual(["node-1", "node-2", "node-3"]);
    expect((await api.listHosts({ pageSize: 0 })).hosts).toHaveLength(3);
    expect((await api.listHosts({ pageSize: 2_000_000_000 })).hosts).toHaveLength(3);
  });
});

describe("AddHost", () => {
  it("adds a host in maintenance when its status asks (host add --maintenance); refuses another status naming the field", async () => {
    const { api } = await start();
    const op = (await opsOf(api.addHost({ host: { hostname: "node-4", status: Host_Status.STATUS_MAINTENANCE } }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(resultHost(op)).toMatchObject({ hostname: "node-4", status: Host_Status.STATUS_MAINTENANCE });
    expect((await api.listHosts()).hosts.find((h) => h.hostname === "node-4")!.status).toBe(Host_Status.STATUS_MAINTENANCE);
    const e = await refusal(api.addHost({ host: { hostname: "node-5", status: Host_Status.STATUS_OFFLINE } }));
    expect(e).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fields: ["host.status"], messages: [] });
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).not.toContain("node-5");
  });

  it("adds a spare machine: its address comes from the machine, its disks appear in the inventory", async () => {
    const { api } = await start();
    const msgs = await opsOf(api.addHost({ host: { hostname: "node-4", labels: ["osd"] } }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect(op.description).toContain("node-4");
    expect(op.tasks.map((t) => [t.target, t.hostname, t.state])).toEqual([["host node-4", "node-4", S.STATE_SUCCEEDED]]);
    expect(resultHost(op)).toMatchObject({ hostname: "node-4", addr: "10.0.0.14", labels: ["osd"], status: Host_Status.STATUS_ONLINE });
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2", "node-3", "node-4"]);
    const inv = (await api.getInventory({ hostnames: ["node-4"] })).hosts[0]!;
    expect(inv.devices.map((d) => [d.path, d.available])).toEqual([
      ["/dev/nvme0n1", true],
      ["/dev/sda", false],
      ["/dev/sdb", true],
      ["/dev/sdc", true],
    ]);
    expect(inv.labels).toEqual(["osd"]);
  });

  it("takes an explicit address, and sorts and de-duplicates labels", async () => {
    const { api } = await start();
    const op = (await opsOf(api.addHost({ host: { hostname: "node-5", addr: "node-5.example.net", labels: ["b", "a", "b"] } }))).at(-1)!;
    expect(resultHost(op)).toMatchObject({ addr: "node-5.example.net", labels: ["a", "b"] });
    const listed = (await api.listHosts({ label: "a" })).hosts;
    expect(listed.map((h) => [h.hostname, h.addr, h.labels])).toEqual([["node-5", "node-5.example.net", ["a", "b"]]]);
  });

  it("a machine the sim does not know joins without disks", async () => {
    const { api } = await start();
    const op = (await opsOf(api.addHost({ host: { hostname: "node-7", addr: "10.0.0.17" } }))).at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect((await api.getInventory({ hostnames: ["node-7"] })).hosts[0]!.devices).toEqual([]);
  });

  it("adding a host as the cluster has it succeeds without a change", async () => {
    const { api } = await start();
    const before = (await api.listHosts()).hosts;
    const op = (await opsOf(api.addHost({ host: { hostname: "node-2", addr: "10.0.0.12", labels: ["osd", "mgr", "mon"] } }))).at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect(resultHost(op)).toMatchObject({ hostname: "node-2", addr: "10.0.0.12" });
    expect((await api.listHosts()).hosts).toEqual(before);
  });

  it("the same AddHost twice, without an address, succeeds the second time without a change", async () => {
    const { api } = await start();
    const first = (await opsOf(api.addHost({ host: { hostname: "node-4" } }))).at(-1)!;
    expect(first.state).toBe(S.STATE_SUCCEEDED);
    const hosts = (await api.listHosts()).hosts;
    const second = (await opsOf(api.addHost({ host: { hostname: "node-4" } }))).at(-1)!;
    expect(second.state).toBe(S.STATE_SUCCEEDED);
    expect((await api.listHosts()).hosts).toEqual(hosts);
  });

  it("a known host added again is updated, as cephadm does: its new address, and the labels added to its own", async () => {
    const { api } = await start();
    const op = (await opsOf(api.addHost({ host: { hostname: "node-3", addr: "10.0.0.33", labels: ["rgw"] } }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(op.description).toBe("Update host 'node-3'");
    const node3 = (await api.listHosts()).hosts.find((h) => h.hostname === "node-3")!;
    expect(node3.addr).toBe("10.0.0.33");
    expect(node3.labels).toContain("rgw");
    expect(node3.labels).toContain("osd");
  });

  it("UpdateHostAddr: the host is reached at its new address; the same address again changes nothing", async () => {
    const { api } = await start();
    const op = (await opsOf(api.updateHostAddr({ hostname: "node-2", addr: "10.0.0.42" }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(op.outcome?.$case === "result" && op.outcome.value.result?.$case === "host" && op.outcome.value.result.value.addr).toBe("10.0.0.42");
    const hosts = (await api.listHosts()).hosts;
    expect(hosts.find((h) => h.hostname === "node-2")?.addr).toBe("10.0.0.42");
    expect((await opsOf(api.updateHostAddr({ hostname: "node-2", addr: "10.0.0.42" }))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    expect((await api.listHosts()).hosts).toEqual(hosts);
  });

  it("UpdateHostAddr to an address where another host answers FAILS naming both, and the address stays", async () => {
    const { api } = await start();
    const node1 = (await api.listHosts()).hosts.find((h) => h.hostname === "node-1")!;
    const op = (await opsOf(api.updateHostAddr({ hostname: "node-2", addr: node1.addr }))).at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(op.outcome?.$case === "error" && op.outcome.value.message).toMatch(/answers as host 'node-1', not 'node-2'/);
    expect((await api.listHosts()).hosts.find((h) => h.hostname === "node-2")?.addr).not.toBe(node1.addr);
  });

  it("UpdateHostAddr of an unknown host is NOT_FOUND; without an address, or with a bad one, INVALID_ARGUMENT naming addr", async () => {
    const { api } = await start();
    expect(grpc.status[(await refusal(api.updateHostAddr({ hostname: "node-9", addr: "10.0.0.99" }))).code]).toBe("NOT_FOUND");
    for (const addr of ["", "not an address!"]) {
      const e = await refusal(api.updateHostAddr({ hostname: "node-1", addr }));
      expect(grpc.status[e.code]).toBe("INVALID_ARGUMENT");
      expect(e.fields).toEqual(["addr"]);
    }
  });

  it("an unreachable machine: the operation FAILS naming it, and the host is not added", async () => {
    const { api } = await start({ failures: { unreachableHosts: ["node-5"] } });
    const msgs = await opsOf(api.addHost({ host: { hostname: "node-5" } }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(opError(op)?.info).toMatchObject({ reason: "BACKEND_FAILED", metadata: { hostname: "node-5" } });
    expect(op.tasks.map((t) => [t.hostname, t.state])).toEqual([["node-5", S.STATE_FAILED]]);
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).not.toContain("node-5");
  });
});

describe("labels", () => {
  it("AddHostLabel adds once, RemoveHostLabel removes; removing a label the host lacks succeeds", async () => {
    const { api } = await start();
    const added = (await opsOf(api.addHostLabel({ hostname: "node-3", label: "mgr" }))).at(-1)!;
    expect(added.tasks.map((t) => t.hostname)).toEqual(["node-3"]);
    expect(resultHost(added).labels.sort()).toEqual(["mgr", "mon", "osd"]);
    expect((await api.listHosts({ label: "mgr" })).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2", "node-3"]);
    const twice = (await opsOf(api.addHostLabel({ hostname: "node-3", label: "mgr" }))).at(-1)!;
    expect(resultHost(twice).labels.filter((l) => l === "mgr")).toEqual(["mgr"]);
    const removed = (await opsOf(api.removeHostLabel({ hostname: "node-3", label: "mon" }))).at(-1)!;
    expect(resultHost(removed).labels.sort()).toEqual(["mgr", "osd"]);
    const absent = (await opsOf(api.removeHostLabel({ hostname: "node-3", label: "nfs" }))).at(-1)!;
    expect(absent.state).toBe(S.STATE_SUCCEEDED);
    expect(resultHost(absent).labels.sort()).toEqual(["mgr", "osd"]);
    // Labels are advisory: nothing moved.
    expect((await api.listDaemons({ hostname: "node-3", daemonType: ServiceType.SERVICE_TYPE_MON })).daemons).toHaveLength(1);
  });

  it("a label of 64 characters is fine; unicode counts as one character each", async () => {
    const { api } = await start();
    const label = "ü".repeat(64);
    const op = (await opsOf(api.addHostLabel({ hostname: "node-1", label }))).at(-1)!;
    expect(resultHost(op).labels).toContain(label);
    const e = await refusal(api.addHostLabel({ hostname: "node-1", label: `${label}x` }));
    expect(e.fields).toEqual(["label"]);
  });
});

describe("RemoveHost", () => {
  it("removes a host without daemons; its inventory is gone; adding it again brings its disks back", async () => {
    const { api } = await start();
    await opsOf(api.addHost({ host: { hostname: "node-4" } }));
    const msgs = await opsOf(api.removeHost({ hostname: "node-4" }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect(op.outcome).toEqual({ $case: "result", value: { result: { $case: "removedHost", value: { hostname: "node-4" } } } });
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2", "node-3"]);
    expect(grpc.status[(await rejection(api.getInventory({ hostnames: ["node-4"] }))).code]).toBe("NOT_FOUND");
    await opsOf(api.addHost({ host: { hostname: "node-4" } }));
    expect((await api.getInventory({ hostnames: ["node-4"] })).hosts[0]!.devices).toHaveLength(4);
  });

  it("refuses a host with daemons without force (FAILED_PRECONDITION), naming them", async () => {
    const { api } = await start();
    const e = await refusal(api.removeHost({ hostname: "node-3" }));
    expect(grpc.status[e.code]).toBe("FAILED_PRECONDITION");
    expect(e.message).toMatch(/crash\.node-3|mon\.node-3|osd\.2/);
    expect((await api.listHosts()).hosts).toHaveLength(3);
  });

  it("with force removes a host with daemons, and its daemons leave the orchestrator's view", async () => {
    const { api } = await start();
    const op = (await opsOf(api.removeHost({ hostname: "node-3", force: true }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2"]);
    expect((await api.listDaemons({ hostname: "node-3" })).daemons).toEqual([]);
  });
});
