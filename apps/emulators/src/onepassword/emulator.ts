import { type RunningEmulator, startEmulatorServer } from "../shared/index.js";
import { handleConnect, routeOf } from "./api.js";
import { onePasswordFaultResponse } from "./errors.js";
import { ConnectStore, type ItemSeed, itemFromSeed, type OpItem } from "./store.js";
import { ConnectTokens } from "./tokens.js";

export interface OnePasswordConnectOptions {
  /** Listen on this port instead of a random free one. */
  port?: number;
  /** Vaults (and their items) present at start and after reset(). */
  vaults?: { name: string; description?: string; items?: ItemSeed[] }[];
}

export interface RunningOnePasswordConnect extends RunningEmulator {
  /** The serverURL for `OnePasswordConnect({ serverURL, token })`. */
  serverURL: string;
  /** A token with access to every vault (until expireCredentials()). */
  token: string;
  /** A new token, limited to the given vault ids when `vaults` is set. */
  createToken(options?: { vaults?: string[] }): string;
  /** Add a vault; returns its id. */
  seedVault(name: string, description?: string): string;
  /** Add an item with generated ids; returns the full item. */
  seedItem(vaultId: string, seed: ItemSeed): OpItem;
  store: ConnectStore;
}

/** Start a 1Password Connect server emulator (http) on 127.0.0.1. */
export async function startOnePasswordConnectEmulator(
  options: OnePasswordConnectOptions = {},
): Promise<RunningOnePasswordConnect> {
  const store = new ConnectStore();
  const tokens = new ConnectTokens();
  const seedItem = (vaultId: string, seed: ItemSeed): OpItem => {
    if (!store.vaults.has(vaultId)) throw new Error(`no vault ${vaultId}`);
    return store.put(itemFromSeed(vaultId, seed));
  };
  for (const v of options.vaults ?? []) {
    const vault = store.addVault(v.name, v.description);
    for (const item of v.items ?? []) seedItem(vault.id, item);
  }
  const restore = store.snapshot();

  const running = await startEmulatorServer(
    {
      name: "onepassword-connect",
      operationOf: (req) => routeOf(req).op,
      handle: (req) => handleConnect(store, tokens, req),
      faultResponse: (kind) => onePasswordFaultResponse(kind),
      expireCredentials: () => tokens.expireAll(),
      reset: restore,
      control: {
        "create-token": (body) => ({
          token: tokens.create((body as { vaults?: string[] }).vaults),
        }),
        "seed-vault": (body) => {
          const b = body as { name: string; description?: string };
          return { id: store.addVault(b.name, b.description).id };
        },
        "seed-item": (body) => {
          const b = body as { vaultId: string; item: ItemSeed };
          return seedItem(b.vaultId, b.item);
        },
      },
    },
    options.port === undefined ? {} : { port: options.port },
  );

  return {
    ...running,
    serverURL: running.url,
    token: tokens.create(),
    createToken: (opts = {}) => tokens.create(opts.vaults),
    seedVault: (name, description) => store.addVault(name, description).id,
    seedItem,
    store,
  };
}
