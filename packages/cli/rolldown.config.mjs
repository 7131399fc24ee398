import { defineConfig } from "rolldown";

/*
 * The shipped `vaultlink` binary is one bundled entry plus chunks that only the commands needing
 * them load. Loading ~90 small ES modules cost more start-up time than everything a cached
 * `read` does; a few bundled files are read and linked once. The bundle is CommonJS because
 * Node's CommonJS loader starts ~20 ms faster than its ES module loader for the same code
 * (measured on `vaultlink read`; see docs/performance.md). Provider plugins stay external
 * and are imported only when a command needs a provider, so a cache hit loads no SDK; the native
 * keychain binding stays external too. The shebang comes through
 * from src/bin.ts.
 */
export default defineConfig({
  input: { bin: "build/bin.js" },
  platform: "node",
  // The vault screen (@vaultlink/ui, with its server and prebuilt page) and the browser opener
  // stay external too: only `vaultlink ui` imports them.
  external: [/^@vaultlink\/provider-/, "@vaultlink/ui", "open", "@napi-rs/keyring", /^node:/],
  output: {
    dir: "dist",
    // Chunk names carry a content hash: without this, every build would leave the previous
    // build's chunks behind, and they would be packed.
    cleanDir: true,
    format: "cjs",
    entryFileNames: "[name].cjs",
    // Beside bin.cjs, so code that finds ../package.json keeps working.
    chunkFileNames: "[name]-[hash].cjs",
    minify: true,
    // Named chunks, so tests can tell from file names what a command loaded.
    codeSplitting: {
      groups: [
        // The quick read path (src/quick-read.ts): the vault and cache file formats and the
        // hot-path rules, and what they import, apart from the engine so that a cached `read`
        // loads this small chunk and nothing else of core.
        {
          name: "vaultlink-quick",
          test: /packages[\\/]core[\\/]dist[\\/]quick[\\/]/,
          priority: 3,
        },
        // Loaded only by export/import. Only zod itself: a group also takes what its modules
        // import, so naming the export schema here would drag core's errors (and with them zod)
        // into every run.
        // Finding and asking a running agent, on the quick read path too: its client only,
        // never the engine (the server side lives in vaultlink-core).
        {
          name: "vaultlink-agent-client",
          test: /packages[\\/]core[\\/]dist[\\/]agent[\\/](index|client|paths|protocol)\.js$/,
          priority: 3,
        },
        { name: "zod", test: /node_modules[\\/].*[\\/]zod[\\/]/, priority: 2 },
        {
          name: "vaultlink-core",
          // Everything core runs on every command; its export schema (zod) stays lazy.
          test: (id) =>
            /tsyringe|reflect-metadata|mitt|env-paths/.test(id) ||
            (/packages[\\/]core[\\/]dist/.test(id) && !/payload-schema/.test(id)),
          priority: 1,
        },
        { name: "commander", test: /[\\/]commander[\\/]/ },
        { name: "prompts", test: /@clack|sisteransi|picocolors/ },
      ],
    },
  },
});
