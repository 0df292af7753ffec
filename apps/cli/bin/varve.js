#!/usr/bin/env node
// The workspace runs on its TypeScript sources (no build step): tsx compiles
// them on load (cached between runs), and a resolve hook adds the
// '@varve/source' export condition so that @varve/* packages resolve to their
// src/ files, as they do in the tests.
import { register } from 'node:module'
import { register as registerTsx } from 'tsx/esm/api'

register('./source-condition.js', import.meta.url)
registerTsx()
await import('../src/main.ts')
