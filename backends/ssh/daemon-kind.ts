// What differs per type of daemon (mon.ts, mgr.ts, mds.ts, rgw.ts) for daemons.ts.
import type { DaemonDeployment, ServiceRecord, StepContext } from "../../src/backend/backend.js";

/** The port an RGW of the service serves on: the spec's rgw_frontend_port, 80 when 0. */
export function rgwPort(service: ServiceRecord | undefined): number {
  const details = service?.details;
  return details?.$case === "rgw" && details.value.rgwFrontendPort > 0 ? details.value.rgwFrontendPort : 80;
}

/** What deploying and removing one type of daemon takes besides running its unit. */
export interface DaemonKind {
  /** Its data directory on its host, removed with it. */
  dataDir(id: string): string;
  /** The cephx entity of its own key, removed with it (a mon has none). */
  entity?(id: string): string;
  /** Its key and data on its host; the command its unit runs. */
  prepare(ctx: StepContext, d: DaemonDeployment): Promise<string>;
  /** Beyond the cluster reporting it up, whether it serves (an RGW: its port answers). */
  serves?(d: DaemonDeployment): Promise<boolean>;
  /** Once it is up. */
  started?(): Promise<void>;
  /** Before its unit is removed. */
  beforeRemove?(id: string): Promise<void>;
  /** Once its unit is removed, before its key and data: what else of it the cluster keeps. */
  removed?(id: string): Promise<void>;
}
