import { z } from "zod";
import { SECRET_NAME_PATTERN, secretNameProblem } from "../vault/names.js";

/** The shape of an export payload, checked when an export file is read. */
const linkSchema = z.object({
  integration: z.string().min(1),
  provider: z.string().min(1),
  reference: z.string().min(1),
  jsonKey: z.string().optional(),
  version: z.string().optional(),
  options: z.record(z.string(), z.string()).optional(),
});

const secretSchema = z
  .object({
    name: z
      .string()
      .regex(SECRET_NAME_PATTERN)
      .refine((name) => secretNameProblem(name) === undefined, "not a usable secret name"),
    value: z.string().optional(),
    link: linkSchema.optional(),
    allowedDomains: z.array(z.string()),
    enabled: z.boolean(),
  })
  .refine(
    (s) => !(s.value !== undefined && s.link !== undefined),
    "a secret has a value or a link, not both",
  );

export const payloadSchema = z.object({ secrets: z.array(secretSchema) });
