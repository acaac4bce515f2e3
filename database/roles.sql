-- The two-role deployment: an owner role that owns the schema (migrations, first-start bootstrap)
-- and an application role that only reads and writes rows and may only append to the audit trail.
-- Run once, as a superuser (or a role with CREATEROLE and CREATEDB), with psql:
--
--   psql "postgres://postgres@db.example/postgres" -v ON_ERROR_STOP=1 \
--     -v database=ngo_tracker -v owner=ngo_owner -v owner_password="$OWNER_PASSWORD" \
--     -v app=ngo_app -v app_password="$APP_PASSWORD" -f database/roles.sql
--
-- then start the service with
--
--   DATABASE_MIGRATION_URL=postgres://ngo_owner:…@db.example/ngo_tracker
--   DATABASE_URL=postgres://ngo_app:…@db.example/ngo_tracker
--
-- On every start the owner applies the migrations and grants the application role its rights
-- on the tables (database/runtime-grants.ts), so nothing here needs repeating after an upgrade.
-- Neither role is a superuser: only the owner (whose password stays with whoever deploys) can
-- alter the tables or disable their triggers.

CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE :"app" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE DATABASE :"database" OWNER :"owner";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"app";

\connect :"database"
ALTER SCHEMA public OWNER TO :"owner";
-- before PostgreSQL 15 everyone may create objects in public: no one but the owner may
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
