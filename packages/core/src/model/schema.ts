// Schema is defined next to Frame in frame.ts (each creates the other at run time); this module
// is where the engine imports it from.
export { Schema } from './frame.ts'
export type { ColumnSpec, SchemaDefinition } from './schema-definition.ts'
