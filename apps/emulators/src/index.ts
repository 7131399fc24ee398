export * from "./aws/index.js";
export * from "./azure/index.js";
export * from "./hashicorp/index.js";
export * from "./onepassword/index.js";
export * from "./shared/index.js";
