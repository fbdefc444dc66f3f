import { describe, expect, it } from "vitest";
import type { DaemonDeployment, ServiceRecord } from "../../../src/backend/backend.js";
import {
  type DaemonDescription,
  DaemonDescription_Status as Status,
  ServiceAction,
  ServiceType,
} from "../../../gen/ts/ceph_orchestrator/v1/service.js";
import { AlreadyExistsError, CancelledError, ExecutionError, NotFoundError } from "../../../src/domain/errors.js";
import type { SimBackend } from "../../../backends/sim/cluster.js";
import { sim, stepContext } from "./helpers.js";

const MDS: ServiceRecord = {
  serviceType: ServiceType.SERVICE_TYPE_MDS,
  serviceId: "cephfs",
  serviceName: "mds.cephfs",
  placement: { label: "", hosts: [], count: 2, hostPattern: "" },
  radosConfigLocation: "",
  serviceUrl: "",
  unmanaged: false,
};

const mds = (daemonId: string, hostname: string): DaemonDeployment => ({
  serviceType: ServiceType.SERVICE_TYPE_MDS,
  serviceName: "mds.cephfs",
  daemonId,
  hostname,
  network: "",
  service: MDS,
});

async function daemon(backend: SimBackend, name: string): Promise<DaemonDescription> {
  const d = (await backend.listDaemons(false)).find((x) => x.daemonName === name);
  if (!d) throw new NotFoundError("daemon", name);
  return d;
}

describe("sim services", () => {
  it("saves and deletes specs idempotently, keeping the creation time", async () => {
    const backend = await sim();
    await backend.saveService(stepContext(), MDS);
    const [saved] = (await backend.listServices()).filter((s) => s.serviceName === "mds.cephfs");
    expect(saved).toMatchObject({ ...MDS, created: expect.anything() });
    await backend.saveService(stepContext(), { ...MDS, placement: { label: "mds", hosts: [], count: 0, hostPattern: "" } });
    const [replaced] = (await backend.listServices()).filter((s) => s.serviceName === "mds.cephfs");
    expect(replaced?.placement?.label).toBe("mds");
    expect(replaced?.created).toEqual(saved?.created);
    await backend.deleteService(stepContext(), "mds.cephfs");
    await backend.deleteService(stepContext(), "mds.cephfs");
    expect((await backend.listServices()).map((s) => s.serviceName)).not.toContain("mds.cephfs");
  });

  it("lists the service of daemons that have no saved spec", async () => {
    const backend = await sim();
    await backend.deployDaemon(stepContext(), mds("cephfs.node-1.abcdef", "node-1"));
    expect((await backend.listServices()).find((s) => s.serviceName === "mds.cephfs")).toMatchObject({
      serviceType: ServiceType.SERVICE_TYPE_MDS,
      serviceId: "cephfs",
      placement: undefined,
    });
  });
});

