/*
 * invoice.h
 *		Shared declarations of the invoice extension's C code: error codes,
 *		status values and the SPI helpers every trigger and function uses.
 */
#ifndef INVOICE_H
#define INVOICE_H

#include "fmgr.h"
#include "executor/spi.h"
#include "utils/date.h"
#include "utils/tuplestore.h"
#include "utils/timestamp.h"

/*
 * SQLSTATEs of the billing rules, in the implementation-defined class "IV"
 * (see README "Error codes").  Data errors use the standard codes.
 */
#define ERRCODE_INVOICE_INVALID_TRANSITION	MAKE_SQLSTATE('I','V','0','0','1')
#define ERRCODE_INVOICE_FROZEN				MAKE_SQLSTATE('I','V','0','0','2')
#define ERRCODE_INVOICE_OVERPAYMENT			MAKE_SQLSTATE('I','V','0','0','3')
#define ERRCODE_INVOICE_PAYMENT_CONFLICT	MAKE_SQLSTATE('I','V','0','0','4')
#define ERRCODE_INVOICE_NOT_PAYABLE			MAKE_SQLSTATE('I','V','0','0','5')
#define ERRCODE_INVOICE_DERIVED_AMOUNT		MAKE_SQLSTATE('I','V','0','0','6')
#define ERRCODE_INVOICE_NUMBERING			MAKE_SQLSTATE('I','V','0','0','7')
#define ERRCODE_INVOICE_BALANCE				MAKE_SQLSTATE('I','V','0','0','8')
#define ERRCODE_INVOICE_GST					MAKE_SQLSTATE('I','V','0','0','9')
#define ERRCODE_INVOICE_CREDIT_NOTE			MAKE_SQLSTATE('I','V','0','1','0')
#define ERRCODE_INVOICE_USAGE_CONFLICT		MAKE_SQLSTATE('I','V','0','1','1')

/* The values of invoice.status, in enum order. */
typedef enum InvoiceStatus
{
	INVOICE_DRAFT,
	INVOICE_PENDING,
	INVOICE_OVERDUE,
	INVOICE_PAID,
	INVOICE_CANCELLED
} InvoiceStatus;

#define INVOICE_STATUS_COUNT 5

extern const char *invoice_status_name(InvoiceStatus status);
extern InvoiceStatus invoice_status_from_datum(Datum value);
extern Datum invoice_status_datum(InvoiceStatus status);
extern Oid	invoice_status_type(void);	/* the OID of invoice.status (changes if the extension is re-created) */

/*
 * Run SQL with the search_path pinned to pg_catalog, invoice, pg_temp, so
 * that nothing in the caller's path can stand in for a table, function or
 * operator the extension means.
 */
extern int	invoice_pin_search_path(void);
extern void invoice_unpin_search_path(int nest_level);

/* Prepare once per backend and keep: the plans of the extension's own SQL. */
extern SPIPlanPtr invoice_prepare(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes);

/*
 * The same, always run with its generic plan: for statements that are
 * cheaper to run than to plan, written so that one plan serves every value.
 */
extern SPIPlanPtr invoice_prepare_generic(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes);

/*
 * Where the extension's SQL runs (shards.c): every trigger runs inside
 * invoice_trigger_on_shard(), and every statement is prepared or executed
 * through the functions below, so that inside a trigger on a Citus shard the
 * SQL names the colocated shards on this node instead of the distributed tables.
 */
extern Datum invoice_trigger_on_shard(FunctionCallInfo fcinfo, const char *tables, PGFunction impl);
extern bool invoice_on_shard(void);

/*
 * Work on one organisation's rows runs on the node that holds them: the
 * public function finds the organisation and checks access, then — on a
 * Citus coordinator — sends the call, an expression over o.org_id and $2…,
 * as the router query SELECT call FROM invoice.orgs o WHERE o.org_id = $1.
 * The SQL-callable *_on_node function it names runs its body inside
 * invoice_call_in_org(), with the organisation (its first argument) in
 * force: its SQL names the shards on that node.  Rows it returns are turned
 * into the tables' own row types with invoice_logical_row().
 */
extern bool invoice_distributed(void);
extern bool invoice_on_citus_worker_node(void);
/*
 * Before a call the coordinator sends to a node (src/node_calls.c): the
 * session's changed settings sent along; a call that writes (or carries
 * settings) made part of the caller's distributed transaction.
 */
extern void invoice_prepare_node_call(bool writes);
extern Datum invoice_call_in_org(FunctionCallInfo fcinfo, PGFunction impl);
extern Datum invoice_on_org_node(SPIPlanPtr *cache, const char *call, int nargs, Oid *argtypes,
								 Datum *values, bool *isnull);
extern Datum invoice_logical_row(Datum row, const char *table);

/*
 * A read about one organisation (its id the first argument): here on one node
 * or on the organisation's node, inside invoice_call_in_org; on a Citus
 * coordinator, the same call (self_call, an expression over o.org_id and
 * $2…) sent to the organisation's node.
 */
