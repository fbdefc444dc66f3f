// AIP-158 pagination over an in-memory list. A page token holds the offset of the next page
// and a digest of the query (the request's other fields), authenticated with an HMAC under a
// key made at start-up: a client cannot forge or alter a token, nor reuse one with different
// filters. Tokens do not outlive the process; after a restart the client starts over.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type FieldViolation, ValidationError } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const KEY = randomBytes(32);
const TOKEN_VERSION = 1;
// version (1) | offset (4, big-endian) | query digest (8) | MAC (16)
const BODY_LENGTH = 13;
const TOKEN_LENGTH = BODY_LENGTH + 16;

export interface Page<T> {
  page: T[];
  /** Empty on the last page. */
  nextPageToken: string;
  totalSize: number;
}

function queryDigest(queryKey: string): Buffer {
  return createHash("sha256").update(queryKey, "utf8").digest().subarray(0, 8);
}

function mac(body: Buffer): Buffer {
  return createHmac("sha256", KEY).update(body).digest().subarray(0, 16);
}

function encode(offset: number, queryKey: string): string {
  const body = Buffer.alloc(BODY_LENGTH);
  body.writeUInt8(TOKEN_VERSION, 0);
  body.writeUInt32BE(offset, 1);
  queryDigest(queryKey).copy(body, 5);
  return Buffer.concat([body, mac(body)]).toString("base64url");
}

function invalidToken(description: string): ValidationError {
  return new ValidationError([{ field: "page_token", description }]);
}

/** base64url of TOKEN_LENGTH bytes, without padding. */
const TOKEN_TEXT_LENGTH = Math.ceil((TOKEN_LENGTH * 4) / 3);

/**
 * The form of a page token (empty: the first page), checked with the request's other
 * fields before anything is looked up; its MAC and query are checked when it is used.
 */
export function validatePageToken(token: string, field = "page_token"): FieldViolation[] {
  if (token === "" || (token.length === TOKEN_TEXT_LENGTH && /^[A-Za-z0-9_-]+$/.test(token))) return [];
  return [{ field, description: "is not a valid page token" }];
}

function decode(token: string, queryKey: string): number {
  const raw = validatePageToken(token).length === 0 ? Buffer.from(token, "base64url") : Buffer.alloc(0);
  // Re-encoding must give the token back, else it was not one of ours (base64 has slack bits).
  if (raw.length !== TOKEN_LENGTH || raw.toString("base64url") !== token) {
    throw invalidToken("is not a valid page token");
  }
  const body = raw.subarray(0, BODY_LENGTH);
  if (!timingSafeEqual(raw.subarray(BODY_LENGTH), mac(body)) || body.readUInt8(0) !== TOKEN_VERSION) {
    throw invalidToken("is not a valid page token");
  }
  if (!body.subarray(5, BODY_LENGTH).equals(queryDigest(queryKey))) {
    throw invalidToken("was issued for a different query: the other request fields must match the first call");
  }
  return body.readUInt32BE(1);
}

/**
 * One page of `items`. `pageSize` 0 means DEFAULT_PAGE_SIZE and is capped at MAX_PAGE_SIZE;
 * `queryKey` identifies the query (e.g. the request's filters, serialized) so a token only
 * continues the query it came from. Throws ValidationError on a negative page size or a bad
 * token.
 */
export function paginate<T>(items: readonly T[], pageSize: number, pageToken: string, queryKey: string): Page<T> {
  if (pageSize < 0) throw new ValidationError([{ field: "page_size", description: "must not be negative" }]);
  const size = pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
  const offset = pageToken === "" ? 0 : decode(pageToken, queryKey);
  const end = offset + size;
  return {
    page: items.slice(offset, end),
    nextPageToken: end < items.length ? encode(end, queryKey) : "",
    totalSize: items.length,
  };
}
