import {
  type Clock,
  type FetchRequest,
  type FetchResult,
  failure,
  type Logger,
  mapWithConcurrency,
} from "@vaultlink/core/plugin";
import { type CommandOutcome, runCommand } from "./command-source.js";
import { isAllowed, readVariables } from "./env-source.js";
import { takeLookup } from "./rate-limit.js";
import type { EnvReference } from "./reference.js";
import type { EnvSettings } from "./settings.js";

export interface FetchDeps {
  settings: EnvSettings;
  clock: Clock;
  logger: Logger;
  concurrency: number;
}

/**
 * One result per request. The env file is read once per call however many variables are
 * asked for, and each command runs once per call however many references name it.
 */
export async function fetchAll(
  requests: readonly FetchRequest[],
  deps: FetchDeps,
): Promise<FetchResult[]> {
  const { settings, clock } = deps;
  const results: FetchResult[] = [];
  const envRequests: Array<{ id: string; name: string }> = [];
  const cmdRequests: Array<{ id: string; name: string }> = [];

  for (const request of requests) {
    const ref = request.reference as EnvReference;
    const name = ref.name;
    if (ref.kind === "env") {
      if (!isAllowed(name, settings.allow)) {
        results.push(
          failure(
            request.id,
            "PERMISSION_DENIED",
            `The variable ${name} is outside the allow list.`,
            {
              hint: `Add a prefix of ${name} to the allow setting (now ${settings.allow.join(",")}).`,
            },
          ),
        );
        continue;
      }
    } else if (!settings.commands.has(name)) {
      results.push(
        failure(request.id, "NOT_FOUND", `No command "${name}" is configured.`, {
          hint: `Configured: ${[...settings.commands.keys()].join(", ") || "none"}. Add it to the commands setting.`,
        }),
      );
      continue;
    }
    const source = ref.kind === "env" ? `env:${settings.envFile ?? "process"}` : `cmd:${name}`;
    if (!takeLookup(source, settings.rateLimit, clock.now())) {
      results.push(
        failure(
          request.id,
          "THROTTLED",
          `More than ${settings.rateLimit} lookups per second against ${source}.`,
          { hint: "Try again in a second, or raise the rateLimit setting." },
        ),
      );
      continue;
    }
    (ref.kind === "env" ? envRequests : cmdRequests).push({ id: request.id, name });
  }

  if (envRequests.length > 0) {
    const variables = await readVariables(settings.envFile);
    for (const { id, name } of envRequests) {
      if (!variables.ok) {
        results.push(failure(id, variables.code, variables.message, { hint: variables.hint }));
        continue;
      }
      const value = variables.get(name);
      results.push(
        value === undefined
          ? failure(id, "NOT_FOUND", `The variable ${name} is not set.`, {
              hint: settings.envFile
                ? `Add it to ${settings.envFile}.`
                : "Set it in the environment vaultlink runs in.",
            })
          : { id, ok: true, value },
      );
    }
  }

  if (cmdRequests.length > 0) {
    const names = [...new Set(cmdRequests.map((r) => r.name))];
    const outcomes = new Map<string, CommandOutcome>();
    await mapWithConcurrency(names, deps.concurrency, async (name) => {
      const started = clock.now();
      const argv = settings.commands.get(name) as readonly string[];
      const outcome = await runCommand(name, argv, settings.timeoutMs);
      deps.logger.debug("env: ran a command", {
        command: name,
        ok: outcome.ok,
        ms: clock.now() - started,
      });
      outcomes.set(name, outcome);
    });
    for (const { id, name } of cmdRequests) {
      const outcome = outcomes.get(name) as CommandOutcome;
      results.push(
        outcome.ok
          ? { id, ok: true, value: outcome.value }
          : failure(id, outcome.code, outcome.message, { hint: outcome.hint }),
      );
    }
  }
  return results;
}
