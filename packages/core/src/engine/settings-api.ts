import type { ValueCache } from "../cache/value-cache.js";
import type { EventBus } from "../events/index.js";
import type { Clock } from "../plugin/contract.js";
import { parseSetting, settingField } from "../settings/settings.js";
import type { VaultSettings } from "../vault/model.js";
import type { DocumentAccess } from "./document.js";

/**
 * Read and change vault settings. A longer cache time applies to values fetched from now on; a
 * shorter one applies at once to values already cached, so nothing older than it is served.
 */
export class SettingsApi {
  constructor(
    private readonly docs: DocumentAccess,
    private readonly events: EventBus,
    private readonly cache: ValueCache,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<VaultSettings> {
    return { ...(await this.docs.read()).settings };
  }

  /** `name` is the user-facing name ("cache-ttl"); the value is validated. */
  async set(name: string, value: unknown): Promise<VaultSettings> {
    const field = settingField(name);
    const parsed = parseSetting(name, value);
    const settings = await this.docs.update((doc) => {
      (doc.settings as unknown as Record<string, unknown>)[field] = parsed;
      return { ...doc.settings };
    });
    if (field === "cacheTtlMinutes" && typeof parsed === "number") {
      await this.cache.cap(parsed * 60_000, this.clock.now());
    }
    this.events.emit("SettingsChanged", { key: name });
    return settings;
  }
}
