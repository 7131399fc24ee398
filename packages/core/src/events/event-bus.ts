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
  // One handler may be registered for several events (and more than once for one event):
  // keep its wrappers per event so `off(type, handler)` removes the one made for `type`.
  const wrappers = new Map<unknown, Map<string, unknown[]>>();
  const forget = (type: string, handler: unknown, wrapped?: unknown): unknown => {
    const byType = wrappers.get(handler);
    const list = byType?.get(type);
    if (!byType || !list || list.length === 0) return undefined;
    const at = wrapped === undefined ? list.length - 1 : list.indexOf(wrapped);
    if (at < 0) return undefined;
    const [removed] = list.splice(at, 1);
    if (list.length === 0) byType.delete(type);
    if (byType.size === 0) wrappers.delete(handler);
    return removed;
  };
  return {
    on(type, handler) {
      const wrapped = guard(type, handler);
      let byType = wrappers.get(handler);
      if (!byType) {
        byType = new Map();
        wrappers.set(handler, byType);
      }
      byType.set(type, [...(byType.get(type) ?? []), wrapped]);
      emitter.on(type, wrapped as never);
      return () => {
        if (forget(type, handler, wrapped) !== undefined) emitter.off(type, wrapped as never);
      };
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
      const wrapped = forget(type, handler);
      if (wrapped !== undefined) emitter.off(type, wrapped as never);
    },
    emit(type, payload) {
      emitter.emit(type, payload);
    },
    has(type) {
      return (emitter.all.get(type)?.length ?? 0) > 0 || (emitter.all.get("*")?.length ?? 0) > 0;
    },
  };
}
