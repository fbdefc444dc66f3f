// The ssh backend on a host where systemd runs (scripts/testhosts/up.sh TESTHOSTS_SYSTEMD:
// systemd is PID 1 of that host's PID namespace), on the cluster test/ssh/cluster.test.ts
// built (run after it by scripts/test-ssh.sh; skipped without the test hosts or without a
// systemd host). First orchctl alone on that host, then through the API: the host is added,
// a mgr deployed on it is the systemd unit ceph-orch-mgr.ID.service (active, enabled, its
// MainPID the pid the API reports, in its own cgroup, output in /var/log/ceph/mgr.ID.out);
// stop, start and restart through the API show in systemctl; a killed mgr is restarted by
// systemd (Restart=on-failure); removing it disables the unit and deletes its file. The
// cluster is left as it was found: the mgr placement restored, the host removed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { type DaemonDescription, DaemonDescription_Status as DS, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { Api, opsOf } from "../conformance/api.js";
import { type Harness, startHarness } from "../support/harness.js";
import { TEST_HOSTS, skipWithout } from "./ci-guard.js";
import { cephJson, enabled, onHost, serverArgs, type TestHost, testHosts } from "./env.js";
import { succeed, until } from "./helpers.js";

const LONG = 600_000;
const ORCHCTL = "/var/lib/ceph/orch/orchctl";
const sdHost = enabled ? testHosts().find((t) => t.systemd) : undefined;

