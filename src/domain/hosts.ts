// Hosts: add, remove, list, label.
import type { Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import {
  type AddHostLabelRequest,
  type AddHostRequest,
  HostServiceService,
  type ListHostsRequest,
  type ListHostsResponse,
  type RemoveHostLabelRequest,
  type RemoveHostRequest,
} from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import type { WritePlan } from "../operations/engine.js";
import { sameSet } from "../backend/sets.js";
import { compareStrings } from "../backend/versions.js";
import { type Deps, writePlan } from "./context.js";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from "./errors.js";
import { Violations, validateAddress, validateHostname, validateLabel, validatePageSize, validateRequestId } from "./fields.js";
import { paginate, validatePageToken } from "./pagination.js";
import { type WriteUseCase, fullName } from "./registry-types.js";

const MAX_LABELS = 100;

export async function findHost(deps: Deps, hostname: string): Promise<Host> {
  const host = (await deps.backend.listHosts([hostname])).find((h) => h.hostname === hostname);
  if (!host) throw new NotFoundError("host", hostname);
  return host;
}

export const addHost: WriteUseCase<AddHostRequest> = {
  validate: (_deps, req) => {
    const v = new Violations();
    v.check(req.host !== undefined, "host", "is required");
    const host = req.host ?? { hostname: "", addr: "", labels: [], status: 0, statusMessage: "" };
    v.addAll(validateHostname(host.hostname, "host.hostname"));
    if (host.addr !== "") v.addAll(validateAddress(host.addr, "host.addr"));
    v.check(host.labels.length <= MAX_LABELS, "host.labels", `at most ${MAX_LABELS} labels`);
    host.labels.forEach((l, i) => v.addAll(validateLabel(l, `host.labels[${i}]`)));
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const wanted = normalizedHost(req.host!);
    const existing = (await deps.backend.listHosts()).find((h) => h.hostname === wanted.hostname);
    // No address in the request means "whatever it resolves to": not a difference.
    if (existing && ((wanted.addr !== "" && existing.addr !== wanted.addr) || !sameSet(existing.labels, wanted.labels))) {
      throw new AlreadyExistsError("host", wanted.hostname, `host '${wanted.hostname}' exists with another address or labels`);
    }
    return addHostPlan(deps, req);
  },
  rebuild: (deps, req) => addHostPlan(deps, req),
};

function normalizedHost(host: Host): Host {
  return { ...host, labels: [...new Set(host.labels)].sort(), status: 0, statusMessage: "" };
}

/** The operation of a validated AddHost; also rebuilds a journaled one after a restart. */
function addHostPlan(deps: Deps, req: AddHostRequest): WritePlan {
  const wanted = normalizedHost(req.host!);
  return writePlan(fullName(HostServiceService.addHost), req, `Add host '${wanted.hostname}'`, [wanted.hostname], async (run) => {
    const added = await run.onHost(wanted.hostname, `host ${wanted.hostname}`, (ctx) => deps.backend.addHost!(ctx, wanted));
    return { result: { $case: "host", value: added } };
  });
}

export const removeHost: WriteUseCase<RemoveHostRequest> = {
  validate: (_deps, req) => {
    const v = new Violations();
    v.addAll(validateHostname(req.hostname, "hostname"));
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    await findHost(deps, req.hostname);
    const daemons = (await deps.backend.listDaemons!(false)).filter((d) => d.hostname === req.hostname);
    if (daemons.length > 0 && !req.force) {
      throw new FailedPreconditionError(
        `host/${req.hostname}`,
        `host '${req.hostname}' still has ${daemons.length} daemons (${daemons
          .slice(0, 5)
          .map((d) => d.daemonName)
          .join(", ")}${daemons.length > 5 ? ", ..." : ""}); remove them first or set force`,
      );
    }
    return removeHostPlan(deps, req);
  },
  rebuild: (deps, req) => removeHostPlan(deps, req),
};

function removeHostPlan(deps: Deps, req: RemoveHostRequest): WritePlan {
  return writePlan(
    fullName(HostServiceService.removeHost),
    req,
    `Remove host '${req.hostname}'${req.force ? " (forced)" : ""}`,
    [req.hostname],
    async (run) => {
      await run.onHost(req.hostname, `host ${req.hostname}`, (ctx) => deps.backend.removeHost!(ctx, req.hostname));
      return { result: { $case: "removedHost", value: { hostname: req.hostname } } };
    },
  );
}

export async function listHosts(deps: Deps, req: ListHostsRequest): Promise<ListHostsResponse> {
  const v = new Violations();
  if (req.label !== "") v.addAll(validateLabel(req.label, "label"));
  v.addAll(validatePageSize(req.pageSize));
  v.addAll(validatePageToken(req.pageToken));
  v.throwIfAny();
  const hosts = (await deps.backend.listHosts())
    .filter((h) => req.label === "" || h.labels.includes(req.label))
    .sort((a, b) => compareStrings(a.hostname, b.hostname));
  const { page, nextPageToken, totalSize } = paginate(hosts, req.pageSize, req.pageToken, `hosts:${req.label}`);
  return { hosts: page, nextPageToken, totalSize };
}

export const addHostLabel = changeLabel(true);
export const removeHostLabel = changeLabel(false);

function changeLabel(adding: boolean): WriteUseCase<AddHostLabelRequest | RemoveHostLabelRequest> {
  return {
    validate: (_deps, req) => {
      const v = new Violations();
      v.addAll(validateHostname(req.hostname, "hostname"));
      v.addAll(validateLabel(req.label, "label"));
      v.addAll(validateRequestId(req.requestId));
      v.throwIfAny();
    },
    plan: async (deps, req) => {
      await findHost(deps, req.hostname);
      return labelPlan(deps, req, adding);
    },
    rebuild: (deps, req) => labelPlan(deps, req, adding),
  };
}

function labelPlan(deps: Deps, req: AddHostLabelRequest | RemoveHostLabelRequest, adding: boolean): WritePlan {
  const change = (labels: string[]) => (adding ? [...new Set([...labels, req.label])].sort() : labels.filter((l) => l !== req.label));
  return writePlan(
    fullName(adding ? HostServiceService.addHostLabel : HostServiceService.removeHostLabel),
    req,
    `${adding ? "Add" : "Remove"} label '${req.label}' ${adding ? "to" : "from"} host '${req.hostname}'`,
    [req.hostname],
    async (run) => {
      const host = await run.onHost(req.hostname, `host ${req.hostname}`, async (ctx) => {
        const current = await findHost(deps, req.hostname);
        return deps.backend.setHostLabels!(ctx, req.hostname, change(current.labels));
      });
      return { result: { $case: "host", value: host } };
    },
  );
}
