export { createEventBus, type EventBus } from "./event-bus.js";
export type { VaultEventName, VaultEvents } from "./event-map.js";
