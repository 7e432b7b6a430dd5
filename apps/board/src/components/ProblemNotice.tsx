import { BROKEN_TAG_FIX } from '@taskmaster/protocol';
import { fileProblemNotice, type ServerProblems } from '@taskmaster/client';

export interface ProblemNoticeProps {
  fileProblem: ServerProblems['file'];
  /** The tag on view, and what is wrong with it when it is broken. */
  tag: string;
  tagProblem: string | undefined;
}

/**
 * Why what the board shows may be out of date: the server cannot read
 * tasks.json (missing, not JSON, not a tasks file), or the tag on view holds
 * a task that does not validate. Both say what still works and how to mend
 * it; nothing is drawn while all is well.
 */
export function ProblemNotice({ fileProblem, tag, tagProblem }: ProblemNoticeProps) {
  if (fileProblem) {
    return (
      <div class="notice" role="alert" data-testid="file-notice">
        {fileProblemNotice(fileProblem, 'The board')}
      </div>
    );
  }
  if (tagProblem === undefined) return null;
  return (
    <div class="notice" role="alert" data-testid="tag-notice">
      {`Tag ${tag} holds a task that is not valid (${tagProblem}). Until it is fixed its cards may be out of date, and only a change that fixes it is taken: ${BROKEN_TAG_FIX}.`}
    </div>
  );
}
