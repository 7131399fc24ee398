import { FieldType, FullItem, ItemBuilder, OnePasswordConnect } from "@1password/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ONEPASSWORD_ID_PATTERN,
  type OpItem,
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "../src/index.js";

let emu: RunningOnePasswordConnect;
let devVault: string;
let prodVault: string;
let dbItem: OpItem;

const connect = (token = emu.token) =>
  OnePasswordConnect({ serverURL: emu.serverURL, token, keepAlive: false });

/** The SDK rejects with the server's parsed body (a plain object), not an Error. */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ status?: number; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status?: number; message?: string };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  emu = await startOnePasswordConnectEmulator({
    vaults: [
      {
        name: "Dev",
        items: [
          {
            title: "Database",
            category: "DATABASE",
            tags: ["db"],
            sections: ["Connection"],
            fields: [
              { label: "username", value: "app", purpose: "USERNAME" },
              { label: "password", value: "dev-db-pass", type: "CONCEALED", purpose: "PASSWORD" },
              { label: "host", value: "db.local", section: "Connection" },
            ],
          },
        ],
      },
      { name: "Prod" },
    ],
  });
  const vaults = [...emu.store.vaults.values()];
  devVault = vaults.find((v) => v.name === "Dev")?.id as string;
  prodVault = vaults.find((v) => v.name === "Prod")?.id as string;
  dbItem = [...(emu.store.items.get(devVault)?.values() ?? [])][0] as OpItem;
});
afterAll(async () => {
  await emu?.stop();
});
afterEach(() => {
  emu.reset();
});

