// ServiceService's actions: start, stop, restart, reload or redeploy a service's daemons or one
// daemon; remove daemons by name.
import { type DaemonDescription, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { typeName } from "../backend/ceph-names.js";
import {
  type DaemonActionRequest,
  type RemoveDaemonsRequest,
  type ServiceActionRequest,
  ServiceServiceService,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { FailedPreconditionError, NotFoundError, ValidationError } from "./errors.js";
import { Violations, validateEnum, validateRequestId, validateString } from "./fields.js";
import { type WriteUseCase, fullName } from "./registry-types.js";
import { hostsOf } from "./service-placement.js";

/** The action, the name of what it acts on (`field`), and the request id. */
function validateAction(action: ServiceAction, field: string, name: string, requestId: string): void {
  const v = new Violations();
  v.addAll(validateEnum(action, ServiceAction, "action", true));
  v.check(name !== "", field, "is required");
  v.addAll(validateString(name, field, 128));
  v.addAll(validateRequestId(requestId));
  v.throwIfAny();
}

export const serviceAction: WriteUseCase<ServiceActionRequest> = {
  validate: (_deps, req) => validateAction(req.action, "service_name", req.serviceName, req.requestId),
  plan: async (deps, req) => {
    const daemons = (await deps.backend.listDaemons!(false)).filter((d) => d.serviceName === req.serviceName);
    const known = deps.backend.listServices ? (await deps.backend.listServices()).some((s) => s.serviceName === req.serviceName) : false;
    if (daemons.length === 0 && !known) throw new NotFoundError("service", req.serviceName);
    return serviceActionPlan(deps, req, hostsOf(daemons));
  },
  rebuild: (deps, req, op) => serviceActionPlan(deps, req, op.hosts),
};

export const daemonAction: WriteUseCase<DaemonActionRequest> = {
  validate: (_deps, req) => {
    validateAction(req.action, "daemon_name", req.daemonName, req.requestId);
    const v = new Violations();
    v.addAll(validateString(req.version, "version", 64));
    v.check(req.version === "" || req.action === ServiceAction.SERVICE_ACTION_REDEPLOY, "version", "only with REDEPLOY");
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const daemon = (await deps.backend.listDaemons!(false)).find((d) => d.daemonName === req.daemonName);
    if (!daemon) throw new NotFoundError("daemon", req.daemonName);
    if (req.version !== "" && !(deps.backend.availableVersions && deps.backend.upgradeDaemon)) {
      throw new ValidationError([{ field: "version", description: `backend '${deps.backend.name}' cannot run daemons on another version` }]);
    }
    if (req.version !== "" && req.version !== daemon.version && !(await deps.backend.availableVersions!()).includes(req.version)) {
      throw new ValidationError([{ field: "version", description: `'${req.version}' is not a version the cluster can run (see GetAvailableUpgrades)` }]);
    }
    return daemonActionPlan(deps, req, [daemon.hostname]);
  },
  rebuild: (deps, req, op) => daemonActionPlan(deps, req, op.hosts),
};

function serviceActionPlan(deps: Deps, req: ServiceActionRequest, hosts: string[]): WritePlan {
  const method = fullName(ServiceServiceService.serviceAction);
  return actionPlan(deps, req, method, `service '${req.serviceName}'`, hosts, (d) => d.serviceName === req.serviceName);
}

function daemonActionPlan(deps: Deps, req: DaemonActionRequest, hosts: string[]): WritePlan {
  const method = fullName(ServiceServiceService.daemonAction);
  return actionPlan(deps, req, method, `daemon '${req.daemonName}'`, hosts, (d) => d.daemonName === req.daemonName);
}

/** Acts on the matching daemons as they are when the operation runs; `what` names them. */
function actionPlan(
  deps: Deps,
  req: ServiceActionRequest | DaemonActionRequest,
  method: string,
  what: string,
  hosts: string[],
  matches: (d: DaemonDescription) => boolean,
): WritePlan {
  const version = "version" in req ? req.version : "";
  return writePlan(method, req, `${actionName(req.action)} ${what}${version ? ` on ${version}` : ""}`, hosts, async (run) => {
    const daemons = (await deps.backend.listDaemons!(false)).filter(matches);
    // Redeployed on another version: as an upgrade restarts a daemon (idempotent on a resume).
    const act = (d: DaemonDescription) =>
      version && version !== d.version
        ? run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.upgradeDaemon!(ctx, d, version))
        : run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.daemonAction!(ctx, d, req.action));
    await settleAll(daemons.map(act));
    return { result: { $case: "daemons", value: { daemonNames: daemons.map((d) => d.daemonName) } } };
  });
}

