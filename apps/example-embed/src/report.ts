import type { RequestResult, RunResult } from "./run.js";

/** One request as printed lines. Results are already masked, so nothing here sees a value. */
export function formatResult(r: RequestResult): string[] {
  const where = [...r.folders, r.name].join(" / ");
  const head = `${r.method} ${r.url}`;
  switch (r.outcome) {
    case "sent": {
      const lines = [
        `✓ ${where}`,
        `  ${head} → ${r.status}${r.statusText ? ` ${r.statusText}` : ""}`,
      ];
      if (r.secrets.length > 0) lines.push(`  vault secrets sent: ${r.secrets.join(", ")}`);
      if (r.redirectNotFollowed) {
        lines.push(
          `  redirect to ${r.redirectNotFollowed} not followed (the request carries vault secrets)`,
        );
      }
      return lines;
    }
    case "stopped":
      return [
        `✗ ${where} (not sent)`,
        `  ${head}`,
        ...r.unresolved.flatMap((u) => [
          `  {{vault:${u.name}}} ${u.reason}: ${u.message}`,
          `    fix: ${u.fix}`,
        ]),
      ];
    case "failed":
      return [`✗ ${where} (no response)`, `  ${head}`, `  ${r.error}`];
  }
}

export function formatSummary(run: RunResult): string {
  const { total, sent, stopped, failed } = run.summary;
  const parts = [`${sent} sent`, `${stopped} stopped`];
  if (failed > 0) parts.push(`${failed} failed`);
  return `${total} request${total === 1 ? "" : "s"}: ${parts.join(", ")}`;
}
