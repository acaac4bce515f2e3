import { Foundation1795946400000 } from './1795946400000-Foundation';
import { SeedSpheres1795946400001 } from './1795946400001-SeedSpheres';
import { CooperationRecords1795946400002 } from './1795946400002-CooperationRecords';
import { Reports1795946400003 } from './1795946400003-Reports';
import { AccountSecurity1796000000003 } from './1796000000003-AccountSecurity';
import { CanonicalReportHashes1796000000001 } from './1796000000001-CanonicalReportHashes';
import { AuditRoles1796000000004 } from './1796000000004-AuditRoles';
import { WebSessions1796000000005 } from './1796000000005-WebSessions';
import { TwoFactor1796000000010 } from './1796000000010-TwoFactor';
import { SharedRateLimits1796000000030 } from './1796000000030-SharedRateLimits';
import { AuditSealAtCommit1796000000040 } from './1796000000040-AuditSealAtCommit';
import { DistributionKeys1796000000050 } from './1796000000050-DistributionKeys';
import { Competitions1796000000060 } from './1796000000060-Competitions';
import { NightlyWorkList1796000000070 } from './1796000000070-NightlyWorkList';
import { AuditSealAfterCommit1796000000080 } from './1796000000080-AuditSealAfterCommit';

/** Every migration, in order. A new migration is added here as well as in its file. */
export const migrations = [Foundation1795946400000, SeedSpheres1795946400001, CooperationRecords1795946400002, Reports1795946400003, CanonicalReportHashes1796000000001, AccountSecurity1796000000003, AuditRoles1796000000004, WebSessions1796000000005, TwoFactor1796000000010, SharedRateLimits1796000000030, AuditSealAtCommit1796000000040, DistributionKeys1796000000050, Competitions1796000000060, NightlyWorkList1796000000070, AuditSealAfterCommit1796000000080];
