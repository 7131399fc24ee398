/** The page's one way to talk to the server: a same-origin JSON POST with our header. */

export interface ApiError {
  error: string;
  hint?: string;
  code?: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly detail: ApiError,
    readonly status: number,
  ) {
    super(detail.error);
  }
}

/** Status of an ApiFailure when nothing answered: the screen's server has stopped. */
export const GONE = 0;

export async function call<T>(action: string, body: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/${action}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-vaultlink-ui": "1" },
      body: JSON.stringify(body),
    });
  } catch {
    // A screen the agent served stops listening when it locks or the agent stops.
    throw new ApiFailure(
      { error: "The vault screen is no longer running.", hint: "Run vaultlink ui again." },
      GONE,
    );
  }
  const data = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as unknown;
  if (!res.ok) throw new ApiFailure(data as ApiError, res.status);
  return data as T;
}

export interface Spec {
  name: string;
  title: string;
  type: "string" | "number" | "integer" | "boolean" | "enum";
  secret: boolean;
  required: boolean;
  default?: string | number | boolean;
  choices?: string[];
  description?: string;
}

export interface Provider {
  id: string;
  title: string;
  scope: "personal" | "team";
  authMethods: {
    id: string;
    title: string;
    interactive: boolean;
    description?: string;
    options: Spec[];
  }[];
  settings: Spec[];
  linkOptions: Spec[];
  referenceExamples: string[];
  versions: boolean;
  jsonKey: boolean;
}

export interface Secret {
  name: string;
  enabled: boolean;
  allowedDomains: string[];
  hasValue: boolean;
  link?: {
    integration: string;
    reference: string;
    jsonKey?: string;
    version?: string;
    options?: Record<string, string>;
  };
  updatedAt: string;
}

export interface Integration {
  id: string;
  provider: string;
  scope: "personal" | "team";
  authMethod: string;
  status: string;
  statusReason?: string;
  expiresAt?: string;
}

/** The vault itself: none yet, locked (the page asks for the key), or open. */
export interface VaultView {
  state: "missing" | "locked" | "open";
  home: string;
  unlockedBy?: string;
  keychain: { available: boolean; reason?: string };
}

/** What `state` answers before the vault is open: only the vault itself. */
export interface ClosedState {
  vault: VaultView;
}

export interface State {
  vault: VaultView;
  secrets: Secret[];
  integrations: Integration[];
  settings: { cacheTtlMinutes: number };
  cache: { entries: number };
  providers: Provider[];
}

export interface Problem {
  name: string;
  reason: string;
  message: string;
  fix: string;
  integration?: string;
}
