import { render } from 'preact';
import { App } from './components/App.js';
import { loadSetup, SetupError } from './config.js';
import { Session } from './session.js';
import './styles.css';

/** Reads the setup, connects, draws; a setup problem is shown as a sentence, never a blank page. */
async function start(root: HTMLElement): Promise<void> {
  try {
    const setup = await loadSetup();
    const session = new Session(setup);
    render(<App session={session} initialTag={setup.tag} initialFocus={setup.focus} />, root);
  } catch (err) {
    const message = err instanceof SetupError ? err.message : `The board could not start: ${err instanceof Error ? err.message : String(err)}`;
    render(
      <main class="fatal" role="alert" data-testid="error">
        <h1>Cannot open the board</h1>
        <p>{message}</p>
        <span class="connection offline" data-testid="connection">
          offline
        </span>
      </main>,
      root,
    );
  }
}

void start(document.getElementById('app')!);
