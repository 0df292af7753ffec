import { compareKeys, keyProblem, VarveError, validateKey, validatePrefix } from '@varve/core'
import { describe, expect, it } from 'vitest'

describe('store keys', () => {
  it.each([
    'a',
    'a/b/c',
    'revisions/0000018c-1f2a/abc',
    'données/été/日本語/🙂',
    "odd chars !#$%&'()+,;=@[]^`{}~ x",
    'a.b/c..d/e.',
  ])('accepts %j', (key) => {
    expect(keyProblem(key)).toBeUndefined()
    expect(validateKey(key)).toBe(key)
  })

  it.each([
    ['', /empty/],
    ['/a', /start or end/],
    ['a/', /start or end/],
    ['a//b', /start or end/],
    ['.', /start with '\.'/],
    ['a/../b', /start with '\.'/],
    ['a/./b', /start with '\.'/],
    ['a/.hidden', /start with '\.'/],
    ['a\\b', /"\\\\"/],
    ['a\u0000b', /\\u0000/],
    ['a:b', /":"/],
    ['x'.repeat(256), /segment/],
    [`${'x/'.repeat(600)}x`, /1024/],
    ['bad\ud800', /surrogate/],
  ])('refuses %j with a reason', (key, reason) => {
    expect(keyProblem(key)).toMatch(reason)
    let caught: unknown
    try {
      validateKey(key)
    } catch (error) {
      caught = error
    }
    expect(VarveError.is(caught, 'InvalidKey')).toBe(true)
    expect((caught as Error).message).toContain('Invalid store key')
  })

  it('accepts prefixes that end mid-segment or with a slash', () => {
    expect(validatePrefix('')).toBe('')
    expect(validatePrefix('a/b/')).toBe('a/b/')
    expect(validatePrefix('a/b')).toBe('a/b')
    expect(() => validatePrefix('/a')).toThrow(/Invalid key prefix/)
    expect(() => validatePrefix('a//')).toThrow(/Invalid key prefix/)
  })

  it('orders keys by UTF-8 bytes, as the clouds list them', () => {
    const keys = ['\uffff', '😀', 'b', 'a/b', 'a', 'é']
    expect([...keys].sort(compareKeys)).toEqual(['a', 'a/b', 'b', 'é', '\uffff', '😀'])
  })
})
