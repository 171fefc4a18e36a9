// Compiles the server and the CLI to plain JavaScript (dist/main.js, dist/cli.js) so production
// runs on `node` alone. The workspace packages (@actionlog/*, consumed as TypeScript source) are
// bundled in; every npm dependency stays an import resolved from node_modules at run time (the
// native libsql driver cannot be bundled, and the rest gains nothing from it).
import { build } from "esbuild"
import { fileURLToPath } from "node:url"
import path from "node:path"

const here = path.dirname(fileURLToPath(import.meta.url))

const npmDependenciesExternal = {
  name: "npm-dependencies-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@actionlog/") ? undefined : { path: args.path, external: true },
    )
  },
}

await build({
  absWorkingDir: here,
  entryPoints: { main: "src/main.ts", cli: "src/cli.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: process.argv.includes("--quiet") ? "warning" : "info",
  plugins: [npmDependenciesExternal],
})
