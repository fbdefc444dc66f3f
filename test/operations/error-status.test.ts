import { describe, expect, it } from "vitest";
import { Code } from "../../gen/ts/google/rpc/code.js";
import {
  BadRequest,
  ErrorInfo,
  PreconditionFailure,
  ResourceInfo,
  RetryInfo,
} from "../../gen/ts/google/rpc/error_details.js";
import { Status } from "../../gen/ts/google/rpc/status.js";
import {
  AlreadyExistsError,
  BackendUnavailableError,
  CancelledError,
  ExecutionError,
  FailedPreconditionError,
  NoBackendError,
  NotFoundError,
  NotImplementedError,
  RequestIdReusedError,
  UnsupportedOptionError,
  ValidationError,
} from "../../src/domain/errors.js";
import { errorToStatus, statusCodeFor } from "../../src/operations/error-status.js";
import { detail } from "./helpers.js";

/** Round-trips through the wire format, as a client would see it. */
function wire(err: unknown): Status {
  return Status.decode(Status.encode(errorToStatus(err)).finish());
}

function errorInfo(s: Status): ErrorInfo | undefined {
  return detail(s, "google.rpc.ErrorInfo", ErrorInfo);
}

describe("errorToStatus", () => {
  it("maps ValidationError to INVALID_ARGUMENT with BadRequest", () => {
    const s = wire(new ValidationError([{ field: "spec.data_devices.size", description: "must be like 10G:20G" }]));
    expect(s.code).toBe(Code.INVALID_ARGUMENT);
    expect(s.message).toBe("spec.data_devices.size: must be like 10G:20G");
    expect(errorInfo(s)).toEqual({ reason: "INVALID_FIELD", domain: "orchestrator.ceph.io", metadata: {} });
    expect(detail(s, "google.rpc.BadRequest", BadRequest)?.fieldViolations).toEqual([
      { field: "spec.data_devices.size", description: "must be like 10G:20G", reason: "", localizedMessage: undefined },
    ]);
  });

  it("maps UnsupportedOptionError to INVALID_ARGUMENT with BadRequest", () => {
    const s = wire(new UnsupportedOptionError("spec.encrypted", "ssh"));
    expect(s.code).toBe(Code.INVALID_ARGUMENT);
    expect(errorInfo(s)).toEqual({
      reason: "UNSUPPORTED_OPTION",
      domain: "orchestrator.ceph.io",
      metadata: { backend: "ssh", field: "spec.encrypted" },
    });
    expect(detail(s, "google.rpc.BadRequest", BadRequest)?.fieldViolations[0]).toMatchObject({ field: "spec.encrypted" });
  });

  it("maps NotImplementedError to UNIMPLEMENTED", () => {
    const s = wire(new NotImplementedError("sim", "ceph_orchestrator.v1.UpgradeService.StartUpgrade"));
    expect(s.code).toBe(Code.UNIMPLEMENTED);
    expect(errorInfo(s)).toMatchObject({
      reason: "BACKEND_UNSUPPORTED",
      metadata: { backend: "sim", method: "ceph_orchestrator.v1.UpgradeService.StartUpgrade" },
    });
  });

  it("maps NoBackendError to FAILED_PRECONDITION with PreconditionFailure", () => {
    const s = wire(new NoBackendError());
    expect(s.code).toBe(Code.FAILED_PRECONDITION);
    expect(errorInfo(s)?.reason).toBe("NO_BACKEND");
    expect(detail(s, "google.rpc.PreconditionFailure", PreconditionFailure)?.violations).toHaveLength(1);
  });

  it("maps BackendUnavailableError to UNAVAILABLE with RetryInfo", () => {
    const s = wire(new BackendUnavailableError("cluster unreachable", 2_500));
    expect(s.code).toBe(Code.UNAVAILABLE);
    expect(errorInfo(s)?.reason).toBe("BACKEND_UNAVAILABLE");
    expect(detail(s, "google.rpc.RetryInfo", RetryInfo)?.retryDelay).toEqual({ seconds: "2", nanos: 500_000_000 });
  });

  it("maps NotFoundError to NOT_FOUND with ResourceInfo", () => {
    const s = wire(new NotFoundError("host", "node-9"));
    expect(s).toMatchObject({ code: Code.NOT_FOUND, message: "host 'node-9' not found" });
    expect(errorInfo(s)?.metadata).toEqual({ resourceType: "host", resourceName: "node-9" });
    expect(detail(s, "google.rpc.ResourceInfo", ResourceInfo)).toMatchObject({ resourceType: "host", resourceName: "node-9" });
  });

  it("maps AlreadyExistsError and RequestIdReusedError to ALREADY_EXISTS", () => {
    expect(wire(new AlreadyExistsError("service", "rgw.a")).code).toBe(Code.ALREADY_EXISTS);
    const s = wire(new RequestIdReusedError("r-1", "op-1"));
    expect(s.code).toBe(Code.ALREADY_EXISTS);
    expect(errorInfo(s)).toMatchObject({ reason: "REQUEST_ID_REUSED", metadata: { operation: "op-1" } });
  });

  it("maps FailedPreconditionError to FAILED_PRECONDITION with PreconditionFailure", () => {
    const s = wire(new FailedPreconditionError("host node-1", "host node-1 still has daemons"));
    expect(s.code).toBe(Code.FAILED_PRECONDITION);
    expect(detail(s, "google.rpc.PreconditionFailure", PreconditionFailure)?.violations).toEqual([
      { type: "STATE", subject: "host node-1", description: "host node-1 still has daemons" },
    ]);
  });

  it("maps ExecutionError to ABORTED with reason BACKEND_FAILED", () => {
    const s = wire(new ExecutionError("ceph-volume failed", "node-1"));
    expect(s.code).toBe(Code.ABORTED);
    expect(errorInfo(s)).toEqual({ reason: "BACKEND_FAILED", domain: "orchestrator.ceph.io", metadata: { hostname: "node-1" } });
  });

  it("maps CancelledError to CANCELLED", () => {
    const s = wire(new CancelledError());
    expect(s.code).toBe(Code.CANCELLED);
    expect(errorInfo(s)?.reason).toBe("CANCELLED");
  });

  it("hides anything else as INTERNAL", () => {
    const err = new Error("secret path /etc/ceph/keyring");
    const s = wire(err);
    expect(s).toMatchObject({ code: Code.INTERNAL, message: "internal error" });
    expect(errorInfo(s)).toEqual({ reason: "INTERNAL", domain: "orchestrator.ceph.io", metadata: {} });
    expect(s.details).toHaveLength(1);
    expect(statusCodeFor("a string")).toBe(Code.INTERNAL);
  });

  it("puts the ErrorInfo first, with the google type URL", () => {
    const s = errorToStatus(new NotFoundError("host", "x"));
    expect(s.details.map((d) => d.typeUrl)).toEqual([
      "type.googleapis.com/google.rpc.ErrorInfo",
      "type.googleapis.com/google.rpc.ResourceInfo",
    ]);
  });
});
