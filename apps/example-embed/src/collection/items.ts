import type { PostmanCollection, PostmanItem, PostmanRequest, PostmanVariable } from "./types.js";

/** One request of the collection, in run order, with the folders it sits in. */
export interface PlannedRequest {
  name: string;
  /** Folder names from the collection root down to the request. */
  folders: string[];
  request: PostmanRequest;
  /** Variables in scope, outermost first: collection, then each folder, then the item. */
  variableScopes: PostmanVariable[][];
}

/** Depth-first, in file order, as Postman's runner does. */
export function planRequests(collection: PostmanCollection): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const walk = (items: PostmanItem[], folders: string[], scopes: PostmanVariable[][]) => {
    for (const item of items) {
      const here = item.variable ? [...scopes, item.variable] : scopes;
      if (Array.isArray(item.item)) {
        walk(item.item, [...folders, item.name ?? "(unnamed folder)"], here);
      } else if (item.request !== undefined) {
        const request = typeof item.request === "string" ? { url: item.request } : item.request;
        out.push({
          name: item.name ?? "(unnamed request)",
          folders,
          request,
          variableScopes: here,
        });
      }
    }
  };
  walk(collection.item, [], collection.variable ? [collection.variable] : []);
  return out;
}
