// Runs `node bin/seq2seq.mjs` in a child process, as a user runs it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const PROJECT_DIR = join(import.meta.dirname, '..', '..');

export function cli(args: string[], stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/seq2seq.mjs', ...args], {
      cwd: PROJECT_DIR,
      env: { ...process.env, SEQ2SEQ_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
