export * from './entities';
export * from './migrations';
export * from './prepare';
export * from './seeds/demo';
export * from './seeds/first-start';
export * from './seeds/national';
