import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { compareKeys, keyProblem, VarveError } from '@varve/core'

/** What a listing needs: a client, where, and how to send one request (with the store's retries). */
export interface ListContext {
  readonly client: S3Client
  readonly bucket: string
  /** The store's prefix in the bucket: `''` or ending with '/'. */
  readonly base: string
  readonly description: string
  readonly send: <T>(request: () => Promise<T>) => Promise<T>
}

/**
 * Yields the store keys starting with `prefix`, in ascending order of their
 * UTF-8 bytes, one ListObjectsV2 page (up to 1,000 keys) at a time.
 *
 * General purpose buckets list in that order already; each page is sorted
 * anyway (cheap) and its first key checked against the last one yielded, so a
 * server that pages out of order fails loudly instead of breaking the
 * contract. Directory buckets (S3 Express One Zone, names ending in `--x-s3`)
 * do not list in order at all and take only prefixes ending in '/': their
 * listing starts at the prefix's last '/', is filtered, collected, then sorted.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 *
 * Objects whose names are not valid store keys (the console's `folder/`
 * markers, names with control characters, ...) are skipped: no store call could
 * read them.
 */
export async function* listKeys(
  context: ListContext,
  prefix: string,
): AsyncGenerator<string, void, undefined> {
  if (context.bucket.endsWith('--x-s3')) {
    const all: string[] = []
    for await (const page of listPages(context, prefix.slice(0, prefix.lastIndexOf('/') + 1)))
      all.push(...page.filter((key) => key.startsWith(prefix)))
    yield* all.sort(compareKeys)
    return
  }
  const pages = listPages(context, prefix)
  let last: string | undefined
  for await (const page of pages) {
    page.sort(compareKeys)
    const first = page[0]
    if (first !== undefined && last !== undefined && compareKeys(first, last) <= 0) {
      throw new VarveError(
        'StoreFailure',
        `Could not list the keys starting with ${JSON.stringify(prefix)} in ${context.description}: the server ` +
          `returned ${JSON.stringify(first)} after ${JSON.stringify(last)}, out of order across pages. ` +
          'S3 lists in UTF-8 byte order; this S3-compatible server does not.',
        { details: { key: prefix, store: context.description } },
      )
    }
    yield* page
    last = page.at(-1) ?? last
  }
}

async function* listPages(context: ListContext, prefix: string): AsyncGenerator<string[], void, undefined> {
  const { client, bucket, base, send } = context
  let token: string | undefined
  do {
    const continuation = token
    const response = await send(() =>
      client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: base + prefix, ContinuationToken: continuation }),
      ),
    )
    const keys: string[] = []
    for (const { Key } of response.Contents ?? []) {
      if (Key === undefined || !Key.startsWith(base)) continue
      const key = Key.slice(base.length)
      if (keyProblem(key) === undefined) keys.push(key)
    }
    yield keys
    token = response.IsTruncated ? response.NextContinuationToken : undefined
    if (response.IsTruncated && token === undefined) {
      throw new VarveError(
        'StoreFailure',
        `Could not list the keys starting with ${JSON.stringify(prefix)} in ${context.description}: the server ` +
          'said the listing goes on but gave no continuation token.',
        { details: { key: prefix, store: context.description } },
      )
    }
  } while (token !== undefined)
}
