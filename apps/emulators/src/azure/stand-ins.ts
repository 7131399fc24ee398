import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { HTTP_REQUEST_SCRIPT, writeExecutable } from "../shared/stand-ins.js";

export { browserStandInEnv } from "../shared/stand-ins.js";

/**
 * Small executables that stand in, in tests, for the programs @azure/identity starts: a web
 * browser (InteractiveBrowserCredential opens one through the `open` package) and the Azure
 * CLI (AzureCliCredential runs `az account get-access-token`). Both talk real HTTP to an Azure
 * emulator. Each is one CommonJS file run by this Node binary, with its settings written in.
 */

const BROWSER = `
${HTTP_REQUEST_SCRIPT}
// Only origin and path are logged: the query carries the authorization code.
function visited(line) {
  if (config.logFile) fs.appendFileSync(config.logFile, line + "\\n");
}
function unescapeHtml(text) {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) =>
    ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]);
}
// The auto-submitting POST form of a form_post page, as action URL and url-encoded body.
function postedForm(html, base) {
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\\s\\S]*?)<\\/form>/i.exec(html);
  if (!form) return undefined;
  const body = new URLSearchParams();
  for (const input of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) {
    body.append(unescapeHtml(input[1]), unescapeHtml(input[2]));
  }
  return { action: new URL(unescapeHtml(form[1]), base).toString(), body: body.toString() };
}
async function browse(start) {
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const where = new URL(url);
    const res = await request(url, "GET");
    visited(res.status + " " + where.origin + where.pathname);
    if (res.status >= 300 && res.status < 400 && res.location) {
      url = new URL(res.location, url).toString();
      continue;
    }
    const form = res.status === 200 ? postedForm(res.body, url) : undefined;
    if (form) {
      // A form_post page: its script submits the form on load; the stand-in does the same.
      const posted = await request(form.action, "POST", form.body);
      const to = new URL(form.action);
      visited(posted.status + " " + to.origin + to.pathname);
      return posted.status < 400 ? 0 : 1;
    }
    return res.status < 400 ? 0 : 1;
  }
  return 1;
}
// "<logFile>.done" marks the end of browsing, whatever its outcome (see browserFinished).
function finish(code) {
  if (config.logFile) fs.writeFileSync(config.logFile + ".done", String(code));
  process.exit(code);
}
browse(process.argv[2]).then(finish, (error) => {
  visited("failed " + (error && error.code ? error.code : "error"));
  finish(1);
});
`;

/**
 * Write a browser stand-in to `dir`; returns its path. Give that path as BROWSER (with
 * XDG_CURRENT_DESKTOP=X-Generic and no DISPLAY) and `open`'s bundled xdg-open runs it with the
 * URL. It GETs the URL and follows redirects as a browser does, trusting `caFile`, submits a
 * form_post page's form as its script would, and appends "<status> <origin><path>" per hop to
 * `logFile` when given.
 */
export function writeBrowserStandIn(
  dir: string,
  options: { caFile?: string; logFile?: string } = {},
): Promise<string> {
  const config = JSON.stringify({ caFile: options.caFile, logFile: options.logFile });
  return writeExecutable(join(dir, "browser"), `const config = ${config};\n${BROWSER}`);
}

/**
 * Resolves once the browser stand-in writing `logFile` has finished browsing (whatever the
 * outcome; its log says how it went), or after `timeoutMs` so a broken run fails on its
 * assertions instead of hanging. Tests hold the code redemption on this
 * (`emu.inject({ operation: "token.aad", times: 1, until: browserFinished(logFile) })`):
 * MSAL closes its loopback server (and its open connections) as soon as it has redeemed the
 * code, and a local emulator answers faster than a separate browser process finishes its last
 * hop at the loopback; that hop was then cut off (ECONNRESET, with MSAL's redirect to its
 * success page) or not yet logged when the test read the log. Behind a real network the browser
 * is first; the hold makes it always so.
 */
export async function browserFinished(logFile: string, timeoutMs = 20_000): Promise<void> {
  const done = `${logFile}.done`;
  rmSync(done, { force: true });
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

const AZ = `
${HTTP_REQUEST_SCRIPT}
function fail(message, code) {
  process.stderr.write(message + "\\n");
  process.exit(code === undefined ? 1 : code);
}
const args = process.argv.slice(2);
if (args[0] !== "account" || args[1] !== "get-access-token") {
  fail("az: '" + args.slice(0, 2).join(" ") + "' is not an az command this stand-in knows.", 2);
}
const flags = {};
for (let i = 2; i < args.length; i += 2) flags[args[i].replace(/^--?/, "")] = args[i + 1];
if (!config.loggedIn) fail("ERROR: Please run 'az login' to setup account.");
const tenant = flags.tenant || flags.t || config.tenantId;
const scope = flags.scope || String(flags.resource || "").replace(/\\/+$/, "") + "/.default";
const form = new URLSearchParams({
  grant_type: "client_credentials",
  client_id: config.clientId,
  client_secret: config.clientSecret,
  scope,
});
request(config.authorityHost + "/" + encodeURIComponent(tenant) + "/oauth2/v2.0/token", "POST", form.toString())
  .then((res) => {
    const body = JSON.parse(res.body);
    if (res.status !== 200) {
      fail("ERROR: " + String(body.error_description || body.error).split("\\r\\n")[0]);
    }
    const expiresOn = Math.floor(Date.now() / 1000) + Number(body.expires_in);
    const local = new Date(expiresOn * 1000);
    const pad = (n, w) => String(n).padStart(w || 2, "0");
    const printed = {
      accessToken: body.access_token,
      expiresOn:
        local.getFullYear() + "-" + pad(local.getMonth() + 1) + "-" + pad(local.getDate()) + " " +
        pad(local.getHours()) + ":" + pad(local.getMinutes()) + ":" + pad(local.getSeconds()) + ".000000",
      expires_on: expiresOn,
      subscription: config.subscription,
      tenant,
      tokenType: "Bearer",
    };
    process.stdout.write(JSON.stringify(printed, null, 2) + "\\n");
  })
  .catch((error) => fail("ERROR: " + (error && error.code ? error.code : "request failed")));
`;

export interface AzureCliStandInOptions {
  /** The emulator's authority: `authorityHost`, `tenantId` and `caFile` of a running one. */
  authorityHost: string;
  tenantId: string;
  caFile: string;
  /** The service principal `az login --service-principal` would have signed in. */
  clientId: string;
  clientSecret: string;
  /** Subscription id printed with the token. Default: a fixed GUID. */
  subscription?: string;
  /** False: answer as an az that nobody has logged in to. Default true. */
  loggedIn?: boolean;
}

/**
 * Write an `az` stand-in to `dir` (put `dir` first on PATH); returns its path. It answers
 * `az account get-access-token --output json --resource <r> [--tenant <t>]` by fetching a
 * client-credentials token from the emulator and printing it in the CLI's JSON shape
 * (accessToken, expiresOn, expires_on, subscription, tenant, tokenType). Not logged in, it
 * prints the CLI's "Please run 'az login'" error.
 */
export function writeAzureCliStandIn(
  dir: string,
  options: AzureCliStandInOptions,
): Promise<string> {
  const config = JSON.stringify({
    authorityHost: options.authorityHost,
    tenantId: options.tenantId,
    caFile: options.caFile,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    subscription: options.subscription ?? "5c6d7e8f-0000-4000-8000-0000000000a2",
    loggedIn: options.loggedIn ?? true,
  });
  return writeExecutable(join(dir, "az"), `const config = ${config};\n${AZ}`);
}
