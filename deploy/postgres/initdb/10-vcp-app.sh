#!/bin/sh
# Runs once, when the postgres-data volume is empty: creates the application's role and database so the API
# and workers do not connect as the superuser (which Temporal's schema setup needs). The role owns its
# database, so the migrations the processes apply on start can create their tables and the drizzle schema.
set -eu
: "${VCP_DB_NAME:?}" "${VCP_DB_USER:?}" "${VCP_DB_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_user="$VCP_DB_USER" -v app_password="$VCP_DB_PASSWORD" -v app_db="$VCP_DB_NAME" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
SQL
