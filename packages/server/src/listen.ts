import type { Server } from 'node:net';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';

/** Which option a port came from, to name the right flag when it is taken. */
export type PortOption = 'port' | 'httpPort';

/** The error for a port that is taken, naming the flag and config key that change it. */
export function portInUse(port: number, option: PortOption): TaskmasterError {
  const flag = option === 'port' ? '--port' : '--http-port';
  const vite = port === 5173 ? ' (Vite uses it too)' : '';
  return new TaskmasterError(
    ErrorCode.ConnectionFailed,
    `port ${port} is in use${vite}; pass ${flag} <n> or set "${option}" in .taskmaster/config/sync.json`,
    { port, option },
  );
}

/** Listens on `host:port`; resolves with the port actually bound (for port 0). */
export function listen(server: Server, port: number, host: string, option: PortOption): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? portInUse(port, option) : err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
