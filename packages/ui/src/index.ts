export type { UiHost } from "./api.js";
export { API_HEADER, CSP, SESSION_COOKIE } from "./guard.js";
export { startUiServer, type UiServer, type UiServerOptions } from "./server.js";
