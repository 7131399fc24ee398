import type { FullItem } from "@1password/connect";
import type { MappedError } from "../errors.js";
import type { OnePasswordReference } from "../reference.js";

const OPENSSH_PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----";

type Picked = { ok: true; value: string } | ({ ok: false } & MappedError);

const same = (a: string | undefined, b: string) =>
  a !== undefined && (a === b || a.toLowerCase() === b.toLowerCase());

/**
 * Pick the value a reference names from a full Connect item, following 1Password's rules:
 * sections and fields match by id or by label without regard to case; without a section the
 * field may sit in any section, and more than one match is ambiguous.
 */
export function pickValue(item: FullItem, ref: OnePasswordReference): Picked {
  const where = `"${ref.canonical}"`;
  let fields = item.fields ?? [];
  if (ref.section !== undefined) {
    const wanted = ref.section;
    const sectionIds = new Set(
      (item.sections ?? [])
        .filter((s) => same(s.id, wanted) || same(s.label, wanted))
        .map((s) => s.id),
    );
    if (sectionIds.size === 0) {
      return {
        ok: false,
        code: "NOT_FOUND",
        message: `The 1Password item "${ref.item}" has no section "${wanted}" (${where}).`,
      };
    }
    fields = fields.filter((f) => f.section?.id !== undefined && sectionIds.has(f.section.id));
  }
  const matches = fields.filter((f) => same(f.id, ref.field) || same(f.label, ref.field));
  if (matches.length === 0) {
    const isFile = (item.files ?? []).some((f) => same(f.name, ref.field));
    return isFile
      ? {
          ok: false,
          code: "PROVIDER_ERROR",
          message: `"${ref.field}" is a file attachment of "${ref.item}"; the Connect path reads fields only (${where}).`,
          hint: "Use the service account sign-in to read file attachments.",
        }
      : {
          ok: false,
          code: "NOT_FOUND",
          message: `The 1Password item "${ref.item}" has no field "${ref.field}"${ref.section ? ` in section "${ref.section}"` : ""} (${where}).`,
        };
  }
  if (matches.length > 1) {
    return {
      ok: false,
      code: "PROVIDER_ERROR",
      message: `${matches.length} fields of the 1Password item "${ref.item}" match "${ref.field}", so ${where} is ambiguous.`,
      hint: "Add the section (op://vault/item/section/field) or write the field as its id.",
    };
  }
  const field = matches[0] as NonNullable<FullItem["fields"]>[number];

  if (ref.attribute === "otp") {
    if (String(field.type) !== "OTP") {
      return {
        ok: false,
        code: "PROVIDER_ERROR",
        message: `The field "${ref.field}" of "${ref.item}" is not a one-time password field, so ${where} has no code.`,
        hint: "Use ?attribute=otp only on a one-time password field.",
      };
    }
    // Connect computes the current code and sends it as the field's `totp`.
    if (!field.otp) {
      return {
        ok: false,
        code: "PROVIDER_ERROR",
        message: `The Connect server returned no one-time code for ${where}.`,
      };
    }
    return { ok: true, value: field.otp };
  }
  const value = field.value ?? "";
  if (ref.sshFormat === "openssh" && !value.startsWith(OPENSSH_PRIVATE_KEY)) {
    // Node cannot write OpenSSH private keys, and Connect returns them as stored (PKCS#8).
    return {
      ok: false,
      code: "PROVIDER_ERROR",
      message: `The Connect path cannot convert ${where} to OpenSSH format.`,
      hint: "Drop ?ssh-format=openssh to get the key as stored, or use the service account sign-in.",
    };
  }
  return { ok: true, value };
}
