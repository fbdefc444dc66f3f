// Inventory and device lights.
import { LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import {
  type BlinkDeviceLightRequest,
  type GetInventoryRequest,
  type GetInventoryResponse,
  InventoryServiceService,
  type ZapDeviceRequest,
} from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import type { Device } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { FailedPreconditionError, NotFoundError } from "./errors.js";
import { findHost } from "./hosts.js";
import {
  Violations,
  validateAbsolutePath,
  validateHostWrite,
  validateEnum,
  validateHostname,
  validateLabel,
  validatePageSize,
  validateRequestId,
} from "./fields.js";
import { compareStrings } from "../backend/versions.js";
import { paginate, validatePageToken } from "./pagination.js";
import { type WriteUseCase, fullName } from "./registry-types.js";

const MAX_LOCATIONS = 1000;

export async function getInventory(deps: Deps, req: GetInventoryRequest): Promise<GetInventoryResponse> {
  const v = new Violations();
  req.hostnames.forEach((h, i) => v.addAll(validateHostname(h, `hostnames[${i}]`)));
  req.labels.forEach((l, i) => v.addAll(validateLabel(l, `labels[${i}]`)));
  v.addAll(validatePageSize(req.pageSize));
  v.addAll(validatePageToken(req.pageToken));
  v.throwIfAny();

  // Asking for named hosts only: a query for one host must not grow with the cluster.
  const hosts = await deps.backend.listHosts(req.hostnames.length > 0 ? req.hostnames : undefined);
  const known = new Set(hosts.map((h) => h.hostname));
  const missing = req.hostnames.find((h) => !known.has(h));
  if (missing !== undefined) throw new NotFoundError("host", missing);
  const named = new Set(req.hostnames);
  const selected = hosts
    .filter((h) => named.size === 0 || named.has(h.hostname))
    .filter((h) => req.labels.every((l) => h.labels.includes(l)))
    .sort((a, b) => compareStrings(a.hostname, b.hostname));
  const query = `inventory:${[...req.hostnames].sort().join(",")}:${[...req.labels].sort().join(",")}:${req.refresh}`;
  const { page, nextPageToken, totalSize } = paginate(selected, req.pageSize, req.pageToken, query);
  if (page.length === 0) return { hosts: [], nextPageToken, totalSize };

  const inventory = await deps.backend.getInventory!(
    page.map((h) => h.hostname),
    req.refresh,
  );
  const byName = new Map(inventory.map((i) => [i.hostname, i]));
  return {
    hosts: page.map((h) => ({
      hostname: h.hostname,
      addr: h.addr,
      labels: h.labels,
      devices: byName.get(h.hostname)?.devices ?? [],
      lastRefresh: byName.get(h.hostname)?.lastRefresh,
    })),
    nextPageToken,
    totalSize,
  };
}

export const blinkDeviceLight: WriteUseCase<BlinkDeviceLightRequest> = {
  validate: (_deps, req) => {
    const v = new Violations();
    v.addAll(validateEnum(req.light, LightType, "light", true));
    v.check(req.locations.length > 0, "locations", "at least one device is required");
    v.check(req.locations.length <= MAX_LOCATIONS, "locations", `at most ${MAX_LOCATIONS} devices`);
    req.locations.forEach((loc, i) => {
      v.addAll(validateHostname(loc.hostname, `locations[${i}].hostname`));
      v.check(loc.deviceId !== "" || loc.path !== "", `locations[${i}].device_id`, "device_id or path is required");
      if (loc.path !== "") v.addAll(validateAbsolutePath(loc.path, `locations[${i}].path`));
      v.check(loc.deviceId.length <= 256 && !loc.deviceId.includes("\0"), `locations[${i}].device_id`, "at most 256 characters, no NUL");
    });
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const known = new Set((await deps.backend.listHosts(req.locations.map((l) => l.hostname))).map((h) => h.hostname));
    const missing = req.locations.find((l) => !known.has(l.hostname));
    if (missing) throw new NotFoundError("host", missing.hostname);
    return blinkDeviceLightPlan(deps, req);
  },
  rebuild: (deps, req) => blinkDeviceLightPlan(deps, req),
};

function blinkDeviceLightPlan(deps: Deps, req: BlinkDeviceLightRequest): WritePlan {
  const kind = req.light === LightType.LIGHT_TYPE_FAULT ? "fault" : "ident";
  const state = req.on ? "on" : "off";
  return writePlan(
    fullName(InventoryServiceService.blinkDeviceLight),
    req,
    `Set ${kind} light ${state} on ${req.locations.length} device(s)`,
    [...new Set(req.locations.map((l) => l.hostname))],
    async (run) => {
      const messages = await settleAll(
        req.locations.map(async (loc) => {
          const dev = loc.deviceId || loc.path;
          await run.onHost(loc.hostname, `${loc.hostname}:${dev}`, (ctx) => deps.backend.setDeviceLight!(ctx, loc, req.light, req.on));
          return `Set ${kind} light for ${loc.hostname}:${dev} ${state}`;
        }),
      );
      return { result: { $case: "deviceLights", value: { messages } } };
    },
  );
}

export const zapDevice: WriteUseCase<ZapDeviceRequest> = {
  validate: (_deps, req) => validateHostWrite(req.hostname, "path", req.path, validateAbsolutePath, req.requestId),
  plan: async (deps, req) => {
    const device = await deviceOf(deps, req.hostname, req.path);
    // An OSD whose daemon is still there uses the device: its data would go (cephadm refuses too).
    const ids = new Set([device.osdId, ...device.lvs.map((lv) => lv.osdId)].filter((id) => id >= 0).map(String));
    const users = (await deps.backend.listDaemons!(false)).filter(
      (d) => d.daemonType === ServiceType.SERVICE_TYPE_OSD && d.hostname === req.hostname && ids.has(d.daemonId),
    );
    if (users.length > 0) {
      const names = users.map((d) => d.daemonName).join(", ");
      throw new FailedPreconditionError(
        `device/${req.hostname}:${req.path}`,
        `${req.hostname}:${req.path} is used by ${names}: remove the OSD first (RemoveOsds)`,
      );
    }
    return zapDevicePlan(deps, req);
  },
  rebuild: (deps, req) => zapDevicePlan(deps, req),
};

/** The device at `path` of the host's inventory; NOT_FOUND for an absent host or device. */
async function deviceOf(deps: Deps, hostname: string, path: string, refresh = false): Promise<Device> {
  await findHost(deps, hostname);
  const device = (await deps.backend.getInventory!([hostname], refresh))
    .find((h) => h.hostname === hostname)
    ?.devices.find((d) => d.path === path);
  if (!device) throw new NotFoundError("device", `${hostname}:${path}`);
  return device;
}

function zapDevicePlan(deps: Deps, req: ZapDeviceRequest): WritePlan {
  const target = `${req.hostname}:${req.path}`;
  return writePlan(fullName(InventoryServiceService.zapDevice), req, `Zap device ${target}`, [req.hostname], async (run) => {
    const device = await run.onHost(req.hostname, target, async (ctx) => {
      await deps.backend.zapDevice!(ctx, req.hostname, req.path);
      return deviceOf(deps, req.hostname, req.path, true);
    });
    return { result: { $case: "device", value: device } };
  });
}
