import { checkKrs, checkNip, checkRegon, ConfigError } from '@app/core';

/**
 * The identifiers and licence of the 360Giving files, from the environment (read once, at start;
 * a bad value stops the process like any other configuration error):
 *
 * - `OPEN_DATA_PREFIX`: the 360Giving publisher prefix, `{teryt}` and `{slug}` replaced by the
 *   municipality's; default `360G-gmina{teryt}`. Set it to the prefix 360Giving registered for you.
 * - `OPEN_DATA_FUNDER_ID`: the funder's organisation identifier (org-id.guide), e.g. the
 *   municipality's REGON as `PL-REGON-123456785`; with several municipalities, `teryt=id` pairs
 *   separated by commas. A municipality without one is identified by its publisher prefix
 *   (org-id.guide has no list of TERYT codes, and the database holds no REGON of a municipality).
 * - `OPEN_DATA_LICENSE`: the canonical URI of the data's licence; default CC BY 4.0.
 */
export interface OpenDataSettings {
  prefixTemplate: string;
  /** one identifier for every municipality, or null */
  funderId: string | null;
  /** TERYT → identifier */
  funderIds: ReadonlyMap<string, string>;
  license: string;
}

export const OPEN_DATA_SETTINGS = Symbol('OPEN_DATA_SETTINGS');

export const DEFAULT_PREFIX_TEMPLATE = '360G-gmina{teryt}';
export const DEFAULT_LICENSE = 'https://creativecommons.org/licenses/by/4.0/';

const PREFIX = /^360G-[A-Za-z0-9_-]+$/;
const ORG_ID = /^[A-Za-z0-9]+(-[A-Za-z0-9_.]+)+$/;
const TERYT = /^\d{7}$/;
const URI = /^https?:\/\/[^\s]+$/;

function fill(template: string, m: { teryt: string; slug: string }): string {
  return template.replaceAll('{teryt}', m.teryt).replaceAll('{slug}', m.slug);
}

/** Why an organisation identifier is refused, or null. Polish register numbers must pass their checksums. */
function orgIdProblem(id: string): string | null {
  if (!ORG_ID.test(id)) return `${id} is not an organisation identifier (a list code such as PL-REGON, a dash, the number)`;
  const pl = /^PL-(KRS|NIP|REGON)-(.*)$/.exec(id);
  if (pl) {
    const check = pl[1] === 'KRS' ? checkKrs(pl[2]) : pl[1] === 'NIP' ? checkNip(pl[2]) : checkRegon(pl[2]);
    if (check !== 'ok') return `${id}: the ${pl[1]} number is invalid (${check})`;
  }
  return null;
}

export function openDataSettings(env: NodeJS.ProcessEnv = process.env): OpenDataSettings {
  const problems: string[] = [];
  const prefixTemplate = env.OPEN_DATA_PREFIX?.trim() || DEFAULT_PREFIX_TEMPLATE;
  if (!PREFIX.test(fill(prefixTemplate, { teryt: '1261011', slug: 'krakow' }))) {
    problems.push('OPEN_DATA_PREFIX must be a 360Giving prefix: 360G- then letters, digits, "_" or "-" (may use {teryt} and {slug})');
  }
  let funderId: string | null = null;
  const funderIds = new Map<string, string>();
  const funder = env.OPEN_DATA_FUNDER_ID?.trim();
  if (funder && funder.includes('=')) {
    for (const pair of funder.split(',')) {
      const [teryt, id, ...rest] = pair.split('=').map((s) => s.trim());
      if (!TERYT.test(teryt ?? '') || !id || rest.length) {
        problems.push(`OPEN_DATA_FUNDER_ID: "${pair.trim()}" is not teryt=identifier (e.g. 1261011=PL-REGON-123456785)`);
        continue;
      }
      const problem = orgIdProblem(id);
      if (problem) problems.push(`OPEN_DATA_FUNDER_ID: ${problem}`);
      else funderIds.set(teryt, id);
    }
  } else if (funder) {
    const problem = orgIdProblem(funder);
    if (problem) problems.push(`OPEN_DATA_FUNDER_ID: ${problem}`);
    else funderId = funder;
  }
  const license = env.OPEN_DATA_LICENSE?.trim() || DEFAULT_LICENSE;
  if (!URI.test(license)) problems.push('OPEN_DATA_LICENSE must be the licence\'s http(s) URI');
  if (problems.length) throw new ConfigError(problems);
  return { prefixTemplate, funderId, funderIds, license };
}

/** The publisher prefix and the funder's identifier of one municipality. */
export function identifiersOf(settings: OpenDataSettings, m: { teryt: string; slug: string }): { prefix: string; funderId: string } {
  const prefix = fill(settings.prefixTemplate, m);
  return { prefix, funderId: settings.funderIds.get(m.teryt) ?? settings.funderId ?? prefix };
}
