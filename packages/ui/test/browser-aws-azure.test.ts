/**
 * AWS Secrets Manager (moto behind the emulator's fault layer) and Azure Key Vault (the HTTPS
 * emulator with its token authority) through the screen in Chromium, with the real plugins and
 * SDKs: connect from the forms the plugins describe, link, view, then the provider's credentials
 * expire, Problems offers Re-authenticate, and new credentials typed in the page fix it.
 */
import {
  type AwsEmulator,
  type RunningAzureEmulator,
  startAwsEmulator,
  startAzureEmulator,
} from "@vaultlink/emulators";
import aws from "@vaultlink/provider-aws";
import azure from "@vaultlink/provider-azure";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectFromForm,
  launchChromium,
  linkFromForm,
  openPage,
  reauthFromProblems,
  type ScreenPage,
  WAIT,
} from "./browser.js";
import { openScreen, type Screen } from "./helpers.js";

const AWS_VALUE = "ui-browser-aws-value-61f0c2d8";
const AZURE_VALUE = "ui-browser-azure-value-3a9e7b15";
const CLIENT_ID = "5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b";
const FIRST_SECRET = "ui-sp-secret-first-0001";
const ROTATED_SECRET = "ui-sp-secret-rotated-0002";

describe("AWS Secrets Manager in Chromium", { timeout: 120_000 }, () => {
  let emu: AwsEmulator;
  let screen: Screen;
  let browser: Browser;
  let s: ScreenPage;

  beforeAll(async () => {
    emu = await startAwsEmulator();
    await emu.seed([{ name: "ui/app", value: AWS_VALUE }]);
    screen = await openScreen({ providers: [aws] });
    // Every read goes to the provider, so an expired key shows at once.
    await screen.vault.settings.set("cache-ttl", "0");
    browser = await launchChromium();
    s = await openPage(browser, screen.server.launchUrl);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await screen?.stop();
    await emu?.stop();
  });

  it("connects with an access key from the plugin's form and links a secret by name", async () => {
    const key = emu.issueCredentials();
    await connectFromForm(s, "aws", "access-key", {
      region: emu.region,
      endpoint: emu.url,
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
    });
    // The plugin declares a Role ARN link option: the form offers it.
    await s.tab("Secrets");
    await s.page.getByRole("button", { name: "Link secret" }).click();
    await s.dialog("Link secret").getByLabel("Integration").selectOption("aws");
    await s
      .dialog("Link secret")
      .getByLabel(/Role ARN/)
      .waitFor(WAIT);
    await s.dialog("Link secret").getByRole("button", { name: "Close" }).click();
    await linkFromForm(s, "aws-key", "aws", "ui/app", AWS_VALUE);
  });

  it("after the access key expires, Re-authenticate with a new key fixes it", async () => {
    emu.expireCredentials();
    const key = emu.issueCredentials();
    await reauthFromProblems(s, "aws-key", "aws", {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
    });
    const [r] = await screen.vault.resolveForMatching(["aws-key"]);
    expect(r?.ok && r.value).toBe(AWS_VALUE);
  });
});

describe("Azure Key Vault in Chromium", { timeout: 120_000 }, () => {
  let emu: RunningAzureEmulator;
  let screen: Screen;
  let browser: Browser;
  let s: ScreenPage;

  beforeAll(async () => {
    emu = await startAzureEmulator({
      vaultName: "kv-ui-test",
      servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: FIRST_SECRET }],
    });
    emu.seedSecret("app-key", AZURE_VALUE);
    screen = await openScreen({ providers: [azure] });
    await screen.vault.settings.set("cache-ttl", "0");
    browser = await launchChromium();
    s = await openPage(browser, screen.server.launchUrl);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await screen?.stop();
    await emu?.stop();
  });

  it("connects a service principal from the plugin's form and links a secret identifier", async () => {
    await connectFromForm(s, "azure", "client-secret", {
      authorityHost: emu.authorityHost,
      caFile: emu.caFile,
      allowCustomVaultHosts: "true",
      maxRetries: "0",
      tenantId: emu.tenantId,
      clientId: CLIENT_ID,
      clientSecret: FIRST_SECRET,
    });
    await linkFromForm(s, "azure-key", "azure", `${emu.vaultUrl}/secrets/app-key`, AZURE_VALUE);
  });

  it("after the client secret is rotated and tokens revoked, Re-authenticate with the new secret fixes it", async () => {
    emu.addServicePrincipal({ clientId: CLIENT_ID, clientSecret: ROTATED_SECRET });
    emu.expireCredentials();
    await reauthFromProblems(s, "azure-key", "azure", {
      tenantId: emu.tenantId,
      clientId: CLIENT_ID,
      clientSecret: ROTATED_SECRET,
    });
    const [r] = await screen.vault.resolveForMatching(["azure-key"]);
    expect(r?.ok && r.value).toBe(AZURE_VALUE);
  });
});
