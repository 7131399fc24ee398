import { chmod, writeFile } from "node:fs/promises";

/** Write a script run by this Node binary as an executable (0700); returns its path. */
export async function writeExecutable(path: string, source: string): Promise<string> {
  await writeFile(path, `#!${process.execPath}\n${source}`, { mode: 0o700 });
  await chmod(path, 0o700);
  return path;
}

/**
 * The environment that makes `open` (10.x, Linux) hand URLs to a browser stand-in: its
 * bundled xdg-open uses $BROWSER on a "generic" desktop without a display.
 */
export function browserStandInEnv(browser: string): Record<string, string | undefined> {
  return {
    BROWSER: browser,
    XDG_CURRENT_DESKTOP: "X-Generic",
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
  };
}

/**
 * Script text for stand-ins that read `config` (written in before it): defines
 * `request(url, method, body?)`, a plain HTTP(S) request that trusts `config.caFile` and resolves
 * to `{ status, location, body }` without following redirects.
 */
export const HTTP_REQUEST_SCRIPT = `
const http = require("node:http");
const https = require("node:https");
const fs = require("node:fs");
const ca = config.caFile ? fs.readFileSync(config.caFile, "utf8") : undefined;
function request(url, method, body) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === "https:" ? https : http;
    const headers = body ? { "content-type": "application/x-www-form-urlencoded" } : {};
    const req = lib.request(target, { method, headers, ...(ca ? { ca } : {}) }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          location: res.headers.location,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}
`;
