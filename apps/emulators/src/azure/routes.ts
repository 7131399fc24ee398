import type { EmulatorRequest } from "../shared/index.js";

/** What a request to the emulator's origin is, once its path is parsed. */
export type AzureRoute =
  | { kind: "msi" }
  | { kind: "openid"; tenant: string }
  | { kind: "instance-discovery" }
  | { kind: "aad-token"; tenant: string }
  | { kind: "aad-authorize"; tenant: string }
  | { kind: "aad-devicecode"; tenant: string }
  | { kind: "devicelogin" }
  | { kind: "list" }
  | { kind: "versions"; name: string }
  | { kind: "get"; name: string; version?: string }
  | { kind: "set"; name: string }
  | { kind: "unknown" };

/** Parse method + path into a route. */
export function routeOf(req: EmulatorRequest): AzureRoute {
  const path = req.url.pathname;
  const method = req.method;
  if (path === "/msi/token") return { kind: "msi" };
  if (path === "/common/discovery/instance") return { kind: "instance-discovery" };
  const openid = /^\/([^/]+)(?:\/v2\.0)?\/\.well-known\/openid-configuration$/.exec(path);
  if (openid?.[1]) return { kind: "openid", tenant: decodeURIComponent(openid[1]) };
  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
  if (token?.[1] && method === "POST")
    return { kind: "aad-token", tenant: decodeURIComponent(token[1]) };
  const authorize = /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/.exec(path);
  if (authorize?.[1] && method === "GET")
    return { kind: "aad-authorize", tenant: decodeURIComponent(authorize[1]) };
  const device = /^\/([^/]+)\/oauth2\/v2\.0\/devicecode$/.exec(path);
  if (device?.[1] && method === "POST")
    return { kind: "aad-devicecode", tenant: decodeURIComponent(device[1]) };
  if (path === "/devicelogin" && method === "GET") return { kind: "devicelogin" };

  const parts = path.split("/").slice(1);
  if (parts[0] !== "secrets") return { kind: "unknown" };
  const name = parts[1] ? decodeURIComponent(parts[1]) : undefined;
  const third = parts[2];
  if (method === "GET" && (name === undefined || name === "") && parts.length <= 2) {
    return { kind: "list" };
  }
  if (name === undefined || name === "" || parts.length > 3) return { kind: "unknown" };
  if (method === "PUT" && parts.length === 2) return { kind: "set", name };
  if (method !== "GET") return { kind: "unknown" };
  if (third === "versions") return { kind: "versions", name };
  if (third === undefined || third === "") return { kind: "get", name };
  return { kind: "get", name, version: decodeURIComponent(third) };
}

/** Operation names used for counting and fault matching. */
export function operationName(route: AzureRoute, req: EmulatorRequest): string {
  switch (route.kind) {
    case "msi":
      return "token.msi";
    case "aad-token":
      return "token.aad";
    case "aad-authorize":
      return "token.authorize";
    case "aad-devicecode":
    case "devicelogin":
      return "token.devicecode";
    case "openid":
    case "instance-discovery":
      return "token.discovery";
    case "unknown":
      return "unknown";
    default:
      if (!req.headers.authorization) return "challenge";
      return route.kind === "list"
        ? "secrets.list"
        : route.kind === "versions"
          ? "secrets.versions"
          : route.kind === "set"
            ? "secrets.set"
            : "secrets.get";
  }
}
