import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open competitions (../shared/competitions.md): the call, the NGOs' offers on the 2018 form, the
 * call's commission with its members' declarations, their scores. Keys carry municipality_id in
 * front, like every tenant table (migration 1796000000050).
 *
 * - calls.status holds what was decided (draft, published, resolved, cancelled) and `closed` once
 *   the scheduler has recorded a passed deadline; readers treat a published call whose
 *   offers_until has passed as closed whatever the job has done (the clock decides).
 * - calls.prior_spend is frozen at publication (art. 13 ust. 2 pkt 7 as announced).
 * - offers.content holds the form's sections (money as two-decimal strings); grant_requested is
 *   copied out of it on every save, for the ranking, the resolution and the summary.
 * - offer_ngos: the offer's NGOs, the lead at position 0 (a joint offer has more).
 * - call_members: a member's declaration (declared_at, conflicts) and suspension (art. 15 ust. 2d).
 */
export class Competitions1796000000060 implements MigrationInterface {
  name = 'Competitions1796000000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calls (
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL,
        number text NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        sphere text NOT NULL,
        form text NOT NULL CHECK (form IN ('support', 'entrustment')),
        department text NOT NULL,
        budget numeric(14,2) NOT NULL CHECK (budget > 0),
        task_start date NOT NULL,
        task_end date NOT NULL,
        offers_until timestamptz NOT NULL,
        grant_rules text NOT NULL,
        selection_procedure text NOT NULL,
        decision_by date NOT NULL,
        min_grant numeric(14,2) CHECK (min_grant >= 0),
        max_grant numeric(14,2) CHECK (max_grant >= 0),
        own_contribution_min numeric(5,2) CHECK (own_contribution_min BETWEEN 0 AND 100),
        criteria jsonb NOT NULL,
        prior_spend jsonb,
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed', 'resolved', 'cancelled')),
        published_at timestamptz,
        closed_at timestamptz,
        resolved_at timestamptz,
        cancelled_at timestamptz,
        cancellation_reason text CHECK (cancellation_reason IN ('no-offers', 'no-valid-offers')),
        cancellation_justification text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (municipality_id, id),
        CONSTRAINT calls_number_key UNIQUE (municipality_id, number),
        CONSTRAINT calls_program_fkey FOREIGN KEY (municipality_id, program_id) REFERENCES programs (municipality_id, id),
        CONSTRAINT calls_task_dates_check CHECK (task_start <= task_end),
        CONSTRAINT calls_grants_check CHECK (min_grant IS NULL OR max_grant IS NULL OR min_grant <= max_grant),
        CONSTRAINT calls_published_check CHECK (status = 'draft' OR published_at IS NOT NULL),
        CONSTRAINT calls_cancelled_check CHECK ((status = 'cancelled') = (cancellation_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX calls_program_idx ON calls (municipality_id, program_id)`);
    await q.query(`CREATE INDEX calls_open_idx ON calls (offers_until) WHERE status = 'published'`);

    await q.query(`
      CREATE TABLE offers (
        municipality_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        call_id uuid NOT NULL,
        content jsonb NOT NULL,
        grant_requested numeric(14,2) CHECK (grant_requested >= 0),
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'accepted', 'rejected', 'awarded', 'not-awarded', 'withdrawn')),
        submitted_at timestamptz,
        checksum text,
        formal_result text CHECK (formal_result IN ('accepted', 'rejected')),
        formal_reason text,
        formal_by uuid,
        formal_at timestamptz,
        award numeric(14,2) CHECK (award > 0),
        task_id uuid,
        withdrawn_at timestamptz,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (municipality_id, id),
        CONSTRAINT offers_call_fkey FOREIGN KEY (municipality_id, call_id) REFERENCES calls (municipality_id, id),
        CONSTRAINT offers_task_fkey FOREIGN KEY (municipality_id, task_id) REFERENCES tasks (municipality_id, id),
        CONSTRAINT offers_submitted_check CHECK (status IN ('draft', 'withdrawn') OR (submitted_at IS NOT NULL AND checksum IS NOT NULL)),
        CONSTRAINT offers_awarded_check CHECK ((status = 'awarded') = (award IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX offers_call_idx ON offers (municipality_id, call_id, status)`);
    await q.query(`
      CREATE TABLE offer_ngos (
        municipality_id uuid NOT NULL,
        offer_id uuid NOT NULL,
        ngo_id uuid NOT NULL,
        position smallint NOT NULL CHECK (position >= 0),
        PRIMARY KEY (municipality_id, offer_id, ngo_id),
        CONSTRAINT offer_ngos_position_key UNIQUE (municipality_id, offer_id, position),
        CONSTRAINT offer_ngos_offer_fkey FOREIGN KEY (municipality_id, offer_id) REFERENCES offers (municipality_id, id) ON DELETE CASCADE,
        CONSTRAINT offer_ngos_ngo_fkey FOREIGN KEY (municipality_id, ngo_id) REFERENCES ngos (municipality_id, id)
      )`);
    await q.query(`CREATE INDEX offer_ngos_ngo_idx ON offer_ngos (municipality_id, ngo_id)`);

    await q.query(`
      CREATE TABLE call_members (
        municipality_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        call_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('chair', 'member')),
        nominated_by uuid,
        declared_at timestamptz,
        conflicts uuid[] NOT NULL DEFAULT '{}',
        suspended_at timestamptz,
        suspension_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (municipality_id, id),
        CONSTRAINT call_members_user_key UNIQUE (municipality_id, call_id, user_id),
        CONSTRAINT call_members_call_fkey FOREIGN KEY (municipality_id, call_id) REFERENCES calls (municipality_id, id),
        CONSTRAINT call_members_user_fkey FOREIGN KEY (municipality_id, user_id) REFERENCES users (municipality_id, id),
        CONSTRAINT call_members_ngo_fkey FOREIGN KEY (municipality_id, nominated_by) REFERENCES ngos (municipality_id, id)
      )`);
    await q.query(`CREATE INDEX call_members_user_idx ON call_members (municipality_id, user_id)`);

    await q.query(`
      CREATE TABLE offer_scores (
        municipality_id uuid NOT NULL,
        offer_id uuid NOT NULL,
        member_id uuid NOT NULL,
        scores jsonb NOT NULL,
        total numeric(8,2) NOT NULL CHECK (total >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (municipality_id, offer_id, member_id),
        CONSTRAINT offer_scores_offer_fkey FOREIGN KEY (municipality_id, offer_id) REFERENCES offers (municipality_id, id),
        CONSTRAINT offer_scores_member_fkey FOREIGN KEY (municipality_id, member_id) REFERENCES call_members (municipality_id, id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['offer_scores', 'call_members', 'offer_ngos', 'offers', 'calls']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
