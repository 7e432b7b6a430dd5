import { describe, expect, it } from 'vitest';
import { explicitEndpoints } from '../src/endpoints.js';
import { cliCommand } from '../src/serverProcess.js';

describe('explicitEndpoints', () => {
  it('leaves everything to connection.json when the settings are empty', () => {
    expect(explicitEndpoints({ host: '', port: 0, httpPort: 0, token: '' })).toEqual({});
  });

  it('builds the socket and HTTP addresses from host and ports', () => {
    expect(explicitEndpoints({ host: 'localhost', port: 6000, httpPort: 6001, token: 'a-long-enough-token' })).toEqual({
      url: 'ws://localhost:6000/taskmaster',
      httpUrl: 'http://localhost:6001',
      token: 'a-long-enough-token',
    });
    expect(explicitEndpoints({ host: '', port: 6000, httpPort: 0, token: '' })).toEqual({ url: 'ws://127.0.0.1:6000/taskmaster' });
  });
});

describe('cliCommand', () => {
  it('runs a .js CLI with node and anything else as a program', () => {
    expect(cliCommand('')).toEqual({ command: 'taskmaster', prefix: [] });
    expect(cliCommand('tools/bin.js')).toEqual({ command: process.execPath, prefix: ['tools/bin.js'] });
  });
});
