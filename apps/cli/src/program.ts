import { ROLES, type Role } from '@app/core';
import { Argument, Command, Option } from 'commander';
import type { ExportRequest } from './commands/export.command';
import { UsageError } from './errors';
import type { Outcome } from './outcome';
import { readPassword } from './password';
import type { GlobalOptions, Session } from './session';
import {
  EXPORT_DELIMITERS,
  EXPORT_FORMATS,
  EXPORT_TABLES,
  IMPORT_KINDS,
  NATIONAL_DEFAULT_SEED,
  parseContentHash,
  parseEmail,
  parseName,
  parseNgoRef,
  parseRevision,
  parseScale,
  parseSeed,
  parseSlug,
  parseTeryt,
  parseYear,
  type ImportKind,
  type NgoRef,
} from './values';

// The commands' modules (the domain libraries, Nest, TypeORM) load when a command runs, so that
// --help and usage errors answer at once.
const identity = () => import('./commands/identity.commands');
const reports = () => import('./commands/report.commands');
const imports = () => import('./commands/import.command');
const exports_ = () => import('./commands/export.command');
const national = () => import('./commands/national.command');

/** How the program runs a command's work: in a database session, printing its outcome (main.ts; a test may pass another). */
export type RunInSession = (globals: GlobalOptions, work: (session: Session) => Promise<Outcome>) => Promise<void>;

export const PROGRAM_NAME = 'npm run cli --';

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${PROGRAM_NAME} ${l}`).join('\n')}\n`;

const municipalityOption = () =>
  new Option('-m, --municipality <slug>', 'the municipality to work in (default: MUNICIPALITY_SLUG, else krakow)').argParser(parseSlug);

const yearArgument = () => new Argument('<year>', 'the report\'s year (2000–2100)').argParser(parseYear);

/**
 * The command line (api-contract.md, "Command line"): one program, eight commands, `--help` on
 * each. Usage errors (commander's own, and the cross-option checks below) go through
 * `command.error()`, which exitOverride turns into a CommanderError that main.ts maps to exit 2.
 */
