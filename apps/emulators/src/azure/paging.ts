import type { EmulatorRequest } from "../shared/index.js";

/** The service's page size cap (and default). */
export const MAX_PAGE_SIZE = 25;

export type PageRequest =
  | { ok: true; offset: number; size: number }
  | { ok: false; reason: string };

/** Read `maxresults` and `$skiptoken` from a list request. */
export function readPage(req: EmulatorRequest): PageRequest {
  const params = req.url.searchParams;
  let size = MAX_PAGE_SIZE;
  const max = params.get("maxresults");
  if (max !== null) {
    const n = Number(max);
    if (!Number.isInteger(n) || n < 1) {
      return { ok: false, reason: `Invalid value '${max}' for parameter maxresults.` };
    }
    size = Math.min(n, MAX_PAGE_SIZE);
  }
  let offset = 0;
  const token = params.get("$skiptoken");
  if (token !== null) {
    const decoded = Number(
      Buffer.from(token, "base64url")
        .toString("utf8")
        .replace(/^offset:/, ""),
    );
    if (!Number.isInteger(decoded) || decoded < 0) {
      return { ok: false, reason: "The $skiptoken parameter is invalid." };
    }
    offset = decoded;
  }
  return { ok: true, offset, size };
}

/** One page of `items` and the absolute nextLink for the rest (null on the last page). */
export function pageOf<T>(
  req: EmulatorRequest,
  items: T[],
  page: { offset: number; size: number },
): { value: T[]; nextLink: string | null } {
  const value = items.slice(page.offset, page.offset + page.size);
  const next = page.offset + page.size;
  if (next >= items.length) return { value, nextLink: null };
  const apiVersion = req.url.searchParams.get("api-version") ?? "";
  const token = Buffer.from(`offset:${next}`, "utf8").toString("base64url");
  const nextLink = `${req.url.origin}${req.url.pathname}?api-version=${apiVersion}&$skiptoken=${token}&maxresults=${page.size}`;
  return { value, nextLink };
}
