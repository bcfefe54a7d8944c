#!/usr/bin/env bash
#
# test/shell/sqlsmith.sh — random SQL against the extension (issue #19, README "Tests"):
# SQLsmith (Debian's sqlsmith) generates queries from the catalog — every table, view,
# function and operator of schema invoice among PostgreSQL's own — and runs them against a
# database loaded with the demo's data (test/demo.sql), first as a superuser, then as a
# tenant: a viewer of one organisation, wired as README "Security model" says, connected
# with its role (options -c role=…).  Each pass is seeded (SQLSMITH_SEED, default 19) and
# bounded (SQLSMITH_QUERIES per pass, default 2500; `make test-long` runs 50,000).
#
# Fails on any backend crash: a sentinel connection, open for the whole pass, is ended by
# the postmaster's crash recovery if any backend dies; and no query may lose its
# connection (SQLSTATE class 08 or none in SQLsmith's log).  Prints the counts: queries,
# errors by SQLSTATE (from SQLsmith's --log-to tables, in a database of their own), crashes.
#
# Run it inside a cluster, as a superuser, with the connection environment set (e.g. under
# pg_virtualenv).  TAP on stdout; its databases and role are dropped at the end.

set -u

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

# shellcheck source=lib/tap.sh
. test/shell/lib/tap.sh

DB="invoice_sqlsmith_$$"
LOG="invoice_sqlsmith_log_$$"
TENANT="sqlsmith_tenant_$$"
QUERIES=${SQLSMITH_QUERIES:-2500}
SEED=${SQLSMITH_SEED:-19}
sentinel=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	[ -z "$sentinel" ] || kill "$sentinel" 2>/dev/null
	dropdb --if-exists "$DB" >/dev/null 2>&1
	dropdb --if-exists "$LOG" >/dev/null 2>&1
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS $TENANT" >/dev/null 2>&1
}
trap cleanup EXIT

if ! command -v sqlsmith >/dev/null; then
	not_ok "sqlsmith is installed (test/deps.sh)"
	echo "1..$n"
	exit 1
fi

# The demo's data, and a tenant that sees one organisation.
if ! createdb "$DB" || ! PGDATABASE=$DB bash test/demo.sh --in-cluster >/dev/null 2>&1 ||
	! psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL
CREATE ROLE $TENANT NOLOGIN;
GRANT $TENANT TO CURRENT_USER;
GRANT USAGE ON SCHEMA invoice TO $TENANT;
GRANT SELECT ON ALL TABLES IN SCHEMA invoice TO $TENANT;
REVOKE SELECT ON invoice.api_secret FROM $TENANT;
GRANT EXECUTE ON FUNCTION invoice.invoice_pay(text, invoice.cents, text, text), invoice.invoice_cancel(text, text),
                          invoice.invoice_dispute(text, text), invoice.invoice_topup(text, invoice.cents, text, text)
   TO $TENANT;
INSERT INTO invoice.members (org_id, member, role) VALUES ('org-acme', '$TENANT', 'viewer');
ALTER ROLE $TENANT SET search_path = invoice, public;
SQL
then
	not_ok "the demo's data loaded into $DB"
	echo "1..$n"
	exit 1
fi

# SQLsmith's log tables (what its --log-to inserts)
createdb "$LOG" && psql -X -q -v ON_ERROR_STOP=1 -d "$LOG" >/dev/null <<'SQL'
CREATE TABLE instance (id bigserial PRIMARY KEY, rev text, target text, hostname text, version text, seed text,
                       t timestamptz DEFAULT now());
CREATE TABLE error (id bigint, msg text, query text, sqlstate text, t timestamptz DEFAULT now());
CREATE TABLE stat (id bigint, generated bigint, level real, nodes real, updated timestamptz, retries bigint,
                   impedance jsonb);
SQL

# conninfo KEY=VALUE of the environment's server, for SQLsmith (a libpq connection string)
base="dbname=$DB"
logto="dbname=$LOG"

# pass NAME CONNINFO-EXTRA: one seeded pass; TAP lines and the counts
pass()
{
	local name=$1 extra=$2 out rc instance crashed=0 lost
	# the sentinel: a connection the postmaster ends if any backend crashes
	psql -X -q -d "$DB" -c "SELECT pg_sleep(3600)" >/dev/null 2>&1 &
	sentinel=$!
	sleep 0.5
	out=$(timeout 900 sqlsmith --target="$base $extra" --log-to="$logto" --seed="$SEED" \
		--max-queries="$QUERIES" --verbose 2>&1)
	rc=$?
	if ! kill -0 "$sentinel" 2>/dev/null; then
		crashed=1
	fi
	kill "$sentinel" 2>/dev/null
	wait "$sentinel" 2>/dev/null
	sentinel=
	instance=$(psql -X -A -t -d "$LOG" -c "SELECT max(id) FROM instance")
	lost=$(psql -X -A -t -d "$LOG" -c "SELECT count(*) FROM error WHERE id = $instance
	                                     AND (sqlstate IS NULL OR sqlstate = '' OR sqlstate LIKE '08%')")
	echo "# sqlsmith $name: $QUERIES queries (seed $SEED), sqlsmith exit status $rc; errors by SQLSTATE:"
	psql -X -A -t -F ' ' -d "$LOG" -c "SELECT coalesce(nullif(sqlstate, ''), '(none)'), count(*) FROM error
	                                    WHERE id = $instance GROUP BY 1 ORDER BY 2 DESC, 1" | sed 's/^/#   /'
	echo "# sqlsmith $name: $(psql -X -A -t -d "$LOG" -c "SELECT count(*) FROM error WHERE id = $instance") errors, crashes: $crashed"
	check "sqlsmith as $name: SQLsmith ran its $QUERIES queries (exit status)" "$rc" 0
	[ "$rc" -eq 0 ] || echo "$out" | tail -n 20 | sed 's/^/#   /'
	check "sqlsmith as $name: no backend crashed (the sentinel connection survived)" "$crashed" 0
	check "sqlsmith as $name: no query lost its connection" "$lost" 0
	if [ "$lost" != 0 ]; then
		psql -X -A -t -d "$LOG" -c "SELECT left(query, 2000) FROM error WHERE id = $instance
		                             AND (sqlstate IS NULL OR sqlstate = '' OR sqlstate LIKE '08%') LIMIT 3" | sed 's/^/#   /'
	fi
}

pass superuser ""
pass tenant "options='-c role=$TENANT'"

echo "1..$n"
[ "$failed" -eq 0 ]
