import type { PostmanBody, PostmanRequest, PostmanUrl } from "../collection/types.js";
import { substituteVariables, type Variables } from "../collection/variables.js";

/** A body, as the text pieces that may hold references. */
export type BodyTemplate =
  | { kind: "raw"; text: string; contentType?: string }
  | { kind: "urlencoded"; fields: Array<[string, string]> }
  | { kind: "formdata"; fields: Array<[string, string]> };

/**
 * A request with ordinary variables substituted and `{{vault:…}}` references still as
 * written. Printing it shows which secrets a request uses and never their values.
 */
export interface RequestTemplate {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: BodyTemplate;
}

const RAW_CONTENT_TYPES: Record<string, string> = {
  json: "application/json",
  xml: "application/xml",
  html: "text/html",
  text: "text/plain",
  javascript: "application/javascript",
};

/** Turn a Postman request into a template, substituting ordinary `{{variables}}`. */
export function buildTemplate(request: PostmanRequest, variables: Variables): RequestTemplate {
  const sub = (s: string) => substituteVariables(s, variables);
  const headers: Array<[string, string]> = [];
  if (Array.isArray(request.header)) {
    for (const h of request.header) {
      if (!h.disabled && h.key) headers.push([sub(h.key), sub(h.value ?? "")]);
    }
  } else if (typeof request.header === "string") {
    for (const line of request.header.split(/\r?\n/)) {
      const at = line.indexOf(":");
      if (at > 0) headers.push([sub(line.slice(0, at).trim()), sub(line.slice(at + 1).trim())]);
    }
  }
  const template: RequestTemplate = {
    method: (request.method ?? "GET").toUpperCase(),
    url: withScheme(sub(rawUrl(request.url))),
    headers,
  };
  const body = buildBody(request.body, sub);
  if (body) template.body = body;
  return template;
}

/**
 * Postman sends a URL written without a scheme over http; so does this runner. A URL that
 * starts with a vault reference gets its scheme once the reference is resolved.
 */
export function withScheme(url: string): string {
  if (url === "" || url.startsWith("{{vault:")) return url;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

/** The URL as text: `raw` when given, else assembled from its parts. */
export function rawUrl(url: PostmanUrl | undefined): string {
  if (url === undefined) return "";
  if (typeof url === "string") return url.trim();
  if (typeof url.raw === "string" && url.raw.trim() !== "") return url.raw.trim();
  const host = Array.isArray(url.host) ? url.host.join(".") : (url.host ?? "");
  const path = Array.isArray(url.path) ? url.path.join("/") : (url.path ?? "").replace(/^\//, "");
  const query = (url.query ?? [])
    .filter((q) => !q.disabled && q.key !== null)
    .map((q) => (q.value === undefined || q.value === null ? `${q.key}` : `${q.key}=${q.value}`))
    .join("&");
  let text = url.protocol ? `${url.protocol.replace(/:\/*$/, "")}://${host}` : host;
  if (url.port) text += `:${url.port}`;
  if (path) text += `/${path}`;
  if (query) text += `?${query}`;
  if (url.hash) text += `#${url.hash}`;
  return text;
}

function buildBody(
  body: PostmanBody | undefined,
  sub: (s: string) => string,
): BodyTemplate | undefined {
  if (!body || body.disabled) return undefined;
  const fields = (list: PostmanBody["urlencoded"]) =>
    (list ?? [])
      .filter((f) => !f.disabled && f.type !== "file")
      .map((f): [string, string] => [sub(f.key), sub(f.value ?? "")]);
  switch (body.mode) {
    case "raw": {
      if (body.raw === undefined || body.raw === "") return undefined;
      const contentType = RAW_CONTENT_TYPES[body.options?.raw?.language ?? ""];
      return { kind: "raw", text: sub(body.raw), ...(contentType ? { contentType } : {}) };
    }
    case "graphql": {
      const variables = parseJson(sub(body.graphql?.variables ?? ""));
      const text = JSON.stringify({
        query: sub(body.graphql?.query ?? ""),
        ...(variables ? { variables } : {}),
      });
      return { kind: "raw", text, contentType: "application/json" };
    }
    case "urlencoded":
      return { kind: "urlencoded", fields: fields(body.urlencoded) };
    case "formdata":
      return { kind: "formdata", fields: fields(body.formdata) };
    default:
      return undefined;
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Apply `fn` to every text of the request except the URL (headers and body). */
export function mapNonUrlTexts(t: RequestTemplate, fn: (text: string) => string): RequestTemplate {
  const pairs = (list: Array<[string, string]>) =>
    list.map(([k, v]): [string, string] => [fn(k), fn(v)]);
  const out: RequestTemplate = { method: t.method, url: t.url, headers: pairs(t.headers) };
  if (t.body) {
    out.body =
      t.body.kind === "raw"
        ? { ...t.body, text: fn(t.body.text) }
        : { kind: t.body.kind, fields: pairs(t.body.fields) };
  }
  return out;
}

/** Every text of the request except the URL. */
export function nonUrlTexts(t: RequestTemplate): string[] {
  const texts: string[] = [];
  mapNonUrlTexts(t, (s) => {
    texts.push(s);
    return s;
  });
  return texts;
}
