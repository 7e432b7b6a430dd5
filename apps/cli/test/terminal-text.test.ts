import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonText, terminalText } from '../src/output.js';
import { cleanUp, makeProject, run, tasksFile } from './helpers.js';

afterEach(cleanUp);

// What a cloned repository's tasks.json could hold: set the terminal's title, write its clipboard (OSC 52),
// clear the screen, a carriage return that hides what came before, an 8-bit CSI, a right-to-left override.
const TITLE = 'Evil\u001b]0;pwned\u0007 title\r\u009b31m\u202Efdp.exe';
const DETAILS = 'x\u001b]52;c;aGVsbG8=\u0007y\u001b[2J';
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const task = (id: number, title: string, details = '') => ({ id, title, description: '', status: 'pending', priority: 'medium', dependencies: [], details, testStrategy: '', subtasks: [] });

describe('task text on a terminal', () => {
  it('reaches the terminal with every control character escaped, in list, show and errors', async () => {
    const dir = await makeProject();
    writeFileSync(tasksFile(dir), JSON.stringify({ master: { tasks: [task(1, TITLE, DETAILS), task(2, 'Fine')], metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: '' } } }));
    for (const args of [['list'], ['show', '1'], ['next']]) {
      const r = await run(args, dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(RAW_CONTROLS);
    }
    const shown = await run(['show', '1'], dir);
    expect(shown.stdout).toContain('Evil\\u001b]0;pwned\\u0007 title\\u000d\\u009b31m\\u202efdp.exe');
    expect(shown.stdout).toContain('x\\u001b]52;c;aGVsbG8=\\u0007y\\u001b[2J');
    // A tag name from the command line, echoed in an error.
    const err = await run(['list', '--tag', 'x\u001b]0;t\u0007'], dir);
    expect(err.code).toBe(1);
    expect(err.stderr).not.toMatch(RAW_CONTROLS);
    expect(err.stderr).toContain('x\\u001b]0;t\\u0007');
  });

  it('keeps JSON exact: the same value parsed back, with nothing raw a terminal acts on', async () => {
    const dir = await makeProject();
    writeFileSync(tasksFile(dir), JSON.stringify({ master: { tasks: [task(1, TITLE, DETAILS)], metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: '' } } }));
    const r = await run(['show', '1', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROLS);
    expect(JSON.parse(r.stdout)).toMatchObject({ task: { title: TITLE, details: DETAILS } });
  });

  it("keeps the colours the CLI paints itself, and only those", () => {
    expect(terminalText('\u001b[32mdone\u001b[39m \u001b[8mhidden\u001b[0m\ttab\nline')).toBe('\u001b[32mdone\u001b[39m \\u001b[8mhidden\\u001b[0m\ttab\nline');
    // Details written on Windows keep their lines; a lone carriage return is shown.
    expect(terminalText('one\r\ntwo\rthree')).toBe('one\ntwo\\u000dthree');
    expect(JSON.parse(jsonText({ t: TITLE }))).toEqual({ t: TITLE });
  });
});
