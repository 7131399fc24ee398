import { chmod, writeFile } from "node:fs/promises";

/** Write a script run by this Node binary as an executable (0700); returns its path. */
export async function writeExecutable(path: string, source: string): Promise<string> {
  await writeFile(path, `#!${process.execPath}\n${source}`, { mode: 0o700 });
  await chmod(path, 0o700);
  return path;
}

/**
 * The environment that makes `open` (10.x, Linux) hand URLs to a browser stand-in: its
 * bundled xdg-open uses $BROWSER on a "generic" desktop without a display.
 */
export function browserStandInEnv(browser: string): Record<string, string | undefined> {
  return {
    BROWSER: browser,
    XDG_CURRENT_DESKTOP: "X-Generic",
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
  };
}
