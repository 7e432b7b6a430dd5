// Child process for external-edit.bench.mjs: the floor under the watcher. A bare chokidar
// watch of the tasks file's directory with the options @taskmaster/watcher uses
// (src/directory-watch.ts), that reads and JSON.parses the file on every event: no
// debounce, no hashing, no validation, no diff, no server. It tells the parent when the
// parse that first shows the edit it was told to expect finished (its own clock:
// performance.timeOrigin + performance.now(), like the writer's rename time).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// chokidar as the watcher package depends on it (same copy, same version).
const require = createRequire(import.meta.url);
const fromWatcher = createRequire(require.resolve('@taskmaster/watcher/package.json'));
const { watch } = await import(pathToFileURL(fromWatcher.resolve('chokidar')).href);

const file = resolve(process.argv[2]);
const dir = dirname(file);
const name = basename(file);
const now = () => performance.timeOrigin + performance.now();

/** What the parent waits for: `tag`/`index`'s title to read `marker`. */
let expect;
let eventAt;
let reading = false;
let again = false;

function onEvent() {
  eventAt ??= now();
  if (reading) {
    again = true; // read once more when this read ends: it may have missed this event's bytes
    return;
  }
  void read();
}

async function read() {
  reading = true;
  try {
    do {
      again = false;
      const firstEventAt = eventAt;
      eventAt = undefined;
      let data;
      let readAt;
      try {
        const bytes = await readFile(file);
        readAt = now();
        data = JSON.parse(bytes.toString('utf8'));
      } catch {
        continue; // missing or half-written: the next event brings it
      }
      const doneAt = now();
      if (expect && data?.[expect.tag]?.tasks?.[expect.index]?.title === expect.marker) {
        expect = undefined;
        process.send({ floor: { eventAt: firstEventAt, readAt, doneAt } });
      }
    } while (again);
  } finally {
    reading = false;
  }
}

const watcher = watch(dir, {
  depth: 0,
  ignoreInitial: true,
  atomic: false,
  ignored: (path) => path !== dir && basename(path) !== name,
});
watcher.on('all', (_event, path) => {
  if (path === file) onEvent();
});
watcher.on('raw', (_event, evPath, details) => {
  const watched = details?.watchedPath;
  if (evPath ? basename(evPath) === name : watched === dir || watched === file) onEvent();
});
watcher.on('error', (err) => console.error('floor watch error:', err));
await new Promise((done) => watcher.once('ready', done));

process.on('message', async (msg) => {
  if (msg?.expect) {
    expect = msg.expect;
    process.send({ expecting: true });
  } else if (msg === 'close') {
    await watcher.close();
    process.exit(0);
  }
});
process.send({ ready: true });
