import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { createProgram } from '../src/program.ts'

function helpOf(command: Command): string {
  let text = ''
  command.configureOutput({ writeOut: (chunk) => (text += chunk) })
  command.outputHelp()
  return text
}

function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves)
}

describe('varve --help', () => {
  it('gives every command a description and examples of its use', () => {
    const commands = leaves(createProgram())
    expect(commands.map((c) => c.name())).toEqual(
      expect.arrayContaining([
        'init',
        'write',
        'read',
        'merge',
        'push',
        'publish',
        'replicate',
        'unpublish',
        'stats',
      ]),
    )
    for (const command of commands) {
      const help = helpOf(command)
      expect(command.description(), command.name()).not.toBe('')
      expect(help, command.name()).toMatch(/Examples?:\n( {2}\$ varve .+\n)+/)
    }
  })
})
