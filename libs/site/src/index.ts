export * from './public-pages.cache';
export * from './public-pages.module';
export * from './site.module';
export { PAGE_CSP, STYLESHEET, TABLE as TABLE_TEMPLATE } from './templates';
export * from './site.routes';
export * from './site.service';
export { matchesIfNoneMatch } from './http-cache';
export * from './fast-path';
