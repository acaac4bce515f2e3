export * from './identity.module';
export * from './municipality.entity';
export * from './user.entity';
export * from './password-hasher';
export * from './municipalities';
export * from './login-rate-limit';
export * from './login-backoff';
