import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const APP = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MAIN = join(APP, "dist", "main.js");

function motoAvailable(): boolean {
  try {
    execFileSync(process.env.MOTO_PYTHON ?? "python3", ["-c", "import moto.server"], {
      stdio: "ignore",
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
}

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((res, rej) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    delete env.VAULTLINK_DEMO_SKIP_AWS;
    const child = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", rej);
    child.on("close", (code) => res({ code, output }));
  });
}

/** Whether anything still accepts connections at `url`'s host and port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((res) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      res(true);
    });
    socket.once("error", () => res(false));
  });
}

describe("the demo (built CLI against the four emulators)", () => {
  it("runs end to end and every step passes", { timeout: 180_000 }, async () => {
    const { code, output } = await runDemo();
    const summary = output.slice(output.lastIndexOf("\nSummary\n"));
    const steps = summary.split("\n").filter((l) => /^ {2}[✓✗–] /.test(l));
    expect(output, output).toContain("\nSummary\n");
    expect(steps.length).toBeGreaterThanOrEqual(17);
    expect(
      steps.filter((l) => l.startsWith("  ✗")),
      output,
    ).toEqual([]);
    const skipped = steps.filter((l) => l.startsWith("  –"));
    // Only the AWS step may be skipped, and only where moto is missing.
    if (motoAvailable()) expect(skipped).toEqual([]);
    else expect(skipped.every((l) => l.includes("AWS"))).toBe(true);
    expect(code, output).toBe(0);
    // No credential ever reaches the output.
    expect(output).not.toMatch(/vlk_[A-Za-z0-9_-]{20,}/);
    expect(output).not.toMatch(/hvs\.emulator-root/);
    expect(output).not.toMatch(/AKIA[0-9A-F]{16}/);

    // It cleans up after itself: its temporary directories are gone and no emulator listens.
    const tmp = /Temporary VAULTLINK_HOME: (\S+)\/home\n/.exec(output)?.[1];
    const caFile = /--caFile (\S+)/.exec(output)?.[1];
    expect(tmp, output).toBeDefined();
    expect(caFile, output).toBeDefined();
    expect(existsSync(tmp as string)).toBe(false);
    expect(existsSync(dirname(caFile as string))).toBe(false);
    const urls = [
      ...output.matchAll(
        /^ {2}(?:AWS Secrets Manager|Azure Key Vault|HashiCorp Vault|1Password Connect) +(https?:\/\/\S+)$/gm,
      ),
    ].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) expect(await listening(url), url).toBe(false);
  });
});
