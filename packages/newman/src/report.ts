import type { RunResult } from "./run.js";

/** The end-of-run vault report: each unresolved reference with its reason and fix, no value. */
export function formatUnresolved(
  result: Pick<RunResult, "unresolved" | "refusedWrites" | "written">,
): string {
  const lines: string[] = [];
  if (result.unresolved.length > 0) {
    lines.push(`vaultlink: ${result.unresolved.length} unresolved vault reference(s):`);
    for (const u of result.unresolved) {
      lines.push(
        `  {{vault:${u.name}}} in "${u.request}" (${u.reason}${u.stopped ? ", request not sent" : ", sent as written"}): ${u.message}`,
      );
      lines.push(`    fix: ${u.fix}`);
    }
  }
  for (const r of result.refusedWrites)
    lines.push(`vaultlink: pm.vault change to "${r.name}" refused: ${r.reason}`);
  if (result.written.length > 0)
    lines.push(
      `vaultlink: scripts changed ${result.written.length} secret(s): ${result.written.join(", ")}`,
    );
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
