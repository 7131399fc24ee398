import htm from "htm";
import { type ComponentChildren, h, render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  ApiFailure,
  type ClosedState,
  call,
  GONE,
  type Integration,
  type Problem,
  type Provider,
  type Secret,
  type Spec,
  type State,
  type VaultView,
} from "./api.js";

const html = htm.bind(h);

type Tab = "secrets" | "settings" | "problems";
type Run = (
  action: string,
  body: Record<string, unknown>,
  done: string | ((r: Record<string, unknown>) => string),
) => Promise<Record<string, unknown> | undefined>;
type Notice = { kind: "ok" | "error"; text: string; hint?: string | undefined } | undefined;

/** What a dialog is open for, if any. */
type Dialog =
  | { kind: "add" }
  | { kind: "edit"; secret: Secret }
  | { kind: "rename"; secret: Secret }
  | { kind: "domains"; secret: Secret }
  | { kind: "delete"; secret: Secret }
  | { kind: "link"; secret?: Secret }
  | { kind: "connect" }
  | { kind: "reauth"; integration: Integration }
  | { kind: "disconnect"; integration: Integration }
  | { kind: "signin"; job: string; done: string }
  | { kind: "reset" }
  | undefined;

/** The word typed to confirm a reset; the server checks it too. */
const RESET_WORD = "reset";

function KeychainBox(props: {
  vault: VaultView;
  checked: boolean;
  set: (v: boolean) => void;
  label: string;
}) {
  if (!props.vault.keychain.available)
    return html`<p class="muted keychain">The new key cannot be kept in the OS keychain here (${props.vault.keychain.reason ?? "none available"}): unlock with the key itself, or VAULTLINK_VAULT_KEY.</p>`;
  return html`<label class="check"><input type="checkbox" checked=${props.checked}
    onChange=${(e: Event) => props.set((e.target as HTMLInputElement).checked)} /> ${props.label}</label>`;
}

/** The reset confirmation, the same rules as `vaultlink vault reset`: nothing happens unasked. */
function ResetForm(props: {
  vault: VaultView;
  submit: (body: Record<string, unknown>) => void;
  cancel: () => void;
}) {
  const [word, setWord] = useState("");
  const [keychain, setKeychain] = useState(true);
  return html`<form onSubmit=${(e: Event) => {
    e.preventDefault();
    props.submit({ confirm: word, keychain });
  }}>
    <p>Destroy every secret, integration and cached value in <code>${props.vault.home}</code> and
      issue a new vault key? <strong>This cannot be undone.</strong></p>
    <div class="field"><label for="reset-confirm">Type <code>${RESET_WORD}</code> to confirm</label>
      <input id="reset-confirm" type="text" autocomplete="off" value=${word}
        onInput=${(e: Event) => setWord((e.target as HTMLInputElement).value)} /></div>
    <${KeychainBox} vault=${props.vault} checked=${keychain} set=${setKeychain} label="Keep the new key in the OS keychain" />
    <button type="submit" class="danger" disabled=${word !== RESET_WORD}>Reset the vault</button>
    <button type="button" onClick=${props.cancel}>Cancel</button>
  </form>`;
}

/** Where the open vault's key came from, in words (core's and the hosts' key source ids). */
const KEY_SOURCES: Readonly<Record<string, string>> = {
  env: "the key in VAULTLINK_VAULT_KEY",
  keychain: "the key kept in the OS keychain",
  prompt: "the key typed in the terminal",
  screen: "the key typed on this screen",
  starter: "the key given when the agent started",
  created: "its new key",
};

function unlockedWith(source: string | undefined): string {
  const words = source === undefined ? undefined : KEY_SOURCES[source];
  return words ? `, unlocked with ${words}` : "";
}

/** A new vault key, shown once: the person copies it before going on. */
function NewKey(props: { result: Record<string, unknown>; done: () => void }) {
  const kc = props.result.keychain as { stored?: boolean; reason?: string } | undefined;
  return html`<main class="vault-key"><h1>vaultlink</h1>
    <section class="new-key" aria-label="Your vault key">
      <h2>Your vault key</h2>
      <p><code class="key">${String(props.result.vaultKey)}</code></p>
      <p class="warning">This key is shown once. Keep it somewhere safe (a password manager): without it the vault cannot be opened, and nothing can recover it.</p>
      <p>${kc?.stored ? "The key is kept in the OS keychain; the vault unlocks without typing it." : `The key is not in the OS keychain (${kc?.reason ?? "not asked"}): unlock with the key, or VAULTLINK_VAULT_KEY.`}</p>
      <button type="button" onClick=${props.done}>I have saved the key</button>
    </section></main>`;
}

