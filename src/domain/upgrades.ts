// Upgrades: roll every daemon to a target version in upstream's order, one daemon at a
// time, pausable, stoppable, with "x of y daemons" progress.
import { Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { DaemonDescription } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { UpgradeStatus } from "../../gen/ts/ceph_orchestrator/v1/upgrade.js";
import {
  type GetAvailableUpgradesResponse,
  type GetUpgradeStatusResponse,
  type PauseUpgradeRequest,
  type ResumeUpgradeRequest,
  type StartUpgradeRequest,
  type StopUpgradeRequest,
  UpgradeServiceService,
} from "../../gen/ts/ceph_orchestrator/v1/upgrade_service.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, writePlan } from "./context.js";
import { CancelledError, FailedPreconditionError } from "./errors.js";
import { Violations, validateRequestId, validateString } from "./fields.js";
import { typeName } from "../backend/ceph-names.js";
import { compareCephVersions } from "../backend/versions.js";
import type { UpgradeState } from "./orchestrator-state.js";
import { type WriteUseCase, fullName } from "./registry-types.js";
import { UPGRADE_ORDER, orderDaemonsForUpgrade } from "./upgrade-order.js";

async function currentVersion(deps: Deps): Promise<string> {
  const versions = (await deps.backend.listDaemons!(false)).map((d) => d.version).filter((v) => v !== "");
  return versions.sort(compareCephVersions)[0] ?? "";
}

export async function getAvailableUpgrades(deps: Deps): Promise<GetAvailableUpgradesResponse> {
  const current = await currentVersion(deps);
  const versions = (await deps.backend.availableVersions!()).filter((v) => current === "" || compareCephVersions(v, current) > 0);
  return { currentVersion: current, versions: versions.sort(compareCephVersions) };
}

export async function getUpgradeStatus(deps: Deps): Promise<GetUpgradeStatusResponse> {
  return { status: await status(deps) };
}

async function status(deps: Deps): Promise<UpgradeStatus> {
  const u = deps.state.upgrade;
  const daemons = deps.backend.listDaemons ? await deps.backend.listDaemons(false) : [];
  if (!u) {
    return {
      inProgress: false,
      targetVersion: "",
      servicesComplete: [],
      progress: "",
      daemonsUpgraded: 0,
      daemonsTotal: 0,
      message: "",
      paused: false,
      operationId: "",
      currentVersion: await currentVersion(deps),
    };
  }
  return {
    inProgress: true,
    targetVersion: u.target,
    servicesComplete: servicesComplete(daemons, u.target),
    progress: `${u.upgraded} of ${u.total} daemons upgraded`,
    daemonsUpgraded: u.upgraded,
    daemonsTotal: u.total,
    message: u.message,
    paused: u.paused,
    operationId: u.operationId,
    currentVersion: u.from,
  };
}

function servicesComplete(daemons: readonly DaemonDescription[], target: string): string[] {
  const types = new Set(daemons.map((d) => d.daemonType));
  return UPGRADE_ORDER.filter((t) => types.has(t) && daemons.filter((d) => d.daemonType === t).every((d) => d.version === target)).map(
    typeName,
  );
}

export const startUpgrade: WriteUseCase<StartUpgradeRequest> = {
  validate: async (deps, req) => {
    const v = new Violations();
    v.check(req.targetVersion !== "", "target_version", "is required");
    v.addAll(validateString(req.targetVersion, "target_version", 64));
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
    const available = await getAvailableUpgrades(deps);
    if (!available.versions.includes(req.targetVersion)) {
      v.check(false, "target_version", `'${req.targetVersion}' is not available; available: ${available.versions.join(", ") || "none"}`);
      v.throwIfAny();
    }
  },
  plan: async (deps, req) => {
    const running = deps.state.upgrade;
    if (running && running.target !== req.targetVersion) {
      throw new FailedPreconditionError("upgrade", `an upgrade to ${running.target} is in progress (operation ${running.operationId})`);
    }
    if (running) return deps.engine.get(running.operationId);
    const hosts = [...new Set((await deps.backend.listDaemons!(false)).map((d) => d.hostname))].sort();
    const from = await currentVersion(deps);
    return {
      ...startUpgradePlan(deps, req, hosts),
      // A retried request_id returns the earlier operation, which already has (or had) its state.
      accepted: (op) => {
        if (!deps.state.upgrade && op.state === Operation_State.STATE_ACCEPTED)
          deps.state.upgrade = newUpgradeState(req.targetVersion, op.id, from);
      },
    };
  },
  rebuild: (deps, req, op) => startUpgradePlan(deps, req, op.hosts),
};

function newUpgradeState(target: string, operationId: string, from = "", paused = false): UpgradeState {
  return { target, from, operationId, paused, message: paused ? "paused" : "starting", upgraded: 0, total: 0, resume: undefined };
}

/**
 * Whether the upgrade of operation `upgradeId` was paused when the service stopped: the last
 * PauseUpgrade or ResumeUpgrade that succeeded after it started (the journal keeps them, in
 * the order they came).
 */
function leftPaused(deps: Deps, upgradeId: string): boolean {
  const pause = fullName(UpgradeServiceService.pauseUpgrade);
  const resume = fullName(UpgradeServiceService.resumeUpgrade);
  for (const op of deps.engine.list({ states: [], method: "", hostname: "" })) {
    if (op.id === upgradeId) break; // newest first: earlier ones belong to earlier upgrades
    if (op.state !== Operation_State.STATE_SUCCEEDED) continue;
    if (op.method === pause) return true;
    if (op.method === resume) return false;
  }
  return false;
}

function startUpgradePlan(deps: Deps, req: StartUpgradeRequest, hosts: string[]): WritePlan {
  return writePlan(fullName(UpgradeServiceService.startUpgrade), req, `Upgrade the cluster to ${req.targetVersion}`, hosts, async (run) => {
    // After a restart the upgrade's state is rebuilt here, paused if it was left paused.
    const state = (deps.state.upgrade ??= newUpgradeState(req.targetVersion, run.id, "", leftPaused(deps, run.id)));
    state.from ||= await currentVersion(deps);
    try {
      const daemons = orderDaemonsForUpgrade(await deps.backend.listDaemons!(false));
      state.total = daemons.length;
      state.upgraded = daemons.filter((d) => d.version === req.targetVersion).length;
      for (const d of daemons) {
        if (d.version === req.targetVersion) continue;
        while (state.paused) {
          run.progress(state.upgraded / state.total, `paused after ${state.upgraded} of ${state.total} daemons`);
          await new Promise<void>((resolve) => {
            state.resume = resolve;
            run.signal.addEventListener("abort", () => resolve(), { once: true });
          });
          run.throwIfCancelled();
        }
        run.throwIfCancelled();
        state.message = `upgrading ${d.daemonName} on ${d.hostname}`;
        run.progress(state.upgraded / state.total, state.message);
        await run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.upgradeDaemon!(ctx, d, req.targetVersion));
        state.upgraded += 1;
        run.progress(state.upgraded / state.total, `${state.upgraded} of ${state.total} daemons upgraded`);
      }
      state.message = `upgraded ${state.total} daemons to ${req.targetVersion}`;
      return { result: { $case: "upgrade", value: { ...(await status(deps)), inProgress: false, message: state.message } } };
    } catch (err) {
      if (err instanceof CancelledError) throw new CancelledError(`upgrade stopped after ${state.upgraded} of ${state.total} daemons`);
      throw err;
    } finally {
      deps.state.upgrade = undefined;
    }
  });
}

