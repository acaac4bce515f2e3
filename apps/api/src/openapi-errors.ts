import type { OpenAPIObject } from '@nestjs/swagger';

/** The media type every error answer carries (RFC 9457); the filter adds `; charset=utf-8`. */
const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The shape of a problem details body, as ProblemFilter writes it (libs/core/src/errors/problem.ts). */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'Names the kind of problem' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'The fields that are invalid or the rules that are broken',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' }, rule: { type: 'string' } },
      },
    },
  },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Response {
  description?: string;
  content?: Record<string, unknown>;
  [key: string]: unknown;
}
interface Operation {
  parameters?: unknown[];
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, Response>;
}

/**
 * Adds the error answers every operation shares, where the controller did not declare them:
 * 400 when it takes parameters or a body, 401 and 403 when it needs a bearer token (its
 * `security` is set, which @Permit does through @ApiBearerAuth), 429 on the sign-in and 503
 * everywhere but the liveness probe. Every 4xx and 5xx answer, declared or added, is described
 * as problem details (application/problem+json). Changes the document in place and returns it.
 */
export function addSharedErrorResponses(document: OpenAPIObject, apiPrefix: string): OpenAPIObject {
  const login = `/${apiPrefix}/auth/login`;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      const add = (status: number, description: string) => {
        responses[String(status)] ??= { description };
      };
      if (operation.parameters?.length || operation.requestBody) add(400, 'Malformed or invalid input; errors[] names the fields');
      if (operation.security?.length) {
        add(401, 'No or bad token');
        add(403, 'The role forbids it');
      }
      if (path === login && method === 'post') add(429, 'Too many sign-in attempts (Retry-After)');
      if (path !== '/health/live') add(503, 'The database does not answer');
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        response.description ||= 'An error; see the problem details';
        response.content ??= { [PROBLEM_MEDIA_TYPE]: { schema: PROBLEM_SCHEMA } };
      }
    }
  }
  return document;
}
