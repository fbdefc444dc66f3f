// google.protobuf.Timestamp from and to milliseconds since the epoch.
import type { Timestamp } from "../../gen/ts/google/protobuf/timestamp.js";

export function toTimestamp(ms: number): Timestamp {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

export function nowTimestamp(): Timestamp {
  return toTimestamp(Date.now());
}

/** Milliseconds since the epoch; undefined for an unset timestamp. */
export function timestampMs(t: Timestamp | undefined): number | undefined {
  return t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1_000_000) : undefined;
}
