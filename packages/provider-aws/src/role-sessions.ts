import { type Clock, providerError } from "@vaultlink/core/plugin";
import { clientConfig } from "./client.js";
import { PROVIDER_ID } from "./meta.js";
import type { StaticKeys } from "./session.js";
import type { AwsPluginOptions } from "./settings.js";

/** A linked secret's role session: the role's temporary keys and when they stop working. */
export interface RoleKeys extends StaticKeys {
  /** Milliseconds since the epoch; undefined when STS gave no expiration. */
  expiresAt?: number;
}

/** Assume the role again this long before its keys expire, so no read races the expiry. */
export const ROLE_REFRESH_MARGIN_MS = 5 * 60_000;

interface Entry {
  promise: Promise<RoleKeys>;
  keys?: RoleKeys;
}

/**
 * The sessions of the roles linked secrets name (`--role-arn`), assumed with sts:AssumeRole
 * with the integration's own keys as the source. One session per role and source key, shared
 * by every fetch; concurrent callers share one AssumeRole call. A session is assumed again
 * when it is within ROLE_REFRESH_MARGIN_MS of its expiry; a failed AssumeRole is not kept.
 */
export class RoleSessions {
  #entries = new Map<string, Entry>();

  constructor(
    private readonly options: AwsPluginOptions,
    private readonly clock: Clock,
  ) {}

  get(
    roleArn: string,
    source: StaticKeys,
    region: string | undefined,
    endpoint: string | undefined,
  ): Promise<RoleKeys> {
    // New source keys (a reauth) mean new role sessions.
    const key = JSON.stringify([roleArn, source.accessKeyId, source.sessionToken ?? "", endpoint]);
    const existing = this.#entries.get(key);
    if (existing && (existing.keys === undefined || !this.#stale(existing.keys))) {
      return existing.promise;
    }
    const entry: Entry = { promise: this.#assume(roleArn, source, region, endpoint) };
    this.#entries.set(key, entry);
    entry.promise.then(
      (keys) => {
        entry.keys = keys;
      },
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry.promise;
  }

  clear(): void {
    this.#entries.clear();
  }

  #stale(keys: RoleKeys): boolean {
    return (
      keys.expiresAt !== undefined && keys.expiresAt - ROLE_REFRESH_MARGIN_MS <= this.clock.now()
    );
  }

  async #assume(
    roleArn: string,
    source: StaticKeys,
    region: string | undefined,
    endpoint: string | undefined,
  ): Promise<RoleKeys> {
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({
      ...clientConfig({ region, endpoint }, this.options),
      credentials: { ...source },
    });
    try {
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "vaultlink" }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw providerError(
          PROVIDER_ID,
          "PROVIDER_ERROR",
          `sts:AssumeRole for role ${roleArn} returned no credentials.`,
        );
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiresAt: new Date(c.Expiration).getTime() } : {}),
      };
    } finally {
      sts.destroy();
    }
  }
}
