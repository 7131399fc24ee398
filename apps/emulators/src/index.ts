export * from "./aws/index.js";
export * from "./azure/index.js";
export { DEMO_VALUE_NAMES, type DemoData, type DemoValues, demoData } from "./demo-data.js";
export * from "./hashicorp/index.js";
export * from "./onepassword/index.js";
export * from "./shared/index.js";
