import type { OptionSpec, ProviderContext } from "@vaultlink/core/plugin";

/** Settings every auth method shares. */
export const SETTINGS: readonly OptionSpec[] = [
  {
    name: "region",
    title: "Region",
    type: "string",
    env: "AWS_REGION",
    description:
      "Region for secrets named by name, and for STS. A secret ARN's own region always wins. " +
      "When unset, the SDK's region (AWS_REGION, the profile's region) is resolved at sign-in and stored.",
  },
  {
    name: "endpoint",
    title: "Endpoint URL (local/testing)",
    type: "string",
    description:
      "For emulators (LocalStack, moto) and tests only: every client the plugin builds " +
      "(Secrets Manager and STS) sends its requests here instead of AWS.",
  },
];

/** Host-level tuning from `plugins: [["@vaultlink/provider-aws", { ... }]]`. */
export interface AwsPluginOptions {
  /** Attempts per call, first included, with the SDK's back-off between them. Default 3. */
  maxAttempts: number;
  /** The SDK's retry mode. Default "standard". */
  retryMode: "standard" | "adaptive";
  /**
   * Calls in flight at once per fetch (batches or single reads): core's `ctx.concurrency`
   * (the integration's `concurrency`, else this plugin option), default 8.
   */
  concurrency: number;
  /**
   * Milliseconds one attempt may take: core's deadline (`ctx.requestTimeoutMs`, from the
   * core-level `timeoutSeconds`; the old plugin option `requestTimeoutMs` still counts there).
   */
  requestTimeoutMs: number;
}

/** Calls in flight per fetch when neither the integration nor the host config sets one. */
export const DEFAULT_CONCURRENCY = 8;

/** The plugin's tuning: its own options, plus the numbers core parsed (deadline, concurrency). */
export function readPluginOptions(
  ctx: Pick<ProviderContext, "pluginOptions" | "requestTimeoutMs" | "concurrency">,
): AwsPluginOptions {
  const raw = ctx.pluginOptions;
  return {
    maxAttempts: positiveInt(raw.maxAttempts) ?? 3,
    retryMode: raw.retryMode === "adaptive" ? "adaptive" : "standard",
    concurrency: ctx.concurrency ?? DEFAULT_CONCURRENCY,
    requestTimeoutMs: ctx.requestTimeoutMs,
  };
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A non-empty string option, or undefined. */
export function text(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