/** No vault yet: create one. A locked vault: type its key, or reset it when the key is lost. */
function VaultKeyScreen(props: {
  vault: VaultView;
  notice: Notice;
  act: (action: string, body: Record<string, unknown>) => Promise<void>;
}) {
  const [key, setKey] = useState("");
  const [keychain, setKeychain] = useState(true);
  const [resetting, setResetting] = useState(false);
  const v = props.vault;
  const notice = props.notice
    ? html`<p class=${props.notice.kind === "ok" ? "notice ok" : "notice error"} role=${props.notice.kind === "ok" ? "status" : "alert"}>${props.notice.text}${props.notice.hint ? html`<br /><small>${props.notice.hint}</small>` : null}</p>`
    : null;
  let body: unknown;
  if (v.state === "missing")
    body = html`<section aria-label="Create a vault"><h2>Create a vault</h2>
      <p>There is no vault in <code>${v.home}</code> yet. Creating one issues its vault key, shown once on the next screen.</p>
      <form onSubmit=${(e: Event) => {
        e.preventDefault();
        void props.act("vault-create", { keychain });
      }}>
        <${KeychainBox} vault=${v} checked=${keychain} set=${setKeychain} label="Keep the key in the OS keychain" />
        <button type="submit">Create the vault</button>
      </form></section>`;
  else if (resetting)
    body = html`<section aria-label="Reset the vault"><h2>Reset the vault</h2>
      <${ResetForm} vault=${v} submit=${(b: Record<string, unknown>) => void props.act("vault-reset", b)} cancel=${() => setResetting(false)} /></section>`;
  else
    body = html`<section aria-label="Unlock the vault"><h2>Unlock the vault</h2>
      <p>The vault in <code>${v.home}</code> is locked. Type its vault key (<code>vlk_…</code>).</p>
      <form onSubmit=${async (e: Event) => {
        e.preventDefault();
        await props.act("vault-unlock", { key });
        setKey("");
      }}>
        <div class="field"><label for="vault-key">Vault key</label>
          <input id="vault-key" type="password" autocomplete="off" spellcheck="false" value=${key}
            onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)} /></div>
        <button type="submit" disabled=${key.trim() === ""}>Unlock</button>
      </form>
      <p class="muted">Lost the key? Nothing can recover it. <button type="button" class="small danger" onClick=${() => setResetting(true)}>Reset the vault…</button></p>
    </section>`;
  return html`<main class="vault-key"><h1>vaultlink</h1>${notice}${body}</main>`;
}

/** The screen locked (423), its session is gone (401), or its server stopped (nothing answers). */
function ended(error: unknown): boolean {
  return error instanceof ApiFailure && [423, 401, GONE].includes(error.status);
}

function describeError(error: unknown): Notice {
  if (error instanceof ApiFailure)
    return { kind: "error", text: error.detail.error, hint: error.detail.hint };
  return { kind: "error", text: (error as Error).message };
}

