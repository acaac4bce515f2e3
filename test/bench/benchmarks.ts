import { auditWritesBenchmark } from './audit-writes.bench';
import type { Benchmark } from './benchmark';
import { compileBenchmark } from './compile.bench';
import { exportMemoryBenchmark } from './export-memory.bench';
import { importBenchmark } from './import.bench';
import { importWritesBenchmark } from './import-writes.bench';
import { importLinearBenchmark, importRateBenchmark, importTaskWritesBenchmark } from './import-tasks.bench';
import { nightlyNationalBenchmark } from './nightly-national.bench';
import { reportPageBenchmark, smallReportPageBenchmark } from './report-page.bench';
import { taskListPageBenchmark } from './task-list-page.bench';
import { taskPageNationalBenchmark } from './task-page-national.bench';

/** Every benchmark of `npm run bench`, in the order they run: one file each, one line here (task-page-national and nightly-national last: they load the national set into the shared bench database, the second one using what the first loaded). */
export const BENCHMARKS: Benchmark[] = [reportPageBenchmark, smallReportPageBenchmark, compileBenchmark, exportMemoryBenchmark, importBenchmark, taskListPageBenchmark, auditWritesBenchmark, importWritesBenchmark, importRateBenchmark, importLinearBenchmark, importTaskWritesBenchmark, taskPageNationalBenchmark, nightlyNationalBenchmark];
