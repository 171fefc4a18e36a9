/**
 * Builds the admin app (Vite's build API) before the browser tests when dist/ is missing or
 * older than any source file, so the tests always drive what the sources say.
 */
import { readdirSync, statSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const newest = (p: string): number => {
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let max = 0
  for (const entry of readdirSync(p)) max = Math.max(max, newest(path.join(p, entry)))
  return max
}

const mtime = (p: string): number => {
  try {
    return statSync(p).mtimeMs
  } catch {
    return 0
  }
}

export default async function setup(): Promise<void> {
  const built = mtime(path.join(root, "dist", "index.html"))
  const sources = Math.max(
    newest(path.join(root, "src")),
    mtime(path.join(root, "index.html")),
    mtime(path.join(root, "vite.config.ts")),
    // The domain package is bundled into the app too.
    newest(path.join(root, "..", "..", "packages", "domain", "src")),
  )
  if (built > sources) return
  const { build } = await import("vite")
  await build({ root, configFile: path.join(root, "vite.config.ts"), logLevel: "warn" })
}
