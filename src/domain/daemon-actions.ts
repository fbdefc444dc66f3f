// ServiceService's actions: start, stop, restart, reload or redeploy a service's daemons or one daemon.
import { type DaemonDescription, ServiceAction } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import {
  type DaemonActionRequest,
  type ServiceActionRequest,
  ServiceServiceService,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { NotFoundError } from "./errors.js";
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
  validate: (_deps, req) => validateAction(req.action, "daemon_name", req.daemonName, req.requestId),
  plan: async (deps, req) => {
    const daemon = (await deps.backend.listDaemons!(false)).find((d) => d.daemonName === req.daemonName);
    if (!daemon) throw new NotFoundError("daemon", req.daemonName);
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
  return writePlan(method, req, `${actionName(req.action)} ${what}`, hosts, async (run) => {
    const daemons = (await deps.backend.listDaemons!(false)).filter(matches);
    await settleAll(daemons.map((d) => run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.daemonAction!(ctx, d, req.action))));
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
