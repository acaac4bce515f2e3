import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REVISION_TASK_FIELDS } from './report-revisions.repository';

// Jest runs from the repository's root (jest.config.mjs)
const ROOT = process.cwd();
/** SQL that reads the revision tables (comments that name them do not count). */
const READS_REVISIONS = /\b(?:from|join)\s+report_revision(?:s|_tasks)\b/i;
/** The repository, and ReportsService, which writes revisions and joins the newest to its report row. */
const OWNERS = ['libs/reports/src/report-revisions.repository.ts', 'libs/reports/src/reports.service.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' || entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('ReportRevisions', () => {
  it('is the only reader of report_revisions and report_revision_tasks outside the publication', () => {
    const readers = ['libs', 'apps', 'database']
      .flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((file) => READS_REVISIONS.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file))
      .sort();
    expect(readers).toEqual([...OWNERS].sort());
  });

  it('tells a read of the revision tables from a comment that names them', () => {
    expect(READS_REVISIONS.test('SELECT max(r.revision) FROM report_revisions r')).toBe(true);
    expect(READS_REVISIONS.test('FROM municipalities m JOIN report_revision_tasks t ON true')).toBe(true);
    expect(READS_REVISIONS.test('/** one row of report_revision_tasks */')).toBe(false);
  });

  it('reads every column a publication freezes into a revision task, in the same order', () => {
    const service = readFileSync(join(ROOT, 'libs/reports/src/reports.service.ts'), 'utf8');
    const insert = /INSERT INTO report_revision_tasks \(([^)]*)\)/.exec(service);
    expect(insert).not.toBeNull();
    const columns = insert![1].split(',').map((c) => c.trim());
    expect(columns.slice(0, 3)).toEqual(['municipality_id', 'year', 'revision']);
    const snake = REVISION_TASK_FIELDS.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    expect(snake).toEqual(columns.slice(3));
  });
});
