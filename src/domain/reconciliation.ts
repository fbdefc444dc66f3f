// PauseReconciliation and ResumeReconciliation (upstream's `ceph orch pause` and `resume`).
import type {
  PauseReconciliationResponse,
  ResumeReconciliationResponse,
} from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import type { Deps } from "./context.js";
import { FailedPreconditionError } from "./errors.js";

function reconcilerOf(deps: Deps) {
  if (!deps.reconciler) throw new FailedPreconditionError("reconciler", "this service runs no reconciler");
  return deps.reconciler;
}

export async function pause(deps: Deps): Promise<PauseReconciliationResponse> {
  await reconcilerOf(deps).pause();
  return { paused: true };
}

export async function resume(deps: Deps): Promise<ResumeReconciliationResponse> {
  await reconcilerOf(deps).resume();
  return { paused: false };
}
