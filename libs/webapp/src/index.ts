export * from './webapp.module';
export * from './register';
export { WebSessions, SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS } from './sessions';
