// AddDaemons (upstream `add_daemon`, `ceph orch daemon add mds|rgw|... HOST`): daemons of a
// stateless service deployed by hand on named hosts, beside placement, for a service without
// a spec or an unmanaged one (a managed service's reconciler would remove them again).
import { Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { type AddDaemonsRequest, ServiceServiceService } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { FailedPreconditionError } from "./errors.js";
import { Violations } from "./fields.js";
import { deployOne } from "./reconcile.js";
import { type WriteUseCase, fullName } from "./registry-types.js";
import { toRecord, validateStatelessSpec } from "./stateless-services.js";

export const addDaemons: WriteUseCase<AddDaemonsRequest> = {
  validate: async (deps, req) => {
    await validateStatelessSpec(deps, req.spec, req.requestId);
    const v = new Violations();
    v.check((req.spec!.placement?.hosts.length ?? 0) > 0, "spec.placement.hosts", "name the hosts to deploy on");
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const name = toRecord(req.spec!).serviceName;
    const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === name);
    if (existing?.placement && !existing.unmanaged) {
      throw new FailedPreconditionError(
        `service/${name}`,
        `service '${name}' is managed: its placement decides where its daemons run (change it, or make the service unmanaged first)`,
      );
    }
    return addDaemonsPlan(deps, req, new Set());
  },
  // Resumed: the hosts whose daemon was deployed already (its task succeeded) are done.
  rebuild: (deps, req, op) =>
    addDaemonsPlan(deps, req, new Set(op.tasks.filter((t) => t.state === Operation_State.STATE_SUCCEEDED).map((t) => t.hostname))),
};

function addDaemonsPlan(deps: Deps, req: AddDaemonsRequest, done: ReadonlySet<string>): WritePlan {
  const spec = req.spec!;
  const placements = spec.placement!.hosts;
  const hosts = placements.map((p) => p.hostname);
  const name = toRecord(spec).serviceName;
  return writePlan(fullName(ServiceServiceService.addDaemons), req, `Add ${name} daemons on ${hosts.join(", ")}`, hosts, async (run) => {
    // The service's own settings when it has a spec; the request's otherwise.
    const record = (await deps.backend.listServices!()).find((s) => s.serviceName === name) ?? toRecord(spec);
    const ids = new Set((await deps.backend.listDaemons!(false)).filter((d) => d.serviceName === name).map((d) => d.daemonId));
    const deployed = await settleAll(placements.filter((p) => !done.has(p.hostname)).map((p) => deployOne(deps, run, record, p, ids)));
    return { result: { $case: "daemons", value: { daemonNames: deployed.map((d) => d.daemonName) } } };
  });
}
