// A fault on the ssh backend's cluster (scripts/test-ssh.sh runs this after cluster.test.ts;
// skipped without the test hosts): one host's sshd is stopped (listener and open sessions)
// while a restart of a service with daemons on three hosts runs. That host's part fails with
// a message naming it, the other hosts' parts finish, and the service keeps serving: status,
// hosts (the host OFFLINE), daemons (its daemons UNKNOWN). Once sshd is back, the host is
// ONLINE again and its daemon is started again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { DaemonDescription_Status as DS, ServiceAction } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { Api, opsOf } from "../conformance/api.js";
import { type Harness, startHarness } from "../support/harness.js";
import { TEST_HOSTS, skipWithout } from "./ci-guard.js";
import { cephJson, enabled, serverArgs, sshd, testHosts } from "./env.js";

const LONG = 300_000;

describe.skipIf(skipWithout(enabled, TEST_HOSTS))("ssh backend: a host's sshd stops in the middle of an operation", () => {
  let h: Harness;
  let api: Api;
  const hosts = enabled ? testHosts().slice(0, 3) : [];
  const victim = hosts[2]!;

  beforeAll(async () => {
    h = await startHarness(serverArgs());
    api = new Api(h);
  }, LONG);

  afterAll(async () => {
    await sshd("start", victim.hostname).catch(() => undefined);
    await h?.stop();
  }, LONG);

  it("the host's part fails naming it, the others finish, the service keeps serving", { timeout: LONG }, async () => {
    const before = (await api.listDaemons({ serviceName: "osd.files" })).daemons;
    expect(before.map((d) => d.hostname).sort()).toEqual(hosts.map((x) => x.hostname));
    const stream = api.serviceAction({ serviceName: "osd.files", action: ServiceAction.SERVICE_ACTION_RESTART });
    const msgs = opsOf(stream);
    // The operation is under way on every host; then the victim's sshd goes away.
    await new Promise((r) => setTimeout(r, 300));
    await sshd("stop", victim.hostname);
    const all = await msgs;
    const op = all.at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(op.message).toContain(victim.hostname);
    const byHost = Object.fromEntries(op.tasks.map((t) => [t.hostname, t.state]));
    expect(byHost).toEqual({
      [hosts[0]!.hostname]: S.STATE_SUCCEEDED,
      [hosts[1]!.hostname]: S.STATE_SUCCEEDED,
      [victim.hostname]: S.STATE_FAILED,
    });
    const victimTask = op.tasks.find((t) => t.hostname === victim.hostname)!;
    expect(victimTask.message).toContain(victim.hostname);
    expect(victimTask.message).toMatch(/connection was lost|unreachable/);

    // The others were restarted: new processes, up.
    const after = (await api.listDaemons({ serviceName: "osd.files" })).daemons;
    for (const x of hosts.slice(0, 2)) {
      const b = before.find((d) => d.hostname === x.hostname)!;
      const a = after.find((d) => d.hostname === x.hostname)!;
      expect([a.status, a.pid === b.pid]).toEqual([DS.STATUS_RUNNING, false]);
    }
    // Still serving: status, hosts, daemons.
    expect((await api.getStatus()).available).toBe(true);
    const listed = (await api.listHosts()).hosts.find((x) => x.hostname === victim.hostname)!;
    expect(listed.status).toBe(Host_Status.STATUS_OFFLINE);
    expect(listed.statusMessage).toContain(victim.hostname);
    expect(after.find((d) => d.hostname === victim.hostname)!.status).toBe(DS.STATUS_UNKNOWN);

    // Back again: online, and its OSD runs again.
    await sshd("start", victim.hostname);
    const name = after.find((d) => d.hostname === victim.hostname)!.daemonName;
    const start = (await opsOf(api.daemonAction({ daemonName: name, action: ServiceAction.SERVICE_ACTION_START }))).at(-1)!;
    expect(start.state, start.message).toBe(S.STATE_SUCCEEDED);
    expect((await api.listHosts()).hosts.find((x) => x.hostname === victim.hostname)!.status).toBe(Host_Status.STATUS_ONLINE);
    expect((await api.listDaemons({ daemonId: name })).daemons[0]!.status).toBe(DS.STATUS_RUNNING);
    const health = await cephJson(hosts[0]!.addr, "osd stat");
    expect([health.num_up_osds, health.num_in_osds]).toEqual([health.num_osds, health.num_osds]);
  });
});