const noSystemdHost = "no test host runs systemd (TESTHOSTS_SYSTEMD)";
describe.skipIf(skipWithout(enabled, TEST_HOSTS) || skipWithout(sdHost !== undefined, noSystemdHost))("ssh backend: daemons as systemd units on a host where systemd runs", () => {
  const t = sdHost as TestHost;
  let h: Harness;
  let api: Api;
  let cluster: TestHost[];
  let mgrHosts: string[];
  let mgr: DaemonDescription | undefined;
  const unitOf = (d: DaemonDescription) => `ceph-orch-${d.daemonName}.service`;
  /** ActiveState, SubState, MainPID, UnitFileState of a unit, as systemctl shows them on the host. */
  const show = async (unit: string) => {
    const out = await onHost(t.addr, `systemctl show -p ActiveState -p SubState -p MainPID -p UnitFileState ${unit}`);
    return Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  };
  const listMgr = async (name: string) => (await api.listDaemons({ daemonId: name, refresh: true })).daemons[0];

  beforeAll(async () => {
    cluster = testHosts().filter((x) => !x.systemd).slice(0, 3);
    h = await startHarness(serverArgs());
    api = new Api(h);
    mgrHosts = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_MGR })).daemons.map((d) => d.hostname).sort();
  }, LONG);

  afterAll(async () => {
    // Whatever happened: the mgr placement as it was, and the host out of the cluster.
    if (api) {
      const now = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_MGR })).daemons;
      if (now.some((d) => d.hostname === t.hostname)) {
        await opsOf(api.updateMgrs({ placement: { hosts: mgrHosts.map((hostname) => ({ hostname })), count: mgrHosts.length } })).catch(() => undefined);
      }
      if ((await api.listHosts()).hosts.some((x) => x.hostname === t.hostname)) {
        await opsOf(api.removeHost({ hostname: t.hostname, force: true })).catch(() => undefined);
      }
    }
    await h?.stop();
  }, LONG);

  it("the host runs systemd as PID 1; the cluster's hosts do not", async () => {
    expect((await onHost(t.addr, "systemctl is-system-running; ps -o comm= -p 1")).trim().split("\n")).toEqual(["running", "systemd"]);
    for (const c of cluster) expect(await onHost(c.addr, "[ -d /run/systemd/system ] && echo systemd || echo none")).toBe("none\n");
  });

  it("AddHost installs orchctl; orchctl runs a unit as ceph-orch-NAME.service (start, stop, restart, hup, remove)", { timeout: LONG }, async () => {
    await succeed(api.addHost({ host: { hostname: t.hostname, addr: t.addr } }));
    expect((await api.listHosts()).hosts.find((x) => x.hostname === t.hostname)?.status).toBe(Host_Status.STATUS_ONLINE);
    // A unit that is no Ceph daemon, named so that the API would never make it.
    const out = await onHost(
      t.addr,
      `set -e; U=/var/lib/ceph/orch/units; N=sdtest.orchctl; u=ceph-orch-$N.service
printf '#!/bin/bash\\ntrap "echo hup" HUP\\necho up\\nsleep 600 & wait; wait\\n' > $U/$N.run; printf 'sdtest\\t1\\t\\n' > $U/$N.meta
st() { ${ORCHCTL} status | awk -v n=$N '$1==n {print $2, ($3 > 0 ? "pid" : "0"), ($4 > 1000000000 ? "t" : "0")}'; }
${ORCHCTL} start $N; echo "start: $(st) $(systemctl is-active $u) $(systemctl is-enabled $u)"
[ "$(${ORCHCTL} status | awk -v n=$N '$1==n {print $3}')" = "$(systemctl show -p MainPID --value $u)" ] && echo "same pid"
${ORCHCTL} hup $N; sleep 0.3; echo "hup: $(tail -n 1 /var/log/ceph/$N.out)"
${ORCHCTL} stop $N; echo "stop: $(st) $(systemctl is-active $u || true) $(systemctl is-enabled $u)"
${ORCHCTL} restart $N; echo "restart: $(st) $(systemctl is-active $u)"
${ORCHCTL} remove $N; echo "remove: [$(st)] $(systemctl is-enabled $u 2>&1 || true) $(ls /etc/systemd/system/$u 2>&1 | grep -c 'No such')"`,
    );
    expect(out.trim().split("\n")).toEqual([
      "start: running pid t active enabled",
      "same pid",
      "hup: hup",
      "stop: stopped 0 0 inactive enabled",
      "restart: running pid t active",
      expect.stringMatching(/^remove: \[\] .*(not-found|No such file).* 1$/),
    ]);
  });

  it("a mgr deployed on the host is a systemd unit: active, enabled, its MainPID the API's pid, its own cgroup, its output in its log", { timeout: LONG }, async () => {
    await succeed(api.updateMgrs({ placement: { hosts: [...mgrHosts, t.hostname].map((hostname) => ({ hostname })), count: mgrHosts.length + 1 } }));
    mgr = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_MGR, hostname: t.hostname })).daemons[0];
    expect(mgr, "a mgr on the systemd host").toBeDefined();
    expect(mgr!.status).toBe(DS.STATUS_RUNNING);
    const s = await show(unitOf(mgr!));
    expect([s.ActiveState, s.SubState, s.UnitFileState]).toEqual(["active", "running", "enabled"]);
    expect(Number(s.MainPID)).toBe(mgr!.pid);
    expect(await onHost(t.addr, `cat /proc/${mgr!.pid}/comm; grep '^0::' /proc/${mgr!.pid}/cgroup; test -e /var/log/ceph/${mgr!.daemonName}.out && echo log`)).toBe(
      `ceph-mgr\n0::/system.slice/${unitOf(mgr!)}\nlog\n`,
    );
    const dump = await cephJson(cluster[0]!.addr, "mgr dump");
    expect(dump.standbys.map((x: { name: string }) => x.name)).toContain(mgr!.daemonId);
  });

  it("stop, start and restart through the API show in systemctl", { timeout: LONG }, async () => {
    const d = mgr!;
    await succeed(api.daemonAction({ daemonName: d.daemonName, action: ServiceAction.SERVICE_ACTION_STOP }));
    expect((await listMgr(d.daemonName))?.status).toBe(DS.STATUS_STOPPED);
    let s = await show(unitOf(d));
    expect([s.ActiveState, s.MainPID, s.UnitFileState]).toEqual(["inactive", "0", "enabled"]);

    await succeed(api.daemonAction({ daemonName: d.daemonName, action: ServiceAction.SERVICE_ACTION_START }));
    const started = (await listMgr(d.daemonName))!;
    expect(started.status).toBe(DS.STATUS_RUNNING);
    s = await show(unitOf(d));
    expect([s.ActiveState, Number(s.MainPID)]).toEqual(["active", started.pid]);
    expect(started.pid).not.toBe(d.pid);

    await succeed(api.daemonAction({ daemonName: d.daemonName, action: ServiceAction.SERVICE_ACTION_RESTART }));
    const restarted = (await listMgr(d.daemonName))!;
    expect(restarted.status).toBe(DS.STATUS_RUNNING);
    s = await show(unitOf(d));
    expect([s.ActiveState, Number(s.MainPID)]).toEqual(["active", restarted.pid]);
    expect(restarted.pid).not.toBe(started.pid);
    mgr = restarted;
  });

  it("a mgr killed behind the API's back is restarted by systemd (Restart=on-failure)", { timeout: LONG }, async () => {
    const d = mgr!;
    await onHost(t.addr, `kill -KILL ${d.pid}`);
    const back = await until("systemd to restart the mgr, and the cluster to see it", async () => {
      const x = await listMgr(d.daemonName);
      return x && x.status === DS.STATUS_RUNNING && x.pid !== d.pid ? x : undefined;
    });
    const s = await show(unitOf(d));
    expect([s.ActiveState, Number(s.MainPID)]).toEqual(["active", back.pid]);
    expect(await onHost(t.addr, `systemctl show -p NRestarts --value ${unitOf(d)}`)).toBe("1\n");
  });

  it("removing the mgr (the placement as it was) disables its unit and deletes the unit file; then the host leaves", { timeout: LONG }, async () => {
    const d = mgr!;
    await succeed(api.updateMgrs({ placement: { hosts: mgrHosts.map((hostname) => ({ hostname })), count: mgrHosts.length } }));
    expect((await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_MGR })).daemons.map((x) => x.hostname).sort()).toEqual(mgrHosts);
    const s = await show(unitOf(d));
    expect([s.ActiveState, s.UnitFileState]).toEqual(["inactive", ""]);
    expect(await onHost(t.addr, "ls /etc/systemd/system | grep -c ^ceph-orch- || true; ls /etc/systemd/system/multi-user.target.wants 2>/dev/null | grep -c ^ceph-orch- || true")).toBe("0\n0\n");
    expect(await onHost(t.addr, `pgrep -x ceph-mgr || echo none`)).toBe("none\n");
    await succeed(api.removeHost({ hostname: t.hostname }));
    expect((await api.listHosts()).hosts.map((x) => x.hostname)).not.toContain(t.hostname);
  });
});
