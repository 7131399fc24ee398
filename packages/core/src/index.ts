export * from "./errors/index.js";
export * from "./events/index.js";
export type * from "./resolver/types.js";
export type * from "./vault/model.js";
export { DEFAULT_SETTINGS, emptyDocument } from "./vault/model.js";
export { assertSecretName, SECRET_NAME_PATTERN } from "./vault/names.js";
export type * from "./vault/types.js";
export { extractJsonKey } from "./values/json-key.js";
export * from "./transfer/index.js";
