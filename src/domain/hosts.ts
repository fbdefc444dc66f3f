// Hosts: add, remove, list, label.
import { type Host, Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import type { StepContext } from "../backend/backend.js";
import {
  type AddHostLabelRequest,
  type AddHostRequest,
  HostServiceService,
  type ListHostsRequest,
  type ListHostsResponse,
  type RemoveHostLabelRequest,
  type RemoveHostRequest,
  type UpdateHostAddrRequest,
} from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import type { WritePlan } from "../operations/engine.js";
import { sameSet } from "../backend/sets.js";
import { compareStrings } from "../backend/versions.js";
import { type Deps, writePlan } from "./context.js";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from "./errors.js";
import {
  Violations,
  validateAddress,
  validateHostWrite,
  validateHostname,
  validateLabel,
  validatePageSize,
  validateRequestId,
} from "./fields.js";
import { paginate, validatePageToken } from "./pagination.js";
import { type WriteUseCase, fullName } from "./registry-types.js";

const MAX_LABELS = 100;

/** The host of that name, or undefined when the cluster has none. */
async function knownHost(deps: Deps, hostname: string): Promise<Host | undefined> {
  return (await deps.backend.listHosts([hostname])).find((h) => h.hostname === hostname);
}

/** The host of that name; NOT_FOUND when the cluster has none. */
export async function findHost(deps: Deps, hostname: string): Promise<Host> {
  const host = await knownHost(deps, hostname);
  if (!host) throw new NotFoundError("host", hostname);
  return host;
}

export const addHost: WriteUseCase<AddHostRequest> = {
  validate: (deps, req) => {
    const v = new Violations();
    v.check(req.host !== undefined, "host", "is required");
    const host = req.host ?? { hostname: "", addr: "", labels: [], status: 0, statusMessage: "" };
    v.addAll(validateHostname(host.hostname, "host.hostname"));
    const maintenance = host.status === Host_Status.STATUS_MAINTENANCE;
    v.check([Host_Status.STATUS_UNSPECIFIED, Host_Status.STATUS_ONLINE].includes(host.status) || maintenance, "host.status", "must be ONLINE or MAINTENANCE");
    v.check(!maintenance || deps.backend.setHostMaintenance !== undefined, "host.status", `backend '${deps.backend.name}' has no maintenance`);
    if (host.addr !== "") v.addAll(validateAddress(host.addr, "host.addr"));
    v.check(host.labels.length <= MAX_LABELS, "host.labels", `at most ${MAX_LABELS} labels`);
    host.labels.forEach((l, i) => v.addAll(validateLabel(l, `host.labels[${i}]`)));
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const wanted = normalizedHost(req.host!);
    const existing = await knownHost(deps, wanted.hostname);
    const change = existing && changeOf(existing, wanted);
    if (
      change &&
      ((change.addr !== undefined && !deps.backend.setHostAddr) || (change.labels !== undefined && !deps.backend.setHostLabels))
    ) {
      throw new AlreadyExistsError(
        "host",
        wanted.hostname,
        `host '${wanted.hostname}' exists with another address or labels, and the ${deps.backend.name} backend cannot change them`,
      );
    }
    return addHostPlan(deps, req, change ? `Update host '${wanted.hostname}'` : `Add host '${wanted.hostname}'`);
  },
  rebuild: (deps, req, op) => addHostPlan(deps, req, op.description),
};

function normalizedHost(host: Host): Host {
  return { ...host, labels: [...new Set(host.labels)].sort(), status: 0, statusMessage: "" };
}

/**
 * What adding `wanted` changes of a known host, as cephadm does it: a new address, and its
 * labels with the wanted ones added (none removed); undefined when nothing. No address in the
 * request means "whatever it resolves to": not a difference.
 */
function changeOf(existing: Host, wanted: Host): { addr?: string; labels?: string[] } | undefined {
  const labels = [...new Set([...existing.labels, ...wanted.labels])].sort();
  const change = {
    ...(wanted.addr !== "" && wanted.addr !== existing.addr && { addr: wanted.addr }),
    ...(!sameSet(labels, existing.labels) && { labels }),
  };
  return Object.keys(change).length > 0 ? change : undefined;
}

/**
 * Adds the host, or updates it when it is known by then (also when the operation runs again
 * after a restart); then puts it in maintenance when asked.
 */
function addHostPlan(deps: Deps, req: AddHostRequest, description: string): WritePlan {
  const wanted = normalizedHost(req.host!);
  const maintenance = req.host!.status === Host_Status.STATUS_MAINTENANCE;
  return writePlan(fullName(HostServiceService.addHost), req, description, [wanted.hostname], async (run) => {
    const host = await run.onHost(wanted.hostname, `host ${wanted.hostname}`, async (ctx) => {
      const existing = await knownHost(deps, wanted.hostname);
      const change = existing && changeOf(existing, wanted);
      const added = change ? await updateHost(deps, ctx, wanted.hostname, change) : await deps.backend.addHost!(ctx, wanted);
      return maintenance && added.status !== Host_Status.STATUS_MAINTENANCE ? deps.backend.setHostMaintenance!(ctx, wanted.hostname, true) : added;
    });
    return { result: { $case: "host", value: host } };
  });
}

async function updateHost(deps: Deps, ctx: StepContext, hostname: string, change: { addr?: string; labels?: string[] }): Promise<Host> {
  let host = await findHost(deps, hostname);
  if (change.addr !== undefined && host.addr !== change.addr) host = await deps.backend.setHostAddr!(ctx, hostname, change.addr);
  if (change.labels !== undefined && !sameSet(host.labels, change.labels))
    host = await deps.backend.setHostLabels!(ctx, hostname, change.labels);
  return host;
}

export const updateHostAddr: WriteUseCase<UpdateHostAddrRequest> = {
  validate: (_deps, req) => validateHostWrite(req.hostname, "addr", req.addr, validateAddress, req.requestId),
  plan: async (deps, req) => {
    await findHost(deps, req.hostname);
    return updateHostAddrPlan(deps, req);
  },
  rebuild: (deps, req) => updateHostAddrPlan(deps, req),
};

function updateHostAddrPlan(deps: Deps, req: UpdateHostAddrRequest): WritePlan {
  const description = `Set the address of host '${req.hostname}' to ${req.addr}`;
  return writePlan(fullName(HostServiceService.updateHostAddr), req, description, [req.hostname], async (run) => {
    const host = await run.onHost(req.hostname, `host ${req.hostname}`, (ctx) => updateHost(deps, ctx, req.hostname, { addr: req.addr }));
    return { result: { $case: "host", value: host } };
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
