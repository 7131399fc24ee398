import { z } from "zod";
import { AGENT_PROTOCOL_VERSION, MAX_LINE_BYTES, MAX_NAMES } from "./protocol.js";

const base = {
  v: z.literal(AGENT_PROTOCOL_VERSION),
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  token: z.string().min(1).max(256),
};
const name = z.string().min(1).max(1024);
const url = z.string().max(8192).optional();
const method = z.string().min(1).max(64).optional();
/** Option values of a sign-in (settings and secrets): flat, bounded, never logged. */
const options = z
  .record(z.string().min(1).max(128), z.union([z.string().max(65_536), z.number(), z.boolean()]))
  .optional();

/** Every request the agent accepts; anything else is refused before it reaches the vault. */
export const agentRequestSchema = z.discriminatedUnion("op", [
  z.strictObject({ ...base, op: z.literal("status") }),
  z.strictObject({ ...base, op: z.literal("resolve"), name, url }),
  z.strictObject({
    ...base,
    op: z.literal("resolveMany"),
    names: z.array(name).max(MAX_NAMES),
    url,
  }),
  z.strictObject({
    ...base,
    op: z.literal("resolveForMatching"),
    names: z.array(name).max(MAX_NAMES),
  }),
  z.strictObject({ ...base, op: z.literal("template"), text: z.string().max(MAX_LINE_BYTES), url }),
  z.strictObject({ ...base, op: z.literal("reload") }),
  z.strictObject({ ...base, op: z.literal("integrations") }),
  z.strictObject({
    ...base,
    op: z.literal("connect"),
    input: z.strictObject({
      provider: z.string().min(1).max(64),
      id: z.string().min(1).max(64).optional(),
      method,
      options,
    }),
  }),
  z.strictObject({
    ...base,
    op: z.literal("reauth"),
    integration: z.string().min(1).max(64),
    input: z.strictObject({ method, options }),
  }),
  z.strictObject({
    ...base,
    op: z.literal("ui"),
    idleMinutes: z.number().int().min(1).max(1440).optional(),
  }),
  z.strictObject({ ...base, op: z.literal("stop") }),
]);

export type ValidAgentRequest = z.infer<typeof agentRequestSchema>;
