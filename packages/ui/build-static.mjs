// Copies the page's static files beside the bundled app.js (dist/page).
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist/page", { recursive: true });
for (const f of ["index.html", "app.css"]) copyFileSync(`src/page/${f}`, `dist/page/${f}`);
