import { describe, it, expect } from "vitest";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, paginate } from "../../src/domain/pagination.js";
import { ValidationError } from "../../src/domain/errors.js";

const items = Array.from({ length: 250 }, (_, i) => i);

function violation(f: () => unknown): { field: string; description: string } | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).violations[0];
  }
  return undefined;
}

describe("paginate", () => {
  it("walks every item once, the last page with an empty token", () => {
    const seen: number[] = [];
    let token = "";
    let pages = 0;
    do {
      const r = paginate(items, 100, token, "q");
      expect(r.totalSize).toBe(250);
      seen.push(...r.page);
      token = r.nextPageToken;
      pages++;
    } while (token !== "");
    expect(pages).toBe(3);
    expect(seen).toEqual(items);
  });

  it("gives an empty token when the page ends exactly at the end", () => {
    const first = paginate(items.slice(0, 200), 100, "", "q");
    const second = paginate(items.slice(0, 200), 100, first.nextPageToken, "q");
    expect(second.page).toHaveLength(100);
    expect(second.nextPageToken).toBe("");
  });

  it("answers an empty list with one empty page", () => {
    expect(paginate([], 10, "", "q")).toEqual({ page: [], nextPageToken: "", totalSize: 0 });
  });

  it("uses 100 for a page size of 0 and caps it at 1000", () => {
    expect(paginate(items, 0, "", "q").page).toHaveLength(DEFAULT_PAGE_SIZE);
    const big = Array.from({ length: 1500 }, (_, i) => i);
    const r = paginate(big, 5000, "", "q");
    expect(r.page).toHaveLength(MAX_PAGE_SIZE);
    expect(paginate(big, 5000, r.nextPageToken, "q").page).toEqual(big.slice(1000));
  });

  it("rejects a negative page size", () => {
    expect(violation(() => paginate(items, -1, "", "q"))).toEqual({ field: "page_size", description: "must not be negative" });
  });

  it("lets the page size change between calls", () => {
    const first = paginate(items, 10, "", "q");
    expect(paginate(items, 5, first.nextPageToken, "q").page).toEqual([10, 11, 12, 13, 14]);
  });

  it("makes opaque tokens that do not show the offset", () => {
    const { nextPageToken } = paginate(items, 100, "", "q");
    expect(nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(nextPageToken).not.toBe(Buffer.from("100").toString("base64url"));
    expect(nextPageToken).not.toContain("100");
  });

  it("rejects a token used with a different query", () => {
    const { nextPageToken } = paginate(items, 10, "", "hosts:label=mon");
    const v = violation(() => paginate(items, 10, nextPageToken, "hosts:label=osd"));
    expect(v?.field).toBe("page_token");
    expect(v?.description).toContain("different query");
  });

  it("rejects tampered tokens", () => {
    const { nextPageToken } = paginate(items, 10, "", "q");
    const raw = Buffer.from(nextPageToken, "base64url");
    for (const index of [0, 1, 4, 5, 12, 13, raw.length - 1]) {
      const t = Buffer.from(raw);
      t[index] = (t[index] as number) ^ 0x01;
      const v = violation(() => paginate(items, 10, t.toString("base64url"), "q"));
      expect(v).toEqual({ field: "page_token", description: "is not a valid page token" });
    }
  });

  it.each([
    "garbage",
    "!!!!",
    "AAAA",
    Buffer.from("offset=10").toString("base64url"),
  ])("rejects the invented token %j", (token) => {
    expect(violation(() => paginate(items, 10, token, "q"))?.field).toBe("page_token");
  });

  it("rejects a token with extra characters", () => {
    const { nextPageToken } = paginate(items, 10, "", "q");
    expect(violation(() => paginate(items, 10, `${nextPageToken}A`, "q"))?.field).toBe("page_token");
    expect(violation(() => paginate(items, 10, `${nextPageToken}=`, "q"))?.field).toBe("page_token");
    expect(violation(() => paginate(items, 10, ` ${nextPageToken}`, "q"))?.field).toBe("page_token");
  });

  it("answers an empty last page when the list shrank below the token's offset", () => {
    const { nextPageToken } = paginate(items, 100, "", "q");
    expect(paginate(items.slice(0, 50), 100, nextPageToken, "q")).toEqual({ page: [], nextPageToken: "", totalSize: 50 });
  });
});
