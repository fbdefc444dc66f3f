// The YAML fixture that describes the simulated cluster: parsed, checked and normalised
// here, so the cluster itself only ever sees consistent data. See README.md for the schema.
// This file checks what spans entries (duplicates, references between them); the entries
// are read by fixture-hosts.ts and fixture-services.ts, with fixture-reader.ts's typed reads.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import YAML from "yaml";
import type { ServiceRecord } from "../../src/backend/backend.js";
import { DaemonDescription_Status, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { typeName } from "../../src/backend/ceph-names.js";
import { type FixtureDestroyedOsd, type FixtureHost, type FixtureOsd, readDestroyedOsd, readHost, readOsds } from "./fixture-hosts.js";
import { FixtureError, Reader } from "./fixture-reader.js";
import { type FixtureDaemon, readDaemon, readService } from "./fixture-services.js";

export interface Fixture {
  file: string;
  fsid: string;
  pgsPerOsd: number;
  unreachable: boolean;
  hosts: FixtureHost[];
  /** Hosts not yet in the cluster whose devices appear when they are added. */
  spareHosts: FixtureHost[];
  services: ServiceRecord[];
  /** Including one per OSD, listed or not. */
  daemons: FixtureDaemon[];
  osds: FixtureOsd[];
  destroyedOsds: FixtureDestroyedOsd[];
}

const TOP_KEYS = ["cluster", "templates", "hosts", "spare_hosts", "services", "daemons", "destroyed_osds"];
const CLUSTER_KEYS = ["fsid", "pgs_per_osd", "unreachable"];

/**
 * JSON, which is YAML too, read ~100 times faster than the YAML parser can (big generated
 * clusters): integers become bigint as with YAML's intAsBigInt, and one beyond 2^53, which
 * JSON.parse would round, is refused. Nothing else differs from the YAML reading.
 */
function parseJson(text: string, r: Reader): unknown {
  try {
    return JSON.parse(text, (key, v: unknown) => {
      if (typeof v !== "number" || !Number.isInteger(v)) return v;
      if (!Number.isSafeInteger(v)) throw new Error(`the integer at "${key}" is beyond 2^53: write it as a decimal string`);
      return BigInt(v);
    });
  } catch (e) {
    return r.fail("", `invalid JSON: ${(e as Error).message}`);
  }
}

/** Parses and checks a fixture's text; `file` only names it in errors. A `.json` file is read as JSON. */
export function parseFixture(text: string, file: string): Fixture {
  const r = new Reader(file);
  let doc: unknown;
  if (file.endsWith(".json")) doc = parseJson(text, r);
  else {
    try {
      // intAsBigInt: sizes above 2^53 must not be rounded; merge: `<<: *anchor` shares sys_api blocks.
      doc = YAML.parse(text, { intAsBigInt: true, merge: true, prettyErrors: true });
    } catch (e) {
      r.fail("", `invalid YAML: ${(e as Error).message}`);
    }
  }
  const top = r.map(doc ?? {}, "", TOP_KEYS);
  const cluster = r.map(top.cluster ?? {}, "cluster", CLUSTER_KEYS);
  const fsid = r.str(cluster.fsid, "cluster.fsid", randomUUID());

  const hosts = r.list(top.hosts, "hosts").map((h, i) => readHost(r, h, `hosts[${i}]`, fsid, false));
  const spareHosts = r.list(top.spare_hosts, "spare_hosts").map((h, i) => readHost(r, h, `spare_hosts[${i}]`, fsid, true));
  const names = [...hosts, ...spareHosts].map((h) => h.hostname);
  // Sets and maps, not list searches: a fixture may hold 10,000 hosts and 200,000 OSDs.
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (!seen.has(n)) seen.add(n);
    else {
      r.fail(i < hosts.length ? `hosts[${i}].hostname` : `spare_hosts[${i - hosts.length}].hostname`, `duplicate host ${n}`);
    }
  });
  const osds = readOsds(r, hosts);
  spareHosts.forEach((h, i) => {
    if (h.devices.some((d) => d.lvs.length > 0)) r.fail(`spare_hosts[${i}].devices`, "a spare host's devices carry no OSD LVs yet");
  });

  const services = r.list(top.services, "services").map((s, i) => readService(r, s, `services[${i}]`));
  services.forEach((s, i) => {
    if (services.findIndex((o) => o.serviceName === s.serviceName) !== i) r.fail(`services[${i}]`, `duplicate service ${s.serviceName}`);
  });

  const hostnames = new Set(hosts.map((h) => h.hostname));
  const osdsById = new Map(osds.map((o) => [String(o.osdId), o]));
  const daemons = r.list(top.daemons, "daemons").map((d, i) => readDaemon(r, d, `daemons[${i}]`, hostnames, osdsById));
  const daemonName = (d: FixtureDaemon) => `${typeName(d.daemonType)}.${d.daemonId}`;
  const daemonNames = new Set<string>();
  daemons.forEach((d, i) => {
    if (daemonNames.has(daemonName(d))) r.fail(`daemons[${i}]`, `duplicate daemon ${daemonName(d)}`);
    daemonNames.add(daemonName(d));
  });
  // Every OSD on disk runs unless the fixture lists its daemon otherwise.
  for (const osd of osds) {
    if (!daemonNames.has(`osd.${osd.osdId}`)) {
      daemons.push({
        daemonType: ServiceType.SERVICE_TYPE_OSD,
        daemonId: String(osd.osdId),
        hostname: osd.hostname,
        serviceName: osd.serviceName,
        status: DaemonDescription_Status.STATUS_RUNNING,
        statusDesc: "running",
        version: undefined,
        created: undefined,
        started: undefined,
      });
    }
  }

  const destroyedOsds = r.list(top.destroyed_osds, "destroyed_osds").map((v, i) => readDestroyedOsd(r, v, `destroyed_osds[${i}]`, hostnames, osdsById));
  destroyedOsds.forEach((d, i) => {
    if (destroyedOsds.findIndex((o) => o.osdId === d.osdId) !== i) r.fail(`destroyed_osds[${i}].osd_id`, `duplicate osd.${d.osdId}`);
  });

  return {
    file,
    fsid,
    pgsPerOsd: r.int(cluster.pgs_per_osd, "cluster.pgs_per_osd", 32),
    unreachable: r.bool(cluster.unreachable, "cluster.unreachable", false),
    hosts,
    spareHosts,
    services,
    daemons,
    osds,
    destroyedOsds,
  };
}

export async function loadFixture(file: string): Promise<Fixture> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new FixtureError(file, "", `cannot read the fixture: ${(e as Error).message}`);
  }
  return parseFixture(text, file);
}
