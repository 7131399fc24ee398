/**
 * The part of the Postman Collection v2.1 format this runner understands. Everything else in
 * a collection file (scripts, tests, events, auth) is ignored rather than rejected.
 */
export interface PostmanVariable {
  key: string;
  value?: unknown;
  disabled?: boolean;
}

export interface PostmanHeader {
  key: string;
  value?: string;
  disabled?: boolean;
}

export interface PostmanQueryParam {
  key: string | null;
  value?: string | null;
  disabled?: boolean;
}

export interface PostmanUrlObject {
  raw?: string;
  protocol?: string;
  host?: string | string[];
  port?: string;
  path?: string | string[];
  query?: PostmanQueryParam[];
  hash?: string;
}

export type PostmanUrl = string | PostmanUrlObject;

export interface PostmanField {
  key: string;
  value?: string;
  type?: string;
  disabled?: boolean;
}

export interface PostmanBody {
  mode?: "raw" | "urlencoded" | "formdata" | "file" | "graphql";
  raw?: string;
  urlencoded?: PostmanField[];
  formdata?: PostmanField[];
  graphql?: { query?: string; variables?: string };
  options?: { raw?: { language?: string } };
  disabled?: boolean;
}

export interface PostmanRequest {
  url?: PostmanUrl;
  method?: string;
  header?: PostmanHeader[] | string;
  body?: PostmanBody;
  description?: unknown;
}

/** A request (`request` set) or a folder (`item` set). */
export interface PostmanItem {
  name?: string;
  request?: PostmanRequest | string;
  item?: PostmanItem[];
  variable?: PostmanVariable[];
}

export interface PostmanCollection {
  info?: { name?: string; schema?: string };
  item: PostmanItem[];
  variable?: PostmanVariable[];
}
