export * from './sphere.entity';
export * from './spheres.module';
export * from './spheres.service';
