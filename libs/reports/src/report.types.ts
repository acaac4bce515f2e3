/** The figures of one municipality's year (../shared/domain.md, "What an annual report contains"). Money: two-decimal strings. */
export interface CountGranted {
  count: number;
  granted: string;
}

export interface Summary {
  programmes: Array<{ id: string; title: string; kind: 'multi-year' | 'annual'; startYear: number; endYear: number }>;
  tasks: {
    count: number;
    ngosFunded: number;
    granted: string;
    settled: string;
    competitions: number;
    /** every mode, zeros included */
    byMode: Record<string, CountGranted>;
    /** every form, zeros included */
    byForm: Record<string, CountGranted>;
    /** the sphere codes that occur */
    bySphere: Record<string, CountGranted>;
    /** the departments that occur */
    byDepartment: Record<string, CountGranted>;
  };
  activities: {
    count: number;
    /** every type, zeros included */
    byType: Record<string, number>;
    ngos: number;
  };
  commissions: { count: number; memberNgos: number; meetings: number };
  ngos: { registered: number; cooperating: number };
  /**
   * The open competitions of the year's annual programme (competitions.md): the calls announced
   * (not drafts), their submitted offers (not drafts, not withdrawn), the awarded offers, the
   * cancelled calls and the sum awarded. Present only when the year's programme has an announced
   * call in the system (a year before it ran its competitions elsewhere); absent, too, in revisions
   * published before it was added (their stored summary and hash stay as published).
   */
  calls?: CallsSummary;
}

export interface CallsSummary {
  count: number;
  offers: number;
  awarded: number;
  cancelled: number;
  granted: string;
}

/** A chart of a published revision: SVG made on the server at publication, readable without JavaScript. */
export interface ReportChart {
  key: string;
  title: string;
  /** the chart's content in words: alt text for screen readers and a caption */
  description: string;
  /** the wide drawing (660 px), for screens and print */
  svg: string;
  /** the narrow drawing (340 px) for a phone; absent in revisions published before 0.7.0 */
  narrowSvg?: string;
}

/** What a published revision shows beside the summary, frozen with it. */
export interface RevisionDetails {
  commissions: Array<{ id: string; name: string; sphere: string | null; department: string; termStart: string; termEnd: string; memberNgos: number; meetings: number }>;
  activities: Array<{ id: string; type: string; title: string; startDate: string; endDate: string | null; department: string; ngos: Array<{ id: string; name: string }> }>;
}

/** An NGO of a revision's task, as frozen at publication (the first of a task's list is the lead). */
export interface FrozenNgo {
  id: string;
  name: string;
  krs: string | null;
  nip: string | null;
  regon: string | null;
}

/**
 * One row of a revision's transparency table (report_revision_tasks), as ReportRevisions reads it:
 * the one type of that row; a reader of some of its columns takes a Pick of it.
 */
export interface RevisionTask {
  /** 1, 2, … in the order a reader scans the table */
  position: number;
  taskId: string;
  title: string;
  sphere: string;
  mode: string;
  form: string;
  department: string;
  competitionRef: string | null;
  amountRequested: string | null;
  amountGranted: string;
  amountSettled: string | null;
  startDate: string;
  endDate: string;
  status: string;
  beneficiaries: number | null;
  ngos: FrozenNgo[];
  /** the programme the task was funded under, as it was at publication */
  programId: string;
  programTitle: string;
}