describe("sim daemons", () => {
  it("deploys a daemon that is STARTING, then RUNNING, idempotently", async () => {
    const backend = await sim({ delays: { deployDaemon: 40 } });
    const deploying = backend.deployDaemon(stepContext(), mds("cephfs.node-1.abcdef", "node-1"));
    await new Promise((r) => setTimeout(r, 10));
    expect((await daemon(backend, "mds.cephfs.node-1.abcdef")).status).toBe(Status.STATUS_STARTING);
    const running = await deploying;
    expect(running).toMatchObject({
      daemonType: ServiceType.SERVICE_TYPE_MDS,
      daemonName: "mds.cephfs.node-1.abcdef",
      serviceName: "mds.cephfs",
      hostname: "node-1",
      status: Status.STATUS_RUNNING,
      version: "16.2.15",
      containerId: "",
    });
    expect(running.pid).toBeGreaterThan(0);
    expect(await backend.deployDaemon(stepContext(), mds("cephfs.node-1.abcdef", "node-1"))).toEqual(running);
    await expect(backend.deployDaemon(stepContext(), mds("cephfs.node-1.abcdef", "node-2"))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(backend.deployDaemon(stepContext(), mds("cephfs.node-9.x", "node-9"))).rejects.toThrow(new NotFoundError("host", "node-9"));
  });

  it("stops, starts, restarts, reloads and redeploys", async () => {
    const backend = await sim();
    const first = await daemon(backend, "mgr.node-2.lhmqbe");
    await backend.daemonAction(stepContext(), first, ServiceAction.SERVICE_ACTION_STOP);
    expect(await daemon(backend, first.daemonName)).toMatchObject({ status: Status.STATUS_STOPPED, pid: 0 });
    await backend.daemonAction(stepContext(), first, ServiceAction.SERVICE_ACTION_STOP);

    await backend.daemonAction(stepContext(), first, ServiceAction.SERVICE_ACTION_START);
    const started = await daemon(backend, first.daemonName);
    expect(started.status).toBe(Status.STATUS_RUNNING);
    expect(started.pid).toBeGreaterThan(0);

    await backend.daemonAction(stepContext(), first, ServiceAction.SERVICE_ACTION_START);
    expect(await daemon(backend, first.daemonName)).toEqual(started);

    await backend.daemonAction(stepContext(), first, ServiceAction.SERVICE_ACTION_RELOAD);
    expect(await daemon(backend, first.daemonName)).toMatchObject({ status: Status.STATUS_RUNNING, pid: started.pid, started: started.started });

    await new Promise((r) => setTimeout(r, 5));
    for (const action of [ServiceAction.SERVICE_ACTION_RESTART, ServiceAction.SERVICE_ACTION_REDEPLOY]) {
      const before = await daemon(backend, first.daemonName);
      await new Promise((r) => setTimeout(r, 5));
      await backend.daemonAction(stepContext(), first, action);
      const after = await daemon(backend, first.daemonName);
      expect(after.status).toBe(Status.STATUS_RUNNING);
      expect(after.pid).not.toBe(before.pid);
      expect(after.started).not.toEqual(before.started);
    }
    await expect(backend.daemonAction(stepContext(), { ...first, daemonName: "mgr.gone" }, ServiceAction.SERVICE_ACTION_START)).rejects.toThrow(
      new NotFoundError("daemon", "mgr.gone"),
    );
  });

  it("lists every change, also those made in place, though it reuses its descriptions between changes", async () => {
    const backend = await sim();
    const listed = await backend.listDaemons(false);
    const mgr = listed.find((d) => d.daemonName === "mgr.node-2.lhmqbe")!;
    expect(Object.isFrozen(mgr)).toBe(true);
    expect(Object.isFrozen(listed)).toBe(true); // shared between callers: nobody changes it
    expect(await backend.listDaemons(false)).toBe(listed); // the same list until something changes
    await new Promise((r) => setTimeout(r, 5));
    await backend.daemonAction(stepContext(), mgr, ServiceAction.SERVICE_ACTION_RELOAD);
    const reloaded = await daemon(backend, mgr.daemonName);
    expect(reloaded.lastRefresh).not.toEqual(mgr.lastRefresh);
    await new Promise((r) => setTimeout(r, 5));
    const refreshed = await backend.listDaemons(true);
    expect(refreshed.find((d) => d.daemonName === mgr.daemonName)?.lastRefresh).not.toEqual(reloaded.lastRefresh);
    await backend.saveService(stepContext(), MDS);
    await backend.deployDaemon(stepContext(), mds("cephfs.node-1.abcdef", "node-1"));
    expect((await backend.listServices()).filter((s) => s.serviceName === "mds.cephfs")).toHaveLength(1);
    await backend.deleteService(stepContext(), "mds.cephfs");
    expect((await backend.listServices()).find((s) => s.serviceName === "mds.cephfs")?.placement).toBeUndefined();
  });

  it("removes a daemon, idempotently", async () => {
    const backend = await sim();
    const crash = await daemon(backend, "crash.node-3");
    await backend.removeDaemon(stepContext(), crash);
    await backend.removeDaemon(stepContext(), crash);
    expect((await backend.listDaemons(false)).map((d) => d.daemonName)).not.toContain("crash.node-3");
  });
});

describe("sim upgrades", () => {
  it("offers newer versions and moves daemons to them", async () => {
    const backend = await sim({ delays: { upgradeDaemon: 30 } });
    expect(await backend.availableVersions()).toEqual(["17.2.7", "18.2.4"]);
    const mon = await daemon(backend, "mon.node-1");
    const upgrading = backend.upgradeDaemon(stepContext(), mon, "17.2.7");
    await new Promise((r) => setTimeout(r, 10));
    expect(await daemon(backend, "mon.node-1")).toMatchObject({ status: Status.STATUS_STARTING, version: "16.2.15" });
    await upgrading;
    const after = await daemon(backend, "mon.node-1");
    expect(after).toMatchObject({ status: Status.STATUS_RUNNING, version: "17.2.7" });
    expect(after.pid).not.toBe(mon.pid);
    await backend.upgradeDaemon(stepContext(), mon, "17.2.7");
    expect(await daemon(backend, "mon.node-1")).toEqual(after);

    // The cluster is as old as its oldest daemon until every one has moved.
    expect(await backend.availableVersions()).toEqual(["17.2.7", "18.2.4"]);
    for (const d of await backend.listDaemons(false)) await backend.upgradeDaemon(stepContext(), d, "17.2.7");
    expect(await backend.availableVersions()).toEqual(["18.2.4"]);
    expect((await backend.status()).details.version).toBe("17.2.7");
  });

  it("deploys new daemons on the newest version in use", async () => {
    const backend = await sim();
    await backend.upgradeDaemon(stepContext(), await daemon(backend, "mgr.node-1.xkqvzc"), "18.2.4");
    expect((await backend.deployDaemon(stepContext(), mds("cephfs.node-1.abcdef", "node-1"))).version).toBe("18.2.4");
  });

  it("fails on a version it has no image for", async () => {
    const backend = await sim({ version: "17.2.7", availableVersions: ["17.2.7", "18.2.4"] });
    expect(await backend.availableVersions()).toEqual(["18.2.4"]);
    await expect(backend.upgradeDaemon(stepContext(), await daemon(backend, "mon.node-1"), "19.2.0")).rejects.toBeInstanceOf(ExecutionError);
  });
});

describe("sim cancellation", () => {
  it("refuses to start a step whose operation is already cancelled", async () => {
    const backend = await sim();
    const controller = new AbortController();
    controller.abort();
    await expect(backend.deployDaemon(stepContext(controller.signal), mds("cephfs.node-1.a", "node-1"))).rejects.toBeInstanceOf(CancelledError);
    await expect(backend.saveService(stepContext(controller.signal), MDS)).rejects.toBeInstanceOf(CancelledError);
    expect((await backend.listDaemons(false)).map((d) => d.daemonName)).not.toContain("mds.cephfs.node-1.a");
  });

  it("stops a deployment mid-way and leaves nothing behind", async () => {
    const backend = await sim({ delays: { deployDaemon: 5000 } });
    const controller = new AbortController();
    const deploying = backend.deployDaemon(stepContext(controller.signal), mds("cephfs.node-1.a", "node-1"));
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(deploying).rejects.toBeInstanceOf(CancelledError);
    expect((await backend.listDaemons(false)).map((d) => d.daemonName)).not.toContain("mds.cephfs.node-1.a");
  });

  it("leaves a daemon as it was when its restart is cancelled", async () => {
    const backend = await sim({ delays: { daemonAction: 5000, upgradeDaemon: 5000 } });
    const mon = await daemon(backend, "mon.node-2");
    for (const step of [
      (ctx: ReturnType<typeof stepContext>) => backend.daemonAction(ctx, mon, ServiceAction.SERVICE_ACTION_RESTART),
      (ctx: ReturnType<typeof stepContext>) => backend.upgradeDaemon(ctx, mon, "18.2.4"),
    ]) {
      const controller = new AbortController();
      const running = step(stepContext(controller.signal));
      await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      await expect(running).rejects.toBeInstanceOf(CancelledError);
      expect(await daemon(backend, "mon.node-2")).toEqual(mon);
    }
  });
});
