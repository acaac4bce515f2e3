/**
 * A browser's part in the web app's end-to-end specs, over real HTTP: a cookie jar, forms posted
 * as application/x-www-form-urlencoded (an upload as multipart/form-data) with the page's origin,
 * redirects not followed (so a spec sees each 303), and the CSRF token read from the page it came from.
 */
export interface WebAnswer {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

/**
 * A file part of a multipart form: a chosen file, or `{ name: '', content: '' }` for a file input
 * left empty (a browser sends it with `filename=""`, fetch's FormData with no filename at all).
 */
export interface FilePart {
  name: string;
  content: string | Buffer;
  type?: string;
}

export class WebClient {
  readonly cookies = new Map<string, string>();
  /** The `_csrf` of the last page read that had one. */
  csrf = '';

  constructor(readonly base: string) {}

  private remember(response: Response): string[] {
    const set = response.headers.getSetCookie();
    for (const line of set) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return set;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private async answer(response: Response): Promise<WebAnswer> {
    const setCookies = this.remember(response);
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1];
    return { status: response.status, headers: response.headers, text, location: response.headers.get('location'), setCookies };
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<WebAnswer> {
    return this.answer(await fetch(this.base + path, { redirect: 'manual', headers: { ...this.cookieHeader(), ...headers } }));
  }

  /** Posts a form; `_csrf` is the last page's token unless given (null leaves it out), `origin` this server's unless given (null leaves it out). */
  async post(path: string, fields: Record<string, string | string[]>, o: { csrf?: string | null; origin?: string | null; headers?: Record<string, string> } = {}): Promise<WebAnswer> {
    const form = new URLSearchParams();
    const csrf = o.csrf === undefined ? this.csrf : o.csrf;
    if (csrf !== null) form.append('_csrf', csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    const origin = o.origin === undefined ? this.base : o.origin;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader(), ...(origin === null ? {} : { origin }), ...o.headers };
    return this.answer(await fetch(this.base + path, { method: 'POST', redirect: 'manual', headers, body: form.toString() }));
  }

  /**
   * Posts a multipart/form-data form (a file upload) with its parts in the order given, as a browser
   * sends them in the form's order: `_csrf` first (the last page's token unless given; null leaves it
   * out), then `fields`, where a FilePart is a file. `origin` as in post().
   */
  async postMultipart(path: string, fields: Record<string, string | FilePart>, o: { csrf?: string | null; origin?: string | null; headers?: Record<string, string> } = {}): Promise<WebAnswer> {
    const form = new FormData();
    const csrf = o.csrf === undefined ? this.csrf : o.csrf;
    if (csrf !== null) form.append('_csrf', csrf);
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string') form.append(k, v);
      else form.append(k, new Blob([typeof v.content === 'string' ? v.content : new Uint8Array(v.content)], { type: v.type ?? 'application/octet-stream' }), v.name);
    }
    const origin = o.origin === undefined ? this.base : o.origin;
    const headers: Record<string, string> = { ...this.cookieHeader(), ...(origin === null ? {} : { origin }), ...o.headers };
    return this.answer(await fetch(this.base + path, { method: 'POST', redirect: 'manual', headers, body: form }));
  }

  /** A new client at `base`, signed in as `email` through the sign-in page. */
  static async signedIn(base: string, email: string, password: string): Promise<WebClient> {
    const web = new WebClient(base);
    await web.signIn(email, password);
    return web;
  }

  /** Signs in through the sign-in page; throws unless it answers 303. */
  async signIn(email: string, password: string, next?: string): Promise<WebAnswer> {
    await this.get(`/app/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    const answer = await this.post('/app/login', { email, password, ...(next ? { next } : {}) });
    if (answer.status !== 303) throw new Error(`signing in ${email} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    return answer;
  }
}

/** The text of an element with this id in a page, tags removed. */
export function textOf(html: string, id: string): string | null {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? m[2].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim() : null;
}
