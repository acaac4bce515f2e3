// The zip archiver exceljs builds its workbooks with: package.json pins the version exceljs takes, so both share one copy.
declare module 'archiver/lib/core' {
  const Archiver: { prototype: { append(source: unknown, data: Record<string, unknown>): unknown } };
  export default Archiver;
}
