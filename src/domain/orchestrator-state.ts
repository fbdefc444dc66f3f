// What the orchestrator itself keeps between requests, beside the cluster: the OSD removal
// queue and the upgrade in progress.
import type { OsdRemoval } from "../../gen/ts/ceph_orchestrator/v1/osd.js";

/** An entry of the OSD removal queue (upstream's), shared by every removing operation. */
export type RemovalEntry = OsdRemoval & { finishedAt?: number };

export interface UpgradeState {
  target: string;
  from: string;
  operationId: string;
  paused: boolean;
  message: string;
  upgraded: number;
  total: number;
  /** Wakes the upgrade loop when it is resumed. */
  resume: (() => void) | undefined;
}

export interface OrchestratorState {
  /** The OSD removal queue, by OSD id. */
  removals: Map<number, RemovalEntry>;
  /** The upgrade in progress, if any. */
  upgrade: UpgradeState | undefined;
}

export function newOrchestratorState(): OrchestratorState {
  return { removals: new Map(), upgrade: undefined };
}
