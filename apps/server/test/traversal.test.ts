import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/index.ts'
import { makeRepoFolder, type RepoFolder, SECRET } from './fixtures.ts'
import { rawRequest } from './raw-request.ts'

let folder: RepoFolder
let server: RunningServer
const TOKEN = 'traversal-test-token-0123456789'

beforeAll(async () => {
  folder = await makeRepoFolder(20)
  server = await startServer({ repo: folder.repo, port: 0, log: false, token: TOKEN })
})
afterAll(async () => {
  await server?.close()
  await folder?.cleanup()
})

// Each names the secret beside the repository (../secret.txt), or a system file, in another disguise.
const evilPaths = [
  '/repo/../secret.txt',
  '/repo/%2e%2e/secret.txt',
  '/repo/%2E%2E/secret.txt',
  '/repo/.%2e/secret.txt',
  '/repo/..%2fsecret.txt',
  '/repo/..%2Fsecret.txt',
  '/repo/%2e%2e%2fsecret.txt',
  '/repo/collections/..%2f..%2fsecret.txt',
  '/repo/..%5csecret.txt',
  '/repo/..\\secret.txt',
  '/repo/%252e%252e/secret.txt',
  '/repo//etc/hostname',
  '/repo/%2fetc%2fhostname',
  '/repo/%2Fetc/hostname',
  '/repo/C:%5cWindows',
  '/repo/secret.txt%00',
  '/repo/varve.json%00.png',
  '/repo/./varve.json',
  '/repo/collections/../../secret.txt',
  '/repo/?path=../../..',
  '/repo/?path=../secret.txt',
  '/repo/varve.json?path=../../../etc/hostname',
  '/repo/.varve/list?prefix=../',
  '/repo/.varve/list?prefix=..%2f',
  '/repo/.varve/list?prefix=%2e%2e/',
  '/repo/.varve/list?prefix=/etc/',
  '/repo/.varve/list?prefix=%00',
  '/repo/.varve-index.json',
  '/api/collections/..%2f..%2fsecret.txt',
  '/api/collections/%2e%2e',
  '/api/collections/temperature/series/..%2f..%2f..%2fsecret.txt',
  '/api/collections/temperature/series/%00',
  '/api/collections?path=../../..',
  '/../secret.txt',
  '/viewer/../../secret.txt',
  '/viewer/..%2f..%2fsecret.txt',
  '/vendor/..%2f..%2f..%2fpackage.json',
  '/repo/%c0%ae%c0%ae/secret.txt',
  '/repo/%e0%80%ae%e0%80%ae/secret.txt',
  '/repo/%zz',
  '/repo/%',
  '/api/collections/%E0%A4%A',
  '/repo/varve.json;/../../secret.txt',
  `/repo/${'a/'.repeat(600)}x`,
]

describe('no request reaches outside the repository', () => {
  it.each(evilPaths)('GET %s', async (path) => {
    const answer = await rawRequest(server.url, path)
    expect(answer.body.toString('latin1')).not.toContain(SECRET)
    expect(answer.body.toString('latin1')).not.toMatch(/"name":\s*"@varve\/server"|root:x:0/)
    expect(answer.status).toBeLessThan(500)
    // Unknown query parameters are ignored and a label is any text, not a path: those may answer 200.
    if (path.startsWith('/repo/') && !path.includes('?path=')) expect([400, 404]).toContain(answer.status)
  })

  it.each(['/repo/../secret.txt', '/repo/%2e%2e/secret.txt', '/repo/..%2fsecret.txt', '/repo/%2fsecret.txt'])(
    'PUT and DELETE %s with the token are refused',
    async (path) => {
      const headers = { authorization: `Bearer ${TOKEN}` }
      const put = await rawRequest(server.url, path, { method: 'PUT', headers, body: Buffer.from('x') })
      expect(put.status).toBe(400)
      const del = await rawRequest(server.url, path, { method: 'DELETE', headers })
      expect(del.status).toBe(400)
    },
  )

  it('serves the objects that are inside', async () => {
    const marker = await rawRequest(server.url, '/repo/varve.json')
    expect(marker.status).toBe(200)
    expect(JSON.parse(marker.body.toString())).toEqual({ format: 'varve', version: 1 })
    const list = await rawRequest(server.url, '/repo/.varve/list?prefix=collections/')
    expect(JSON.parse(list.body.toString())).toEqual({
      keys: ['collections/prices', 'collections/temperature'],
    })
  })
})
