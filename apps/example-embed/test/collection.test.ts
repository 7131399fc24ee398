import { describe, expect, it } from "vitest";
import { asCollection, runCollection } from "../src/index.js";
import { collection, folder, request, secretValue, useTestBed } from "./helpers.js";

describe("a collection", () => {
  const bed = useTestBed();

  it("runs nested folders depth-first, in file order", async () => {
    const run = await runCollection(
      collection([
        request("first", `${bed.api.origin}/1`),
        folder("Orders", [
          request("list", `${bed.api.origin}/2`),
          folder("Refunds", [request("create", `${bed.api.origin}/3`, { method: "POST" })]),
          request("count", `${bed.api.origin}/4`),
        ]),
        request("last", `${bed.api.origin}/5`),
      ]),
      { vault: bed.vault },
    );

    expect(run.results.map((r) => [...r.folders, r.name].join("/"))).toEqual([
      "first",
      "Orders/list",
      "Orders/Refunds/create",
      "Orders/count",
      "last",
    ]);
    expect(bed.api.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /1",
      "GET /2",
      "POST /3",
      "GET /4",
      "GET /5",
    ]);
  });

  it("substitutes collection variables in URL, headers and body, and folder variables override them", async () => {
    const run = await runCollection(
      collection(
        [
          request("top", "{{baseUrl}}/{{resource}}?page={{page}}", {
            method: "PUT",
            headers: { "X-Tenant": "{{tenant}}" },
            body: '{"tenant":"{{tenant}}","unknown":"{{notDefined}}"}',
          }),
          {
            ...folder("EU", [
              request("inner", "{{baseUrl}}/{{resource}}", {
                headers: { "X-Tenant": "{{tenant}}" },
              }),
            ]),
            variable: [{ key: "tenant", value: "eu-1" }],
          },
        ],
        { baseUrl: bed.api.origin, resource: "orders", page: "2", tenant: "acme" },
      ),
      { vault: bed.vault },
    );

    expect(run.summary.sent).toBe(2);
    const [top, inner] = bed.api.received;
    expect(top?.url).toBe("/orders?page=2");
    expect(top?.headers["x-tenant"]).toBe("acme");
    expect(top?.body).toBe('{"tenant":"acme","unknown":"{{notDefined}}"}');
    expect(inner?.headers["x-tenant"]).toBe("eu-1");
  });

  it("resolves a vault reference held in a collection variable", async () => {
    const value = secretValue("pat");
    await bed.vault.secrets.add("pat", { value, allowedDomains: ["http://127.0.0.1"] });
    await runCollection(
      collection(
        [
          request("uses variable", `${bed.api.origin}/me`, {
            headers: { Authorization: "{{auth}}" },
          }),
        ],
        {
          auth: "token {{vault:pat}}",
        },
      ),
      { vault: bed.vault },
    );

    expect(bed.api.received[0]?.headers.authorization === `token ${value}`).toBe(true);
  });

  it("takes URLs as strings and as objects with or without raw, and form bodies", async () => {
    const port = new URL(bed.api.origin).port;
    const run = await runCollection(
      asCollection({
        info: { schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
        variable: [{ key: "port", value: port }],
        item: [
          { name: "string request", request: `127.0.0.1:{{port}}/plain` },
          {
            name: "string url",
            request: { method: "DELETE", url: `http://127.0.0.1:{{port}}/things/1` },
          },
          {
            name: "parts",
            request: {
              method: "POST",
              url: {
                protocol: "http",
                host: ["127", "0", "0", "1"],
                port: "{{port}}",
                path: ["v1", "items"],
                query: [
                  { key: "q", value: "x" },
                  { key: "off", value: "1", disabled: true },
                ],
              },
              body: {
                mode: "urlencoded",
                urlencoded: [
                  { key: "a", value: "1" },
                  { key: "b", value: "two words" },
                ],
              },
            },
          },
          {
            name: "raw json",
            request: {
              method: "POST",
              url: { raw: `http://127.0.0.1:{{port}}/json`, host: ["ignored"] },
              header: [{ key: "X-Off", value: "1", disabled: true }],
              body: { mode: "raw", raw: '{"a":1}', options: { raw: { language: "json" } } },
            },
          },
        ],
      }),
      { vault: bed.vault },
    );

    expect(run.summary.sent).toBe(4);
    expect(bed.api.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /plain",
      "DELETE /things/1",
      "POST /v1/items?q=x",
      "POST /json",
    ]);
    expect(bed.api.received[2]?.body).toBe("a=1&b=two+words");
    expect(bed.api.received[2]?.headers["content-type"]).toMatch(
      /application\/x-www-form-urlencoded/,
    );
    expect(bed.api.received[3]?.headers["content-type"]).toBe("application/json");
    expect(bed.api.received[3]?.headers["x-off"]).toBeUndefined();
  });

  it("is refused when the file is not a v2.1 collection", () => {
    expect(() => asCollection({ values: [] }, "env.json")).toThrow(/no "item" list/);
    expect(() =>
      asCollection({
        info: { schema: "https://schema.getpostman.com/json/collection/v1.0.0/" },
        item: [],
      }),
    ).toThrow(/export it again as Collection v2.1/);
  });
});