function source(s: Secret): string {
  if (!s.link) return s.hasValue ? "local" : "local (empty)";
  const extra = [
    s.link.jsonKey ? `key ${s.link.jsonKey}` : "",
    s.link.version ? `version ${s.link.version}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${s.link.integration}: ${s.link.reference}${extra ? ` (${extra})` : ""}`;
}

function Modal(props: { title: string; children: ComponentChildren; onClose: () => void }) {
  return html`<div class="backdrop">
    <div class="modal" role="dialog" aria-modal="true" aria-label=${props.title}>
      <h2>${props.title}</h2>
      ${props.children}
      <button type="button" class="close" aria-label="Close" onClick=${props.onClose}>×</button>
    </div>
  </div>`;
}

/** One input per option spec: text, number, checkbox, select; secret ones masked. */
function SpecFields(props: {
  specs: Spec[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  prefix: string;
}) {
  return props.specs.map((s) => {
    const id = `${props.prefix}-${s.name}`;
    const value = props.values[s.name] ?? "";
    const set = (v: string) => props.onChange({ ...props.values, [s.name]: v });
    let input: unknown;
    if (s.type === "enum")
      input = html`<select id=${id} value=${value} onChange=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        <option value="">${s.default !== undefined ? `(default: ${String(s.default)})` : "—"}</option>
        ${(s.choices ?? []).map((c) => html`<option value=${c}>${c}</option>`)}
      </select>`;
    else if (s.type === "boolean")
      input = html`<select id=${id} value=${value} onChange=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        <option value="">${s.default !== undefined ? `(default: ${String(s.default)})` : "—"}</option>
        <option value="true">yes</option><option value="false">no</option>
      </select>`;
    else
      input = html`<input id=${id} type=${s.secret ? "password" : s.type === "string" ? "text" : "number"}
        autocomplete="off" value=${value} placeholder=${s.default !== undefined ? String(s.default) : ""}
        onInput=${(e: Event) => set((e.target as HTMLInputElement).value)} />`;
    return html`<div class="field">
      <label for=${id}>${s.title}${s.required ? " *" : ""}</label>
      ${input}
      ${s.description ? html`<small>${s.description}</small>` : null}
    </div>`;
  });
}

function SecretsTab(props: { state: State; open: (d: Dialog) => void; run: Run }) {
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<{ key: "name" | "source" | "enabled" | "domains"; up: boolean }>(
    {
      key: "name",
      up: true,
    },
  );
  const [shown, setShown] = useState<Record<string, string>>({});
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const keyOf = (s: Secret): string =>
      sort.key === "name"
        ? s.name
        : sort.key === "source"
          ? source(s)
          : sort.key === "enabled"
            ? String(s.enabled)
            : s.allowedDomains.join(",");
    return props.state.secrets
      .filter(
        (s) =>
          f === "" ||
          s.name.toLowerCase().includes(f) ||
          source(s).toLowerCase().includes(f) ||
          s.allowedDomains.some((d) => d.toLowerCase().includes(f)),
      )
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)) * (sort.up ? 1 : -1));
  }, [props.state.secrets, filter, sort]);
  const header = (key: typeof sort.key, title: string) =>
    html`<th aria-sort=${sort.key === key ? (sort.up ? "ascending" : "descending") : "none"}>
      <button type="button" class="sort" onClick=${() => setSort({ key, up: sort.key === key ? !sort.up : true })}>
        ${title}${sort.key === key ? (sort.up ? " ▲" : " ▼") : ""}
      </button>
    </th>`;
  const view = async (s: Secret) => {
    if (shown[s.name] !== undefined) {
      const next = { ...shown };
      delete next[s.name];
      return setShown(next);
    }
    try {
      const r = await call<{ ok: boolean; value?: string; message?: string }>("view", {
        name: s.name,
      });
      setShown({ ...shown, [s.name]: r.ok ? (r.value ?? "") : `(${r.message ?? "unresolved"})` });
    } catch (error) {
      setShown({ ...shown, [s.name]: `(${describeError(error)?.text})` });
    }
  };
  return html`<section>
    <div class="toolbar">
      <input type="search" aria-label="Filter secrets" placeholder="Filter by name, source or domain"
        value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} />
      <button type="button" onClick=${() => props.open({ kind: "add" })}>Add secret</button>
      <button type="button" onClick=${() => props.open({ kind: "link" })}>Link secret</button>
    </div>
    ${
      props.state.secrets.length === 0
        ? html`<p class="empty">No secrets yet. Add one, or link one to a provider.</p>`
        : html`<table class="secrets">
      <thead><tr>
        ${header("name", "Name")}${header("source", "Source")}${header("enabled", "Enabled")}${header("domains", "Allowed domains")}
        <th>Value</th><th>Actions</th>
      </tr></thead>
      <tbody>
        ${rows.map(
          (s) => html`<tr data-secret=${s.name}>
          <td class="name"><code>${s.name}</code></td>
          <td class="source">${s.link ? html`<span class="tag">linked</span> ` : html`<span class="tag local">local</span> `}${source(s)}</td>
          <td><input type="checkbox" aria-label=${`Enabled ${s.name}`} checked=${s.enabled}
            onChange=${(e: Event) =>
              props.run(
                "update",
                { name: s.name, enabled: (e.target as HTMLInputElement).checked },
                `${(e.target as HTMLInputElement).checked ? "Enabled" : "Disabled"} ${s.name}.`,
              )} /></td>
          <td class="domains">${s.allowedDomains.join(", ") || html`<span class="muted">any</span>`}</td>
          <td class="value"><span class="masked">${shown[s.name] ?? "••••••••"}</span>
            <button type="button" class="small" onClick=${() => view(s)}>${shown[s.name] !== undefined ? "Hide" : "View"}</button></td>
          <td class="actions">
            ${s.link ? null : html`<button type="button" class="small" onClick=${() => props.open({ kind: "edit", secret: s })}>Edit value</button>`}
            <button type="button" class="small" onClick=${() => props.open({ kind: "domains", secret: s })}>Domains</button>
            <button type="button" class="small" onClick=${() => props.open({ kind: "link", secret: s })}>${s.link ? "Relink" : "Link"}</button>
            <button type="button" class="small" onClick=${() => props.open({ kind: "rename", secret: s })}>Rename</button>
            <button type="button" class="small danger" onClick=${() => props.open({ kind: "delete", secret: s })}>Delete</button>
          </td>
        </tr>`,
        )}
      </tbody>
    </table>`
    }
  </section>`;
}

function expiry(i: Integration): string {
  if (!i.expiresAt) return "no expiry";
  const left = Date.parse(i.expiresAt) - Date.now();
  if (left <= 0) return `expired ${new Date(i.expiresAt).toLocaleString()}`;
  const minutes = Math.round(left / 60_000);
  return minutes < 120
    ? `expires in ${minutes} min`
    : `expires ${new Date(i.expiresAt).toLocaleString()}`;
}

