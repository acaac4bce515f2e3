import { ActivityEntity } from '@app/activities';
import { CommissionEntity, CommissionMeetingEntity, CommissionMemberEntity } from '@app/commissions';
import { MunicipalityEntity, UserEntity } from '@app/identity';
import { NgoEntity } from '@app/ngos';
import { ProgramEntity } from '@app/programs';
import { SphereEntity } from '@app/spheres';
import { TaskEntity } from '@app/tasks';

/** Every entity; the Nest processes load theirs through their modules, the scripts here use this list. */
export const entities = [MunicipalityEntity, UserEntity, SphereEntity, NgoEntity, ProgramEntity, TaskEntity, ActivityEntity, CommissionEntity, CommissionMemberEntity, CommissionMeetingEntity];
