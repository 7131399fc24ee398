import { join } from "node:path";
import { HTTP_REQUEST_SCRIPT, writeExecutable } from "../shared/stand-ins.js";

/** How the member signs in on the emulated Vault UI's page. */
export type VaultUiLogin =
  | { username: string; password: string; mount?: string }
  | { token: string };

function formOf(login: VaultUiLogin): URLSearchParams {
  return "token" in login
    ? new URLSearchParams({ method: "token", token: login.token })
    : new URLSearchParams({
        method: "userpass",
        mount: login.mount ?? "userpass",
        username: login.username,
        password: login.password,
      });
}

export interface VaultUiResult {
  /** Status of the UI's last answer: 302 when it sent the browser on. */
  status: number;
  /** Where the UI sent the browser (the client's redirect URI with code/state or error). */
  location?: string;
  /** The page's text when it did not redirect (the form again, or an error page). */
  body?: string;
}

/**
 * Play a member's browser at the authorization endpoint a provider's discovery names (the
 * Vault UI's `…/authorize?…` URL): open it, sign in on the form, and report where the UI
 * redirects (not followed). Real HTTP to the emulator.
 */
export async function signInAtVaultUi(url: string, login: VaultUiLogin): Promise<VaultUiResult> {
  const first = await fetch(url, { redirect: "manual" });
  const firstBody = await first.text();
  if (first.status !== 200) {
    const location = first.headers.get("location");
    return { status: first.status, ...(location ? { location } : { body: firstBody }) };
  }
  const posted = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: formOf(login).toString(),
  });
  const location = posted.headers.get("location");
  const body = await posted.text();
  return { status: posted.status, ...(location ? { location } : { body }) };
}

const BROWSER = `
${HTTP_REQUEST_SCRIPT}
// Only origin and path are logged: queries carry codes, forms carry the password.
function visited(line) {
  if (config.logFile) fs.appendFileSync(config.logFile, line + "\\n");
}
async function browse(start) {
  let url = start;
  let signedIn = false;
  for (let hop = 0; hop < 10; hop++) {
    const where = new URL(url);
    let res = await request(url, "GET");
    visited(res.status + " " + where.origin + where.pathname);
    if (res.status === 200 && !signedIn && res.body.includes('name="password"')) {
      signedIn = true;
      res = await request(url, "POST", new URLSearchParams(config.form).toString());
      visited("POST " + res.status + " " + where.origin + where.pathname);
    }
    if (res.status >= 300 && res.status < 400 && res.location) {
      url = new URL(res.location, url).toString();
      continue;
    }
    return res.status < 400 ? 0 : 1;
  }
  return 1;
}
browse(process.argv[2]).then(
  (code) => process.exit(code),
  (error) => {
    visited("failed " + (error && error.code ? error.code : "error"));
    process.exit(1);
  },
);
`;

/**
 * Write a browser stand-in for the Vault UI to `dir` (file `vault-browser`, mode 0700); returns
 * its path. Use it as BROWSER with `browserStandInEnv`. Given a URL it GETs it; on the UI's
 * sign-in form it posts `login` once; it follows redirects (so the last hop reaches the
 * loopback listener with `code` and `state`), logging "<status> <origin><path>" per hop to
 * `logFile` when given. The login is written into the file: keep `dir` private to the test.
 */
export function writeVaultBrowserStandIn(
  dir: string,
  login: VaultUiLogin,
  options: { caFile?: string; logFile?: string } = {},
): Promise<string> {
  const config = JSON.stringify({
    form: Object.fromEntries(formOf(login)),
    caFile: options.caFile,
    logFile: options.logFile,
  });
  return writeExecutable(join(dir, "vault-browser"), `const config = ${config};\n${BROWSER}`);
}