/** Export to an encrypted file (saved by the browser) and import one, as the CLI does. */
function TransferSection(props: { run: Run }) {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [importPassword, setImportPassword] = useState("");
  const [policy, setPolicy] = useState("skip");
  const [file, setFile] = useState<File | undefined>(undefined);
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  return html`<h2>Export and import</h2>
    <form class="transfer" onSubmit=${async (e: Event) => {
      e.preventDefault();
      const r = await props.run(
        "export",
        { password, repeat },
        (x) =>
          `Exported ${String(x.secrets)} secrets to ${String(x.fileName)} (encrypted; integration credentials are not exported).`,
      );
      if (!r) return;
      const url = URL.createObjectURL(new Blob([String(r.file)], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = String(r.fileName);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setPassword("");
      setRepeat("");
    }}>
      <div class="field"><label for="export-password">Export password (12+ characters)</label>
        <input id="export-password" type="password" autocomplete="new-password" value=${password} onInput=${(e: Event) => setPassword(value(e))} /></div>
      <div class="field"><label for="export-repeat">Repeat the password</label>
        <input id="export-repeat" type="password" autocomplete="new-password" value=${repeat} onInput=${(e: Event) => setRepeat(value(e))} /></div>
      <button type="submit">Export</button>
    </form>
    <form class="transfer" onSubmit=${async (e: Event) => {
      e.preventDefault();
      if (!file) return;
      const text = await file.text();
      await props.run(
        "import",
        { file: text, password: importPassword, onConflict: policy },
        (x) => {
          const n = (k: string) => (Array.isArray(x[k]) ? (x[k] as unknown[]).length : 0);
          const needs =
            Array.isArray(x.needsConnect) && x.needsConnect.length > 0
              ? " Some links need an integration connected: see Problems."
              : "";
          return `Imported ${n("created")} new, replaced ${n("replaced")}, renamed ${n("renamed")}, skipped ${n("skipped")}.${needs}`;
        },
      );
      setImportPassword("");
    }}>
      <div class="field"><label for="import-file">Export file</label>
        <input id="import-file" type="file" accept=".json,application/json" onChange=${(e: Event) => setFile((e.target as HTMLInputElement).files?.[0])} /></div>
      <div class="field"><label for="import-password">Its password (encrypted exports)</label>
        <input id="import-password" type="password" autocomplete="off" value=${importPassword} onInput=${(e: Event) => setImportPassword(value(e))} /></div>
      <div class="field"><label for="import-conflict">When a name exists</label>
        <select id="import-conflict" value=${policy} onChange=${(e: Event) => setPolicy((e.target as HTMLSelectElement).value)}>
          <option value="skip">keep mine (skip)</option>
          <option value="replace">replace it with the imported one</option>
          <option value="rename">keep both (import as name-imported)</option>
        </select></div>
      <button type="submit" disabled=${!file}>Import</button>
    </form>`;
}

function SettingsTab(props: { state: State; open: (d: Dialog) => void; run: Run }) {
  const [ttl, setTtl] = useState(String(props.state.settings.cacheTtlMinutes));
  useEffect(
    () => setTtl(String(props.state.settings.cacheTtlMinutes)),
    [props.state.settings.cacheTtlMinutes],
  );
  return html`<section>
    <h2>Cache</h2>
    <form class="inline" onSubmit=${(e: Event) => {
      e.preventDefault();
      void props.run("settings", { cacheTtlMinutes: ttl }, `Cache time set to ${ttl} minutes.`);
    }}>
      <label for="cache-ttl">Secret expiration duration (minutes)</label>
      <input id="cache-ttl" type="number" min="0" value=${ttl} onInput=${(e: Event) => setTtl((e.target as HTMLInputElement).value)} />
      <button type="submit">Save</button>
    </form>
    <p>Cached values: <span class="cache-count">${props.state.cache.entries}</span>
      <button type="button" onClick=${() => props.run("reset-cache", {}, "Cache reset.")}>Reset cache</button></p>
    <h2>Integrations</h2>
    ${
      props.state.integrations.length === 0
        ? html`<p class="empty">No integrations yet.</p>`
        : html`<table class="integrations"><thead><tr><th>Integration</th><th>Provider</th><th>Status</th><th>Expiry</th><th>Actions</th></tr></thead>
      <tbody>${props.state.integrations.map(
        (i) => html`<tr data-integration=${i.id}>
        <td><code>${i.id}</code>${i.scope === "team" ? html` <span class="tag">team</span>` : null}</td>
        <td>${props.state.providers.find((p) => p.id === i.provider)?.title ?? i.provider}</td>
        <td class=${`status ${i.status}`}>${i.status}${i.statusReason ? html`<small> (${i.statusReason})</small>` : null}</td>
        <td>${expiry(i)}</td>
        <td class="actions">
          ${
            i.status === "disconnected"
              ? html`<button type="button" class="small" onClick=${() => props.open({ kind: "connect" })}>Connect</button>`
              : html`<button type="button" class="small" onClick=${() => props.open({ kind: "reauth", integration: i })}>Re-authenticate</button>
            <button type="button" class="small danger" onClick=${() => props.open({ kind: "disconnect", integration: i })}>Disconnect</button>`
          }
        </td></tr>`,
      )}</tbody></table>`
    }
    <button type="button" onClick=${() => props.open({ kind: "connect" })}>Connect an integration</button>
    <${TransferSection} run=${props.run} />
    <h2>Vault</h2>
    <p>The vault in <code>${props.state.vault.home}</code>${unlockedWith(props.state.vault.unlockedBy)}.</p>
    <button type="button" class="danger" onClick=${() => props.open({ kind: "reset" })}>Reset the vault…</button>
  </section>`;
}

