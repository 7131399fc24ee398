import type { EventBus } from "../events/index.js";
import { parseCacheTtlMinutes, settingField } from "../settings/settings.js";
import type { VaultSettings } from "../vault/model.js";
import type { DocumentAccess } from "./document.js";

/** Read and change vault settings. New cache times apply to values fetched from now on. */
export class SettingsApi {
  constructor(
    private readonly docs: DocumentAccess,
    private readonly events: EventBus,
  ) {}

  async get(): Promise<VaultSettings> {
    return { ...(await this.docs.read()).settings };
  }

  /** `name` is the user-facing name ("cache-ttl"); the value is validated. */
  async set(name: string, value: unknown): Promise<VaultSettings> {
    const field = settingField(name);
    const parsed = parseCacheTtlMinutes(value);
    const settings = await this.docs.update((doc) => {
      doc.settings[field] = parsed;
      return { ...doc.settings };
    });
    this.events.emit("SettingsChanged", { key: name });
    return settings;
  }
}
