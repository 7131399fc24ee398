import { defineConfig } from "rolldown";

/*
 * The page: src/page/app.ts with Preact and htm bundled into one file, so the screen works
 * offline and the server serves three static files (index.html, app.js, app.css).
 */
export default defineConfig({
  input: { app: "src/page/app.ts" },
  platform: "browser",
  output: { dir: "dist/page", format: "esm", entryFileNames: "[name].js", minify: true },
});
