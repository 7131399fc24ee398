import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { VaultSettings } from "./settings.js";

/**
 * A `fetch` for the OIDC client (oauth4webapi) that trusts what the integration says about
 * TLS (caCert, caFile, tlsSkipVerify), like the Vault client does. Node's global fetch takes
 * no CA, hence this small bridge over node:http(s).
 */
export async function settingsFetch(
  settings: VaultSettings,
): Promise<(url: string, init: RequestInit) => Promise<Response>> {
  const ca = [
    settings.caCert,
    settings.caFile ? await readFile(settings.caFile, "utf8") : undefined,
  ].filter((v): v is string => v !== undefined);
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === "https:" ? httpsRequest : httpRequest;
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => {
        headers[k] = v;
      });
      const req = send(
        target,
        {
          method: init.method ?? "GET",
          headers,
          timeout: settings.timeoutMs,
          ...(target.protocol === "https:"
            ? { rejectUnauthorized: !settings.tlsSkipVerify, ...(ca.length ? { ca } : {}) }
            : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (v === undefined) continue;
              for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
            }
            const status = res.statusCode ?? 502;
            const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: out }));
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })),
      );
      req.on("error", reject);
      init.signal?.addEventListener("abort", () => req.destroy(new Error("aborted")));
      if (init.body !== undefined && init.body !== null) req.write(String(init.body));
      req.end();
    });
}
