// Byte counts as ceph-volume shows them, and as JSON carries them.

/** ceph-volume's human_readable_size: powers of 1024, two decimals, e.g. "3.64 TB". */
export function humanReadableSize(bytes: bigint): string {
  const suffixes = ["B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB"];
  // A float is fine here: the text only shows two decimals.
  let size = Number(bytes);
  let i = 0;
  while (size > 1024 && i < suffixes.length - 1) {
    size /= 1024;
    i++;
  }
  return `${size.toFixed(2)} ${suffixes[i]}`;
}

/**
 * A byte count for a JSON-like value (sys_api travels as google.protobuf.Struct, whose
 * numbers are doubles): a number while exact, else the decimal string, so nothing is rounded.
 */
export function jsonInteger(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n.toString();
}
