import { z } from 'zod';

/**
 * `.taskmaster/sparc/mappings.json`: which SPARC mode a task maps to, by its
 * `type`/`category` field, by keywords in its title or description, else a
 * default. Shared by the CLI's `show` and the VS Code extension's tooltips.
 */
export const SparcMappingsSchema = z
  .object({
    version: z.number().optional(),
    byType: z.record(z.string(), z.string()).optional(),
    byKeyword: z.record(z.string(), z.string()).optional(),
    default: z.string().optional(),
  })
  .loose();
export type SparcMappings = z.infer<typeof SparcMappingsSchema>;

/** The mappings `taskmaster init` writes. */
export const DEFAULT_SPARC_MAPPINGS = {
  version: 1,
  byType: {
    feature: 'code',
    bug: 'debug',
    test: 'tdd',
    docs: 'docs-writer',
    research: 'ask',
    infrastructure: 'devops',
  },
  byKeyword: {
    test: 'tdd',
    spec: 'spec-pseudocode',
    architecture: 'architect',
    bug: 'debug',
    security: 'security-review',
    docs: 'docs-writer',
    refactor: 'refinement-optimization-mode',
    deploy: 'devops',
    integrat: 'integration',
  },
  default: 'code',
} satisfies SparcMappings;

/** A task's SPARC mode and why. */
export interface SparcMatch {
  mode: string;
  /** `type:X`, `keyword:Y` or `default`. */
  matchedBy: string;
}

interface TaskLike {
  title?: unknown;
  description?: unknown;
  type?: unknown;
  category?: unknown;
}

/**
 * The SPARC mode for a task: its `type` then `category` field looked up in
 * `byType`, else the first `byKeyword` entry (file order) that starts a word
 * of the title or description (case-insensitive: `integrat` matches
 * "Integration", `test` matches "testing" but not "contest"), else `default`.
 */
export function sparcModeFor(task: TaskLike, mappings: SparcMappings): SparcMatch | undefined {
  const byType = mappings.byType ?? {};
  for (const field of [task.type, task.category]) {
    if (typeof field !== 'string') continue;
    const key = Object.keys(byType).find((k) => k.toLowerCase() === field.toLowerCase());
    if (key !== undefined) return { mode: byType[key]!, matchedBy: `type:${key}` };
  }
  const text = [task.title, task.description].filter((s) => typeof s === 'string').join(' ').toLowerCase();
  for (const [keyword, mode] of Object.entries(mappings.byKeyword ?? {})) {
    if (startsAWord(text, keyword.toLowerCase())) return { mode, matchedBy: `keyword:${keyword}` };
  }
  return typeof mappings.default === 'string' ? { mode: mappings.default, matchedBy: 'default' } : undefined;
}

function startsAWord(text: string, prefix: string): boolean {
  if (!prefix) return false;
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9])${escaped}`).test(text);
}
