import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS, GROUPS } from '../src/command-table.js';
import { cleanUp, emptyDir, run } from './helpers.js';

afterEach(cleanUp);

describe('help', () => {
  it('lists every command and the exit codes', async () => {
    const r = await run(['--help'], emptyDir());
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c.name);
    expect(r.stdout).toContain('Exit codes');
  });

  it('names an unknown command by its word alone, and says a Task Master AI command is to be run with task-master', async () => {
    const unknown = await run(['frobnicate', '--id', '3'], emptyDir());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown command 'frobnicate' — run 'taskmaster --help' for the list$/m);
    const expand = await run(['expand', '--id', '3'], emptyDir());
    expect(expand.code).toBe(1);
    expect(expand.stderr.trim()).toBe(
      "error: 'expand' is Task Master's own command (it asks an AI model to break tasks into subtasks) — run it as 'task-master expand' with the same options; a running sync server sends every client what it writes",
    );
    expect((await run(['--help'], emptyDir())).stdout).toMatch(/Left to Task Master \(most ask an AI model\): parse-prd, expand, /);
  });

  it("groups commands under Task Master's headings, then ours", async () => {
    const r = await run(['--help'], emptyDir());
    const lines = r.stdout.split('\n');
    const headings = lines.filter((l) => /^[A-Z].*:$/.test(l) && GROUPS.includes(l.slice(0, -1) as never));
    expect(headings.map((h) => h.slice(0, -1))).toEqual([...GROUPS]);
    for (const c of COMMANDS) {
      const at = lines.findIndex((l) => l.startsWith(`  ${c.name} `));
      const heading = lines.slice(0, at).reverse().find((l) => /^[A-Z].*:$/.test(l));
      expect(heading, c.name).toBe(`${c.group}:`);
    }
    expect(r.stdout).toMatch(/Subtask Management:\n {2}add-subtask /);
    expect(r.stdout).toMatch(/Dependency Management:\n {2}add-dependency /);
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
