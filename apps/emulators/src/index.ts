export * from "./aws/index.js";
export * from "./shared/index.js";
