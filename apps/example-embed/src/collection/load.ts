import { readFile } from "node:fs/promises";
import type { PostmanCollection } from "./types.js";

/** Read and check a collection file. Errors name the file and what is wrong with it. */
export async function loadCollection(path: string): Promise<PostmanCollection> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON. Export the collection from Postman as Collection v2.1.`);
  }
  return asCollection(data, path);
}

/** Check that `data` has the shape of a v2.x collection. */
export function asCollection(data: unknown, source = "the collection"): PostmanCollection {
  if (
    typeof data !== "object" ||
    data === null ||
    !Array.isArray((data as { item?: unknown }).item)
  ) {
    throw new Error(
      `${source} has no "item" list; is it a Postman Collection v2.1 file (not an environment or a v1 export)?`,
    );
  }
  const schema = (data as PostmanCollection).info?.schema;
  if (schema !== undefined && !/\/collection\/v2\.[01]\.\d+\//.test(schema)) {
    throw new Error(`${source} uses schema ${schema}; export it again as Collection v2.1.`);
  }
  return data as PostmanCollection;
}
