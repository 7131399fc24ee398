import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface MotoOptions {
  /** Python interpreter that has moto installed. Default: env MOTO_PYTHON, else "python3". */
  python?: string;
  /** How long to wait for moto to answer, in milliseconds. Default 20 000. */
  startTimeoutMs?: number;
}

/** A running moto server child process. */
export interface MotoServer {
  url: string;
  port: number;
  /** Wipe every resource moto holds (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const probed = new Map<string, Promise<void>>();

/** Fail with an explanation when the interpreter cannot import moto's server module. */
export function ensureMotoAvailable(python: string): Promise<void> {
  let probe = probed.get(python);
  if (!probe) {
    probe = run(python, ["-c", "import moto.server"], { timeout: 30_000 }).then(
      () => undefined,
      (error: Error) => {
        probed.delete(python);
        throw new Error(
          `moto is not available: \`${python} -c "import moto.server"\` failed (${error.message.split("\n")[0]}). ` +
            `Install it with \`${python} -m pip install "moto[server]"\` (moto 5.x), ` +
            "or point MOTO_PYTHON at an interpreter that has it.",
        );
      },
    );
    probed.set(python, probe);
  }
  return probe;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** Start `python3 -m moto.server` on 127.0.0.1 and a free port; resolves once it answers. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? process.env.MOTO_PYTHON ?? "python3";
  await ensureMotoAvailable(python);
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  let lastError = "moto did not start";
  // A port picked this way can be taken before moto binds it; retry a few times then.
  for (let attempt = 0; attempt < 3 && Date.now() < deadline; attempt++) {
    const port = await freePort();
    const child = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    // moto's request log goes to stderr: keep a short tail for error messages only.
    let tail = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-2000);
    });
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const url = `http://127.0.0.1:${port}`;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      if (await answers(url)) {
        return {
          url,
          port,
          reset: async () => {
            const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
            await res.arrayBuffer();
            if (!res.ok) throw new Error(`moto reset failed with ${res.status}`);
          },
          stop: async () => {
            process.removeListener("exit", killOnExit);
            await stopChild(child);
          },
        };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    process.removeListener("exit", killOnExit);
    await stopChild(child);
    lastError = `moto exited or timed out on port ${port}: ${tail.trim().split("\n").slice(-3).join(" | ")}`;
  }
  throw new Error(lastError);
}
