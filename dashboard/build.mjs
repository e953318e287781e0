// `npm run build`: the dashboard as plain static files in dist/ (no CDN at run time):
//   index.html, app.js (the bundle), app.css (with Leaflet's), assets/, basemap/ (TopoJSON).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const require = createRequire(import.meta.url);
const watch = process.argv.includes("--dev");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "basemap"), { recursive: true });

await build({
  entryPoints: { app: join(here, "src/main.js") },
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020"],
  minify: !watch,
  sourcemap: true,
  outdir: dist,
  legalComments: "linked",
  logLevel: "warning",
});
await build({
  entryPoints: { app: join(here, "src/app.css") },
  bundle: true,
  minify: !watch,
  outdir: dist,
  loader: { ".png": "file", ".svg": "file" },
  assetNames: "assets/[name]-[hash]",
  logLevel: "warning",
});

cpSync(join(here, "src/index.html"), join(dist, "index.html"));
// Basemap outlines: Natural Earth (world-atlas) and US Census (us-atlas), public domain.
cpSync(require.resolve("world-atlas/countries-50m.json"), join(dist, "basemap/countries-50m.json"));
cpSync(require.resolve("us-atlas/counties-10m.json"), join(dist, "basemap/counties-10m.json"));
console.log(`dashboard built into ${dist}`);
