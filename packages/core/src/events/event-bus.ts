import mittImport, { type Emitter, type Handler, type WildcardHandler } from "mitt";
import type { VaultEventName, VaultEvents } from "./event-map.js";

/**
 * A typed event bus over mitt. Unlike a bare mitt emitter, a handler that throws does not
 * stop the handlers after it: the error is reported as a `HandlerError` event instead.
 */
// mitt ships CommonJS-style typings for an ES module; take the factory from either shape.
type MittFactory = <E extends Record<string | symbol, unknown>>() => Emitter<E>;
const mitt: MittFactory =
  (mittImport as unknown as { default?: MittFactory }).default ??
  (mittImport as unknown as MittFactory);

export interface EventBus {
  on<K extends VaultEventName>(type: K, handler: Handler<VaultEvents[K]>): () => void;
  onAny(handler: WildcardHandler<VaultEvents>): () => void;
  off<K extends VaultEventName>(type: K, handler: Handler<VaultEvents[K]>): void;
  emit<K extends VaultEventName>(type: K, payload: VaultEvents[K]): void;
  /** True when anyone listens to `type` (or to every event); lets hot paths skip payloads. */
  has(type: VaultEventName): boolean;
}

export function createEventBus(): EventBus {
  const emitter: Emitter<VaultEvents> = mitt<VaultEvents>();
  const guard = <T>(type: string, fn: (arg: T) => void) => {
    const wrapped = (arg: T) => {
      try {
        fn(arg);
      } catch (error) {
        if (type === "HandlerError") return;
        const message = error instanceof Error ? error.message : String(error);
        emitter.emit("HandlerError", { event: type, message });
      }
    };
    return wrapped;
  };
  const wrappers = new Map<unknown, unknown>();
  return {
    on(type, handler) {
      const wrapped = guard(type, handler);
      wrappers.set(handler, wrapped);
      emitter.on(type, wrapped as never);
      return () => emitter.off(type, wrapped as never);
    },
    onAny(handler) {
      const wrapped: WildcardHandler<VaultEvents> = (type, payload) => {
        try {
          handler(type, payload);
        } catch (error) {
          if (type === "HandlerError") return;
          const message = error instanceof Error ? error.message : String(error);
          emitter.emit("HandlerError", { event: String(type), message });
        }
      };
      emitter.on("*", wrapped);
      return () => emitter.off("*", wrapped);
    },
    off(type, handler) {
      const wrapped = wrappers.get(handler);
      if (wrapped) emitter.off(type, wrapped as never);
    },
    emit(type, payload) {
      emitter.emit(type, payload);
    },
    has(type) {
      return (emitter.all.get(type)?.length ?? 0) > 0 || (emitter.all.get("*")?.length ?? 0) > 0;
    },
  };
}
