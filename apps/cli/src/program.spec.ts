import { jest } from '@jest/globals';
import { CommanderError } from 'commander';
import { EXIT, exitCodeOf } from './errors';
import { buildProgram } from './program';

/** The program's parsing alone: no database, the work never runs (a usage error stops before it). */
describe('CLI program', () => {
  let written: string;
  beforeEach(() => {
    written = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((written += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((written += String(s)), true));
  });
  afterEach(() => jest.restoreAllMocks());

  async function exitCode(...args: string[]): Promise<number> {
    const run = jest.fn<Parameters<typeof buildProgram>[0]>();
    try {
      await buildProgram(run).parseAsync(args, { from: 'user' });
    } catch (error) {
      expect(error).toBeInstanceOf(CommanderError);
      expect(run).not.toHaveBeenCalled();
      return exitCodeOf(error);
    }
    return EXIT.ok;
  }

  it('answers --help with 0, on the program and on each command', async () => {
    expect(await exitCode('--help')).toBe(0);
    for (const command of ['user:create', 'municipality:create', 'import', 'report:compile', 'report:publish', 'report:export', 'audit:verify']) {
      expect(await exitCode(command, '--help')).toBe(0);
      expect(written).toContain(`Usage: npm run cli -- ${command}`);
    }
  });

  it('makes every usage error exit 2', async () => {
    expect(await exitCode()).toBe(2);
    expect(await exitCode('nope')).toBe(2);
    expect(await exitCode('audit:verify', '--nope')).toBe(2);
    expect(await exitCode('report:compile', '19')).toBe(2);
    expect(await exitCode('user:create', '--email', 'a@b.pl', '--role', 'boss')).toBe(2);
    expect(await exitCode('user:create', '--email', 'a@b.pl', '--role', 'ngo', '--password', 'long-enough')).toBe(2);
    expect(await exitCode('report:export', '2019', '--format', 'json', '--table', 'summary', '--out', 'x.json')).toBe(2);
    expect(await exitCode('audit:verify', '--all', '-m', 'krakow')).toBe(2);
    expect(written).toContain('error: give either --all or --municipality, not both');
  });
});
