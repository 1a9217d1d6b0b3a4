// Builds the web client: src/ → dist/ (or --outdir DIR). make web runs it
// after npm ci. The output is deterministic — the same sources and the same
// locked esbuild give the same bytes — so the Go tests can rebuild into a
// temporary directory and compare with the committed dist/, and they also
// check the sources hash recorded in dist/index.html without node.
//
// Asset names carry a hash of their content, so the server can let browsers
// cache them for good while index.html is revalidated on every load.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf("--outdir");
if (at >= 0 && !args[at + 1]) throw new Error("--outdir needs a directory");
const outdir = at >= 0 ? resolve(args[at + 1]) : join(here, "dist");

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

// sourcesHash covers everything the output depends on. http/web/bundle_test.go
// computes the same: for each file in byte order of its slash path,
// "path\0sha256(content) in hex\n", all hashed with SHA-256.
function sourcesHash() {
  const files = [...listFiles(join(here, "src")), join(here, "package.json"), join(here, "package-lock.json"), join(here, "build.mjs")]
    .map((f) => relative(here, f).split(sep).join("/"))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash("sha256");
  for (const f of files) h.update(`${f}\0${sha256(readFileSync(join(here, f)))}\n`);
  return h.digest("hex");
}

const hash = sourcesHash();
const banner = `/* Talus Tally web client, built by make web (http/web/build.mjs) from sources sha256:${hash}. Do not edit: change src/ and rebuild. */`;

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: [
    { in: "src/main.js", out: "app" },
    { in: "src/style.css", out: "app" },
  ],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  entryNames: "[name]-[hash]",
  outdir: join(outdir, "assets"),
  write: false,
  metafile: true,
  charset: "utf8",
  legalComments: "eof",
  banner: { js: banner, css: banner },
  logLevel: "warning",
});

const assets = {};
for (const f of result.outputFiles) {
  const name = relative(join(outdir, "assets"), f.path).split(sep).join("/");
  assets[name.replace(/-[A-Z0-9]+\./, ".")] = { name, contents: f.contents };
}
const favicon = readFileSync(join(here, "src/favicon.svg"));
assets["favicon.svg"] = { name: `favicon-${sha256(favicon).slice(0, 8).toUpperCase()}.svg`, contents: favicon };

let html = readFileSync(join(here, "src/index.html"), "utf8");
html = html.replace(/\{\{([a-z.]+)\}\}/g, (_, key) => {
  if (!assets[key]) throw new Error(`index.html names unknown asset ${key}`);
  return `/assets/${assets[key].name}`;
});
html = html.replace("<head>", `<head>\n<meta name="talus-sources" content="sha256:${hash}">`);

rmSync(outdir, { recursive: true, force: true });
mkdirSync(join(outdir, "assets"), { recursive: true });
for (const a of Object.values(assets)) writeFileSync(join(outdir, "assets", a.name), a.contents);
writeFileSync(join(outdir, "index.html"), html);
console.log(`built ${relative(process.cwd(), outdir) || "."}: ${Object.values(assets).map((a) => a.name).join(", ")}, index.html`);
