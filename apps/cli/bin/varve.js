#!/usr/bin/env node
// The command runs on the workspace's TypeScript sources, with no build step:
// bundled once and cached until a source changes (bundle-cache.js), or, where
// that cannot be done (VARVE_NO_BUNDLE=1, or esbuild missing), compiled on load
// by tsx with the '@varve/source' export condition, as the tests do.
import { register } from 'node:module'
import { fileURLToPath } from 'node:url'

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url))
let entry
if (!process.env.VARVE_NO_BUNDLE) {
  try {
    const { bundledEntry } = await import('./bundle-cache.js')
    entry = await bundledEntry(source)
  } catch (error) {
    if (process.env.VARVE_DEBUG) console.error('varve: running without a bundle:', error)
  }
}
if (entry === undefined) {
  const { register: registerTsx } = await import('tsx/esm/api')
  register('./source-condition.js', import.meta.url)
  registerTsx()
  entry = '../src/main.ts'
}
await import(entry)
