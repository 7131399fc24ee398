/**
 * Serves an open vault through a real agent socket in this process, as `vaultlink agent run`
 * does: the agent directory prepared, the server listening and the info file written, so
 * clients on the same vault home find it.
 */
import {
  type AgentPaths,
  AgentServer,
  type AgentServerOptions,
  newAgentToken,
  prepareAgentDir,
  type Vault,
  writeAgentInfo,
} from "../../src/index.js";

export interface ServedAgent {
  server: AgentServer;
  token: string;
}

export async function serveAgent(
  vault: Vault,
  paths: AgentPaths,
  extra: Partial<Pick<AgentServerOptions, "onStop" | "startUi" | "log">> = {},
): Promise<ServedAgent> {
  await prepareAgentDir(paths);
  const token = newAgentToken();
  const server = new AgentServer({
    vault,
    socket: paths.socket,
    token,
    home: paths.home,
    version: "test",
    onStop: () => {},
    ...extra,
  });
  await server.listen();
  await writeAgentInfo(paths, {
    pid: process.pid,
    socket: paths.socket,
    token,
    startedAt: new Date().toISOString(),
    home: paths.home,
    version: "test",
  });
  return { server, token };
}
