import { startCodeServer, type CodeServer } from './codeServer.js';
import { makeProject, ProjectServer, removeProject, runCli, type ProjectTasks } from './project.js';
import { findTools, type E2eTools } from './tools.js';
import { Workbench } from './workbench.js';

/**
 * A sample project with a running sync server, opened in a fresh code-server
 * and chromium: what every suite of the real-editor tests starts from.
 * `close()` tears everything down, even after a failed start.
 */
export class LiveProject {
  private server: ProjectServer | undefined;
  private editor: CodeServer | undefined;
  private page: Workbench | undefined;
  private readonly roots: string[] = [];

  private constructor(readonly tools: E2eTools) {}

  /** Opens a project holding `tasks`: the small sample (default) or the 182-task fixture. */
  static async open(tasks: ProjectTasks = 'sample'): Promise<LiveProject> {
    const live = new LiveProject(findTools());
    try {
      const root = await live.makeProject(tasks);
      live.server = new ProjectServer(root);
      await live.server.start();
      live.editor = await startCodeServer(live.tools.codeServer, live.tools.vsix);
      live.page = await Workbench.open(live.tools.chromium, live.editor.folderUrl(root));
      return live;
    } catch (err) {
      await live.close();
      throw err;
    }
  }

  /** The project the workbench opened. */
  get root(): string {
    return this.roots[0]!;
  }

  get projectServer(): ProjectServer {
    return this.server!;
  }

  get codeServer(): CodeServer {
    return this.editor!;
  }

  get workbench(): Workbench {
    return this.page!;
  }

  /** Another sample project, removed (and any daemon in it stopped) on close. */
  async makeProject(tasks: ProjectTasks = 'sample'): Promise<string> {
    const root = await makeProject(this.tools.cli, tasks);
    this.roots.push(root);
    return root;
  }

  /** Runs the taskmaster CLI in `root` (default: the opened project), as another process would. */
  cli(args: string[], root = this.root): Promise<string> {
    return runCli(root, this.tools.cli, args);
  }

  async close(): Promise<void> {
    await this.page?.close().catch(() => {});
    await this.editor?.stop().catch(() => {});
    await this.server?.stop().catch(() => {});
    for (const root of this.roots) {
      await runCli(root, this.tools.cli, ['sync', 'server', 'stop']).catch(() => {});
      await removeProject(root);
    }
  }
}
