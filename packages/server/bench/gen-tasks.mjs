// Realistic Task Master tasks files for benchmarks, shaped like the repo's real fixture
// (shared/fixtures/taskmaster-repo-tasks.json): sentence-like titles, descriptions, details
// (some with Task Master's "<info added on …>" notes) and test strategies of the lengths
// Task Master writes, a mix of statuses and priorities, dependencies on earlier tasks, and
// a fifth of the tasks expanded into 2–5 subtasks that depend on each other.
// Deterministic: the same `n` (and seed) always gives the same file. About 1.4 KB a task
// pretty-printed (medians: title 40, description 130, details 350, testStrategy 180
// characters, like the fixture's smaller tags; its main tag's tasks run far longer).

const WORDS = (
  'add api auth build cache cli client command config context create data default dependency ' +
  'directory error event export field file flag format handler hook import index input json ' +
  'layer lock log manager message method migration model module option output package parser ' +
  'path plugin prompt provider query queue request response retry schema server service session ' +
  'status storage stream subtask sync tag task template test token tool type update user ' +
  'validation value version watcher workflow write'
).split(' ');
const VERBS = 'Implement Add Create Refactor Fix Update Integrate Document Validate Extract Support Migrate Test Remove Improve'.split(' ');
const STATUSES = [['done', 0.5], ['pending', 0.35], ['in-progress', 0.08], ['deferred', 0.04], ['cancelled', 0.03]];
const PRIORITIES = [['high', 0.3], ['medium', 0.5], ['low', 0.2]];

/** mulberry32: a small seeded PRNG, so every run generates the same file and the same updates. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateTasksFile(n, seed = 1) {
  const r = rng(seed + n);
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const weighted = (xs) => {
    let x = r();
    for (const [v, w] of xs) if ((x -= w) < 0) return v;
    return xs[0][0];
  };
  const sentence = (lo, hi) => {
    const words = [];
    for (let k = int(lo, hi); k > 0; k--) words.push(pick(WORDS));
    const s = words.join(' ');
    return s[0].toUpperCase() + s.slice(1) + '.';
  };
  /** Sentences up to about `chars` characters. */
  const text = (chars) => {
    const out = [];
    let len = 0;
    while (len < chars) {
      const s = sentence(5, 12);
      out.push(s);
      len += s.length + 1;
    }
    return out.join(' ');
  };
  const title = () => `${pick(VERBS)} ${sentence(3, 7).slice(0, -1).toLowerCase()}`;
  const date = (day) => new Date(Date.UTC(2025, 5, 1) + day * 86_400_000 + int(0, 86_399_999)).toISOString();
  const details = (lo, hi) => {
    let d = text(int(lo, hi));
    if (r() < 0.1) d += `\n<info added on ${date(int(0, 200))}>\n${text(int(100, 300))}\n</info added on ${date(int(0, 200))}>`;
    return d;
  };

  const tasks = [];
  for (let i = 1; i <= n; i++) {
    const dependencies = [];
    for (let k = i > 1 ? weighted([[0, 0.35], [1, 0.4], [2, 0.17], [3, 0.08]]) : 0; k > 0; k--) {
      const dep = int(Math.max(1, i - 40), i - 1);
      if (!dependencies.includes(dep)) dependencies.push(dep);
    }
    const status = weighted(STATUSES);
    const task = {
      id: i,
      title: title(),
      description: text(int(50, 150)),
      details: details(150, r() < 0.05 ? 1200 : 450),
      testStrategy: text(int(80, 220)),
      priority: weighted(PRIORITIES),
      dependencies,
      status,
      subtasks: [],
    };
    if (r() < 0.2) {
      for (let s = 1, count = int(2, 5); s <= count; s++) {
        task.subtasks.push({
          id: s,
          title: title(),
          description: text(int(40, 100)),
          dependencies: s > 1 ? (r() < 0.5 ? [s - 1] : [`${i}.${s - 1}`]) : [],
          details: details(60, 200),
          status: status === 'done' ? 'done' : weighted(STATUSES),
          testStrategy: text(int(40, 100)),
        });
      }
    }
    tasks.push(task);
  }
  return {
    master: {
      tasks,
      metadata: { created: date(0), updated: date(200), description: 'Tasks for master context' },
    },
  };
}