extern Datum invoice_call_for_org(FunctionCallInfo fcinfo, PGFunction impl, SPIPlanPtr *cache, const char *self_call);

/*
 * The same for a set-returning function in materialize mode (its rows in a
 * tuplestore): on a coordinator, the rows of self_call run on the
 * organisation's node (FROM invoice.orgs o CROSS JOIN LATERAL self_call).
 */
extern Datum invoice_rows_for_org(FunctionCallInfo fcinfo, PGFunction impl, SPIPlanPtr *cache,
								  const char *self_call);

/*
 * A batch job over every organisation (billing day, sweep, search rebuild):
 * impl here on one node; on a Citus coordinator, node_call (an expression
 * over o.org_id and $2…, the function's own arguments from $2) once per shard
 * of orgs that holds an organisation, each a router query to its node in this
 * transaction, where the *_on_node function it names runs impl inside
 * invoice_call_in_org() — over the whole shard group.  Returns the sum of the
 * int8 results.
 */
extern int64 invoice_sum_over_shards(FunctionCallInfo fcinfo, PGFunction impl, SPIPlanPtr *cache,
									 const char *node_call);

/*
 * The coordinator's half of invoice_sum_over_shards with arguments of the
 * caller's own: $1 (slot 0 of argtypes, values and nulls, filled here) is the
 * shard's organisation, $2… are values[1…].
 */
extern int64 invoice_sum_over_shard_groups(SPIPlanPtr *cache, const char *node_call, int nargs, Oid *argtypes,
										   Datum *values, char *nulls);

/*
 * work(arg) on the organisations' rows of this node: here, or in the shard
 * group in force — and inside a trigger on a placement of a reference table
 * (a change of the supplier), once in each shard group of organisations on
 * this node: every node then does its own organisations' share.
 */
extern void invoice_in_each_local_group(void (*work) (void *arg), void *arg);

/* The rows of a kept read plan into a tuplestore, fetched through a cursor 1,000 at a time (inside SPI). */
extern void invoice_rows_into(Tuplestorestate *store, SPIPlanPtr plan, Datum *values, const char *nulls);

/* The relation invoice.<table>, or its shard where a shard group is in force. */
extern Oid	invoice_table_relid(const char *table);

/* Free the kept plans of a cache, in every shard group (their SQL names objects re-created since). */
extern void invoice_forget_plans(SPIPlanPtr *cache);
extern void invoice_refuse_on_shard(const char *what);
/*
 * The SQL the extension runs, as this node must run it: @cents@ replaced by the
 * cents type's schema (invoice_cents_sql, src/cents_schema.c), and in a shard
 * group every invoice.<table> by its shard (src/shards.c).
 */
extern const char *invoice_tables_sql(const char *sql);
extern const char *invoice_cents_sql(const char *sql);
extern const char *invoice_cents_schema(void);
extern SPIPlanPtr invoice_prepare_kept(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes,
									   int cursor_options);
extern int	invoice_execute(const char *sql, bool read_only, long count);
extern int	invoice_execute_with_args(const char *sql, int nargs, Oid *argtypes, Datum *values,
									  const char *nulls, bool read_only, long count);

/*
 * The next identity of a table whose identity column an INSERT names
 * explicitly (with OVERRIDING SYSTEM VALUE): a Citus shard has no identity
 * default, and on a worker the sequence is the node's own range of it
 * (invoice.distribute() sets the ranges).  On one node it is the identity's
 * own sequence, as the default would use, and like the default it asks no
 * sequence privilege of the role whose statement fired the trigger.
 */
#define IDENTITY_NEXT(sequence) "invoice.next_identity('invoice." sequence "')"

/* Argument checks shared by the SQL-callable functions: 22004 for NULL, 22023 for blank or not positive. */
extern text *invoice_arg_text(FunctionCallInfo fcinfo, int argno, const char *name);
extern text *invoice_arg_nonblank(FunctionCallInfo fcinfo, int argno, const char *name);

/* A payment provider's reference: not blank, at most this many bytes (22001), so it always fits its unique index. */
#define INVOICE_REFERENCE_MAX 255
extern text *invoice_arg_reference(FunctionCallInfo fcinfo, int argno, const char *name);
extern int64 invoice_arg_positive_amount(FunctionCallInfo fcinfo, int argno, const char *name);
extern bool invoice_text_is_blank(const char *text);

/* The list's search (search.c): the trimmed term of a search argument, NULL when blank. */
extern text *invoice_search_term(text *search);

/*
 * Trigger statements over at most this many changed rows reuse a kept plan
 * (index lookups per invoice, right for a handful of rows); larger ones are
 * planned for their actual size.
 */
#define SMALL_STATEMENT_ROWS 1000

/* The list's search candidates: text[] of the ids whose signature may contain term (search.c). */
extern Datum invoice_search_candidate_ids(text *org_id, text *term);

/* Add texts to invoices' search signatures: texts_sql yields (org_id, invoice_id, texts text[]). */
extern void invoice_search_add_texts(const char *texts_sql, SPIPlanPtr *cache);
/* The same, texts_sql with parameters $1… of argtypes */
extern void invoice_search_add_texts_with_args(const char *texts_sql, SPIPlanPtr *cache, int nargs, Oid *argtypes,
											   Datum *values);