function ProblemsTab(props: {
  state: State;
  open: (d: Dialog) => void;
  run: Run;
  version: number;
}) {
  const [problems, setProblems] = useState<Problem[] | undefined>(undefined);
  const [error, setError] = useState<Notice>(undefined);
  useEffect(() => {
    setProblems(undefined);
    call<{ problems: Problem[] }>("doctor")
      .then((r) => setProblems(r.problems))
      .catch((e: unknown) => setError(describeError(e)));
  }, [props.version]);
  if (error) return html`<p class="error">${error.text}</p>`;
  if (!problems) return html`<p class="muted">Checking every secret…</p>`;
  if (problems.length === 0) return html`<p class="ok-text">Every secret resolves.</p>`;
  const fixButton = (p: Problem) => {
    const s = props.state.secrets.find((x) => x.name === p.name);
    const integ = props.state.integrations.find((i) => i.id === p.integration);
    if (p.reason === "disabled")
      return html`<button type="button" class="small" onClick=${() => props.run("update", { name: p.name, enabled: true }, `Enabled ${p.name}.`)}>Enable secret</button>`;
    if (p.reason === "auth-expired" && integ)
      return html`<button type="button" class="small" onClick=${() => props.open({ kind: "reauth", integration: integ })}>Re-authenticate</button>`;
    if (p.reason === "disconnected")
      return html`<button type="button" class="small" onClick=${() => props.open({ kind: "connect" })}>Connect</button>`;
    if (p.reason === "empty" && s && !s.link)
      return html`<button type="button" class="small" onClick=${() => props.open({ kind: "edit", secret: s })}>Enter value</button>`;
    if (s?.link)
      return html`<button type="button" class="small" onClick=${() => props.open({ kind: "link", secret: s })}>Relink</button>`;
    return null;
  };
  return html`<section><table class="problems"><thead><tr><th>Reference</th><th>Why</th><th>Fix</th><th></th></tr></thead>
    <tbody>${problems.map(
      (p) => html`<tr data-problem=${p.name}>
      <td><code class="unresolved">{{vault:${p.name}}}</code></td>
      <td><span class="reason">${p.reason}</span>: ${p.message}</td>
      <td class="fix">${p.fix}</td><td>${fixButton(p)}</td></tr>`,
    )}</tbody></table></section>`;
}

