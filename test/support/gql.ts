export interface GqlResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, unknown>;
}

/**
 * POSTs one GraphQL operation to the api at `url` (a bearer token and more headers optional) and
 * returns the HTTP status and headers with the result: the one GraphQL client of the e2e tests
 * (`TestStack.gql` is this on the stack's own api).
 */
export async function gqlAt<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Pick<GqlResponse<T>, 'data' | 'errors' | 'extensions'>;
  return { status: res.status, headers: res.headers, ...body };
}
