import { ConnectionFileSchema, ErrorCode, TaskmasterError, type ConnectionFile } from '@taskmaster/protocol';

/** Where a running server describes itself, relative to the project root. */
export const CONNECTION_FILE = '.taskmaster/config/connection.json';

/**
 * Reads the connection file a running server wrote under `root`. Undefined
 * when there is none or its server is gone (the pid is not alive); throws 1003
 * when the file is not a valid connection file. Node only.
 */
export async function discoverServer(root: string): Promise<ConnectionFile | undefined> {
  // Imported here so browser bundles of the client never load node:fs.
  const { readFile } = await import('node:fs/promises');
  const file = `${root.replace(/[\\/]+$/, '')}/${CONNECTION_FILE}`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TaskmasterError(ErrorCode.FileAccessDenied, `cannot read ${CONNECTION_FILE}: ${(err as Error).message}`);
  }
  let parsed: ConnectionFile;
  try {
    parsed = ConnectionFileSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new TaskmasterError(
      ErrorCode.InvalidMessage,
      `${CONNECTION_FILE} is not a valid connection file (${describe(err)}); restart the server to rewrite it`,
    );
  }
  return isAlive(parsed.pid) ? parsed : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(err: unknown): string {
  const issue = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues?.[0];
  if (issue) return `${issue.path.map(String).join('.') || 'file'}: ${issue.message}`;
  return err instanceof Error ? err.message : String(err);
}
