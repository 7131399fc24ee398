import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, baseEnv } from "./helpers.js";

describe("output into a pipe", () => {
  it("exits quietly when the reader closes the pipe early (vaultlink --help | head -1)", async () => {
    const child = spawn(process.execPath, [BIN, "--help"], {
      env: baseEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    // Read nothing and close at once, as `head -0` would.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});
