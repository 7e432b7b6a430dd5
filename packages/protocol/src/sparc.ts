import * as z from 'zod';

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

/**
 * What SPARC is, in one line for help texts and `show`: the methodology's five
 * phases, and what a mode is here — the agent role a task is best handed to.
 */
export const SPARC_SUMMARY = 'SPARC: Specification, Pseudocode, Architecture, Refinement, Completion; a mode is the agent role suited to a task';

/**
 * The SPARC modes (the agent roles of the SPARC tool set, e.g. Roo Code's and
 * claude-flow's `.roomodes`): the only values a mapping may name.
 */
export const SPARC_MODES = [
  'sparc',
  'spec-pseudocode',
  'architect',
  'code',
  'tdd',
  'debug',
  'security-review',
  'docs-writer',
  'integration',
  'post-deployment-monitoring-mode',
  'refinement-optimization-mode',
  'ask',
  'devops',
  'tutorial',
  'supabase-admin',
  'mcp',
] as const;
export type SparcMode = (typeof SPARC_MODES)[number];

/** True when `mode` is one of {@link SPARC_MODES}. */
export function isSparcMode(mode: string): mode is SparcMode {
  return (SPARC_MODES as readonly string[]).includes(mode);
}

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
} satisfies SparcMappings & { byType: Record<string, SparcMode>; byKeyword: Record<string, SparcMode>; default: SparcMode };

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
