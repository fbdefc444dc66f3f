// Client security settings for the TypeScript (grpc-js) clients generated into gen/ts:
// TLS with the server's CA, mutual TLS with a client certificate, and a bearer token.
//
//   import { clientSecurity } from "./clients/ts/credentials.js";
//   const { credentials, options } = clientSecurity({ ca, cert, key, token });
//   const hosts = new HostServiceClient("orch.example:50051", credentials, options);
//
// `ca`, `cert` and `key` are PEM text or Buffers (read the files yourself: the caller
// decides when to re-read them). Without `ca` the connection is plaintext; a token is then
// sent in plaintext too, which the server accepts only on loopback (or --allow-insecure).
import * as grpc from "@grpc/grpc-js";

export interface ClientSecurityOptions {
  /** PEM of the CA that signed the server's certificate: TLS. */
  ca?: string | Buffer;
  /** PEM of this client's certificate chain and key: mutual TLS (needs `ca`). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** A bearer token from the server's tokens file; sent as `authorization: Bearer <token>`. */
  token?: string;
  /** The name to check the server's certificate against, when it differs from the target's host. */
  serverName?: string;
}

export interface ClientSecurity {
  credentials: grpc.ChannelCredentials;
  options: grpc.ClientOptions;
}

const buf = (v: string | Buffer): Buffer => (typeof v === "string" ? Buffer.from(v) : v);

/** The channel credentials and client options for the settings. */
export function clientSecurity(o: ClientSecurityOptions = {}): ClientSecurity {
  if ((o.cert === undefined) !== (o.key === undefined)) throw new Error("cert and key go together");
  if (o.cert !== undefined && o.ca === undefined) throw new Error("a client certificate needs TLS: set ca");
  const options: grpc.ClientOptions = {};
  if (o.serverName) options["grpc.ssl_target_name_override"] = o.serverName;
  const header = o.token === undefined ? undefined : `Bearer ${o.token}`;
  if (o.ca === undefined) {
    // grpc-js sends call credentials only over TLS: add the header with an interceptor.
    if (header) {
      options.interceptors = [
        (opts, next) =>
          new grpc.InterceptingCall(next(opts), {
            start(metadata, listener, nextStart) {
              metadata.set("authorization", header);
              nextStart(metadata, listener);
            },
          }),
      ];
    }
    return { credentials: grpc.credentials.createInsecure(), options };
  }
  let credentials = grpc.credentials.createSsl(buf(o.ca), o.key === undefined ? null : buf(o.key), o.cert === undefined ? null : buf(o.cert));
  if (header) {
    const perCall = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
      const md = new grpc.Metadata();
      md.set("authorization", header);
      callback(null, md);
    });
    credentials = grpc.credentials.combineChannelCredentials(credentials, perCall);
  }
  return { credentials, options };
}
