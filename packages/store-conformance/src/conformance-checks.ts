import type { CheckSettings, ConformanceCheck } from './check.ts'
import { concurrencyChecks } from './checks/concurrency.ts'
import { createOnlyChecks } from './checks/create-only.ts'
import { deleteChecks } from './checks/deletes.ts'
import { faultChecks } from './checks/faults.ts'
import { listingChecks } from './checks/listing.ts'
import { missingKeyChecks } from './checks/missing-keys.ts'
import { rangedReadChecks } from './checks/ranged-reads.ts'
import { readIntoChecks } from './checks/reads-into.ts'
import { roundTripChecks } from './checks/round-trips.ts'

/** Every check of the kit, in the order they run, group by group. */
export function conformanceChecks(settings: CheckSettings): ConformanceCheck[] {
  return [
    ...roundTripChecks,
    ...missingKeyChecks,
    ...rangedReadChecks,
    ...readIntoChecks,
    ...listingChecks,
    ...deleteChecks,
    ...createOnlyChecks,
    ...concurrencyChecks(settings),
    ...faultChecks,
  ]
}
