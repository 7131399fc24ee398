import type { EmulatorRequest } from "../shared/index.js";

export class BadRequest extends Error {}

/** The JSON object of a request body; {} when empty. Throws BadRequest on anything else. */
export function jsonBody(req: EmulatorRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString("utf8"));
  } catch (error) {
    throw new BadRequest(`failed to parse JSON input: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new BadRequest("failed to parse JSON input: expected a JSON object");
  }
  return parsed as Record<string, unknown>;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
