import { MunicipalityEntity, UserEntity } from '@app/identity';
import { NgoEntity } from '@app/ngos';
import { ProgramEntity } from '@app/programs';
import { SphereEntity } from '@app/spheres';

/** Every entity; the Nest processes load theirs through their modules, the scripts here use this list. */
export const entities = [MunicipalityEntity, UserEntity, SphereEntity, NgoEntity, ProgramEntity];
