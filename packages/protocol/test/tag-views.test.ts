import { describe, expect, it } from 'vitest';
import { ownTag, withTagsAs, withoutTags, type TasksFile } from '../src/index.js';

const tag = (title: string) => ({ tasks: [{ id: 1, title, status: 'pending' }], metadata: {} });

describe('a version with some tags as another holds them', () => {
  it('sets each tag to its value, leaves out one whose value is undefined, and copies only the top level', () => {
    const data = { master: tag('M'), feature: tag('broken now'), gone: tag('G') } as unknown as TasksFile;
    const view = withTagsAs(data, new Map<string, unknown>([['feature', tag('as it was')], ['gone', undefined]]));
    expect(view).toEqual({ master: tag('M'), feature: tag('as it was') });
    expect((view as Record<string, unknown>).master).toBe((data as Record<string, unknown>).master);
    // The version itself is left as it is, and returned as it is when nothing is to change.
    expect(Object.keys(data)).toEqual(['master', 'feature', 'gone']);
    expect(withTagsAs(data, new Map())).toBe(data);
    expect(withoutTags(data, ['gone'])).toEqual({ master: tag('M'), feature: tag('broken now') });
  });

  it('treats a tag named __proto__ as a tag, reading and setting it as its own key', () => {
    const data = JSON.parse('{"master": {"tasks": []}, "__proto__": {"tasks": []}}') as TasksFile;
    expect(ownTag(data, '__proto__')).toEqual({ tasks: [] });
    expect(ownTag(data, 'toString')).toBeUndefined();
    const view = withTagsAs(data, new Map([['__proto__', tag('held')]]));
    expect(Object.getPrototypeOf(view)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(view))).toEqual(JSON.parse(`{"master": {"tasks": []}, "__proto__": ${JSON.stringify(tag('held'))}}`));
  });
});
