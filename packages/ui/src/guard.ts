import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The rules that keep a page on 127.0.0.1 from being driven by anything but the person who
 * started it: a launch token exchanged once for a session cookie, `Host` pinned to the
 * loopback names of our port (DNS rebinding), `Origin` and a custom header on every request
 * that changes something or returns a value (cross-site forms and fetches), and the response
 * headers that keep the page out of frames, caches and other origins.
 */

/**
 * The session cookie's name for a screen on this port. Browsers keep cookies per host, not per
 * port, so two screens open at once need two names. (`__Host-` needs https: a plain name.)
 */
export function sessionCookie(port: number): string {
  return `vaultlink_ui_${port}`;
}
/** The header every API write carries; a cross-site form cannot set it. */
export const API_HEADER = "x-vaultlink-ui";

export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Compare without leaking where two strings differ. */
export function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The names the page may be reached by: never a DNS name that could rebind to us. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/**
 * Content-Security-Policy: scripts, styles and fetches from this origin only (no inline
 * script, no eval), no plugins, no framing, forms post nowhere.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CSP,
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};