describe("1Password Connect emulator with the real SDK", () => {
  it("lists vaults and finds them by id and by title", async () => {
    const op = connect();
    const vaults = await op.listVaults();
    expect(vaults.map((v) => v.name).sort()).toEqual(["Dev", "Prod"]);
    expect(vaults.every((v) => ONEPASSWORD_ID_PATTERN.test(v.id as string))).toBe(true);
    expect((await op.getVault(devVault)).name).toBe("Dev");
    expect((await op.getVault("Prod")).id).toBe(prodVault);
    expect((await op.getVaultByTitle("Dev")).items).toBe(1);
    expect(emu.requests.count("vaults.list")).toBe(3);
    expect(emu.requests.count("vaults.get")).toBe(1);
  });

  it("gets items by title and by id, with sections and fields", async () => {
    const op = connect();
    const byTitle = await op.getItem(devVault, "Database");
    expect(byTitle.id).toBe(dbItem.id);
    expect(byTitle.category).toBe("DATABASE");
    const section = byTitle.sections?.find((s) => s.label === "Connection");
    const host = byTitle.fields?.find((f) => f.label === "host");
    expect(host?.value).toBe("db.local");
    expect(host?.section?.id).toBe(section?.id);
    const password = byTitle.fields?.find((f) => String(f.purpose) === "PASSWORD");
    expect(password?.value).toBe("dev-db-pass");
    expect(password?.type).toBe("CONCEALED");
    expect(byTitle.createdAt).toBeInstanceOf(Date);

    const byId = await op.getItemById(devVault, dbItem.id);
    expect(byId.title).toBe("Database");
    expect(emu.requests.count("items.list")).toBe(1);
    expect(emu.requests.count("items.get")).toBe(2);
  });

  it("filters items by title (eq, co) and by tag", async () => {
    emu.seedItem(devVault, { title: "Database replica", fields: [{ label: "x", value: "y" }] });
    const op = connect();
    expect(await op.listItems(devVault)).toHaveLength(2);
    expect(await op.listItemsByTitle(devVault, "Database")).toHaveLength(1);
    expect(await op.listItemsByTitleContains(devVault, "base")).toHaveLength(2);
    const none = await rejection(op.getItemByTitle(devVault, "missing title"));
    expect(none.status).toBe(404);

    const res = await fetch(
      `${emu.serverURL}/v1/vaults/${devVault}/items?filter=${encodeURIComponent('tag eq "db"')}`,
      { headers: { authorization: `Bearer ${emu.token}` } },
    );
    const tagged = (await res.json()) as { title: string; fields?: unknown }[];
    expect(tagged.map((i) => i.title)).toEqual(["Database"]);
    expect(tagged[0]?.fields).toBeUndefined();
  });

  it("creates, updates and deletes items", async () => {
    const op = connect();
    const built = new ItemBuilder()
      .setCategory(FullItem.CategoryEnum.Login)
      .setTitle("Created")
      .addField({ label: "password", value: "new-pass", type: FieldType.Concealed })
      .build();
    const created = await op.createItem(devVault, built);
    expect(created.id).toMatch(ONEPASSWORD_ID_PATTERN);
    expect(created.fields?.[0]?.value).toBe("new-pass");

    created.title = "Renamed";
    const updated = await op.updateItem(devVault, created);
    expect(updated.title).toBe("Renamed");
    expect(updated.version).toBe(2);

    await op.deleteItemById(devVault, created.id as string);
    const gone = await rejection(op.getItemById(devVault, created.id as string));
    expect(gone.status).toBe(404);
    expect(emu.requests.snapshot().byOperation).toMatchObject({
      "items.create": 1,
      "items.update": 1,
      "items.delete": 1,
    });
  });

  it("answers 401 for a missing or unknown token and 404 for missing objects", async () => {
    const bad = await rejection(connect("not-a-token").listVaults());
    expect(bad).toEqual({ status: 401, message: "Invalid token signature" });
    const noVault = await rejection(connect().getVaultById("a".repeat(26)));
    expect(noVault.status).toBe(404);
    const noItem = await rejection(connect().getItemById(devVault, "b".repeat(26)));
    expect(noItem.status).toBe(404);
    expect(noItem.message).toContain("not found");
  });

  it("scopes tokens to vaults: 403 outside them, hidden from lists", async () => {
    const scoped = connect(emu.createToken({ vaults: [devVault] }));
    expect((await scoped.listVaults()).map((v) => v.name)).toEqual(["Dev"]);
    const denied = await rejection(scoped.getVaultById(prodVault));
    expect(denied.status).toBe(403);
    const deniedItems = await rejection(scoped.listItems(prodVault));
    expect(deniedItems.status).toBe(403);
    expect((await scoped.getItem(devVault, "Database")).id).toBe(dbItem.id);
  });

  it("expires every issued token on expireCredentials()", async () => {
    const before = emu.createToken();
    expect(await connect(before).listVaults()).toHaveLength(2);
    emu.expireCredentials();
    expect((await rejection(connect(before).listVaults())).status).toBe(401);
    expect((await rejection(connect().listVaults())).status).toBe(401);
    expect(await connect(emu.createToken()).listVaults()).toHaveLength(2);
  });

  it("injects named faults and latency", async () => {
    const op = connect(emu.createToken());
    const cases: [string, number][] = [
      ["unauthorized", 401],
      ["forbidden", 403],
      ["not-found", 404],
      ["rate-limited", 429],
      ["internal", 500],
    ];
    for (const [fault, status] of cases) {
      emu.inject({ operation: "items.get", error: fault, times: 1 });
      const failed = await rejection(op.getItemById(devVault, dbItem.id));
      expect(failed.status).toBe(status);
      expect(typeof failed.message).toBe("string");
    }
    expect(emu.requests.count("items.get")).toBe(5);
  });

  it("latency injection holds an answer past the SDK's timeout, once", async () => {
    const impatient = OnePasswordConnect({
      serverURL: emu.serverURL,
      token: emu.createToken(),
      keepAlive: false,
      timeout: 200,
    });
    emu.inject({ operation: "vaults.list", latencyMs: 5_000, times: 1 });
    const slow = (await rejection(impatient.listVaults())) as { code?: string };
    expect(slow.code).toBe("ECONNABORTED");
    expect(await impatient.listVaults()).toHaveLength(2);
  });

  it("answers 400 for a malformed filter and for a title that matches several items", async () => {
    const res = await fetch(
      `${emu.serverURL}/v1/vaults/${devVault}/items?filter=${encodeURIComponent("title zz 1")}`,
      { headers: { authorization: `Bearer ${emu.createToken()}` } },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400 });

    emu.seedItem(devVault, { title: "Database", fields: [{ label: "x", value: "y" }] });
    const several = await rejection(
      connect(emu.createToken()).getItemByTitle(devVault, "Database"),
    );
    expect(several.status).toBe(400);
    expect(several.message).toContain("multiple Items");
  });

  it("a Connect server that is not there rejects with axios's network error", async () => {
    const gone = await startOnePasswordConnectEmulator();
    const url = gone.serverURL;
    await gone.stop();
    const op = OnePasswordConnect({ serverURL: url, token: "t", keepAlive: false });
    const failed = (await rejection(op.listVaults())) as { code?: string };
    expect(failed).toBeInstanceOf(Error);
    expect(failed.code).toBe("ECONNREFUSED");
  });

  it("serves the health endpoints without a token", async () => {
    const beat = await fetch(`${emu.serverURL}/heartbeat`);
    expect(await beat.text()).toBe(".");
    const health = await fetch(`${emu.serverURL}/health`);
    expect(((await health.json()) as { name: string }).name).toBe("1Password Connect API");
  });
});

describe("a raw fault with echoRequest (shared fault layer)", () => {
  afterEach(() => emu.clearFaults());

  it("puts the request (method, path, headers with the token, body) where the body says {{request}}", async () => {
    emu.inject({
      operation: "vaults.list",
      times: 1,
      error: { status: 400, echoRequest: true, body: { status: 400, message: "bad: {{request}}" } },
    });
    const error = await rejection(connect().listVaults());
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^bad: GET \/v1\/vaults/);
    expect(error.message).toContain(`authorization: Bearer ${emu.token}`);
    // Without echoRequest the placeholder stays as written.
    emu.inject({
      operation: "vaults.list",
      times: 1,
      error: { status: 400, body: { message: "{{request}}" } },
    });
    expect((await rejection(connect().listVaults())).message).toBe("{{request}}");
  });
});
