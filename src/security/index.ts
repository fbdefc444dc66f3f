// Puts the security settings together for the server: transport credentials (TLS, mutual
// TLS, or plaintext where allowed), the interceptor (authentication, roles, write rate),
// and the audit log. See README "Security".
import { isIP } from "node:net";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { ConfigError, type Config } from "../config.js";
import { Auditor } from "./audit.js";
import { type ClientEntry, Authenticator, type TokenEntry, parseClientRolesFile, parseTokensFile } from "./identities.js";
import { securityInterceptor } from "./interceptor.js";
import { WriteRateLimiter } from "./rate-limit.js";
import { ReloadingCertificates, serverCredentials } from "./tls.js";
import { WatchedFile } from "./watched-file.js";

export interface Security {
  credentials: grpc.ServerCredentials;
  interceptors: grpc.ServerInterceptor[];
  audit: Auditor;
  auth: Authenticator;
  /** Reads every watched file again now (SIGHUP). */
  reload(): void;
  close(): void;
}

/** The host of a "host:port" listen address. */
export function listenHost(listen: string): string {
  const i = listen.lastIndexOf(":");
  const host = i < 0 ? listen : listen.slice(0, i);
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** Whether the listen address only accepts connections from this machine. */
export function isLoopback(listen: string): boolean {
  const host = listenHost(listen).toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || /^::ffff:127\./.test(host);
  return false;
}

/** Throws ConfigError for a file that cannot be read or parsed, naming it. */
function watched<T>(path: string, parse: (text: string) => T, what: string, config: Config, log: Logger): WatchedFile<T> {
  try {
    return new WatchedFile(path, parse, { intervalMs: config.reloadIntervalMs, log, what });
  } catch (err) {
    throw new ConfigError(`${what} ${path}: ${(err as Error).message}`);
  }
}

export function setupSecurity(config: Config, log: Logger): Security {
  const closers: (() => void)[] = [];
  const reloaders: (() => void)[] = [];
  try {
    let credentials: grpc.ServerCredentials;
    if (config.tlsCert) {
      let certs: ReloadingCertificates;
      try {
        certs = new ReloadingCertificates(
          { cert: config.tlsCert, key: config.tlsKey, ...(config.tlsClientCa && { clientCa: config.tlsClientCa }) },
          { intervalMs: config.reloadIntervalMs, log },
        );
      } catch (err) {
        throw new ConfigError(
          `TLS (--tls-cert ${config.tlsCert}, --tls-key ${config.tlsKey}${config.tlsClientCa ? `, --tls-client-ca ${config.tlsClientCa}` : ""}): ${(err as Error).message}`,
        );
      }
      certs.start();
      closers.push(() => certs.close());
      reloaders.push(() => certs.reload());
      credentials = serverCredentials(certs, Boolean(config.tlsClientCa), config.tlsRequireClientCert);
    } else {
      if (!isLoopback(config.listen)) {
        if (!config.allowInsecure) {
          throw new ConfigError(
            `refusing to serve plaintext on ${config.listen}, which is not a loopback address: configure TLS (--tls-cert, --tls-key), or pass --allow-insecure to accept the risk`,
          );
        }
        log.warn(
          { listen: config.listen },
          "INSECURE: serving plaintext on a non-loopback address (--allow-insecure): anyone on the network can read and forge calls",
        );
      }
      credentials = grpc.ServerCredentials.createInsecure();
    }

    /** The file's current content, reloaded when it changes; undefined without a path. */
    const follow = <T>(path: string, parse: (text: string) => T, what: string): (() => T) | undefined => {
      if (!path) return undefined;
      const file = watched(path, parse, what, config, log).start();
      closers.push(() => file.close());
      reloaders.push(() => file.reload());
      return () => file.current;
    };
    const tokens = follow<ReadonlyMap<string, TokenEntry>>(config.tokensFile, parseTokensFile, "tokens file");
    if (tokens) log.info({ file: config.tokensFile, tokens: tokens().size }, "authentication on: bearer tokens");
    const clients = follow<readonly ClientEntry[]>(config.clientRolesFile, parseClientRolesFile, "client roles file");
    if (clients) log.info({ file: config.clientRolesFile, clients: clients().length }, "authentication on: client certificates");
    const auth = new Authenticator({ ...(tokens && { tokens }), ...(clients && { clients }) });
    if (!auth.enabled)
      log.info("authentication off: every caller may call every RPC (configure --tokens-file or --tls-client-ca to turn it on)");
    else if (!config.tlsCert) log.warn("bearer tokens travel in plaintext: configure TLS (--tls-cert, --tls-key)");

    const audit = new Auditor(log);
    const limiter = new WriteRateLimiter(config.writeRate, config.writeBurst);
    const interceptor = securityInterceptor({ auth, limiter, audit, reflectionPublic: config.reflectionPublic, log });
    return {
      credentials,
      interceptors: [interceptor],
      audit,
      auth,
      reload: () => reloaders.forEach((r) => r()),
      close: () => closers.forEach((c) => c()),
    };
  } catch (err) {
    closers.forEach((c) => c());
    throw err;
  }
}
