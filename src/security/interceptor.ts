// The gRPC server interceptor in front of every handler: authenticates the caller, checks
// its role against RPC_ACCESS, and counts writes against the caller's rate limit, all
// before the request message is even decoded. A refusal answers UNAUTHENTICATED,
// PERMISSION_DENIED or RESOURCE_EXHAUSTED with google.rpc details (and an audit line for a
// write). Health is always open; reflection is open when configured so (or when
// authentication is off), and otherwise needs the reader role. The caller reaches the
// handler through callerOf(call.metadata); the authorization header does not.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { toServiceError } from "./grpc-status.js";
import type { Auditor } from "./audit.js";
import { type Authenticator, type Caller } from "./identities.js";
import type { WriteRateLimiter } from "./rate-limit.js";
import { fullName } from "../domain/registry-types.js";
import { accessOfPath } from "./roles.js";

const callers = new WeakMap<grpc.Metadata, Caller>();

/** The authenticated caller of a call, from the call's metadata. */
export function callerOf(metadata: grpc.Metadata): Caller | undefined {
  return callers.get(metadata);
}

export interface InterceptorOptions {
  auth: Authenticator;
  limiter: WriteRateLimiter;
  audit: Auditor;
  /** Serve reflection without authentication. */
  reflectionPublic: boolean;
  log: Logger;
}

const HEALTH = "/grpc.health.v1.Health/";
const REFLECTION = "/grpc.reflection.";

export function securityInterceptor(o: InterceptorOptions): grpc.ServerInterceptor {
  return (method, call) => {
    const path = method.path;
    const access = accessOfPath(path);
    const reflection = path.startsWith(REFLECTION);
    const open = path.startsWith(HEALTH) || (reflection && (o.reflectionPublic || !o.auth.enabled));
    if (open || (!access && !reflection)) return new grpc.ServerInterceptingCall(call);
    const name = fullName({ path });
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const peer = call.getPeer();
        let caller: Caller | undefined;
        try {
          caller = o.auth.authenticate(metadata, call.getAuthContext().sslPeerCertificate, peer);
          o.auth.authorize(caller, access?.role ?? "reader", name);
          if (access?.write) o.limiter.take(caller.name, name);
        } catch (err) {
          if (access?.write) o.audit.refused(caller ?? { name: "(unauthenticated)", role: undefined, via: "none", peer }, name, undefined, err);
          else o.log.debug({ method: name, peer, caller: caller?.name, err: (err as Error).message }, "call refused");
          const status = toServiceError(err, o.log);
          call.sendStatus({ code: status.code ?? grpc.status.UNKNOWN, details: status.details ?? "", metadata: status.metadata ?? null });
          return;
        }
        metadata.remove("authorization");
        callers.set(metadata, caller);
        next(metadata);
      })
      .build();
    const responder = new grpc.ResponderBuilder().withStart((next) => next(listener)).build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}
