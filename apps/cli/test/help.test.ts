import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-table.js';
import { cleanUp, emptyDir, run } from './helpers.js';

afterEach(cleanUp);

describe('help', () => {
  it('lists every command and the exit codes', async () => {
    const r = await run(['--help'], emptyDir());
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c.name);
    expect(r.stdout).toContain('Exit codes');
  });

  it('prints usage, options and examples for every command with --help and help <cmd>', async () => {
    const dir = emptyDir();
    for (const c of COMMANDS) {
      const r = await run([...c.name.split(' '), '--help'], dir);
      expect(r.code, c.name).toBe(0);
      expect(r.stdout).toContain(`Usage: taskmaster`);
      expect(r.stdout).toContain('Examples:');
    }
    const viaHelp = await run(['help', 'set-status'], dir);
    expect(viaHelp.stdout).toContain('--status');
  });
});
