/** Module resolve hook: resolve every import with the '@varve/source' condition too. */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@varve/source')
    ? context.conditions
    : ['@varve/source', ...context.conditions]
  return nextResolve(specifier, { ...context, conditions })
}
