import type { DependencyProblem } from '@taskmaster/protocol';

/** One dependency problem in words: `task 5 depends on 99, which does not exist`. */
export function describeProblem({ id, dependsOn, problem }: DependencyProblem): string {
  if (problem === 'self') return `task ${id} depends on itself`;
  if (problem === 'missing') return `task ${id} depends on ${dependsOn}, which does not exist`;
  return `task ${id} depends on ${dependsOn}, which depends back on ${id} (a cycle)`;
}
