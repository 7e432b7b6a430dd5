import * as z from 'zod';

/**
 * What the board reads besides events and methods: its page setup (BoardConfig, BoardMeta) and,
 * for its cards, what a task shows beyond tasks.json: the complexity score Task
 * Master's `analyze-complexity` wrote to its report, and the SPARC mode the
 * project's mappings give the task.
 */

/**
 * Task Master's complexity report (`analyze-complexity`), as far as we read
 * it: each analysed task's id and score (1–10). Other fields are kept as they are.
 */
export const ComplexityReportSchema = z
  .object({
    complexityAnalysis: z.array(z.object({ taskId: z.union([z.number(), z.string()]), complexityScore: z.number().min(0).max(10) }).loose()),
  })
  .loose();
export type ComplexityReport = z.infer<typeof ComplexityReportSchema>;

/**
 * The report's file in `.taskmaster/reports/`, named as Task Master names it:
 * `task-complexity-report.json` for master, `task-complexity-report_<tag>.json` for any other tag.
 */
export function complexityReportName(tag: string): string {
  return tag === 'master' ? 'task-complexity-report.json' : `task-complexity-report_${tag}.json`;
}

/** `tasks.annotations`' result: by top-level task id, the complexity score and the SPARC mode, where there is one. */
export const TaskAnnotationsSchema = z.object({
  tag: z.string(),
  complexity: z.record(z.string(), z.number()),
  sparc: z.record(z.string(), z.string()),
});
export type TaskAnnotations = z.infer<typeof TaskAnnotationsSchema>;

/**
 * `GET /board/config.json`: what the board's page learns from the server that
 * served it before it connects — where the WebSocket is, never the token.
 */
export const BoardConfigSchema = z.object({
  wsPort: z.number().int().min(1).max(65535),
  wsPath: z.string().startsWith('/'),
  wsScheme: z.enum(['ws', 'wss']),
});
export type BoardConfig = z.infer<typeof BoardConfigSchema>;

/**
 * The `<meta name="taskmaster-board" content="{json}">` contract: how a page
 * that hosts the board's bundle (VS Code's webview) configures it. Strict: a
 * field the board does not know is refused with a message on the page.
 */
export const BoardMetaSchema = z
  .object({
    /** WebSocket address, e.g. `ws://127.0.0.1:5173/taskmaster`. */
    url: z.string().regex(/^wss?:\/\//, 'url must be a ws:// or wss:// address'),
    /** HTTP fallback (polling) address. */
    httpUrl: z.string().regex(/^https?:\/\//).optional(),
    token: z.string().min(1).optional(),
    /** The tag to show first (default: Task Master's current tag). */
    tag: z.string().min(1).optional(),
    /** A task (`"5"`; `"5.2"` opens its parent) whose details drawer opens first: VS Code's "Open Task". */
    focus: z.string().regex(/^\d+(\.\d+)?$/, 'focus must be a task id such as "5" or "5.2"').optional(),
  })
  .strict();
export type BoardMeta = z.infer<typeof BoardMetaSchema>;
