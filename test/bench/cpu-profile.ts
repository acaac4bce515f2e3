import { readFileSync } from 'node:fs';

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and tells where the time went: self time grouped by
 * where the code lives (an npm package, Node's own modules, a library of this project, GC), and
 * the inclusive time of the project's own functions (hooks, guard, interceptors, controllers).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** sampled time outside (idle), ms */
  busyMs: number;
  /** [group, share of busy time] by self time, largest first */
  groups: Array<[string, number]>;
  /** [project function, share of busy time] by inclusive time, largest first */
  projectFunctions: Array<[string, number]>;
}

/** Where a frame's code lives. */
function groupOf(url: string, name: string): string {
  if (!url) return name === '(garbage collector)' ? 'GC' : name === '(program)' ? 'V8/native (program)' : `native ${name || '(anonymous)'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
  if (pkg) return pkg[1];
  const internal = /^node:(?:internal\/)?([^/]+)/.exec(url);
  if (internal) return `node:${internal[1].replace(/\.js$/, '')}`;
  const own = /\/(apps|libs)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url;
}

function projectFrame(url: string, name: string, line: number): string | null {
  const own = /\/((?:apps|libs)\/[^/]+\/src\/.+?)\.js$/.exec(url);
  return own ? `${name || '(anonymous)'} ${own[1]}:${line + 1}` : null;
}

export function summariseProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    busy += delta;
    const group = groupOf(node.callFrame.url, node.callFrame.functionName);
    self.set(group, (self.get(group) ?? 0) + delta);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      const key = projectFrame(f.url, f.functionName, f.lineNumber);
      if (key && !seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
      }
    }
  });
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]): [string, number] => [k, busy ? v / busy : 0]);
  return { busyMs: busy / 1000, groups: ranked(self), projectFunctions: ranked(inclusive) };
}
