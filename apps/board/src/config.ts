import { BoardConfigSchema, BoardMetaSchema, type BoardMeta } from '@taskmaster/protocol';

/** Where the board connects and with what: from the host page's meta tag (protocol's BoardMeta), or learned from the server. */
export type BoardSetup = BoardMeta;

/** sessionStorage key of the token: the tab keeps it across reloads; it never goes into a URL or a log. */
export const TOKEN_KEY = 'taskmaster-board-token';

/** A setup problem worth a sentence on the page (not a stack trace). */
export class SetupError extends Error {}

/**
 * The board's setup: the meta tag when the host page gives one, else the
 * token from the URL fragment (moved into sessionStorage and removed from
 * the address bar, so it is not bookmarked, shared or kept in history) and
 * the WebSocket port from the server that served the page.
 */
export async function loadSetup(doc: Document = document, win: Window = window): Promise<BoardSetup> {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="taskmaster-board"]');
  if (meta) return parseMeta(meta.content);

  const token = takeFragmentToken(win) ?? win.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  let response: Response;
  try {
    // Same request as index.html's preload, so the answer already on its way is used.
    response = await fetch(new URL('board/config.json', win.location.origin + '/'));
  } catch {
    throw new SetupError('The sync server does not answer. Is it running? Start it with: taskmaster board');
  }
  if (!response.ok) throw new SetupError(`The sync server answered ${response.status} to board/config.json; restart it with: taskmaster board`);
  const parsed = BoardConfigSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new SetupError('board/config.json is not what this board expects; is the CLI up to date?');
  const { wsScheme, wsPort, wsPath } = parsed.data;
  const setup: BoardSetup = { url: `${wsScheme}://${win.location.hostname}:${wsPort}${wsPath}`, httpUrl: win.location.origin };
  if (token !== undefined) setup.token = token;
  return setup;
}

function parseMeta(content: string): BoardSetup {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new SetupError('the taskmaster-board meta tag does not hold JSON');
  }
  const parsed = BoardMetaSchema.safeParse(json);
  if (!parsed.success) throw new SetupError(`the taskmaster-board meta tag is invalid: ${parsed.error.issues[0]?.message ?? 'unknown field'}`);
  return parsed.data;
}

/** `#token=…` → sessionStorage; the fragment is then removed from the address bar and history. */
function takeFragmentToken(win: Window): string | undefined {
  const hash = win.location.hash.replace(/^#/, '');
  if (!hash) return undefined;
  const token = new URLSearchParams(hash).get('token') ?? undefined;
  if (token === undefined || token === '') return undefined;
  win.sessionStorage.setItem(TOKEN_KEY, token);
  win.history.replaceState(win.history.state, '', win.location.pathname + win.location.search);
  return token;
}