function LinkForm(props: {
  state: State;
  secret?: Secret | undefined;
  submit: (body: Record<string, unknown>) => void;
}) {
  const usable = props.state.integrations.filter((i) => i.status !== "disconnected");
  const [name, setName] = useState(props.secret?.name ?? "");
  const [integration, setIntegration] = useState(
    props.secret?.link?.integration ?? usable[0]?.id ?? "",
  );
  const [reference, setReference] = useState(props.secret?.link?.reference ?? "");
  const [jsonKey, setJsonKey] = useState(props.secret?.link?.jsonKey ?? "");
  const [version, setVersion] = useState(props.secret?.link?.version ?? "");
  const [options, setOptions] = useState<Record<string, string>>({
    ...(props.secret?.link?.options ?? {}),
  });
  const [domains, setDomains] = useState("");
  const [check, setCheck] = useState(true);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const integ = usable.find((i) => i.id === integration);
  const provider: Provider | undefined = props.state.providers.find(
    (p) => p.id === integ?.provider,
  );
  // Validation as you type: the plugin parses the reference (offline) on every change.
  useEffect(() => {
    if (!integration || reference.trim() === "") return setVerdict(undefined);
    let current = true;
    const t = setTimeout(() => {
      call<{ ok: boolean; canonical?: string; message?: string }>("check-reference", {
        integration,
        reference,
      })
        .then((r) => {
          if (current)
            setVerdict(
              r.ok
                ? { ok: true, text: `Valid: ${r.canonical}` }
                : { ok: false, text: r.message ?? "Not valid." },
            );
        })
        .catch(
          (e: unknown) => current && setVerdict({ ok: false, text: describeError(e)?.text ?? "" }),
        );
    }, 200);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [integration, reference]);
  if (usable.length === 0)
    return html`<p>Connect an integration first (Settings → Connect an integration).</p>`;
  return html`<form onSubmit=${(e: Event) => {
    e.preventDefault();
    props.submit({
      name,
      integration,
      reference,
      jsonKey,
      version,
      options,
      ...(props.secret ? {} : { domains }),
      check,
    });
  }}>
    <div class="field"><label for="link-name">Secret name</label>
      <input id="link-name" value=${name} readOnly=${props.secret !== undefined} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></div>
    <div class="field"><label for="link-integration">Integration</label>
      <select id="link-integration" value=${integration} onChange=${(e: Event) => setIntegration((e.target as HTMLSelectElement).value)}>
        ${usable.map((i) => html`<option value=${i.id}>${i.id} (${props.state.providers.find((p) => p.id === i.provider)?.title ?? i.provider})</option>`)}
      </select></div>
    <div class="field"><label for="link-reference">Reference</label>
      <input id="link-reference" value=${reference} autocomplete="off" placeholder=${provider?.referenceExamples[0] ?? ""}
        onInput=${(e: Event) => setReference((e.target as HTMLInputElement).value)} />
      ${verdict ? html`<small class=${verdict.ok ? "ok-text" : "error"} role="status">${verdict.text}</small>` : null}
      ${provider && provider.referenceExamples.length > 0 ? html`<small>Examples:</small><ul class="examples">${provider.referenceExamples.map((x) => html`<li><code>${x}</code></li>`)}</ul>` : null}
    </div>
    ${
      provider?.jsonKey
        ? html`<div class="field"><label for="link-json-key">JSON key (optional)</label>
      <input id="link-json-key" value=${jsonKey} onInput=${(e: Event) => setJsonKey((e.target as HTMLInputElement).value)} /></div>`
        : null
    }
    ${
      provider?.versions
        ? html`<div class="field"><label for="link-version">Version (optional)</label>
      <input id="link-version" value=${version} onInput=${(e: Event) => setVersion((e.target as HTMLInputElement).value)} /></div>`
        : null
    }
    ${provider ? html`<${SpecFields} specs=${provider.linkOptions} values=${options} onChange=${setOptions} prefix="link-opt" />` : null}
    ${
      props.secret
        ? null
        : html`<div class="field"><label for="link-domains">Allowed domains for a new secret (comma-separated)</label>
      <input id="link-domains" value=${domains} onInput=${(e: Event) => setDomains((e.target as HTMLInputElement).value)} /></div>`
    }
    <div class="field check"><input id="link-check" type="checkbox" checked=${check} onChange=${(e: Event) => setCheck((e.target as HTMLInputElement).checked)} />
      <label for="link-check">Check with the provider before saving</label></div>
    <button type="submit">Link</button>
  </form>`;
}

function AuthForm(props: {
  state: State;
  integration?: Integration | undefined;
  submit: (body: Record<string, unknown>) => void;
}) {
  const [providerId, setProviderId] = useState(
    props.integration?.provider ?? props.state.providers[0]?.id ?? "",
  );
  const provider = props.state.providers.find((p) => p.id === providerId);
  const [method, setMethod] = useState(
    props.integration?.authMethod ?? provider?.authMethods[0]?.id ?? "",
  );
  const [id, setId] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const m = provider?.authMethods.find((x) => x.id === method) ?? provider?.authMethods[0];
  // Re-authenticating keeps the stored settings: only the method's own options (secrets) are asked.
  const specs = props.integration
    ? (m?.options ?? [])
    : [...(provider?.settings ?? []), ...(m?.options ?? [])];
  return html`<form onSubmit=${(e: Event) => {
    e.preventDefault();
    props.submit(
      props.integration
        ? { id: props.integration.id, method: m?.id, options: values }
        : { provider: providerId, method: m?.id, options: values, ...(id ? { id } : {}) },
    );
  }}>
    ${
      props.integration
        ? null
        : html`<div class="field"><label for="auth-provider">Provider</label>
      <select id="auth-provider" value=${providerId} onChange=${(e: Event) => {
        const next = (e.target as HTMLSelectElement).value;
        setProviderId(next);
        setMethod(props.state.providers.find((p) => p.id === next)?.authMethods[0]?.id ?? "");
        setValues({});
      }}>${props.state.providers.map((p) => html`<option value=${p.id}>${p.title}</option>`)}</select></div>
      <div class="field"><label for="auth-id">Integration id (optional)</label>
      <input id="auth-id" value=${id} placeholder=${providerId} onInput=${(e: Event) => setId((e.target as HTMLInputElement).value)} /></div>`
    }
    <div class="field"><label for="auth-method">Sign-in method</label>
      <select id="auth-method" value=${m?.id} disabled=${props.integration?.scope === "team"} onChange=${(e: Event) => setMethod((e.target as HTMLSelectElement).value)}>
        ${(provider?.authMethods ?? []).map((x) => html`<option value=${x.id}>${x.title}</option>`)}
      </select>
      ${m?.description ? html`<small>${m.description}</small>` : null}
      ${m?.interactive ? html`<small>This method signs in with a person: after you press ${props.integration ? "Re-authenticate" : "Connect"}, vaultlink opens the sign-in page (or shows its address here).</small>` : null}
    </div>
    <${SpecFields} specs=${specs} values=${values} onChange=${setValues} prefix="auth" />
    <button type="submit">${props.integration ? "Re-authenticate" : "Connect"}</button>
  </form>`;
}

function SimpleForm(props: {
  fields: { id: string; label: string; type?: string; value?: string; hint?: string }[];
  button: string;
  submit: (values: Record<string, string>) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(props.fields.map((f) => [f.id, f.value ?? ""])),
  );
  return html`<form onSubmit=${(e: Event) => {
    e.preventDefault();
    props.submit(values);
  }}>
    ${props.fields.map(
      (f) => html`<div class="field"><label for=${`f-${f.id}`}>${f.label}</label>
      <input id=${`f-${f.id}`} type=${f.type ?? "text"} autocomplete="off" value=${values[f.id]}
        onInput=${(e: Event) => setValues({ ...values, [f.id]: (e.target as HTMLInputElement).value })} />
      ${f.hint ? html`<small>${f.hint}</small>` : null}</div>`,
    )}
    <button type="submit">${props.button}</button>
  </form>`;
}

/** Text with its http(s) addresses as links that open in a new tab. */
function Linked(props: { text: string }) {
  const parts = props.text.split(/(https?:\/\/[^\s"'<>]+)/);
  return parts.map((p, i) =>
    i % 2 === 1 ? html`<a href=${p} target="_blank" rel="noopener noreferrer">${p}</a>` : p,
  );
}

/** A sign-in running on the server: its messages as they come, until it ends. */
function SignIn(props: { job: string; finished: (error?: Notice) => void }) {
  const [messages, setMessages] = useState<string[]>([]);
  const [error, setError] = useState<Notice>(undefined);
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        const r = await call<{
          messages: string[];
          done: boolean;
          error?: { error: string; hint?: string };
        }>("job", { id: props.job });
        if (stop) return;
        setMessages(r.messages);
        if (r.done) {
          if (r.error) setError({ kind: "error", text: r.error.error, hint: r.error.hint });
          else props.finished();
          return;
        }
      } catch (e) {
        if (!stop) setError(describeError(e));
        return;
      }
      setTimeout(() => void poll(), 500);
    };
    void poll();
    return () => {
      stop = true;
    };
  }, [props.job]);
  return html`<div class="signin">
    ${messages.length === 0 && !error ? html`<p class="muted">Starting the sign-in…</p>` : null}
    ${messages.map((m) => html`<p class="message"><${Linked} text=${m} /></p>`)}
    ${error ? html`<p class="error" role="alert">${error.text}${error.hint ? html`<br /><small>${error.hint}</small>` : null}</p>` : html`<p class="muted">Waiting for the sign-in to finish…</p>`}
  </div>`;
}