/* Access (security.c): what the acting role may do with an organisation's data. */
typedef enum InvoiceAccess
{
	INVOICE_ACCESS_NONE,		/* not a member: its invoices do not exist */
	INVOICE_ACCESS_READ,		/* viewer */
	INVOICE_ACCESS_MANAGE,		/* owner, billing_admin: pay, cancel, dispute, top up */
	INVOICE_ACCESS_ADMIN		/* billing administrator: everything */
} InvoiceAccess;

extern Oid	invoice_acting_role(void);
extern Datum invoice_call_as_owner(FunctionCallInfo fcinfo, PGFunction impl);
extern bool invoice_acting_role_is_administrator(void);
extern void invoice_require_administrator(const char *action);
extern InvoiceAccess invoice_access_to_org(const char *org_id);

/*
 * May the acting role see the organisation (a member, or a billing
 * administrator)?  Decided from its memberships alone, before anything of
 * the organisation is read: the read API refuses an organisation the caller
 * may not see with the same work as one that does not exist.
 */
extern bool invoice_org_visible(text *org_id);
/* May it write for the organisation (owner, billing_admin, or a billing administrator)? */
extern bool invoice_org_writable(text *org_id);
extern void invoice_require_access(InvoiceAccess granted, InvoiceAccess needed, const char *kind,
								   const char *id, const char *action);

/*
 * Find an invoice by id that the acting role may act on as needed, and lock
 * it (FOR NO KEY UPDATE) unless it is only to be read.  Raises P0002 when no invoice it can see has that
 * id (another organisation's invoice answers exactly like an unknown one),
 * 42501 when it may see but not act, and 21000 when ids collide across
 * organisations.  Must be called inside SPI with the search path pinned.
 */
extern InvoiceStatus invoice_lock_by_id(text *id, char **org_id, InvoiceAccess needed, const char *action);

/*
 * The rules of an UPDATE of one invoice row, as the BEFORE UPDATE trigger
 * applies them (lifecycle.c): the row to store, or an error; *pending gets
 * what the statement trigger must still do (INVOICE_PENDING_*).
 */
#define INVOICE_PENDING_STATUS			0x1	/* status history, reminders */
#define INVOICE_PENDING_TAX_RATE		0x2	/* recompute of a retaxed draft */
#define INVOICE_PENDING_SEARCH_TEXTS	0x4	/* number or description for the search signature */
extern HeapTuple invoice_update_rules(Relation rel, HeapTuple old_tuple, HeapTuple new_tuple,
									  bool amounts_writer, int *pending);

/* Derived amounts: see compute.c. */
extern bool invoice_amounts_writer_active(void);
extern void invoice_recompute(const char *target_sql, SPIPlanPtr *plan_cache,
							  int nargs, Oid *argtypes, Datum *values,
							  bool check_overpayment);

/* Usage (usage_records.c): set while the extension itself writes usage records (generation, ingest). */
extern bool invoice_usage_rating_active(void);
extern void invoice_set_usage_rating(bool active);
/* The generation lock of an organisation (NULL: of all) for the transaction (usage_generate.c). */
extern void invoice_usage_generation_lock(text *org_id);
/* usage_ingest's work (usage_ingest.c), inside SPI, rights checked: the records it loaded. */
extern int64 invoice_usage_ingest(text *org_id);

/* Settings, defined in invoice.c. */
extern int	invoice_grace_period_minutes;
extern int	invoice_reminder_interval_days;
extern int	invoice_sweep_batch_size;

/* The one clock (clock.c): the transaction's start time, or invoice.test_clock when set. */
extern void invoice_clock_init(void);
extern TimestampTz invoice_clock_now(void);
extern DateADT invoice_clock_today(void);

/* The background worker (worker.c): registers itself when preloaded. */
extern void invoice_worker_init(void);

/* The overdue sweep (sweep.c) sets the instant the life cycle compares due dates with. */
extern TimestampTz invoice_overdue_reference(void);
extern void invoice_set_overdue_reference(TimestampTz as_of);
extern void invoice_clear_overdue_reference(void);
extern void invoice_queue_reminders_and_restore(void);
extern void invoice_restore_org(Datum org_id);

/* Prepaid balances (prepaid.c): apply at issue, returns the amount applied. */
extern int64 invoice_apply_advance(Datum org_id, Datum invoice_id, int64 amount_due, int *payment_terms_days);

/* Numbering: see numbering.c.  Numbers taken by a statement are written back when it ends. */
extern int	invoice_fiscal_year(TimestampTz when);	/* Indian financial year (starting year) in UTC */
extern int	invoice_fiscal_year_of_date(DateADT date);
extern char *invoice_assign_number(const char *series, int fiscal_year);
extern void invoice_give_number(const char *number);	/* NULL: none */
extern bool invoice_numbers_pending(void);
extern void invoice_flush_numbers(void);

#endif							/* INVOICE_H */
