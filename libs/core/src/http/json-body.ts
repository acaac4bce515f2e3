import { MalformedRequest } from '../errors/domain-errors';

/** The deepest JSON body the API reads; the contract refuses anything deeper with a 4xx. */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * How deeply objects and arrays nest in a JSON text, stopping as soon as `limit` is passed: one
 * pass over the bytes, brackets inside strings skipped. It runs before JSON.parse, so nothing that
 * recurses over the value (class-transformer, class-validator, canonical JSON) ever sees a body
 * deep enough to exhaust the stack. Malformed text is left for the parser to refuse.
 */
export function jsonDepthExceeds(text: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Wraps Fastify's own JSON parser (prototype-poisoning checks, the empty-body error) with the
 * depth limit; the refusal is a 400 problem that names the limit.
 */
export function depthLimitedJsonParser<R>(parse: (request: R, body: string, done: Done) => void, limit = MAX_JSON_DEPTH): (request: R, body: Buffer, done: Done) => void {
  return (request, body, done) => {
    if (jsonDepthExceeds(body, limit)) {
      done(new MalformedRequest(`The JSON body is nested deeper than ${limit} levels, the most the API reads`));
      return;
    }
    parse(request, body.toString('utf8'), done);
  };
}