export function buildProgram(run: RunInSession): Command {
  const program = new Command(PROGRAM_NAME)
    .description('Operator commands of the NGO cooperation tracker, run on the server against its database (DATABASE_URL, else the embedded PostgreSQL under DATA_DIR).')
    .option('--json', 'print the result as JSON on stdout (messages and progress stay on stderr)')
    .option('--verbose', 'log what happens (database, migrations) and print the stack of a failure')
    .option('--no-progress', 'no progress bar or progress lines for long work')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s),
    })
    .exitOverride()
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText(
      'after',
      [
        '',
        'Environment (as for npm start; a .env file in the current directory is read):',
        '  DATABASE_URL       the PostgreSQL to use; unset: the embedded one under DATA_DIR/postgres (a running one is',
        '                     used as it is; one the command has to start is stopped again at the end)',
        '  MUNICIPALITY_SLUG  the default of --municipality (krakow)',
        '',
        'Pending migrations are applied before a command. The writes are audited as the actor "cli:<your OS user name>".',
        'Exit codes: 0 done, 1 failed (the reason on stderr), 2 usage error.',
        'For output to parse, keep npm\'s banner off stdout: npm run -s cli -- --json <command> …',
        '',
      ].join('\n') +
        examples('user:create --email anna@krakow.pl --role official --password-stdin < password.txt', 'report:compile 2024', 'audit:verify --all', 'report:export --help'),
    );

  const globalsOf = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
  /** A usage error found by a command's own checks: the same output and exit code (2) as commander's. */
  const usage = async <T>(cmd: Command, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof UsageError) cmd.error(`error: ${error.message}`, { exitCode: 2, code: 'cli.usage' });
      throw error;
    }
  };

  program
    .command('user:create')
    .summary('create a user of a municipality')
    .description('Create a user of a municipality. The password follows the API\'s rules (8–200 characters); pipe it in with --password-stdin, or type it at the prompt.')
    .requiredOption('--email <address>', 'the user\'s email (their sign-in name)', parseEmail)
    .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).makeOptionMandatory())
    .option('--ngo <id-or-krs>', 'for the ngo role: the NGO the user speaks for, by id or KRS number', parseNgoRef)
    .option('--password-stdin', 'read the password from stdin (one line)')
    .option('--password <password>', 'the password (visible to other users of the machine: prefer --password-stdin)')
    .addOption(municipalityOption())
    .addHelpText(
      'after',
      examples(
        'user:create --email anna@krakow.pl --role official --password-stdin < password.txt',
        "user:create --email biuro@fundacja.pl --role ngo --ngo 0000123456 --password-stdin <<< 'a-long-password'",
        'user:create --email audyt@wieliczka.pl --role auditor -m wieliczka',
      ),
    )
    .action(async (o: { email: string; role: Role; ngo?: NgoRef; password?: string; passwordStdin?: boolean; municipality?: string }, cmd: Command) => {
      const password = await usage(cmd, async () => {
        if (o.role === 'ngo' && !o.ngo) throw new UsageError('--ngo <id-or-krs> is required for the ngo role');
        if (o.role !== 'ngo' && o.ngo) throw new UsageError('--ngo is only for the ngo role');
        return readPassword({ given: o.password, fromStdin: o.passwordStdin, flag: '--password' });
      });
      await run(globalsOf(cmd), async (s) => (await identity()).createUser(s, { email: o.email, role: o.role, ngo: o.ngo, password, municipality: o.municipality }));
    });

  program
    .command('municipality:create')
    .summary('create a municipality with its first admin')
    .description('Create another municipality with its first admin (what the platform admin does with POST /municipalities).')
    .requiredOption('--name <name>', 'the municipality\'s name, e.g. "Wieliczka"', parseName)
    .requiredOption('--slug <slug>', 'its address in the public pages, /{slug}: lowercase letters, digits, dashes', parseSlug)
    .requiredOption('--teryt <code>', 'its TERYT code (7 digits)', parseTeryt)
    .requiredOption('--admin-email <address>', 'the email of its first admin', parseEmail)
    .option('--admin-password-stdin', 'read the admin\'s password from stdin (one line)')
    .option('--admin-password <password>', 'the admin\'s password (visible to other users of the machine: prefer --admin-password-stdin)')
    .addHelpText('after', examples('municipality:create --name Wieliczka --slug wieliczka --teryt 1219064 --admin-email admin@wieliczka.pl --admin-password-stdin < password.txt'))
    .action(async (o: { name: string; slug: string; teryt: string; adminEmail: string; adminPassword?: string; adminPasswordStdin?: boolean }, cmd: Command) => {
      const adminPassword = await usage(cmd, () => readPassword({ given: o.adminPassword, fromStdin: o.adminPasswordStdin, flag: '--admin-password' }));
      await run(globalsOf(cmd), async (s) => (await identity()).createMunicipality(s, { name: o.name, slug: o.slug, teryt: o.teryt, adminEmail: o.adminEmail, adminPassword }));
    });

  program
    .command('import')
    .summary('import NGOs or funded tasks from a CSV or XLSX file')
    .description('Import NGOs or funded tasks from a CSV or XLSX file whose columns are the API\'s field names (as POST /imports/{kind}). Nothing is written when any row is bad: every error is listed as "line L, column C: message" and the command exits 1.')
    .addArgument(new Argument('<kind>', 'what the file holds').choices(IMPORT_KINDS))
    .argument('<file>', 'the file: .csv (UTF-8, comma or semicolon) or .xlsx')
    .option('--dry-run', 'check every row and report, write nothing')
    .addOption(municipalityOption())
    .addHelpText('after', examples('import ngos organizacje.csv --dry-run', 'import tasks zadania-2024.xlsx -m wieliczka'))
    .action(async (kind: ImportKind, file: string, o: { dryRun?: boolean; municipality?: string }, cmd: Command) => {
      const globals = globalsOf(cmd);
      await run(globals, async (s) => (await imports()).importFile(s, { kind, file, dryRun: Boolean(o.dryRun), municipality: o.municipality, progress: globals.progress !== false }));
    });

  program
    .command('report:compile')
    .summary('compile a year\'s annual report (a draft)')
    .description('Compile a year\'s annual report now (a draft until published), whatever its input fingerprint says.')
    .addArgument(yearArgument())
    .addOption(municipalityOption())
    .addHelpText('after', examples('report:compile 2024', 'report:compile 2024 --json -m wieliczka'))
    .action(async (year: number, o: { municipality?: string }, cmd: Command) => {
      await run(globalsOf(cmd), async (s) => (await reports()).compileReport(s, year, o.municipality));
    });

  program
    .command('report:publish')
    .summary('publish the newest compile as the next revision')
    .description('Publish the newest compile of a year\'s report as its next revision (the public pages show it at once).')
    .addArgument(yearArgument())
    .option('--content-hash <hex>', 'refuse unless the draft still has this content hash (the one you reviewed, printed by report:compile)', parseContentHash)
    .addOption(municipalityOption())
    .addHelpText('after', examples('report:publish 2024', 'report:publish 2024 --content-hash 3f1c…e9 (all 64 characters)'))
    .action(async (year: number, o: { contentHash?: string; municipality?: string }, cmd: Command) => {
      await run(globalsOf(cmd), async (s) => (await reports()).publishReport(s, year, o.contentHash, o.municipality));
    });

  program
    .command('report:export')
    .summary('write a year\'s report to a CSV, XLSX or JSON file')
    .description('Write a year\'s report (the summary and one row per task) to a file: the newest published revision, or the draft.')
    .addArgument(yearArgument())
    .addOption(new Option('--format <format>', 'the file format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <file>', 'the file to write (replaced if it exists)')
    .option('--revision <draft|N>', 'which version: a published revision\'s number, or draft for the newest compile (default: the newest published revision)', parseRevision)
    .addOption(new Option('--delimiter <delimiter>', 'CSV only: the separator (semicolon for spreadsheet programs set to Polish; default: comma)').choices(EXPORT_DELIMITERS))
    .addOption(new Option('--table <table>', 'CSV only: which table the file holds, one row per task or the summary\'s figures (default: tasks); XLSX and JSON hold both').choices(EXPORT_TABLES))
    .addOption(municipalityOption())
    .addHelpText(
      'after',
      examples(
        'report:export 2024 --format xlsx --out sprawozdanie-2024.xlsx',
        'report:export 2024 --format csv --delimiter semicolon --revision draft --out draft.csv',
        'report:export 2024 --format csv --table summary --revision 2 --out podsumowanie.csv',
      ),
    )
    .action(async (year: number, o: Omit<ExportRequest, 'year' | 'progress'>, cmd: Command) => {
      const globals = globalsOf(cmd);
      await usage(cmd, async () => {
        if (o.format !== 'csv' && o.delimiter) throw new UsageError('--delimiter applies to --format csv only');
        if (o.format !== 'csv' && o.table) throw new UsageError('--table applies to --format csv only (XLSX and JSON hold both tables)');
      });
      await run(globals, async (s) => (await exports_()).exportReport(s, { ...o, year, progress: globals.progress !== false }));
    });

  program
    .command('audit:verify')
    .summary('verify the audit trail\'s hash chain')
    .description('Recompute the audit trail\'s hash chain and report the first entry changed or removed behind the application\'s back; exits 1 when the chain is broken.')
    .addOption(municipalityOption())
    .option('--all', 'verify every municipality\'s trail')
    .addHelpText('after', examples('audit:verify', 'audit:verify --all --json'))
    .action(async (o: { municipality?: string; all?: boolean }, cmd: Command) => {
      await usage(cmd, async () => {
        if (o.all && o.municipality) throw new UsageError('give either --all or --municipality, not both');
      });
      await run(globalsOf(cmd), async (s) => (await reports()).verifyAudit(s, { municipality: o.municipality, all: Boolean(o.all) }));
    });

  program
    .command('demo:national')
    .summary('load a synthetic country (2 807 self-governments) in bulk')
    .description(
      'Generate a deterministic synthetic country, 2 477 gminy, 314 powiaty and 16 województwa with their programmes 2023–2026, about 300 000 NGOs (valid KRS, NIP, REGON), 1 000 000 funded tasks, commissions and activities, and load it with COPY in one transaction (no audit entries, as the demo data). Refused when the database already holds it.',
    )
    .option('--scale <fraction>', 'a proportional part of the country, e.g. 0.01 for 1 % (default: 1, the whole)', parseScale, 1)
    .option('--seed <n>', `the generators' seed: the same seed and scale give the same rows (default: ${NATIONAL_DEFAULT_SEED})`, parseSeed, NATIONAL_DEFAULT_SEED)
    .addHelpText('after', examples('demo:national --scale 0.01', 'demo:national', 'demo:national --scale 0.1 --seed 7 --json'))
    .action(async (o: { scale: number; seed: number }, cmd: Command) => {
      const globals = globalsOf(cmd);
      await run(globals, async (s) => (await national()).loadNational(s, { scale: o.scale, seed: o.seed, progress: globals.progress !== false }));
    });

  return program;
}
