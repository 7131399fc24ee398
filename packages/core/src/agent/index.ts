/**
 * `@vaultlink/core/agent`: find and talk to a running vaultlink agent. Light on purpose (no
 * engine, no zod): hosts import it on their quick paths. The server side (`AgentServer`) and
 * the agent's file helpers are exported from `@vaultlink/core`.
 */

export {
  AgentClient,
  type AgentConnectOptions,
  AgentError,
  type AgentProbe,
  probeAgent,
  readInfo as readAgentInfo,
} from "./client.js";
export {
  type AgentPaths,
  type AgentPathsOptions,
  agentPaths,
  MAX_SOCKET_PATH_BYTES,
} from "./paths.js";
export {
  AGENT_PROTOCOL_VERSION,
  type AgentInfo,
  type AgentOp,
  type AgentStatus,
  type AgentUiScreen,
  MAX_LINE_BYTES,
} from "./protocol.js";
