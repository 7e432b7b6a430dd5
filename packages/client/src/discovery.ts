import { ConnectionFileSchema, describeIssue, ErrorCode, issuesOf, TaskmasterError, type ConnectionFile } from '@taskmaster/protocol';

/** Where a running server describes itself, relative to the project root. */
export const CONNECTION_FILE = '.taskmaster/config/connection.json';

/** The certificate of a running wss:// server (public, no key), copied there by the CLI's `sync server start`. */
export const SERVER_CERT_FILE = '.taskmaster/config/server.crt';

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
    throw new TaskmasterError(ErrorCode.FileAccessDenied, `cannot read ${CONNECTION_FILE}: ${(err as Error).message}; check its owner and mode (the server writes it as yours, 0600)`);
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

/**
 * The CAs to trust for a wss:// server under `root`: Node's default CAs plus
 * `.taskmaster/config/server.crt` (so a self-signed certificate works).
 * Undefined when there is no such file: the default trust store decides. Node only.
 */
export async function discoverServerCa(root: string): Promise<string[] | undefined> {
  // Imported here so browser bundles of the client never load node:fs or node:tls.
  const { readFile } = await import('node:fs/promises');
  let pem: string;
  try {
    pem = await readFile(`${root.replace(/[\\/]+$/, '')}/${SERVER_CERT_FILE}`, 'utf8');
  } catch {
    return undefined;
  }
  const { rootCertificates } = await import('node:tls');
  return [...rootCertificates, pem];
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
  const issue = issuesOf(err)?.[0];
  if (issue) return describeIssue(issue) || 'file: invalid';
  return err instanceof Error ? err.message : String(err);
}