function actionName(action: ServiceAction): string {
  const name = ServiceAction[action] ?? "act on";
  return name
    .replace("SERVICE_ACTION_", "")
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());
}

const MAX_REMOVED_DAEMONS = 100;

export const removeDaemons: WriteUseCase<RemoveDaemonsRequest> = {
  validate: (_deps, req) => {
    const v = new Violations();
    v.check(req.daemonNames.length > 0, "daemon_names", "at least one daemon is required");
    v.check(req.daemonNames.length <= MAX_REMOVED_DAEMONS, "daemon_names", `at most ${MAX_REMOVED_DAEMONS} daemons`);
    v.check(new Set(req.daemonNames).size === req.daemonNames.length, "daemon_names", "each daemon once");
    req.daemonNames.forEach((name, i) => {
      const field = `daemon_names[${i}]`;
      if (v.check(/^[a-z-]+\.\S+$/.test(name), field, "must be a daemon name, TYPE.ID (e.g. mds.cephfs.node-1.abcdef)")) {
        v.addAll(validateString(name, field, 128));
      }
    });
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const all = await deps.backend.listDaemons!(false);
    const targets = req.daemonNames.map((name) => {
      const d = all.find((x) => x.daemonName === name);
      if (!d) throw new NotFoundError("daemon", name);
      return d;
    });
    checkRemovable(all, targets, req.force);
    return removeDaemonsPlan(deps, req, hostsOf(targets));
  },
  rebuild: (deps, req, op) => removeDaemonsPlan(deps, req, op.hosts),
};

/** OSDs go through RemoveOsds; a mon needs force; the last mon and the last mgr stay. */
function checkRemovable(all: readonly DaemonDescription[], targets: readonly DaemonDescription[], force: boolean): void {
  for (const d of targets) {
    if (d.daemonType === ServiceType.SERVICE_TYPE_OSD) {
      throw new FailedPreconditionError(
        `daemon/${d.daemonName}`,
        `${d.daemonName}: remove OSDs with RemoveOsds (orch osd rm), which drains them first`,
      );
    }
    if (d.daemonType === ServiceType.SERVICE_TYPE_MON && !force) {
      throw new FailedPreconditionError(
        `daemon/${d.daemonName}`,
        `${d.daemonName} holds a copy of the cluster's maps: set force to remove it`,
      );
    }
  }
  for (const type of [ServiceType.SERVICE_TYPE_MON, ServiceType.SERVICE_TYPE_MGR]) {
    const left = all.filter((d) => d.daemonType === type && !targets.includes(d));
    const removed = targets.filter((d) => d.daemonType === type);
    if (removed.length > 0 && left.length === 0) {
      throw new FailedPreconditionError(`daemon/${removed[0]!.daemonName}`, `the cluster's last ${typeName(type)} cannot be removed`);
    }
  }
}

/** Removes the named daemons that are still there, one at a time (mons keep their quorum). */
function removeDaemonsPlan(deps: Deps, req: RemoveDaemonsRequest, hosts: string[]): WritePlan {
  const method = fullName(ServiceServiceService.removeDaemons);
  return writePlan(method, req, `Remove daemons ${req.daemonNames.join(", ")}`, hosts, async (run) => {
    const removed: string[] = [];
    for (const name of req.daemonNames) {
      run.throwIfCancelled();
      const d = (await deps.backend.listDaemons!(false)).find((x) => x.daemonName === name);
      // Gone already: removed before a restart, when this operation runs again.
      if (d) await run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.removeDaemon!(ctx, d));
      removed.push(name);
      run.progress(removed.length / req.daemonNames.length, `${removed.length} of ${req.daemonNames.length} daemons removed`);
    }
    return { result: { $case: "daemons", value: { daemonNames: removed } } };
  });
}
