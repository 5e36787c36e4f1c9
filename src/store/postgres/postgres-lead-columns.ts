/** How the PostgreSQL lead store reads a lead: the columns of a LeadRow. */

/** The columns of a LeadRow; JSON comes back as text, as the shared row mapping expects. */
export function leadColumns(alias = ""): string {
  const a = alias ? `${alias}.` : "";
  return (
    `${a}id, ${a}source, ${a}workspace, ${a}table_name, ${a}identity_key, ${a}fields::text AS fields, ` +
    `${a}state, ${a}reason, ${a}priority, ${a}attempt, ${a}available_at, ${a}callback_deadline, ` +
    `${a}duplicate_of, ${a}result::text AS result, ${a}routes::text AS routes, ${a}created_at, ${a}updated_at`
  );
}
