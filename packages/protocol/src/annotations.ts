import { z } from 'zod';

/**
 * What a board card shows beyond tasks.json: the complexity score Task
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
