// Server TLS from files that are reloaded when they change: the certificate chain and key,
// and for mutual TLS the CA that signs client certificates. grpc-js takes them through a
// CertificateProvider (grpc.experimental.createCertificateProviderServerCredentials); this
// one checks every new set (key matches certificate, all parse) before handing it over, so
// a half-written file never takes the service down: the last good set stays in force.
// New connections get the new set; open ones keep theirs.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { createSecureContext } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { WatchedFile } from "./watched-file.js";

type CertificateProvider = grpc.experimental.CertificateProvider;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;
type CaListener = grpc.experimental.CaCertificateUpdateListener;

export interface TlsFiles {
  cert: string;
  key: string;
  /** The CA of client certificates: mutual TLS. */
  clientCa?: string;
}

interface Material {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
}

/** Throws a message naming what is wrong with the set. */
export function checkMaterial(m: Material): { subject: string; validTo: string; notAfterMs: number } {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(m.cert);
  } catch (err) {
    throw new Error(`certificate: ${(err as Error).message}`);
  }
  let key;
  try {
    key = createPrivateKey(m.key);
  } catch (err) {
    throw new Error(`key: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(key)) throw new Error("the key does not belong to the certificate");
  if (m.ca) {
    try {
      new X509Certificate(m.ca);
    } catch (err) {
      throw new Error(`client CA: ${(err as Error).message}`);
    }
  }
  createSecureContext({ cert: m.cert, key: m.key, ca: m.ca });
  return { subject: x509.subject.replace(/\n/g, ", "), validTo: x509.validTo, notAfterMs: Date.parse(x509.validTo) };
}

/** A CertificateProvider over the files, reloaded on change. */
export class ReloadingCertificates implements CertificateProvider {
  private material: Material;
  private readonly files: WatchedFile<Buffer>[];
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly caListeners = new Set<CaListener>();

  /** Reads and checks the files now; throws a message naming the file at fault. */
  constructor(
    private readonly paths: TlsFiles,
    private readonly opts: { intervalMs: number; log: Logger },
  ) {
    const read = (path: string, what: string) =>
      new WatchedFile<Buffer>(path, (text): Buffer => Buffer.from(text), { intervalMs: opts.intervalMs, log: opts.log, what });
    this.files = [read(paths.cert, "TLS certificate"), read(paths.key, "TLS key")];
    if (paths.clientCa) this.files.push(read(paths.clientCa, "TLS client CA"));
    this.material = this.collect();
    const info = checkMaterial(this.material);
    this.logLoaded(info, "TLS certificate loaded");
    for (const f of this.files) f.onChange(() => this.changed());
  }

  start(): this {
    for (const f of this.files) f.start();
    return this;
  }

  close(): void {
    for (const f of this.files) f.close();
  }

  /** Reads every file again now (the files are also polled and watched). */
  reload(): void {
    for (const f of this.files) f.reload();
  }

  private collect(): Material {
    return { cert: this.files[0]!.current, key: this.files[1]!.current, ca: this.files[2]?.current };
  }

  private changed(): void {
    const next = this.collect();
    let info;
    try {
      info = checkMaterial(next);
    } catch (err) {
      // E.g. the certificate was written and the key not yet: the next change completes it.
      this.opts.log.warn({ cert: this.paths.cert, key: this.paths.key, err: (err as Error).message }, "TLS files changed but do not form a valid set yet; the last good set stays in force");
      return;
    }
    this.material = next;
    this.logLoaded(info, "TLS certificate reloaded: new connections use it");
    for (const l of this.identityListeners) l({ certificate: next.cert, privateKey: next.key });
    if (next.ca) for (const l of this.caListeners) l({ caCertificate: next.ca });
  }

  private logLoaded(info: { subject: string; validTo: string; notAfterMs: number }, msg: string): void {
    const fields = { cert: this.paths.cert, subject: info.subject, validTo: info.validTo, clientCa: this.paths.clientCa };
    if (info.notAfterMs < Date.now()) this.opts.log.warn(fields, `${msg}; it has EXPIRED`);
    else this.opts.log.info(fields, msg);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    process.nextTick(listener, { certificate: this.material.cert, privateKey: this.material.key });
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    if (this.material.ca) process.nextTick(listener, { caCertificate: this.material.ca });
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
}

/** Server credentials over the provider; `requireClientCert` only matters with a client CA. */
export function serverCredentials(provider: ReloadingCertificates, mutual: boolean, requireClientCert: boolean): grpc.ServerCredentials {
  // grpc-js 1.14 passes its first argument on as the identity provider and its second as
  // the CA provider (the parameter names in its .d.ts are the other way round).
  return grpc.experimental.createCertificateProviderServerCredentials(provider, mutual ? provider : (null as unknown as CertificateProvider), mutual && requireClientCert);
}
