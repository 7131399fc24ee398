import { spawn } from "@lydell/node-pty";
import { BIN, baseEnv, CLI_DIR } from "./helpers.js";

/** The CLI on a pseudo-terminal: read what it shows, type answers. */
export interface Session {
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(text: string): void;
  exit: Promise<number>;
}

export function onTerminal(args: string[], env: Record<string, string | undefined>): Session {
  const term = spawn(process.execPath, [BIN, ...args], {
    name: "xterm-256color",
    cols: 120,
    rows: 40,
    cwd: CLI_DIR,
    // Colour off unless a test asks otherwise (NO_COLOR: undefined), so patterns stay plain.
    env: baseEnv({ NO_COLOR: "1", ...env }),
  });
  let text = "";
  const waiters: Array<() => void> = [];
  term.onData((d) => {
    text += d;
    for (const w of waiters.splice(0)) w();
  });
  const exit = new Promise<number>((res) => term.onExit((e) => res(e.exitCode)));
  return {
    output: () => text,
    type: (t) => term.write(t),
    exit,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((res, rej) => {
        const timer = setTimeout(
          () =>
            rej(
              new Error(
                `timed out waiting for ${pattern}; the terminal shows:\n${text.replace(/vlk_[A-Za-z0-9_-]+/g, "vlk_…")}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          const m = pattern.exec(text);
          if (m) {
            clearTimeout(timer);
            res(m[0]);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
