import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  startAwsEmulator,
  startAzureEmulator,
  startHashicorpEmulator,
  startOnePasswordConnectEmulator,
} from "../src/index.js";

/** Local addresses (hex "IP:PORT") of listening TCP sockets on `port`, from /proc/net/tcp{,6}. */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      if (!local || state !== "0A") continue; // 0A = LISTEN
      const [ip, hexPort] = local.split(":");
      if (hexPort && Number.parseInt(hexPort, 16) === port) out.push(ip ?? "");
    }
  }
  return out;
}

const LOOPBACK_V4 = "0100007F"; // 127.0.0.1, little-endian hex as the kernel prints it

describe("every emulator listens on 127.0.0.1 only", () => {
  const starters = {
    aws: () => startAwsEmulator(),
    azure: () => startAzureEmulator(),
    hashicorp: () => startHashicorpEmulator(),
    onepassword: () => startOnePasswordConnectEmulator(),
  };
  it.each(Object.entries(starters))("%s", { timeout: 60_000 }, async (_name, start) => {
    const emu = await start();
    try {
      expect(new URL(emu.url).hostname).toBe("127.0.0.1");
      const found = listeners(emu.port);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((ip) => ip === LOOPBACK_V4)).toBe(true);
      if ("moto" in emu) {
        const moto = (emu as { moto: { port: number } }).moto;
        const behind = listeners(moto.port);
        expect(behind.length).toBeGreaterThan(0);
        expect(behind.every((ip) => ip === LOOPBACK_V4)).toBe(true);
      }
    } finally {
      await emu.stop();
    }
    expect(listeners(emu.port)).toEqual([]);
  });
});
