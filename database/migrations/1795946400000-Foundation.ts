import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenancy, identity and the registers. Every domain table carries municipality_id, and every
 * reference between domain tables is a composite foreign key (municipality_id, id), so the
 * database itself refuses a row that points into another municipality.
 */
export class Foundation1795946400000 implements MigrationInterface {
  name = 'Foundation1795946400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE municipalities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        teryt char(7) NOT NULL CHECK (teryt ~ '^[0-9]{7}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT municipalities_slug_key UNIQUE (slug),
        CONSTRAINT municipalities_teryt_key UNIQUE (teryt)
      )`);

    await q.query(`
      CREATE TABLE app_settings (
        key text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    // The public-benefit spheres of art. 4 ust. 1: a dictionary shared by all municipalities,
    // versioned by the dates between which each wording is in force (NULL: open-ended).
    await q.query(`
      CREATE TABLE spheres (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code text NOT NULL CHECK (code ~ '^[0-9]{1,2}[a-z]?$'),
        name text NOT NULL,
        valid_from date,
        valid_to date,
        sort_key integer NOT NULL,
        CONSTRAINT spheres_code_from_key UNIQUE NULLS NOT DISTINCT (code, valid_from),
        CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)
      )`);

    await q.query(`
      CREATE TABLE ngos (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
        legal_form text NOT NULL CHECK (legal_form IN ('association', 'foundation', 'church-entity', 'cooperative', 'other')),
        krs char(10) CHECK (krs ~ '^[0-9]{10}$'),
        nip char(10) CHECK (nip ~ '^[0-9]{10}$'),
        regon varchar(14) CHECK (regon ~ '^([0-9]{9}|[0-9]{14})$'),
        email text,
        website text,
        address text,
        spheres text[] NOT NULL DEFAULT '{}',
        public_benefit boolean NOT NULL DEFAULT false,
        registered_on date,
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT ngos_municipality_id_key UNIQUE (municipality_id, id)
      )`);
    // KRS and NIP are unique within a municipality, archived records included (the history stays).
    await q.query(`CREATE UNIQUE INDEX ngos_krs_key ON ngos (municipality_id, krs) WHERE krs IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX ngos_nip_key ON ngos (municipality_id, nip) WHERE nip IS NOT NULL`);
    await q.query(`CREATE INDEX ngos_name_idx ON ngos (municipality_id, lower(name), id)`);
    await q.query(`CREATE INDEX ngos_spheres_idx ON ngos USING gin (spheres)`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        email text NOT NULL CHECK (email = lower(email)),
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'official', 'auditor', 'ngo')),
        ngo_id uuid,
        platform_admin boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email),
        CONSTRAINT users_ngo_fkey FOREIGN KEY (municipality_id, ngo_id) REFERENCES ngos (municipality_id, id),
        CONSTRAINT users_ngo_role_check CHECK ((role = 'ngo') = (ngo_id IS NOT NULL)),
        CONSTRAINT users_platform_admin_check CHECK (NOT platform_admin OR role = 'admin')
      )`);
    await q.query(`CREATE INDEX users_municipality_idx ON users (municipality_id, email)`);

    await q.query(`
      CREATE TABLE programs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        kind text NOT NULL CHECK (kind IN ('multi-year', 'annual')),
        start_year integer NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
        end_year integer NOT NULL CHECK (end_year BETWEEN 2000 AND 2100),
        parent_id uuid,
        resolution_number text,
        adopted_on date,
        spheres text[] NOT NULL DEFAULT '{}',
        planned_budget numeric(14,2) CHECK (planned_budget >= 0),
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT programs_municipality_id_key UNIQUE (municipality_id, id),
        CONSTRAINT programs_parent_fkey FOREIGN KEY (municipality_id, parent_id) REFERENCES programs (municipality_id, id),
        CONSTRAINT programs_years_check CHECK (start_year <= end_year),
        CONSTRAINT programs_annual_check CHECK (kind <> 'annual' OR start_year = end_year),
        CONSTRAINT programs_parent_kind_check CHECK (kind = 'annual' OR parent_id IS NULL)
      )`);
    await q.query(`CREATE INDEX programs_years_idx ON programs (municipality_id, start_year, end_year)`);
    await q.query(`CREATE INDEX programs_parent_idx ON programs (municipality_id, parent_id)`);

    // Funded tasks: the table is defined here with the contract's fields because programme
    // totals read it; its API and rules come with the cooperation-records work.
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_id uuid NOT NULL REFERENCES municipalities (id),
        program_id uuid NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        sphere text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('open-competition', 'small-grant', 'local-initiative', 'other-act')),
        form text NOT NULL CHECK (form IN ('support', 'entrustment')),
        competition_ref text,
        department text NOT NULL,
        amount_requested numeric(14,2) CHECK (amount_requested >= 0),
        amount_granted numeric(14,2) NOT NULL CHECK (amount_granted >= 0),
        amount_settled numeric(14,2) CHECK (amount_settled >= 0),
        start_date date NOT NULL,
        end_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('planned', 'contracted', 'in-progress', 'settled', 'terminated')),
        beneficiaries integer CHECK (beneficiaries >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT tasks_municipality_id_key UNIQUE (municipality_id, id),
        CONSTRAINT tasks_program_fkey FOREIGN KEY (municipality_id, program_id) REFERENCES programs (municipality_id, id),
        CONSTRAINT tasks_dates_check CHECK (start_date <= end_date)
      )`);
    await q.query(`CREATE INDEX tasks_program_idx ON tasks (municipality_id, program_id)`);
    await q.query(`CREATE INDEX tasks_start_idx ON tasks (municipality_id, start_date)`);
    await q.query(`
      CREATE TABLE task_ngos (
        municipality_id uuid NOT NULL,
        task_id uuid NOT NULL,
        ngo_id uuid NOT NULL,
        position smallint NOT NULL CHECK (position >= 0),
        PRIMARY KEY (task_id, ngo_id),
        CONSTRAINT task_ngos_position_key UNIQUE (task_id, position),
        CONSTRAINT task_ngos_task_fkey FOREIGN KEY (municipality_id, task_id) REFERENCES tasks (municipality_id, id) ON DELETE CASCADE,
        CONSTRAINT task_ngos_ngo_fkey FOREIGN KEY (municipality_id, ngo_id) REFERENCES ngos (municipality_id, id)
      )`);
    await q.query(`CREATE INDEX task_ngos_ngo_idx ON task_ngos (municipality_id, ngo_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['task_ngos', 'tasks', 'programs', 'users', 'ngos', 'spheres', 'app_settings', 'municipalities']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
