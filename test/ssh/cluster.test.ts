// The ssh backend end to end, through the gRPC API alone, on the test hosts of
// scripts/testhosts (run by scripts/test-ssh.sh; skipped without CEPH_SSH_TESTHOSTS): add the
// hosts, bootstrap with the first UpdateMons, 3 mons, 2 mgrs, OSDs (file-backed on every
// host, and one on a loop device through ceph-volume raw), an MDS pair serving CephFS, an RGW
// answering S3, a daemon stopped and started, an OSD removed; then the cluster's own view
// (`ceph -s`, `ceph osd tree`) is checked against what the API reports. The cluster stays up
// for the next files (conformance, fault).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { OsdRemoval_State } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { DaemonDescription_Status as DS, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { Api, opsOf } from "../conformance/api.js";
import { type Harness, startHarness } from "../support/harness.js";
import { TEST_HOSTS, skipWithout } from "./ci-guard.js";
import { cephJson, enabled, onHost, serverArgs, type TestHost, testHosts } from "./env.js";
import { succeed, until } from "./helpers.js";

const LONG = 600_000;

describe.skipIf(skipWithout(enabled, TEST_HOSTS))("ssh backend: a real cluster on the test hosts, through the API", () => {
  let h: Harness;
  let api: Api;
  let hosts: TestHost[];
  let first: TestHost;
  let rawOsd: number;

  beforeAll(async () => {
    hosts = testHosts().slice(0, 3);
    first = hosts[0]!;
    h = await startHarness(serverArgs());
    api = new Api(h);
  }, LONG);

  afterAll(async () => {
    await h?.stop();
  }, LONG);

  it("adds the hosts over SSH; none has a cluster yet", { timeout: LONG }, async () => {
    await Promise.all(hosts.map((t) => succeed(api.addHost({ host: { hostname: t.hostname, addr: t.addr, labels: ["ceph"] } }))));
    const listed = (await api.listHosts()).hosts;
    expect(listed.map((x) => [x.hostname, x.addr, x.status])).toEqual(hosts.map((t) => [t.hostname, t.addr, Host_Status.STATUS_ONLINE]));
    expect((await api.getStatus()).available).toBe(true);
    // A host whose name is not the one it gives itself is refused, naming it.
    const wrong = (await opsOf(api.addHost({ host: { hostname: "not-cephhost", addr: first.addr } }))).at(-1)!;
    expect(wrong.state).toBe(S.STATE_FAILED);
    expect(wrong.message).toContain("not-cephhost");
  });

  it("the first UpdateMons bootstraps the cluster (first mon and mgr on the first host), then 3 mons", { timeout: LONG }, async () => {
    const op = await succeed(api.updateMons({ placement: { hosts: hosts.map((t) => ({ hostname: t.hostname })), count: 3 } }));
    expect(op.tasks.map((t) => t.hostname).sort()).toEqual(hosts.map((t) => t.hostname));
    const quorum = await cephJson(first.addr, "quorum_status");
    expect([...quorum.quorum_names].sort()).toEqual(hosts.map((t) => t.hostname).sort());
    // Every host has the cluster's configuration, listing the three mons.
    const monHost = new RegExp(`^mon host = .*${hosts.map((t) => t.addr.replace(/\./g, "\\.")).join(".*")}`, "m");
    for (const t of hosts) expect(await onHost(t.addr, "cat /etc/ceph/ceph.conf")).toMatch(monHost);
    const mons = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_MON })).daemons;
    expect(mons.map((d) => [d.hostname, d.status])).toEqual(hosts.map((t) => [t.hostname, DS.STATUS_RUNNING]));
    expect(mons.every((d) => /^16\.2\./.test(d.version))).toBe(true);
  });

  it("2 mgrs: the bootstrap one and a standby", { timeout: LONG }, async () => {
    await succeed(api.updateMgrs({ placement: { hosts: hosts.slice(0, 2).map((t) => ({ hostname: t.hostname })), count: 2 } }));
    const mgrs = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_MGR })).daemons;
    expect(mgrs.map((d) => [d.hostname, d.status]).sort()).toEqual(hosts.slice(0, 2).map((t) => [t.hostname, DS.STATUS_RUNNING]));
    const dump = await cephJson(first.addr, "mgr dump");
    expect([dump.active_name, ...dump.standbys.map((s: { name: string }) => s.name)].sort()).toEqual(mgrs.map((d) => d.daemonId).sort());
  });

  it("inventory comes from ceph-volume inventory on each host", { timeout: LONG }, async () => {
    const inv = (await api.getInventory({ refresh: true })).hosts;
    for (const t of hosts) {
      const host = inv.find((x) => x.hostname === t.hostname)!;
      expect(host.devices.map((d) => [d.path, d.available, d.sizeBytes])).toEqual([[t.loop, true, String(6 * 1024 ** 3)]]);
    }
  });

  it("OSDs: file-backed BlueStore in a data directory on every host, and one on a loop device (ceph-volume raw)", { timeout: LONG }, async () => {
    const op = await succeed(api.createOsds({ spec: { serviceId: "files", hostPattern: "cephhost-[123]", dataDirectories: ["/var/lib/ceph/osd-files/a"] } }));
    expect(op.tasks.map((t) => t.hostname).sort()).toEqual(hosts.map((t) => t.hostname));
    const raw = await succeed(api.createOsds({ spec: { serviceId: "raw", hostPattern: first.hostname, dataDevices: { paths: [first.loop] } } }));
    const created = raw.outcome?.$case === "result" && raw.outcome.value.result?.$case === "osds" ? raw.outcome.value.result.value.osds : [];
    expect(created.map((o) => [o.hostname, o.data])).toEqual([[first.hostname, first.loop]]);
    rawOsd = created[0]!.osdId;
    const dev = (await api.getInventory({ hostnames: [first.hostname] })).hosts[0]!.devices.find((d) => d.path === first.loop)!;
    expect([dev.available, dev.osdId]).toEqual([false, rawOsd]);
    const stat = await cephJson(first.addr, "osd stat");
    expect([stat.num_osds, stat.num_up_osds, stat.num_in_osds]).toEqual([4, 4, 4]);
  });

  it("an MDS pair serves CephFS (one active, one standby)", { timeout: LONG }, async () => {
    await succeed(api.addStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: "cephfs", placement: { hosts: [{ hostname: hosts[1]!.hostname }, { hostname: hosts[2]!.hostname }], count: 2 } } }));
    await until("an active MDS", async () => /up:active/.test(await onHost(first.addr, "ceph mds stat")));
    const fs = await cephJson(first.addr, "fs dump");
    expect(fs.filesystems.map((f: any) => f.mdsmap.fs_name)).toEqual(["cephfs"]);
    const mds = (await api.listDaemons({ serviceName: "mds.cephfs" })).daemons;
    expect(mds.map((d) => d.status)).toEqual([DS.STATUS_RUNNING, DS.STATUS_RUNNING]);
  });

  it("an RGW answers S3 on its port", { timeout: LONG }, async () => {
    const t = hosts[2]!;
    await succeed(api.addStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_RGW, serviceId: "s3", placement: { hosts: [{ hostname: t.hostname }], count: 1 }, details: { $case: "rgw", value: { rgwFrontendPort: 7480 } } } }));
    const res = await fetch(`http://${t.addr}:7480/`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("ListAllMyBucketsResult");
    const rgw = (await api.listDaemons({ serviceName: "rgw.s3" })).daemons;
    expect(rgw.map((d) => [d.hostname, d.status])).toEqual([[t.hostname, DS.STATUS_RUNNING]]);
  });

  it("a daemon stops and starts again (the cluster sees it down, then up)", { timeout: LONG }, async () => {
    const osd = (await api.listDaemons({ serviceName: "osd.files", hostname: hosts[1]!.hostname })).daemons[0]!;
    await succeed(api.daemonAction({ daemonName: osd.daemonName, action: ServiceAction.SERVICE_ACTION_STOP }));
    expect((await api.listDaemons({ daemonId: osd.daemonName })).daemons[0]!.status).toBe(DS.STATUS_STOPPED);
    const down = (await cephJson(first.addr, "osd dump")).osds.find((o: any) => `osd.${o.osd}` === osd.daemonName);
    expect(down.up).toBe(0);
    await succeed(api.daemonAction({ daemonName: osd.daemonName, action: ServiceAction.SERVICE_ACTION_START }));
    const after = (await api.listDaemons({ daemonId: osd.daemonName })).daemons[0]!;
    expect(after.status).toBe(DS.STATUS_RUNNING);
    expect(after.pid).not.toBe(osd.pid);
    const up = (await cephJson(first.addr, "osd dump")).osds.find((o: any) => `osd.${o.osd}` === osd.daemonName);
    expect([up.up, up.in]).toEqual([1, 1]);
  });

  it("removing an OSD: out, drained until safe to destroy, stopped, purged; its device is free again", { timeout: LONG }, async () => {
    const op = await succeed(api.removeOsds({ osdIds: [rawOsd] }));
    const removals = op.outcome?.$case === "result" && op.outcome.value.result?.$case === "osdRemovals" ? op.outcome.value.result.value.removals : [];
    expect(removals.map((r) => [r.osdId, r.state])).toEqual([[rawOsd, OsdRemoval_State.STATE_DONE]]);
    const tree = await cephJson(first.addr, "osd tree");
    expect(tree.nodes.some((n: any) => n.type === "osd" && n.id === rawOsd)).toBe(false);
    const dev = (await api.getInventory({ hostnames: [first.hostname], refresh: true })).hosts[0]!.devices.find((d) => d.path === first.loop)!;
    expect([dev.available, dev.osdId]).toEqual([true, -1]);
  });

  it("ceph -s reaches HEALTH_OK, and ceph osd tree matches the API's OSD daemons", { timeout: LONG }, async () => {
    await until("HEALTH_OK", async () => (await cephJson(first.addr, "health detail")).status === "HEALTH_OK", 240_000, 2000).catch(async (e) => {
      throw new Error(`${String(e)}\n${await onHost(first.addr, "ceph health detail")}`);
    });
    const tree = await cephJson(first.addr, "osd tree");
    const fromTree = tree.nodes
      .filter((n: any) => n.type === "host")
      .flatMap((n: any) => n.children.map((c: number) => {
        const osd = tree.nodes.find((x: any) => x.id === c);
        return [`osd.${c}`, n.name, osd.status];
      }))
      .sort();
    const fromApi = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD })).daemons
      .map((d) => [d.daemonName, d.hostname, d.status === DS.STATUS_RUNNING ? "up" : "down"])
      .sort();
    expect(fromApi).toEqual(fromTree);
    expect(fromApi).toHaveLength(3);
  });
});
