import type { KeySource } from "../types.js";

/**
 * The vault key typed by the user (last in the default order). `ask` shows the prompt and
 * resolves the answer, or undefined when the user gave none (or there is no terminal).
 */
export function promptKeySource(
  ask: () => Promise<string | undefined>,
  options: { available?: () => boolean; unavailableReason?: string } = {},
): KeySource {
  return {
    id: "prompt",
    async availability() {
      if (options.available && !options.available()) {
        return {
          available: false,
          reason: options.unavailableReason ?? "no interactive terminal to ask on",
        };
      }
      return { available: true };
    },
    async load() {
      const answer = (await ask())?.trim();
      return answer ? answer : undefined;
    },
  };
}
