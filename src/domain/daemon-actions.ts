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

export const serviceAction: WriteUseCase<ServiceActionRequest> = {
  validate: (_deps, req) => {
    const v = new Violations();
    v.addAll(validateEnum(req.action, ServiceAction, "action", true));
    v.check(req.serviceName !== "", "service_name", "is required");
    v.addAll(validateString(req.serviceName, "service_name", 128));
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
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
    const v = new Violations();
    v.addAll(validateEnum(req.action, ServiceAction, "action", true));
    v.check(req.daemonName !== "", "daemon_name", "is required");
    v.addAll(validateString(req.daemonName, "daemon_name", 128));
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const daemon = (await deps.backend.listDaemons!(false)).find((d) => d.daemonName === req.daemonName);
    if (!daemon) throw new NotFoundError("daemon", req.daemonName);
    return daemonActionPlan(deps, req, [daemon.hostname]);
  },
  rebuild: (deps, req, op) => daemonActionPlan(deps, req, op.hosts),
};

function serviceActionPlan(deps: Deps, req: ServiceActionRequest, hosts: string[]): WritePlan {
  return actionPlan(
    deps,
    req,
    fullName(ServiceServiceService.serviceAction),
    `${actionName(req.action)} service '${req.serviceName}'`,
    hosts,
    (d) => d.serviceName === req.serviceName,
  );
}

function daemonActionPlan(deps: Deps, req: DaemonActionRequest, hosts: string[]): WritePlan {
  return actionPlan(
    deps,
    req,
    fullName(ServiceServiceService.daemonAction),
    `${actionName(req.action)} daemon '${req.daemonName}'`,
    hosts,
    (d) => d.daemonName === req.daemonName,
  );
}

/** Acts on the matching daemons as they are when the operation runs. */
function actionPlan(
  deps: Deps,
  req: ServiceActionRequest | DaemonActionRequest,
  method: string,
  description: string,
  hosts: string[],
  matches: (d: DaemonDescription) => boolean,
): WritePlan {
  return writePlan(method, req, description, hosts, async (run) => {
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
