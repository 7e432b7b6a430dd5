import { describe, expect, it } from 'vitest';
import { documentName, escapeMarkdown, taskDocument, taskTooltip } from '../src/taskMarkdown.js';

const task = {
  id: 2,
  title: 'Write the *parser*',
  description: 'Parse tasks.json',
  details: 'Use zod.',
  status: 'in-progress',
  priority: 'high',
  dependencies: [1, '3.1'],
  subtasks: [
    { id: 1, title: 'Tokenizer', status: 'done' },
    { id: 2, title: 'Grammar' },
  ],
};

describe('task markdown', () => {
  it('puts description, dependencies and SPARC mode in the tooltip', () => {
    const text = taskTooltip({ tag: 'master', taskId: '2', task, sparcMode: 'tdd' });
    expect(text).toContain('Parse tasks\\.json');
    expect(text).toContain('**Dependencies:** 1, 3\\.1');
    expect(text).toContain('**SPARC mode:** tdd');
    expect(text).toContain('**Priority:** high');
  });

  it('renders a task as a broken tag holds it (a null title, a number for a status) without failing', () => {
    const broken = { id: 7, title: null, status: 5, dependencies: 'none of them', subtasks: [{ id: 1, title: 3 }] } as unknown as typeof task;
    const tooltip = taskTooltip({ tag: 'broken', taskId: '7', task: broken });
    expect(tooltip).toContain('**#7 \\(untitled\\)**');
    expect(tooltip).toContain('**Status:** 5');
    expect(tooltip).toContain('**Dependencies:** none');
    expect(taskDocument({ tag: 'broken', taskId: '7', task: broken })).toContain('- 7\\.1 \\(untitled\\) — *pending*');
  });

  it('escapes markdown in task text so a title cannot inject formatting', () => {
    expect(escapeMarkdown('a *b* [c](d)')).toBe('a \\*b\\* \\[c\\]\\(d\\)');
    expect(taskTooltip({ tag: 'master', taskId: '2', task })).toContain('Write the \\*parser\\*');
  });

  it('renders a document with every section and the subtasks with their status', () => {
    const doc = taskDocument({ tag: 'master', taskId: '2', task });
    expect(doc.startsWith('# 2. Write the \\*parser\\*')).toBe(true);
    expect(doc).toContain('## Details\n\nUse zod.');
    expect(doc).toContain('- 2\\.1 Tokenizer — *done*');
    expect(doc).toContain('- 2\\.2 Grammar — *pending*');
    expect(doc).not.toContain('## Test strategy');
  });

  it('names the document after the task, so its tab reads "Preview Task 24: …" and not "Preview 24.md"', () => {
    expect(documentName('24', 'Implement the parser')).toBe('Task 24: Implement the parser');
    expect(documentName('2.1', 'Read a/b\\c  files')).toBe('Task 2.1: Read a-b-c files');
    expect(documentName('7', 'x'.repeat(80))).toBe(`Task 7: ${'x'.repeat(59)}…`);
    expect(documentName('8', '  ')).toBe('Task 8');
  });
});
