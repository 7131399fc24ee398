/**
 * A request as the caller writes it: `{{vault:name}}` references may appear in the URL, the
 * header values and the body. Printing it shows which secrets a request uses, never a value.
 */
export interface VaultRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The request as it goes on the wire: holds secret values, never print it. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: string;
}
