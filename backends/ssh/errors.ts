// How the ssh backend's failures reach the domain.
import { AlreadyExistsError, CancelledError, ExecutionError, NotFoundError } from "../../src/backend/errors.js";
import { RemoteCommandError, UnreachableError } from "./ssh.js";

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Any failure of a step as the ExecutionError the domain reports, naming the host. */
export function asExecution(e: unknown, hostname?: string): Error {
  if (e instanceof ExecutionError || e instanceof CancelledError || e instanceof NotFoundError || e instanceof AlreadyExistsError) return e;
  const host = e instanceof UnreachableError || e instanceof RemoteCommandError ? e.hostname : hostname;
  return new ExecutionError(errorText(e), host);
}
