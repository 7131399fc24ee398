export { RESET_WORD, type UiHost } from "./api.js";
export { API_HEADER, CSP, sessionCookie } from "./guard.js";
export { startUiServer, type UiServer, type UiServerOptions } from "./server.js";