type ControlMethod = "pauseUpgrade" | "resumeUpgrade" | "stopUpgrade";

const CONTROLS: Record<ControlMethod, { description: string; change: (deps: Deps, u: UpgradeState) => void | Promise<void> }> = {
  pauseUpgrade: {
    description: "Pause the upgrade",
    change: (_deps, u) => {
      u.paused = true;
      u.message = "paused";
    },
  },
  resumeUpgrade: {
    description: "Resume the upgrade",
    change: (_deps, u) => {
      u.paused = false;
      u.message = "resumed";
      u.resume?.();
    },
  },
  stopUpgrade: {
    description: "Stop the upgrade",
    change: async (deps, u) => {
      const ended = deps.engine.wait([u.operationId], 24 * 3600 * 1000);
      deps.engine.cancel(u.operationId);
      await ended;
    },
  },
};

export const pauseUpgrade: WriteUseCase<PauseUpgradeRequest> = control("pauseUpgrade");
export const resumeUpgrade: WriteUseCase<ResumeUpgradeRequest> = control("resumeUpgrade");
export const stopUpgrade: WriteUseCase<StopUpgradeRequest> = control("stopUpgrade");

function control(method: ControlMethod): WriteUseCase<{ requestId: string }> {
  return {
    validate: (_deps, req) => new Violations().addAll(validateRequestId(req.requestId)).throwIfAny(),
    plan: (deps, req) => {
      const u = deps.state.upgrade;
      if (!u) throw new FailedPreconditionError("upgrade", "no upgrade is in progress");
      if (method === "pauseUpgrade" && u.paused) throw new FailedPreconditionError("upgrade", "the upgrade is already paused");
      if (method === "resumeUpgrade" && !u.paused) throw new FailedPreconditionError("upgrade", "the upgrade is not paused");
      return Promise.resolve(controlPlan(deps, req, method));
    },
    rebuild: (deps, req) => controlPlan(deps, req, method),
  };
}

function controlPlan(deps: Deps, req: { requestId: string }, method: ControlMethod): WritePlan {
  const { description, change } = CONTROLS[method];
  return writePlan(fullName(UpgradeServiceService[method]), req, description, [], async () => {
    const u = deps.state.upgrade;
    if (!u) throw new FailedPreconditionError("upgrade", "no upgrade is in progress");
    await change(deps, u);
    return { result: { $case: "upgrade", value: await status(deps) } };
  });
}