function App() {
  const [state, setState] = useState<State | ClosedState | undefined>(undefined);
  const [newKey, setNewKey] = useState<Record<string, unknown> | undefined>(undefined);
  const [tab, setTab] = useState<Tab>("secrets");
  const [dialog, setDialog] = useState<Dialog>(undefined);
  const [notice, setNotice] = useState<Notice>(undefined);
  const [locked, setLocked] = useState(false);
  const [version, setVersion] = useState(0);

  const refresh = async () => {
    try {
      setState(await call<State | ClosedState>("state"));
      setVersion((v) => v + 1);
    } catch (error) {
      if (ended(error)) setLocked(true);
      else setNotice(describeError(error));
    }
  };
  useEffect(() => void refresh(), []);

  /** Run an action; on success close the dialog, say what happened and reload the state. */
  const run = async (
    action: string,
    body: Record<string, unknown>,
    done: string | ((r: Record<string, unknown>) => string),
  ) => {
    try {
      const r = await call<Record<string, unknown>>(action, body);
      if (typeof r.job === "string") {
        // A sign-in that needs the person: follow it in its own window.
        setDialog({
          kind: "signin",
          job: r.job,
          done: typeof done === "string" ? done : "Signed in.",
        });
        return r;
      }
      setDialog(undefined);
      const unresolved =
        Array.isArray(r.unresolved) && r.unresolved.length > 0
          ? ` Now unresolved: ${r.unresolved.join(", ")}.`
          : "";
      await refresh();
      setNotice({ kind: "ok", text: (typeof done === "string" ? done : done(r)) + unresolved });
      return r;
    } catch (error) {
      if (ended(error)) setLocked(true);
      setNotice(describeError(error));
      return undefined;
    }
  };

  /** A vault-key action (create, unlock, reset): a new key is shown once, then the vault opens. */
  const act = async (action: string, body: Record<string, unknown>) => {
    try {
      const r = await call<Record<string, unknown>>(action, body);
      setNotice(undefined);
      setDialog(undefined);
      if (typeof r.vaultKey === "string") setNewKey(r);
      else await refresh();
    } catch (error) {
      if (ended(error)) setLocked(true);
      setNotice(describeError(error));
    }
  };

  if (locked)
    return html`<main class="locked"><h1>vaultlink</h1><p>This vault screen is locked: it no longer opens the vault.</p>
      <p>Run <code>vaultlink ui</code> again to open a new one.</p></main>`;
  if (!state)
    return html`<main><p class="muted">Opening the vault…</p>${notice ? html`<p class="error">${notice.text}</p>` : null}</main>`;
  if (newKey)
    return html`<${NewKey} result=${newKey} done=${async () => {
      setNewKey(undefined);
      await refresh();
      setTab("secrets");
      setNotice({ kind: "ok", text: "The vault is open." });
    }} />`;
  if (!("secrets" in state))
    return html`<${VaultKeyScreen} vault=${state.vault} notice=${notice} act=${act} />`;

  let modal: unknown = null;
  const close = () => setDialog(undefined);
  if (dialog?.kind === "add")
    modal = html`<${Modal} title="Add secret" onClose=${close}>
      <${SimpleForm} button="Add" fields=${[
        {
          id: "name",
          label: "Name",
          hint: "Letters, digits, '-', '_' and '.'; used as {{vault:name}}.",
        },
        { id: "value", label: "Value", type: "password" },
        {
          id: "domains",
          label: "Allowed domains (comma-separated, empty: any)",
          hint: "api.example.com, *.example.com, http://localhost:8080",
        },
      ]} submit=${(v: Record<string, string>) => run("add", v, `Added ${v.name}. Use it as {{vault:${v.name}}}.`)} /></${Modal}>`;
  else if (dialog?.kind === "edit")
    modal = html`<${Modal} title=${`New value for ${dialog.secret.name}`} onClose=${close}>
      <${SimpleForm} button="Save" fields=${[{ id: "value", label: "Value", type: "password" }]}
        submit=${(v: Record<string, string>) => run("update", { name: dialog.secret.name, value: v.value }, `Updated the value of ${dialog.secret.name}.`)} /></${Modal}>`;
  else if (dialog?.kind === "domains")
    modal = html`<${Modal} title=${`Allowed domains of ${dialog.secret.name}`} onClose=${close}>
      <${SimpleForm} button="Save" fields=${[{ id: "domains", label: "Allowed domains (comma-separated, empty: any)", value: dialog.secret.allowedDomains.join(", ") }]}
        submit=${(v: Record<string, string>) => run("update", { name: dialog.secret.name, domains: v.domains }, `Saved the domains of ${dialog.secret.name}.`)} /></${Modal}>`;
  else if (dialog?.kind === "rename")
    modal = html`<${Modal} title=${`Rename ${dialog.secret.name}`} onClose=${close}>
      <${SimpleForm} button="Rename" fields=${[{ id: "to", label: "New name", value: dialog.secret.name, hint: `References to {{vault:${dialog.secret.name}}} stop resolving.` }]}
        submit=${(v: Record<string, string>) => run("rename", { from: dialog.secret.name, to: v.to }, `Renamed ${dialog.secret.name} to ${v.to}.`)} /></${Modal}>`;
  else if (dialog?.kind === "delete")
    modal = html`<${Modal} title=${`Delete ${dialog.secret.name}?`} onClose=${close}>
      <p>References to <code>{{vault:${dialog.secret.name}}}</code> stop resolving. This cannot be undone.</p>
      <button type="button" class="danger" onClick=${() => run("delete", { name: dialog.secret.name }, `Deleted ${dialog.secret.name}.`)}>Delete</button>
      <button type="button" onClick=${close}>Cancel</button></${Modal}>`;
  else if (dialog?.kind === "link")
    modal = html`<${Modal} title=${dialog.secret ? `Link ${dialog.secret.name}` : "Link secret"} onClose=${close}>
      <${LinkForm} state=${state} secret=${dialog.secret} submit=${(b: Record<string, unknown>) => run("link", b, `Linked ${String(b.name)} to ${String(b.integration)}.`)} /></${Modal}>`;
  else if (dialog?.kind === "connect")
    modal = html`<${Modal} title="Connect an integration" onClose=${close}>
      <${AuthForm} state=${state} submit=${(b: Record<string, unknown>) => run("connect", b, `Connected ${String(b.id ?? b.provider)}.`)} /></${Modal}>`;
  else if (dialog?.kind === "reauth")
    modal = html`<${Modal} title=${`Re-authenticate ${dialog.integration.id}`} onClose=${close}>
      <${AuthForm} state=${state} integration=${dialog.integration} submit=${(b: Record<string, unknown>) => run("reauth", b, `Signed in to ${dialog.integration.id} again.`)} /></${Modal}>`;
  else if (dialog?.kind === "disconnect")
    modal = html`<${Modal} title=${`Disconnect ${dialog.integration.id}?`} onClose=${close}>
      <p>Its credentials and cached values are forgotten; secrets linked to it stop resolving until you connect again.</p>
      <button type="button" class="danger" onClick=${() => run("disconnect", { id: dialog.integration.id }, `Disconnected ${dialog.integration.id}.`)}>Disconnect</button>
      <button type="button" onClick=${close}>Cancel</button></${Modal}>`;
  else if (dialog?.kind === "reset")
    modal = html`<${Modal} title="Reset the vault?" onClose=${close}>
      <${ResetForm} vault=${state.vault} submit=${(b: Record<string, unknown>) => void act("vault-reset", b)} cancel=${close} /></${Modal}>`;
  else if (dialog?.kind === "signin")
    modal = html`<${Modal} title="Signing in" onClose=${close}>
      <${SignIn} job=${dialog.job} finished=${async () => {
        setDialog(undefined);
        await refresh();
        setNotice({ kind: "ok", text: dialog.done });
      }} /></${Modal}>`;

  const tabButton = (t: Tab, title: string) =>
    html`<button type="button" role="tab" aria-selected=${tab === t} class=${tab === t ? "tab active" : "tab"} onClick=${() => setTab(t)}>${title}</button>`;
  return html`<main>
    <header><h1>vaultlink</h1>
      <nav role="tablist">${tabButton("secrets", "Secrets")}${tabButton("settings", "Settings")}${tabButton("problems", "Problems")}</nav>
      <button type="button" class="lock" onClick=${async () => {
        await call("lock").catch(() => undefined);
        setLocked(true);
      }}>Lock</button>
    </header>
    ${notice ? html`<p class=${notice.kind === "ok" ? "notice ok" : "notice error"} role=${notice.kind === "ok" ? "status" : "alert"}>${notice.text}${notice.hint ? html`<br /><small>${notice.hint}</small>` : null}</p>` : null}
    ${tab === "secrets" ? html`<${SecretsTab} state=${state} open=${setDialog} run=${run} />` : null}
    ${tab === "settings" ? html`<${SettingsTab} state=${state} open=${setDialog} run=${run} />` : null}
    ${tab === "problems" ? html`<${ProblemsTab} state=${state} open=${setDialog} run=${run} version=${version} />` : null}
    ${modal}
  </main>`;
}

const root = document.getElementById("app");
if (root) render(html`<${App} />`, root);
